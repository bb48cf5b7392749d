"""Backing up a site and restoring it elsewhere gives the same site: every published page, every media file.

The round trips run ``manage.py`` in separate processes against real files: a
SQLite site restored into a new SQLite file, and a PostgreSQL site restored into
a freshly created database (``dl_faults_restore_<pid>`` on 127.0.0.1:5432, made
and dropped here, named per process so two runs on one server do not drop each
other's; skipped where that server is missing, required in CI). The checks a
restore makes before it changes anything run in this process.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from newsroom import backup as backups
from newsroom.models import Story
from tests.factories import ArticleFactory, ImageFactory

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = f"dl_faults_restore_{os.getpid()}"

# Renders every published page a reader can reach through the archive and prints them as JSON. The comment
# form's CSRF token and its signed start time differ on every rendering and are cut out.
RENDER = r"""
import json, re, sys
import django
django.setup()
from django.test import Client
from newsroom.models import Story, TaggedStory

published = Story.objects.published()
urls = ["/", "/news/"]
urls += sorted({f"/news/{day:%Y/%m/%d}/" for day in published.values_list("date", flat=True)})
urls += [story.get_absolute_url() for story in published.order_by("date", "slug")]
slugs = TaggedStory.objects.filter(content_object__in=published).values_list("tag__slug", flat=True).distinct()
urls += [f"/tags/{slug}/" for slug in sorted(slugs)]
client = Client()
pages = {}
for url in urls:
    response = client.get(url)
    text = response.content.decode()
    text = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]*', r"\1", text)
    text = re.sub(r'(name="started" value=")[^"]*', r"\1", text)
    pages[url] = [response.status_code, text]
json.dump(pages, open(sys.argv[1], "w"))
"""


class Site:
    """One Dateline site: a database and a media folder, driven through manage.py."""

    def __init__(self, database_url: str, media: Path):
        self.media = media
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media),
            "PAGE_CACHE": "0",
            "CACHE_URL": "",
            "DEBUG": "1",
        }

    def manage(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def pages(self, tmp_path: Path) -> dict[str, list]:
        out = tmp_path / f"pages-{os.urandom(4).hex()}.json"
        result = subprocess.run(
            [sys.executable, "-c", RENDER, str(out)],
            cwd=ROOT,
            env={**self.env, "DJANGO_SETTINGS_MODULE": "newsroom.settings"},
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(out.read_text())

    def media_files(self) -> dict[str, str]:
        return {
            path.relative_to(self.media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.media.rglob("*"))
            if path.is_file()
        }


def assert_same_pages(before: dict, after: dict) -> None:
    assert sorted(before) == sorted(after)
    for url, (status, text) in before.items():
        assert status == 200, url
        assert after[url][0] == 200, url
        assert after[url][1] == text, f"{url} differs after the restore"


def back_up_the_demo(source: Site, tmp_path: Path) -> tuple[Path, dict, dict]:
    """Load the demo into ``source``, render its pages and back it up."""
    source.manage("migrate", "--noinput", "-v0")
    source.manage("load_demo")
    before = source.pages(tmp_path)
    assert len([url for url in before if url.count("/") == 6]) > 200  # every story page
    assert any(url.startswith("/tags/") for url in before)
    media_before = source.media_files()
    assert media_before

    folder = tmp_path / "backup"
    made = source.manage("backup", str(folder))
    assert "Backed up 253 stories" in made.stdout
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["media"]["files"] == len(media_before)

    return folder, before, media_before


def test_sqlite_site_restored_into_a_new_database_serves_the_same_pages(tmp_path):
    source = Site(f"sqlite:///{tmp_path / 'source.sqlite3'}", tmp_path / "media-source")
    target = Site(f"sqlite:///{tmp_path / 'restored.sqlite3'}", tmp_path / "media-restored")
    folder, before, media_before = back_up_the_demo(source, tmp_path)

    restored = target.manage("restore", str(folder))
    assert "253 stories on sqlite" in restored.stdout
    assert target.media_files() == media_before
    assert_same_pages(before, target.pages(tmp_path))

    # The restored site is no longer empty: replacing it again needs --yes.
    refused = target.manage("restore", str(folder), ok=False)
    assert refused.returncode != 0
    assert "Run again with --yes" in refused.stderr
    target.manage("restore", str(folder), "--yes")
    assert target.media_files() == media_before


def postgres_admin():
    import psycopg

    try:
        return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        if os.environ.get("CI"):
            pytest.fail(f"CI must reach PostgreSQL at {PG_SERVER}: {error}")
        pytest.skip(f"no PostgreSQL at {PG_SERVER}")


def fresh_database(admin) -> None:
    admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {PG_DATABASE}")


def test_postgresql_site_restored_into_a_new_database_serves_the_same_pages(tmp_path):
    admin = postgres_admin()
    try:
        fresh_database(admin)
        url = f"{PG_SERVER}/{PG_DATABASE}"
        source = Site(url, tmp_path / "media-source")
        folder, before, media_before = back_up_the_demo(source, tmp_path)
        assert (folder / "database.dump").read_bytes()[:5] == b"PGDMP"

        fresh_database(admin)
        target = Site(url, tmp_path / "media-restored")
        restored = target.manage("restore", str(folder))
        assert "253 stories on postgresql" in restored.stdout
        assert target.media_files() == media_before
        assert_same_pages(before, target.pages(tmp_path))

        refused = target.manage("restore", str(folder), ok=False)
        assert "Run again with --yes" in refused.stderr
        target.manage("restore", str(folder), "--yes")
        assert_same_pages(before, target.pages(tmp_path))
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        admin.close()


# What restore checks before it changes anything -------------------------------------------------------------
#
# Outside a test transaction (transactional_db), as the commands run: a backup never runs inside one.


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def site_with_a_backup(transactional_db, tmp_path, settings):
    ArticleFactory(headline="Ferry timetable changes", lead_image=ImageFactory())
    folder = tmp_path / "backup"
    run("backup", str(folder))
    return folder


def media_listing(settings) -> list[str]:
    return sorted(p.relative_to(settings.MEDIA_ROOT).as_posix() for p in Path(settings.MEDIA_ROOT).rglob("*"))


def rewrite_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


def test_backup_writes_manifest_with_vendor_migrations_and_checksums(site_with_a_backup):
    manifest = json.loads((site_with_a_backup / "manifest.json").read_text())
    database_file = site_with_a_backup / manifest["database"]["file"]
    assert manifest["database"]["vendor"] in {"sqlite", "postgresql"}
    assert "newsroom.0001_initial" in manifest["dateline"]["migrations"]
    assert manifest["contents"]["stories"] == 1
    assert manifest["media"]["files"] >= 1
    assert manifest["checksums"][database_file.name]["sha256"] == backups.sha256(database_file)
    assert manifest["checksums"]["media.tar"]["sha256"] == backups.sha256(site_with_a_backup / "media.tar")
    with tarfile.open(site_with_a_backup / "media.tar") as archive:
        assert any(name.startswith("images/") for name in archive.getnames())


def test_backup_refuses_a_folder_that_is_not_empty(transactional_db, tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "keep.txt").write_text("an earlier backup")
    with pytest.raises(CommandError, match="not an empty folder"):
        run("backup", str(folder))
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]


def test_restore_refuses_a_backup_whose_checksum_does_not_match(site_with_a_backup, settings):
    manifest = json.loads((site_with_a_backup / "manifest.json").read_text())
    with open(site_with_a_backup / manifest["database"]["file"], "ab") as damaged:
        damaged.write(b"\0")
    listing = media_listing(settings)
    with pytest.raises(CommandError, match="checksum of database.* does not match"):
        run("restore", str(site_with_a_backup), "--yes")
    assert Story.objects.get().title == "Ferry timetable changes"
    assert media_listing(settings) == listing


def test_restore_asks_for_yes_before_replacing_a_site_with_stories(site_with_a_backup):
    ArticleFactory(headline="Written after the backup")
    with pytest.raises(CommandError, match=r"not empty \(2 stories.*Run again with --yes"):
        run("restore", str(site_with_a_backup))
    assert Story.objects.count() == 2


def test_restore_refuses_a_folder_without_manifest(transactional_db, tmp_path):
    with pytest.raises(CommandError, match="has no manifest.json"):
        run("restore", str(tmp_path))


def test_restore_refuses_a_backup_from_another_kind_of_database(site_with_a_backup):
    def other_vendor(manifest):
        manifest["database"]["vendor"] = "postgresql" if manifest["database"]["vendor"] == "sqlite" else "sqlite"

    rewrite_manifest(site_with_a_backup, other_vendor)
    with pytest.raises(CommandError, match="same kind of database"):
        run("restore", str(site_with_a_backup), "--yes")


def test_restore_refuses_a_backup_made_by_a_newer_dateline(site_with_a_backup):
    rewrite_manifest(site_with_a_backup, lambda m: m["dateline"]["migrations"].append("newsroom.9999_from_the_future"))
    with pytest.raises(CommandError, match="newer Dateline.*newsroom.9999_from_the_future"):
        run("restore", str(site_with_a_backup), "--yes")
    assert Story.objects.count() == 1


def test_restore_refuses_media_that_would_land_outside_the_media_folder(site_with_a_backup, settings, tmp_path):
    archive_path = site_with_a_backup / "media.tar"
    evil = tmp_path / "evil.txt"
    evil.write_text("not a picture")
    with tarfile.open(archive_path, "w") as archive:
        archive.add(evil, arcname="../../outside.txt")
    rewrite_manifest(
        site_with_a_backup, lambda m: m["checksums"]["media.tar"].update(sha256=backups.sha256(archive_path))
    )
    listing = media_listing(settings)
    with pytest.raises(CommandError, match="outside the media folder"):
        run("restore", str(site_with_a_backup), "--yes")
    assert not (Path(settings.MEDIA_ROOT).parent.parent / "outside.txt").exists()
    assert media_listing(settings) == listing
    assert Story.objects.count() == 1


def test_backup_says_which_client_tools_are_missing(db, tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "_vendor", lambda alias: "postgresql")
    monkeypatch.setattr(backups.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="pg_dump is not installed.*postgresql-client"):
        run("backup", str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()


def test_backup_refuses_a_pg_dump_older_than_the_server(db, tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "_vendor", lambda alias: "postgresql")
    monkeypatch.setattr(backups, "_pg_tool", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backups, "_pg_tool_major", lambda tool: (14, "pg_dump (PostgreSQL) 14.11"))
    monkeypatch.setattr(backups, "_pg_server_major", lambda alias: (16, "16.2"))
    with pytest.raises(CommandError, match="pg_dump is version 14 but the database server is version 16"):
        run("backup", str(tmp_path / "backup"))
    assert not (tmp_path / "backup").exists()
