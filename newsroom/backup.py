"""Back up and restore a whole Dateline site: the database and the media folder.

A backup is a folder holding

- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite, copied with SQLite's online backup API, so the site keeps serving);
- ``media.tar``: every media file (uploads and renditions), from ``MEDIA_ROOT`` or, with
  ``MEDIA_STORAGE_URL``, from the bucket, read through Django's storage API;
- ``manifest.json``: when it was made, by which Dateline (code revision when
  known, and the migrations applied), from which database (vendor, server and
  dump tool versions), what it holds, and a SHA-256 checksum of each file.

The database is copied first, then the media, so every file the database names
is in the backup unless it was deleted in between.

Restoring checks everything before it changes anything: the checksums, that the
database vendor matches, that this Dateline knows every migration the backup
was made with, that the PostgreSQL client tools are there and can read the dump,
and that the media archive holds only plain files inside the folder. A site that
already holds stories, accounts or media files is replaced only when the caller
says so (``replace=True``, ``--yes``). The media are unpacked beside
``MEDIA_ROOT`` and swapped in after the database restored; with a bucket they
are checked in a scratch folder first, then written to the bucket after the
database restored, and objects the backup does not hold are deleted, so the
bucket ends up holding exactly the backup's files. What the cache kept is retired.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar"
FORMAT = 1
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    made_at: str
    vendor: str
    stories: int
    media_files: int
    missing_migrations: list[str]


# Small helpers ---------------------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _major(version_text: str) -> int:
    """The major version in "15.20", "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)" or "17devel"."""
    found = re.search(r"(?:\)\s*|^)(\d+)", version_text.strip())
    if not found:
        raise BackupError(f"Could not read a PostgreSQL version from {version_text!r}.")
    return int(found.group(1))


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support PostgreSQL and SQLite; this site's database is {vendor}.")
    return vendor


def _code_revision() -> str | None:
    try:
        result = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def applied_migrations(alias: str) -> list[str]:
    """Every migration applied to the database, as ``app.name``, sorted."""
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[alias])
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations() -> set[str]:
    """Every migration this code base ships."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    # A database migrated before a squash records the migrations the squashed one replaces.
    for migration in loader.disk_migrations.values():
        known.update(f"{app}.{name}" for app, name in migration.replaces)
    return known


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _bucket():
    """The media storage when it is not the local folder (an S3 bucket), else None."""
    from django.core.files.storage import FileSystemStorage, storages

    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def _bucket_names(storage, folder: str = "") -> list[str]:
    """Every file name in the storage, walked folder by folder with the storage API."""
    directories, files = storage.listdir(folder)
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    names = [prefix + name for name in files if name]
    for directory in directories:
        if directory:
            names.extend(_bucket_names(storage, prefix + directory))
    return sorted(names)


def _media_count() -> int:
    storage = _bucket()
    return len(_bucket_names(storage)) if storage is not None else len(_media_files(_media_root()))


# PostgreSQL client tools -----------------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client tools of the server's major version or "
            f"newer (Debian: apt-get install postgresql-client-<version>) and run this again."
        )
    return found


def _pg_tool_major(tool: str) -> tuple[int, str]:
    result = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=30, check=False)
    text = result.stdout.strip()
    return _major(text), text


def _pg_server_major(alias: str) -> tuple[int, str]:
    connection = connections[alias]
    connection.ensure_connection()
    number = connection.pg_version
    return number // 10000, f"{number // 10000}.{number % 10000}"


def _pg_environment(alias: str) -> dict[str, str]:
    """The connection as libpq variables: the password stays out of the process list."""
    config = connections[alias].settings_dict
    env = {**os.environ, "PGDATABASE": config["NAME"]}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if config.get(key):
            env[variable] = str(config[key])
    options = config.get("OPTIONS", {})
    for key, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def _run_pg_tool(command: list[str], alias: str, what: str) -> None:
    result = subprocess.run(command, env=_pg_environment(alias), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        raise BackupError(f"{what} failed: {message}")


# Backup ----------------------------------------------------------------------------------------------------


def backup(directory: Path, *, alias: str = DEFAULT_DB_ALIAS) -> dict:
    """Write a backup of the site into ``directory`` (new or empty) and return its manifest."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} is not an empty folder. Name a new folder so no earlier backup is overwritten.")
    vendor = _vendor(alias)
    made_here = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    try:
        return _write_backup(directory, vendor, alias)
    except BaseException:
        # Leave no half-written backup behind that could be mistaken for a good one.
        if made_here:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            for entry in directory.iterdir():
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        raise


def _write_backup(directory: Path, vendor: str, alias: str) -> dict:
    made_at = datetime.now(UTC)
    database_file = directory / DATABASE_FILES[vendor]
    database: dict = {"vendor": vendor, "file": database_file.name}
    if vendor == "postgresql":
        tool = _pg_tool("pg_dump")
        tool_major, tool_version = _pg_tool_major(tool)
        server_major, server_version = _pg_server_major(alias)
        if tool_major < server_major:
            raise BackupError(
                f"pg_dump is version {tool_major} but the database server is version {server_major}: pg_dump must "
                f"be the server's major version or newer. Install postgresql-client-{server_major}."
            )
        _run_pg_tool([tool, "--format=custom", f"--file={database_file}"], alias, "pg_dump")
        database.update(server_version=server_version, tool=tool_version)
    else:
        connection = connections[alias]
        connection.ensure_connection()
        if connection.in_atomic_block:
            # SQLite's backup would wait for ever for this connection's own open transaction to end.
            raise BackupError("A backup cannot run inside a transaction.")
        target = sqlite3.connect(database_file)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        database.update(server_version=sqlite3.sqlite_version)

    media_files, media_bytes = _archive_media(directory / MEDIA_ARCHIVE)

    from .models import Story

    manifest = {
        "format": FORMAT,
        "made_at": made_at.isoformat(timespec="seconds"),
        "dateline": {"revision": _code_revision(), "migrations": applied_migrations(alias)},
        "database": database,
        "media": {"file": MEDIA_ARCHIVE, "files": media_files, "bytes": media_bytes},
        "contents": {
            "stories": Story.objects.using(alias).count(),
            "published_stories": Story.objects.using(alias).published().count(),
        },
        "checksums": {
            name: {"sha256": sha256(directory / name), "bytes": (directory / name).stat().st_size}
            for name in (database_file.name, MEDIA_ARCHIVE)
        },
    }
    # Written last: a folder without a manifest is an unfinished backup and restore refuses it.
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _archive_media(target: Path) -> tuple[int, int]:
    """Write every media file into the tar at ``target``; returns how many files and bytes."""
    storage = _bucket()
    count = size = 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        if storage is None:
            media = _media_root()
            for path in _media_files(media):
                archive.add(path, arcname=path.relative_to(media).as_posix(), recursive=False)
                count, size = count + 1, size + path.stat().st_size
            return count, size
        made = datetime.now(UTC).timestamp()
        for name in _bucket_names(storage):
            with storage.open(name, "rb") as source:
                # Read in full: a bucket object's size is only known for sure once it has been read.
                data = source.read()
            member = tarfile.TarInfo(name)
            member.size, member.mtime, member.mode = len(data), made, 0o644
            archive.addfile(member, io.BytesIO(data))
            count, size = count + 1, size + len(data)
    return count, size


# Restore ---------------------------------------------------------------------------------------------------


def read_manifest(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{directory} has no {MANIFEST}: it is not a Dateline backup, or the backup did not finish.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is not readable JSON ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a backup this version of Dateline can read (format {FORMAT} expected).")
    return manifest


def verify(directory: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its checksum, and nothing else is expected."""
    checksums = manifest.get("checksums") or {}
    expected = {manifest["database"]["file"], MEDIA_ARCHIVE}
    if set(checksums) != expected:
        raise BackupError("The manifest does not list the database and media files: the backup is incomplete.")
    for name, recorded in sorted(checksums.items()):
        path = Path(directory) / name
        if Path(name).name != name or not path.is_file():
            raise BackupError(f"{name} is missing from the backup. Nothing was restored.")
        if sha256(path) != recorded.get("sha256"):
            raise BackupError(
                f"The checksum of {name} does not match the manifest: the backup is damaged or was changed. "
                "Nothing was restored."
            )


def site_contents(alias: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """What restoring would replace: stories, accounts and media files (tables not made yet count as empty)."""
    from django.contrib.auth import get_user_model

    from .models import Story

    tables = set(connections[alias].introspection.table_names())
    user_model = get_user_model()
    return {
        "stories": Story.objects.using(alias).count() if Story._meta.db_table in tables else 0,
        "accounts": user_model.objects.using(alias).count() if user_model._meta.db_table in tables else 0,
        "media files": _media_count(),
    }


def _check_migrations(manifest: dict) -> list[str]:
    """Migrations this code has that the backup lacks; refuses a backup made by a newer Dateline."""
    recorded = set(manifest["dateline"].get("migrations") or [])
    known = known_migrations()
    unknown = sorted(recorded - known)
    if unknown:
        raise BackupError(
            "This backup was made by a newer Dateline: it has migrations this code does not know "
            f"({', '.join(unknown[:5])}{'...' if len(unknown) > 5 else ''}). Upgrade Dateline, then restore."
        )
    return sorted(known - recorded) if recorded else []


def _unpack_media(directory: Path, staging: Path) -> int:
    count = 0
    with tarfile.open(Path(directory) / MEDIA_ARCHIVE, "r") as archive:
        for member in archive.getmembers():
            if not (member.isfile() or member.isdir()):
                raise BackupError(
                    f"{MEDIA_ARCHIVE} holds {member.name!r}, which is not a plain file. Nothing restored."
                )
            count += member.isfile()
        # The "data" filter refuses absolute paths, "..", links out of the folder and device files.
        try:
            archive.extractall(staging, filter="data")
        except tarfile.FilterError as error:
            raise BackupError(
                f"{MEDIA_ARCHIVE} tries to write outside the media folder ({error}). Nothing restored."
            ) from error
    return count


def restore(directory: Path, *, replace: bool = False, alias: str = DEFAULT_DB_ALIAS) -> Restored:
    directory = Path(directory)
    manifest = read_manifest(directory)
    verify(directory, manifest)
    vendor = _vendor(alias)
    source_vendor = manifest["database"].get("vendor")
    if source_vendor != vendor:
        raise BackupError(
            f"This backup holds a {source_vendor} database and this site runs on {vendor}; a backup is restored "
            "onto the same kind of database."
        )
    missing = _check_migrations(manifest)
    dump = directory / manifest["database"]["file"]
    if vendor == "postgresql":
        tool = _pg_tool("pg_restore")
        tool_major, _ = _pg_tool_major(tool)
        dump_major = _major(manifest["database"].get("tool", "0"))
        source_major = _major(manifest["database"].get("server_version", "0"))
        server_major, _ = _pg_server_major(alias)
        if tool_major < dump_major:
            raise BackupError(
                f"The dump was written by pg_dump {dump_major} and pg_restore here is version {tool_major}, which "
                f"cannot read it. Install postgresql-client-{dump_major} or newer."
            )
        if server_major < source_major:
            raise BackupError(
                f"The backup comes from PostgreSQL {source_major} and this server is version {server_major}: "
                "restore onto the same major version or a newer one."
            )
    contents = site_contents(alias)
    if any(contents.values()) and not replace:
        held = ", ".join(f"{count} {name}" for name, count in contents.items() if count)
        raise BackupError(
            f"This site is not empty ({held}). Restoring replaces all of it with the backup of "
            f"{manifest['made_at']}. Run again with --yes to go ahead."
        )

    bucket = _bucket()
    media = _media_root()
    if bucket is None:
        media.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{media.name}-restoring-", dir=media.parent))
        # mkdtemp makes a private folder; the media folder is read by the web server too.
        staging.chmod(media.stat().st_mode & 0o7777 if media.is_dir() else 0o755)
    else:
        staging = Path(tempfile.mkdtemp(prefix="dateline-media-restoring-"))
    try:
        media_files = _unpack_media(directory, staging)
        if vendor == "postgresql":
            connections[alias].close()
            _run_pg_tool(
                [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
                 f"--dbname={connections[alias].settings_dict['NAME']}", str(dump)],
                alias,
                "pg_restore",
            )  # fmt: skip
        else:
            _restore_sqlite(dump, alias)
        if bucket is None:
            _swap_in(staging, media)
        else:
            _fill_bucket(bucket, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    from .cache import stale
    from .models import Story

    connections[alias].close()
    stale.send_robust(sender=Restored)
    return Restored(
        made_at=manifest["made_at"],
        vendor=vendor,
        stories=Story.objects.using(alias).count(),
        media_files=media_files,
        missing_migrations=missing,
    )


def _restore_sqlite(dump: Path, alias: str) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


def _fill_bucket(storage, staging: Path) -> None:
    """Make the bucket hold exactly the unpacked files: each written under its own name, the rest deleted."""
    from django.core.files import File

    wanted = {path.relative_to(staging).as_posix(): path for path in _media_files(staging)}
    for name, path in sorted(wanted.items()):
        if storage.exists(name):
            # Buckets keep names unique rather than overwriting (file_overwrite off): make room first.
            storage.delete(name)
        with path.open("rb") as source:
            saved = storage.save(name, File(source, name=name))
        if saved != name:
            raise BackupError(f"The bucket stored {name} as {saved}; the media were not restored under their names.")
    for name in _bucket_names(storage):
        if name not in wanted:
            storage.delete(name)


def _swap_in(staging: Path, media: Path) -> None:
    """Put the unpacked media where MEDIA_ROOT is, keeping the old folder only until the new one is in place."""
    old = media.parent / f".{media.name}-replaced-{uuid.uuid4().hex[:8]}"
    if media.exists():
        media.rename(old)
    try:
        staging.rename(media)
    except OSError:
        if old.exists():
            old.rename(media)
        raise
    shutil.rmtree(old, ignore_errors=True)
