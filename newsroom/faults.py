"""While the database cannot be reached, readers and editors get a short "back in a moment" page.

A PostgreSQL restart, failover or network cut makes every query raise
``OperationalError`` (or ``InterfaceError`` for a connection that broke under
it). Instead of a 500 traceback page, such a request answers 503 with the site's
own page (``templates/503.html``) and ``Retry-After``, so that browsers, crawlers
and the HTTP cache in front know to come back rather than drop or store the
page. Pages the page cache already holds keep being served meanwhile: a stored
page needs no query.

``DatabaseUnavailableMiddleware.process_exception`` answers for errors raised in
a view or while its template renders; ``server_error`` (the site's
``handler500``) answers for the rarer ones raised in a middleware. With
``DEBUG`` on both step aside, so a developer sees the traceback (SQLite reports
a missing table as ``OperationalError`` too). The page is
rendered without the request's context processors and without a query: the
navigation comes from the cache when it is there, and is left out otherwise.

A connection that broke is not reused: with ``CONN_HEALTH_CHECKS`` (set in
settings) Django checks a persistent connection before the first query of each
request and opens a new one when the old one is dead, and it closes a connection
that raised a database error at the end of the request. So the first request
after the database is back is answered normally.
"""

from __future__ import annotations

import logging
import sys
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from .context_processors import NAV_CACHE_KEY

logger = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
# How often, at most, an outage is logged; the errors in between are counted into the next line.
LOG_EVERY_SECONDS = 10.0


def retry_after() -> int:
    return getattr(settings, "DATELINE_RETRY_AFTER_SECONDS", 10)


class _OutageLog:
    """At most one warning every LOG_EVERY_SECONDS, with how many requests were turned away since the last one."""

    def __init__(self):
        self._lock = threading.Lock()
        self._last = float("-inf")
        self._unlogged = 0

    def record(self, request, error: Exception) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._last < LOG_EVERY_SECONDS:
                self._unlogged += 1
                return
            self._last, unlogged, self._unlogged = now, self._unlogged, 0
        logger.warning(
            "Database unavailable, answering 503 to %s %s (%s: %s)%s",
            request.method,
            request.path,
            type(error).__name__,
            str(error).strip().splitlines()[0] if str(error).strip() else "",
            f"; {unlogged} more since the last report" if unlogged else "",
        )


outage_log = _OutageLog()


def _navigation() -> list[dict]:
    try:
        return cache.get(NAV_CACHE_KEY) or []
    except Exception:
        # Only a cache backend that raises gets here; the page is complete without navigation.
        return []


def unavailable_response(request, error: Exception) -> HttpResponse:
    """The site's 503 page for a request that needed the database while it was unreachable."""
    outage_log.record(request, error)
    seconds = retry_after()
    context = {
        "site_name": settings.DATELINE_SITE_NAME,
        "nav_sections": _navigation(),
        "retry_after": seconds,
        # A comment or an edit was refused: say so, so nobody believes it was kept.
        "sent_form": request.method not in ("GET", "HEAD", "OPTIONS"),
    }
    body = "" if request.method == "HEAD" else loader.render_to_string("503.html", context)
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a database that cannot be reached into a 503 page with ``Retry-After``, never a traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # While developing, SQLite reports a missing table or column as OperationalError too: show the traceback.
        if isinstance(exception, DATABASE_DOWN) and not settings.DEBUG:
            return unavailable_response(request, exception)
        return None


def server_error(request, template_name: str = defaults.ERROR_500_TEMPLATE_NAME):
    """``handler500``: the 503 page when the error in flight is an unreachable database, else the 500 page."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_DOWN):
        return unavailable_response(request, error)
    return defaults.server_error(request, template_name)
