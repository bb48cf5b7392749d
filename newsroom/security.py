"""Sign-in throttling: the lockout page and the authentication backend that counts failures (django-axes).

Settings (newsroom/settings.py, "Sign-in throttling") choose the limits; this module decides what a reader
or an editor sees when they are reached.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

LOCKOUT_STATUS = 429


class SignInThrottleBackend(AxesStandaloneBackend):
    """Refuses every sign-in from a locked account or address, before the password is even checked.

    A call without a request is no sign-in over the web (the test client's ``login``, a management
    command): there is no address to count, so it is left to the next backend instead of being refused.
    """

    def authenticate(self, request: HttpRequest | None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# The longest name any account can have (Django's username field); what is typed beyond it names nobody.
USERNAME_LIMIT = 150


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The name a failed sign-in is counted under, cut to the longest an account can have.

    The attempt log keeps it in a 255-character column: a 10,000-character name typed into a sign-in form
    must count as a failure, not end in a database error.

    Readers sign in with their email address (allauth passes it as ``email``, its form posts it as
    ``login``), so that is the name their failures count under.
    """
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    elif request is not None:
        value = request.POST.get("username") or request.POST.get("login")
    else:
        value = None
    name = str(value or "")
    if "@" in name:
        # Addresses are matched without regard to case, as allauth does: "Ana@" and "ana@" share one count.
        name = name.strip().lower()
    return name[:USERNAME_LIMIT]


def unlocks_at(*, username: str, ip_address: str | None, cool_off: timedelta) -> datetime | None:
    """When the lock lifts: the cool-off counted from the latest failure of this account or this address."""
    who = Q(username=username) if username else Q()
    if ip_address:
        who |= Q(ip_address=ip_address)
    if not who:
        return None
    latest = AccessAttempt.objects.filter(who).aggregate(latest=Max("attempt_time"))["latest"]
    return latest + cool_off if latest else None


def is_admin_request(request: HttpRequest) -> bool:
    return request.path.startswith(reverse("admin:index"))


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The page shown instead of a sign-in while the account or address is locked.

    The admin's sign-in gets a page in the admin's style, the readers' one a page in the site's.
    """
    cool_off = get_cool_off(request) or timedelta(0)
    username = get_client_username(request, credentials) or ""
    ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    until = unlocks_at(username=username, ip_address=ip_address, cool_off=cool_off)
    minutes = max(1, round(cool_off.total_seconds() / 60))
    context = {
        "title": "Too many failed sign-ins",
        "failure_limit": get_failure_limit(request, credentials),
        "cool_off_minutes": minutes,
        "unlocks_at": timezone.localtime(until) if until else None,
    }
    if is_admin_request(request):
        context.update(admin.site.each_context(request))
        template = "admin/locked_out.html"
    else:
        template = "registration/locked_out.html"
    response = render(request, template, context, status=LOCKOUT_STATUS)
    # The lock and its time belong to this moment and this reader; no cache may keep the page.
    add_never_cache_headers(response)
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
