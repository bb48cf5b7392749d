from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the site from a folder written by 'manage.py backup': the database (pg_restore --clean "
        "--if-exists on PostgreSQL, SQLite's backup API on SQLite) and the media folder. Checks every file's "
        "checksum, the database vendor and the migrations first, and changes nothing if any check fails. "
        "Replacing a site that already has stories, accounts or media files needs --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", type=Path, help="The backup folder (holds manifest.json).")
        parser.add_argument(
            "--yes", action="store_true", help="Replace this site's stories, accounts and media with the backup."
        )
        parser.add_argument("--database", default="default", help="Database alias to restore into (default: default).")

    def handle(self, *args, directory, yes, database, **options):
        try:
            restored = restore(directory, replace=yes, alias=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup of {restored.made_at}: {restored.stories} stories on {restored.vendor} and "
            f"{restored.media_files} media files."
        )
        if restored.missing_migrations:
            self.stdout.write(
                f"The backup predates {len(restored.missing_migrations)} migration(s) of this Dateline: "
                "run 'manage.py migrate' before serving the site."
            )
