from django.core.management.base import BaseCommand

from newsroom import popularity


class Command(BaseCommand):
    help = (
        "Move page views counted in the cache into the hourly table behind 'Most read now'. "
        "Safe to run from cron at any interval and alongside the server: a lock keeps two flushes apart "
        "and each view is moved once. Useful with a shared cache (CACHE_URL); with the default "
        "in-process cache each server process flushes its own views as it serves pages."
    )

    def handle(self, *args, **options):
        moved = popularity.flush()
        self.stdout.write(f"Moved {moved} page view{'s' if moved != 1 else ''} into the most-read table.")
