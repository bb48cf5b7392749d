from django.core.management.base import BaseCommand

from newsroom.demo.loader import load


class Command(BaseCommand):
    help = (
        "Fill an empty Dateline database with a demo newsroom: sections, authors, articles, events and "
        "illustrations. Does nothing if the database already has stories."
    )

    def handle(self, *args, **options):
        summary = load()
        if summary is None:
            self.stdout.write("Demo content is already loaded; nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"Loaded the demo newsroom: {summary}."))
