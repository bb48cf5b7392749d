"""Time and memory of importing a large WordPress export.

    .venv/bin/python bench/import_bench.py --posts 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dateline_import_bench .venv/bin/python bench/import_bench.py

Writes a synthetic WXR (categories two deep, tags, authors, a comment on every tenth post, shortcodes
in the bodies) to a temporary file, migrates a fresh database (a new SQLite file unless DATABASE_URL is
set; that database is emptied first), imports the file, and prints one line: posts, seconds, posts per
second and the process's peak resident memory against what it held before the import. A second run over
the same file measures the "nothing changed" path.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><wp:wxr_version>1.2</wp:wxr_version>
"""

BODY = (
    "The council met on {day} to discuss item {n}.\n\n"
    '[caption id="attachment_{n}" width="300"]<img src="/x.jpg"> A picture[/caption]\n\n'
    "<p>Residents asked <strong>many</strong> questions about the harbour, the ferry and the budget.</p>\n\n"
    "Line one\nline two of post {n}."
)


def write_wxr(path: Path, posts: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(HEAD)
        for n in range(20):
            out.write(
                f"<wp:author><wp:author_login>writer{n}</wp:author_login>"
                f"<wp:author_display_name>Writer {n}</wp:author_display_name></wp:author>\n"
            )
        for n in range(10):
            out.write(
                f"<wp:category><wp:category_nicename>desk{n}</wp:category_nicename>"
                f"<wp:category_parent></wp:category_parent><wp:cat_name>Desk {n}</wp:cat_name></wp:category>\n"
            )
            for m in range(3):
                out.write(
                    f"<wp:category><wp:category_nicename>desk{n}-beat{m}</wp:category_nicename>"
                    f"<wp:category_parent>desk{n}</wp:category_parent><wp:cat_name>Beat {m}</wp:cat_name>"
                    "</wp:category>\n"
                )
        for n in range(1, posts + 1):
            year = 2005 + n % 18
            month = 1 + n % 12
            day = 1 + n % 28
            stamp = f"{year}-{month:02d}-{day:02d} {n % 24:02d}:{n % 60:02d}:00"
            comment = (
                f"<wp:comment><wp:comment_id>{n}</wp:comment_id><wp:comment_author>Reader {n}</wp:comment_author>"
                f"<wp:comment_date_gmt>{stamp}</wp:comment_date_gmt>"
                f"<wp:comment_content>A view on post {n}.</wp:comment_content>"
                "<wp:comment_approved>1</wp:comment_approved></wp:comment>"
                if n % 10 == 0
                else ""
            )
            out.write(
                f"<item><title>Council meeting number {n}</title>"
                f"<link>https://old.example/{year}/{month:02d}/{day:02d}/council-{n}/</link>"
                f"<dc:creator>writer{n % 20}</dc:creator><guid>https://old.example/?p={n}</guid>"
                f"<content:encoded><![CDATA[{BODY.format(n=n, day=stamp[:10])}]]></content:encoded>"
                f"<excerpt:encoded><![CDATA[Summary of meeting {n}.]]></excerpt:encoded>"
                f"<wp:post_id>{n}</wp:post_id><wp:post_date_gmt>{stamp}</wp:post_date_gmt>"
                f"<wp:post_name>council-meeting</wp:post_name><wp:status>publish</wp:status>"
                f"<wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="desk{n % 10}-beat{n % 3}">Beat</category>'
                f'<category domain="post_tag" nicename="t{n % 500}">Topic {n % 500}</category>'
                f'<category domain="post_tag" nicename="t{n % 37}">Theme {n % 37}</category>'
                f"{comment}</item>\n"
            )
        out.write("</channel></rss>\n")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dateline-import-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    os.environ.setdefault("MEDIA_ROOT", str(work / "media"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from newsroom.importers.wordpress import WordPressImporter

    call_command("flush", interactive=False, verbosity=0) if "postgres" in os.environ["DATABASE_URL"] else None
    call_command("migrate", verbosity=0)
    source = work / "export.xml"
    write_wxr(source, arguments.posts)
    size = source.stat().st_size / 1024 / 1024
    before = peak_mb()
    for label in ("first import", "second import (unchanged)"):
        started = time.perf_counter()
        with source.open("rb") as stream:
            report = WordPressImporter(uploads=None, kinds={}).run(stream)
        seconds = time.perf_counter() - started
        print(
            f"{label}: {arguments.posts:,} posts ({size:.0f} MB of WXR) in {seconds:.0f} s, "
            f"{arguments.posts / seconds:,.0f} posts/s; posts {report.posts}; comments {report.comments}; "
            f"peak RSS {peak_mb():.0f} MB (before the import {before:.0f} MB); {len(report.faults)} problems",
            flush=True,
        )


if __name__ == "__main__":
    main()
