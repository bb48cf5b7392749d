from django.core.management.base import BaseCommand

from newsroom.webhooks.services import send_due


class Command(BaseCommand):
    help = "Send the webhook messages that are due (safe to run from cron every minute; runs never overlap)."

    def handle(self, *args, **options):
        report = send_due()
        if report.busy:
            self.stdout.write("Another sender is at work; nothing done.")
            return
        self.stdout.write(f"Delivered {report.sent}, failed {report.failed}.")
        for endpoint in report.disabled:
            self.stdout.write(f"Disabled {endpoint.url}: {endpoint.disabled_reason}")
