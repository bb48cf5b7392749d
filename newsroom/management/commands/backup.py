from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the whole site into DIR (a new or empty folder): the database (pg_dump --format=custom on "
        "PostgreSQL, SQLite's online backup API on SQLite), the media folder as media.tar, and manifest.json "
        "with the time, the Dateline revision and migrations, the database vendor and a checksum of each file. "
        "The site keeps serving while it runs. Restore with 'manage.py restore DIR'."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", type=Path, help="A new or empty folder for the backup.")
        parser.add_argument("--database", default="default", help="Database alias to back up (default: default).")

    def handle(self, *args, directory, database, **options):
        try:
            manifest = backup(directory, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        contents, media = manifest["contents"], manifest["media"]
        self.stdout.write(
            f"Backed up {contents['stories']} stories ({contents['published_stories']} published) from "
            f"{manifest['database']['vendor']} and {media['files']} media files into {directory}."
        )
