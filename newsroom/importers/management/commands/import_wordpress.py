import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from newsroom.importers.wordpress import WordPressImporter, read_kinds


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR): posts as articles, authors, categories as nested sections, tags as "
        "contexts, approved comments, attachments as images, old addresses kept as redirects. "
        "Running it again changes nothing; a newer export updates what changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xml file WordPress exported.")
        parser.add_argument("--uploads", help="The wp-content/uploads folder the attachments are read from.")
        parser.add_argument("--kinds", help="A TOML file with a [kinds] table: category slug = article kind.")
        parser.add_argument(
            "--kind", action="append", default=[], metavar="CATEGORY=KIND", help="One mapping, e.g. opinion=opinion."
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args, file, uploads, kinds, kind, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        if uploads and not Path(uploads).is_dir():
            raise CommandError(f"{uploads} is not a folder.")
        try:
            mapping = read_kinds(Path(kinds) if kinds else None, kind)
        except (OSError, ValueError) as error:
            raise CommandError(f"Kinds: {error}") from error
        importer = WordPressImporter(uploads=Path(uploads) if uploads else None, kinds=mapping, dry_run=dry_run)

        def progress(report):
            sys.stderr.write(f"{report.records} records read; posts: {report.posts}\n")

        with path.open("rb") as stream:
            report = importer.run(stream, progress=progress)
        for fault in report.faults:
            self.stderr.write(f"{path.name}:{fault}")
        prefix = "Dry run, nothing written. Would be: " if dry_run else ""
        self.stdout.write(
            f"{prefix}posts: {report.posts}; images: {report.images}; comments: {report.comments}; "
            f"{report.authors} new authors, {report.sections} new sections; {len(report.faults)} problems."
        )
