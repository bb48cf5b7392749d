import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from newsroom.demo.content import EDITOR_AUTHOR
from newsroom.models import Author

USERNAME = "editor"
DEFAULT_PASSWORD = "dateline-editor"

# One account per role: (username, group, label printed, superuser). The editor is an ordinary Editor,
# so the demo shows what the role may do; only the administrator holds every key.
DEMO_READER_USERNAME = "demo-reader"
DEMO_READER_EMAIL = "reader@dateline.example"
DEMO_ACCOUNTS = (
    ("reporter", "Reporter", "Reporter", False),
    (USERNAME, "Editor", "Editor", False),
    ("moderator", "Moderator", "Moderator", False),
    ("admin", "Administrator", "Administrator", True),
)


class Command(BaseCommand):
    help = (
        "Make sure a demo account for each role (reporter, editor, moderator, administrator) exists with a known "
        "password, and print how to sign in. "
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
        chosen = os.environ.get("DEMO_PASSWORD")
        user_model = get_user_model()
        logins = []
        with transaction.atomic():
            for username, group_name, label, superuser in DEMO_ACCOUNTS:
                password = chosen or f"dateline-{username}"
                user, _ = user_model.objects.get_or_create(
                    **{user_model.USERNAME_FIELD: username}, defaults={"email": f"{username}@dateline.example"}
                )
                user.is_active = True
                user.is_staff = True
                user.is_superuser = superuser
                # Reset every run, so the logins printed below always work.
                user.set_password(password)
                user.save()
                group, _ = Group.objects.get_or_create(name=group_name)
                user.groups.set([group])
                logins.append(f"  {label} login: {username} / {password}")
                if username == USERNAME and not Author.objects.filter(user=user).exists():
                    Author.objects.filter(slug=EDITOR_AUTHOR, user__isnull=True).update(user=user)
            reporter = user_model.objects.get(**{user_model.USERNAME_FIELD: "reporter"})
            if not Author.objects.filter(user=reporter).exists():
                spare = Author.objects.filter(user__isnull=True).exclude(slug=EDITOR_AUTHOR).order_by("pk").first()
                if spare is not None:
                    Author.objects.filter(pk=spare.pk).update(user=reporter)
            reader_password = chosen or "dateline-reader"
            ensure_demo_reader(user_model, reader_password)
        base = base_url.rstrip("/")
        logins.append(f"  Reader login ({base}/accounts/login/): {DEMO_READER_EMAIL} / {reader_password}")
        self.stdout.write(f"Dateline is ready.\n  Site:   {base}/\n  Admin:  {base}/admin/\n" + "\n".join(logins))


def ensure_demo_reader(user_model, password: str):
    """A reader's account with its email confirmed, as sign-up leaves one: no staff flag, no group."""
    from allauth.account.models import EmailAddress

    from newsroom.readers.services import create_profile

    reader, _ = user_model.objects.get_or_create(
        **{user_model.USERNAME_FIELD: DEMO_READER_USERNAME}, defaults={"email": DEMO_READER_EMAIL}
    )
    reader.email = DEMO_READER_EMAIL
    reader.is_active, reader.is_staff, reader.is_superuser = True, False, False
    reader.set_password(password)
    reader.save()
    reader.groups.clear()
    reader.user_permissions.clear()
    EmailAddress.objects.update_or_create(
        user=reader, email=DEMO_READER_EMAIL, defaults={"verified": True, "primary": True}
    )
    create_profile(user=reader, display_name="Demo Reader")
    return reader
