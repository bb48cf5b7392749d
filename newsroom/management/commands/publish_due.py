from django.core.management.base import BaseCommand

from newsroom.services import publish_due


class Command(BaseCommand):
    help = (
        "Mark scheduled stories whose publish time has passed as Published. Safe to run from cron as often "
        "as you like: the site shows due stories whether or not this has run, and a second run changes nothing."
    )

    def handle(self, *args, **options):
        moved = publish_due()
        if options["verbosity"] >= 1:
            self.stdout.write(f"Published {moved} due stor{'y' if moved == 1 else 'ies'}.")
