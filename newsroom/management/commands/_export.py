"""What both archive exports share: pages fetched through the real views, files written only when changed.

Pages are requested through Django's test client, so an export is exactly what
the site serves. Stories are read in keyset batches of a few hundred ids, and
files are pruned one day directory at a time, so memory stays flat however
large the archive is.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.test import Client
from django.test.utils import override_settings
from tqdm import tqdm

from newsroom.models import Story

BATCH = 500
# Exports are not readers: the word "bot" keeps them out of the most-read counts.
USER_AGENT = "Dateline-export-bot"


class Exporter:
    def __init__(self, root: str, *, base_url: str, progress: bool | None):
        self.root = Path(root).resolve()
        for precious in (Path(settings.BASE_DIR), Path(settings.MEDIA_ROOT)):
            precious = precious.resolve()
            if precious == self.root or self.root in precious.parents:
                # Pruning removes files the export did not write; never near the code or the uploads.
                raise CommandError(f"{self.root} holds {precious}; choose an empty or export-only directory.")
        self.root.mkdir(parents=True, exist_ok=True)
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise CommandError(f"--base-url must look like https://news.example.org, not {base_url!r}.")
        self.host = parts.netloc
        self.hostname = parts.hostname
        self.secure = parts.scheme == "https"
        self.client = Client(HTTP_HOST=self.host, HTTP_USER_AGENT=USER_AGENT)
        self.progress_enabled = None if progress is None else not progress
        self.written = self.unchanged = self.removed = 0
        self.bar = None

    def run(self, work) -> None:
        allowed = [*settings.ALLOWED_HOSTS, self.hostname]
        with override_settings(ALLOWED_HOSTS=allowed):
            work()

    def start_progress(self, total: int, unit: str) -> None:
        # disable=None turns the bar off when stderr is not a terminal, as under cron.
        self.bar = tqdm(total=total, unit=unit, file=sys.stderr, disable=self.progress_enabled, dynamic_ncols=True)

    def tick(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def summary(self) -> str:
        return f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed in {self.root}"

    # --- Fetching and writing -------------------------------------------------------------------

    def fetch(self, url: str) -> bytes:
        response = self.client.get(url, secure=self.secure)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}; the export stops so nothing is half-written.")
        return response.content

    def write(self, relative: str, content: bytes) -> Path:
        """Write a file only when its bytes changed, replacing it atomically."""
        path = self.root / relative
        if path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content:
            self.unchanged += 1
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.written += 1
        return path

    def copy(self, source: Path, relative: str) -> None:
        target = self.root / relative
        if target.is_file():
            same = target.stat()
            there = source.stat()
            if same.st_size == there.st_size and int(same.st_mtime) == int(there.st_mtime):
                self.unchanged += 1
                return
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        self.written += 1

    def remove(self, path: Path) -> None:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
        self.removed += 1

    def remove_empty_dirs(self, top: Path) -> None:
        if not top.is_dir():
            return
        for directory, _, _ in sorted(os.walk(top), key=lambda entry: -len(entry[0])):
            path = Path(directory)
            if path != top and not any(path.iterdir()):
                path.rmdir()

    # --- The published archive, in batches ------------------------------------------------------

    def published_days(self) -> Iterator[tuple[date, list[tuple[int, str]]]]:
        """Each day with published stories, oldest first, with its (pk, slug) pairs."""
        current: date | None = None
        stories: list[tuple[int, str]] = []
        for pk, day, slug in self._published_batches():
            if current is not None and day != current:
                yield current, stories
                stories = []
            current = day
            stories.append((pk, slug))
        if current is not None:
            yield current, stories

    def _published_batches(self) -> Iterator[tuple[int, date, str]]:
        live = Story.objects.published().order_by("date", "pk").values_list("pk", "date", "slug")
        last: tuple[date, int] | None = None
        while True:
            page = live
            if last is not None:
                page = live.filter(Q(date__gt=last[0]) | Q(date=last[0], pk__gt=last[1]))
            rows = list(page[:BATCH])
            if not rows:
                return
            yield from rows
            last = (rows[-1][1], rows[-1][0])

    def prune_days(self, keep_days: set[str], *, is_ours) -> None:
        """Remove what an earlier export wrote for days that no longer have published stories.

        ``keep_days`` holds 'YYYY/MM/DD' strings; ``is_ours`` says which entries of
        a day directory this export owns, so the two exports can share one tree.
        """
        news = self.root / "news"
        if not news.is_dir():
            return
        for year in sorted(p for p in news.iterdir() if p.is_dir() and p.name.isdigit()):
            for month in sorted(p for p in year.iterdir() if p.is_dir() and p.name.isdigit()):
                for day in sorted(p for p in month.iterdir() if p.is_dir() and p.name.isdigit()):
                    if f"{year.name}/{month.name}/{day.name}" in keep_days:
                        continue
                    for entry in list(day.iterdir()):
                        if is_ours(entry):
                            self.remove(entry)
        self.remove_empty_dirs(news)


class ExportCommand(BaseCommand):
    """The arguments both exports take: where to write, the address it will be served at, progress."""

    base_url_help = "Address the site is served at."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="Where to write; created if missing.")
        parser.add_argument("--base-url", default="http://localhost:8000", help=self.base_url_help)
        progress = parser.add_mutually_exclusive_group()
        progress.add_argument("--progress", action="store_true", default=None, help="Always show a progress bar.")
        progress.add_argument("--no-progress", dest="progress", action="store_false", help="Never show one.")
