import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from events.archive_import import import_archive


class Command(BaseCommand):
    help = (
        "Import a Markdown archive written by export_markdown (DIR/news/YYYY/MM/DD/...): its events, with their "
        "sources, contexts and related links. Running it again changes nothing; a newer archive updates what "
        "changed. Articles in the archive are counted and left out."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, directory, dry_run, **options):
        root = Path(directory)
        if not root.is_dir():
            raise CommandError(f"{root} is not a folder.")

        def progress(report):
            if report.days % 100 == 0:
                sys.stderr.write(f"{report.days} days read: {report.created} new, {report.updated} changed\n")

        report = import_archive(root, dry_run=dry_run, progress=progress)
        for fault in report.faults:
            self.stderr.write(str(fault))
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{report.days} days: {report.created} events {verb} created, {report.updated} updated, "
            f"{report.unchanged} unchanged; related links of {report.links_changed} {verb} set; "
            f"{report.articles_skipped} articles left out; {len(report.faults)} problems."
        )
