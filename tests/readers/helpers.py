"""Making reader accounts the way readers do, through the sign-up form and the link in the email."""

from __future__ import annotations

import re

from allauth.account.models import EmailAddress
from django.core import mail

from newsroom.readers.services import create_profile
from tests.factories import UserFactory

PASSWORD = "harbour-lights-at-dusk"
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)")


def sign_up(client, *, email="ana@readers.example", name="Ana from the harbour", **extra):
    data = {"display_name": name, "email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post("/accounts/signup/", data)


def confirmation_path(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    return LINK.search(message.body).group(1)


def confirmed_reader(*, email="ana@readers.example", name="Ana from the harbour", username=None):
    """A reader account as sign-up and confirmation leave it, made directly."""
    user = UserFactory(username=username or email.split("@")[0], email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    create_profile(user=user, display_name=name)
    return user


def sign_in(client, email="ana@readers.example", password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password, **extra})
