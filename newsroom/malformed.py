"""Requests no page can answer sensibly are refused before any view reads them.

A NUL byte or bytes that are not UTF-8 in a path or query string are never part
of an address Dateline gives out; they come from scanners and broken clients.
Left to the views they reached the database (PostgreSQL refuses NUL in text and
the query failed with a 500) or were silently mangled. One check here answers
400 for every address, present and future, instead of each view guarding itself.

A value read from a well-formed query that no database column can hold (a
30-digit id in an admin filter, a year past 9999 in a date drill-down) fails
only when the query runs: Python's ``OverflowError`` or the database's
``DataError``. On a GET that is the request's fault, not the site's: the admin
lists answer as Django's admin does for a filter it cannot apply (the list again,
flagged ``?e=1``), every other page 400.

An admin list's action posted with a selection that names no row of the list
(an id that is not a number, from a forged or garbled form) fails the same way,
inside Django's admin; it comes back to the list with a message, as an action
with nothing selected does.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote_to_bytes, urlencode

from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import BadRequest, ValidationError
from django.db import DataError
from django.http import HttpResponseRedirect, JsonResponse

logger = logging.getLogger(__name__)

# Clients of the content API read JSON, errors included.
API_PREFIX = "/api/"


def _is_clean(raw: bytes) -> bool:
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def malformed_reason(request) -> str | None:
    """Why the request's path or query cannot be read as text, or None when it can."""
    # Django re-percent-encodes path bytes that are not UTF-8 ("%FF"), so decoding the path once
    # more brings them back. A literal "%" never appears in an address Dateline makes (slugs,
    # section paths, tokens and stored file names have none), so no real page is refused.
    if not _is_clean(unquote_to_bytes(request.path_info)):
        return "The address contains characters that are not allowed."
    query = request.META.get("QUERY_STRING", "")
    if query:
        # WSGI hands the query over as bytes decoded as Latin-1; turn it back into the bytes sent.
        raw = unquote_to_bytes(query.encode("latin-1", "replace"))
        if not _is_clean(raw):
            return "The query string contains characters that are not allowed."
    return None


class MalformedRequestMiddleware:
    """Answer 400 to a request whose path or query holds a NUL byte or invalid UTF-8."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = malformed_reason(request)
        if reason is not None and request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": reason, "errors": []}, status=400)
        if reason is not None:
            # Raised rather than returned so the site's own 400 page and the request log handle it.
            raise BadRequest(reason)
        return self.get_response(request)

    def process_exception(self, request, exception):
        in_admin = getattr(request.resolver_match, "app_name", None) == "admin"
        if (
            in_admin
            and request.method == "POST"
            and ACTION_CHECKBOX_NAME in request.POST
            and isinstance(exception, ValueError | ValidationError | OverflowError | DataError)
        ):
            logger.warning("Admin action on %s refused, selection unreadable: %s", request.path, exception)
            messages.warning(request, "The items ticked could not be found. Tick them again and choose the action.")
            return HttpResponseRedirect(request.get_full_path())
        if request.method not in ("GET", "HEAD") or not isinstance(exception, OverflowError | DataError):
            return None
        if in_admin and ERROR_FLAG not in request.GET:
            messages.warning(request, "That filter asks for a value out of range, so the list is shown without it.")
            kept = {IS_POPUP_VAR: request.GET[IS_POPUP_VAR]} if IS_POPUP_VAR in request.GET else {}
            return HttpResponseRedirect(f"{request.path}?{urlencode({ERROR_FLAG: 1, **kept})}")
        reason = "The address asks for a value out of range."
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse({"detail": reason, "errors": []}, status=400)
        raise BadRequest(reason) from exception
