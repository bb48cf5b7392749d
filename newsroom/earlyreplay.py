"""A stored page answered at the WSGI boundary, before Django's request handling runs.

A reader's request for a page the page cache holds needs one trip to the cache and nothing of the site's
code. Through Django it also passed the request signals and every middleware above the page cache, which
cost as much again as the trip itself. ``StoredPageApplication`` wraps the WSGI application: for a plain
GET that the page cache would answer from what it holds, it answers with the same bytes and headers,
and hands every other request to Django unchanged.

It answers only what the middleware chain above ``PageCacheMiddleware`` would pass straight to it, doing
for each middleware there what it does to such a request (``ABOVE_THE_PAGE_CACHE``). If ``MIDDLEWARE`` gains
anything else above the page cache, it stands aside and Django answers every request.

Django answers instead when:
- the request is not a GET, or it is conditional (``If-None-Match``, ``If-Modified-Since``): Django's 304;
- the page cache would not serve it (a session or messages cookie, an address it never stores);
- the address is malformed, the host is not allowed, or http must be redirected to https;
- nothing current is stored, or the cache cannot be reached;
- the lists are due to change by the clock (a scheduled story), so Django purges them first.

The first early answer of a stored page goes through Django's response and the two hooks above; its headers
are kept in the process (``_answers``) while that page stays stored, and later answers reuse them, working out
only Cache-Control, which counts down to the next scheduled change.

``tests/newsroom/test_early_replay.py`` holds it to answering exactly what Django would.
"""

from __future__ import annotations

import logging
import time
from functools import cache as once
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.utils.cache import get_max_age

from . import pagecache, popularity
from .cache import reachable
from .malformed import malformed_reason
from .policy import ContentSecurityPolicyMiddleware

logger = logging.getLogger(__name__)


# Each middleware that may sit above the page cache, and what it does to a request the page cache answers.
ABOVE_THE_PAGE_CACHE = {
    # Redirects http to https when asked (Django answers those), adds its headers: ``_hooks``.
    "django.middleware.security.SecurityMiddleware",
    # Adds the Content-Security-Policy header: ``_hooks``.
    "newsroom.policy.ContentSecurityPolicyMiddleware",
    # A malformed address is never stored; it is checked again here, and Django answers it 400.
    "newsroom.malformed.MalformedRequestMiddleware",
    # Acts on a database error; a stored page reads no database.
    "newsroom.faults.DatabaseUnavailableMiddleware",
    # Serves static files: their addresses are left to Django.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Counts the read of the story a page names: ``popularity.count_named_story``.
    "newsroom.popularity.MostReadMiddleware",
    # Routes database reads; a stored page reads no database.
    "newsroom.dbrouting.ReplicaRoutingMiddleware",
    # Acts on 404s only; only pages answered 200 are stored.
    "newsroom.importers.middleware.LegacyAddressMiddleware",
}
PAGE_CACHE = "newsroom.pagecache.PageCacheMiddleware"


@once
def applies(middleware: tuple[str, ...]) -> bool:
    """Whether the middleware above the page cache is all known here (computed once per ``MIDDLEWARE``)."""
    if PAGE_CACHE not in middleware:
        return False
    return set(middleware[: middleware.index(PAGE_CACHE)]) <= ABOVE_THE_PAGE_CACHE


def enabled() -> bool:
    early = getattr(settings, "DATELINE_EARLY_REPLAY", True)
    return early and pagecache.serving() and applies(tuple(settings.MIDDLEWARE))


def _never_called(request):
    raise AssertionError("Only the middleware's own request and response hooks are used here.")


@once
def _hooks() -> tuple[SecurityMiddleware, ContentSecurityPolicyMiddleware]:
    """The two middleware whose hooks a stored page passes through, made as Django makes them: once."""
    return SecurityMiddleware(_never_called), ContentSecurityPolicyMiddleware(_never_called)


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    # SecurityMiddleware reads its settings when it is made, as it does in Django's own chain.
    _hooks.cache_clear()
    _answers.clear()


@once
def _static_prefix(static_url: str) -> str:
    return "/" + urlsplit(static_url).path.strip("/") + "/"


# How each stored page was last answered early, by (page key, when stored, https): the status line, the
# headers but Cache-Control, the page's own max-age and the story whose read it counts. Worked out through
# Django's response and the hooks on the page's first early answer; only Cache-Control, which counts down
# to the next scheduled change, is worked out for every answer after it.
_answers: dict[tuple[str, float, bool], tuple[str, list[tuple[str, str]], int, int | None]] = {}
ANSWERS_LIMIT = 2_000


def stored_response(environ: dict) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """The status, headers and body Django would answer from the page cache, or None to let Django answer."""
    if environ.get("REQUEST_METHOD") != "GET" or not enabled():
        return None
    if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
        return None
    # WSGIRequest rewrites PATH_INFO and SCRIPT_NAME in the environ it reads; Django reads the original.
    request = WSGIRequest(dict(environ))
    if request.path_info.startswith(_static_prefix(settings.STATIC_URL)) or not pagecache.cacheable_request(request):
        return None
    security, policy = _hooks()
    if malformed_reason(request) is not None or security.process_request(request) is not None:
        return None
    try:
        key = pagecache.page_key(request)
    except DisallowedHost:
        return None
    found = pagecache.fetch(key)
    if not reachable():
        return None
    due = found.get(pagecache.DUE_KEY)
    if due is None or (due and time.time() >= due):
        return None
    stored = pagecache.current_page(key, found)
    if stored is None:
        return None
    answered = (key, stored[4], request.is_secure())
    answer = _answers.get(answered)
    if answer is None:
        return _first_answer(request, stored, due, answered)
    status, headers, own, story = answer
    if story is not None:
        popularity.count_story(request, story)
    return (
        status,
        [(name, pagecache.cache_control(own, due) if name == "Cache-Control" else value) for name, value in headers],
        stored[2],
    )


def _first_answer(request, stored: tuple, due: float, answered: tuple) -> tuple[str, list[tuple[str, str]], bytes]:
    """A stored page answered through Django's response and the hooks, remembered for its next answers."""
    security, policy = _hooks()
    response = pagecache.replay(request, stored, due)
    story = response.get(popularity.STORY_HEADER)
    popularity.count_named_story(request, response)
    response = security.process_response(request, policy.process_response(request, response))
    own = (
        get_max_age(HttpResponse(headers={"Cache-Control": stored[1]["Cache-Control"]}))
        if "Cache-Control" in stored[1]
        else None
    )
    status = f"{response.status_code} {response.reason_phrase}"
    headers = list(response.items())
    if len(_answers) >= ANSWERS_LIMIT:
        _answers.clear()
    _answers[answered] = (status, headers, own or 0, int(story) if story and story.isdigit() else None)
    return status, headers, response.content


class StoredPageApplication:
    """The WSGI application, with stored pages for anonymous readers answered before Django is called."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            answer = stored_response(environ)
        except Exception:
            # Django can always answer: a fault here costs the shortcut, never the page.
            logger.exception("A stored page could not be answered early; Django answers it")
            answer = None
        if answer is None:
            return self.application(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]
