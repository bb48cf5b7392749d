import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsroom.demo.content import EDITOR_AUTHOR
from newsroom.models import Author

USERNAME = "editor"
DEFAULT_PASSWORD = "dateline-editor"


class Command(BaseCommand):
    help = (
        "Make sure the demo editor account exists with a known password, and print how to sign in. "
        "Refused when DEBUG is off unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the site is served, for the printed links (default: %(default)s).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create the account even with DEBUG off. Only for a demo site that nobody relies on.",
        )

    def handle(self, *args, base_url, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a real site: the demo editor account has a published password "
                "and would let anyone in. Pass --force if this really is a throwaway demo."
            )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        user_model = get_user_model()
        with transaction.atomic():
            user, _ = user_model.objects.get_or_create(
                **{user_model.USERNAME_FIELD: USERNAME}, defaults={"email": "editor@dateline.example"}
            )
            user.is_active = True
            user.is_staff = True
            user.is_superuser = True
            # Reset every run, so the login printed below always works.
            user.set_password(password)
            user.save()
            if not Author.objects.filter(user=user).exists():
                Author.objects.filter(slug=EDITOR_AUTHOR, user__isnull=True).update(user=user)
        base = base_url.rstrip("/")
        self.stdout.write(
            f"Dateline is ready.\n  Site:   {base}/\n  Admin:  {base}/admin/\n  Editor login: {USERNAME} / {password}"
        )
