"""Whole public pages for anonymous readers, kept in the cache from settings.

A stored page is keyed by host, path and query string under a site-wide
version. Any change a reader could see (a story saved, published, withdrawn or
corrected, its contexts, sources, links or byline, a section, an author, an
approved comment) moves the version on after commit, so every page, list and
Related box is rebuilt on its next request: nothing stale is ever served, at
the price of rebuilding pages that did not change. A scheduled story turns
public by the clock with no save at all, so the version also records the next
such moment and expires by itself then.

A reader's request for a stored page costs one cache round trip (the version
and the page fetched together) and skips sessions, authentication and the
rest of the middleware: ``PageCacheMiddleware`` sits near the top of
``MIDDLEWARE``, below only the security headers, static files and the
most-read counter.

Never stored: anything but a plain GET or HEAD answered 200, requests carrying
a session or messages cookie (staff, previews, a reader who has posted and may
see their own comment waiting, flash messages), responses marked private or
no-cache, and responses that set cookies other than the CSRF one. The comment
form's CSRF token is cut out before storing and a fresh one for each reader is
put back in on the way out.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.cache import get_conditional_response, get_max_age, patch_vary_headers
from django.utils.http import http_date

from .cache import reachable

VERSION_KEY = "dateline:pages:version"
UNKEPT_VERSION = "unkept"
TOKEN_HOLE = b"@@dateline-csrf-token@@"
TOKEN_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{32,64}(")')
# X-Dateline-Story lets newsroom.popularity count a read of a story page replayed from here.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "X-Robots-Tag",
    "Link",
    "X-Content-Type-Options",
    "X-Dateline-Story",
    "X-Frame-Options",
    # A replayed page keeps the policy it was rendered under, wherever the CSP middleware sits.
    "Content-Security-Policy",
    # A page that may be kept longer than the default (an archived story) says so itself.
    "Cache-Control",
)
# Reader accounts' pages are each reader's own, and their forms carry tokens the stored copy would not.
# The API counts every request against a rate and answers its own validators (newsroom.api).
SKIPPED_PREFIXES = ("/admin/", "/preview/", "/comments/", "/accounts/", "/api/")


def enabled() -> bool:
    """Whether the site version is kept: stored pages and the list counts and anchors keyed by it."""
    return getattr(settings, "DATELINE_PAGE_CACHE", True)


def serving() -> bool:
    """Whether whole pages are stored and replayed (off with the version still kept: every page renders)."""
    return enabled() and getattr(settings, "DATELINE_PAGE_CACHE_SERVE", True)


def timeout() -> int:
    return getattr(settings, "DATELINE_PAGE_CACHE_SECONDS", 600)


def browser_max_age() -> int:
    return getattr(settings, "DATELINE_PAGE_MAX_AGE", 60)


# Other moments that change pages by the clock alone (a front page placement's expiry), each a callable
# answering the next such moment or None; apps add theirs in ``AppConfig.ready()``.
_due_moments: list = []


def register_due_moment(source) -> None:
    """Have the site version also expire at the next moment ``source()`` names."""
    if source not in _due_moments:
        _due_moments.append(source)


def _next_due() -> float | None:
    from .models import Story
    from .querysets import Status

    moment = (
        Story.objects.filter(status=Status.SCHEDULED, publish_at__gt=time_now())
        .order_by("publish_at")
        .values_list("publish_at", flat=True)
        .first()
    )
    moments = [moment] + [source() for source in _due_moments]
    moments = [m for m in moments if m is not None]
    return min(moments).timestamp() if moments else None


def time_now():
    from django.utils import timezone

    return timezone.now()


def new_version() -> tuple[str, float | None]:
    record = (uuid.uuid4().hex[:12], _next_due())
    cache.set(VERSION_KEY, record, None)
    return record


def current_version(record: tuple | None = None) -> str:
    """The site version; ``record`` is the version entry when the caller has already fetched it."""
    if record is None:
        record = cache.get(VERSION_KEY)
    if record is None and not reachable():
        # Nothing is kept while the cache is unreachable: a new version per call would only cost a query.
        return UNKEPT_VERSION
    if record is None or (record[1] is not None and time.time() >= record[1]):
        record = new_version()
    return record[0]


def remember(name: str, compute):
    """``compute()``, kept until the site version moves on; computed every time when no version is kept.

    For figures that change only when something a reader could see changes: list counts and page anchors.
    A figure that only one thing can change is better kept with ``remember_for``.
    """
    if not enabled():
        return compute()
    key = f"dateline:kept:{current_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout())
    return value


KEPT_FOR_SUBJECT_SECONDS = 24 * 60 * 60
# Moved on by forget_everything_kept: a subject retired while the cache was unreachable kept its stamp.
KEPT_FOR_EPOCH_KEY = "dateline:kept-for:epoch"


def remember_for(subject: str, compute):
    """``compute()``, kept until ``forget_subject(subject)``: for a figure that only one thing can change.

    A story's comment count changes with its own comments alone, so a story published elsewhere (which
    moves the site version on) need not count a long thread again. The subject carries a stamp; the
    value is kept with the stamp it was worked out under and used only while the stamp is unchanged,
    so a value computed while a change was being committed is never taken for the new one.
    """
    if not enabled():
        return compute()
    stamp_key, value_key = f"dateline:stamp:{subject}", f"dateline:kept-for:{subject}"
    found = cache.get_many([stamp_key, value_key, KEPT_FOR_EPOCH_KEY])
    stamp, kept, epoch = found.get(stamp_key), found.get(value_key), found.get(KEPT_FOR_EPOCH_KEY)
    if stamp is None:
        cache.add(stamp_key, uuid.uuid4().hex, None)
        stamp = cache.get(stamp_key)
    elif kept is not None and kept[0] == stamp and kept[1] == epoch:
        return kept[2]
    value = compute()
    cache.set(value_key, (stamp, epoch, value), KEPT_FOR_SUBJECT_SECONDS)
    return value


def forget_subject(subject: str) -> None:
    """Retire what ``remember_for(subject, ...)`` kept, after commit (see ``forget_pages``)."""
    if enabled():
        transaction.on_commit(lambda: cache.set(f"dateline:stamp:{subject}", uuid.uuid4().hex, None))


def thread_subject(story_id: int) -> str:
    return f"thread:{story_id}"


def forget_pages() -> None:
    """Retire every stored page. Safe to call from any write path; runs after commit.

    After commit, so that a request rendering in between cannot store the old state under the new version.
    With the page cache off nothing was stored, and nothing is scheduled.
    """
    if enabled():
        transaction.on_commit(new_version)


def forget_everything_kept(sender=None, **kwargs) -> None:
    """Retire every page and figure kept, when the cache may hold what the database no longer says.

    Connected to ``newsroom.cache.stale``: after a cache outage, changes saved meanwhile could not retire
    what they touched; after a restore from backup the whole database changed at once.
    """
    if enabled():
        cache.set(KEPT_FOR_EPOCH_KEY, uuid.uuid4().hex, None)
        new_version()


def forget_pages_after_save(sender, instance=None, created=False, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    forget_pages()


def forget_pages_after_comment(sender, instance=None, created=False, **kwargs) -> None:
    # A newly posted comment that waits for a moderator changes nothing a reader of the cached page sees.
    if created and instance is not None and instance.status != "approved":
        return
    if instance is not None:
        forget_subject(thread_subject(instance.story_id))
    forget_pages()


def cacheable_request(request) -> bool:
    if not serving() or request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(SKIPPED_PREFIXES):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def page_key(request) -> str:
    """One key per address; the stored entry says which site version it was rendered under."""
    address = f"{request.get_host()}{request.get_full_path()}"
    return f"dateline:pages:{hashlib.sha256(address.encode()).hexdigest()}"


def cacheable_response(request, response) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-cache", "no-store")):
        return False
    if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and getattr(storage, "_queued_messages", None))


# Hits skip the CSRF middleware; this one instance sets the form token's cookie for pages that carry the form.
_csrf = CsrfViewMiddleware(lambda request: None)


class PageCacheMiddleware:
    """Serve and store whole pages. Near the top of MIDDLEWARE: a hit returns before sessions or auth run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        found = cache.get_many([VERSION_KEY, key])
        if not reachable():
            # The cache is an accelerator, never a dependency: render, and store nothing.
            return self.get_response(request)
        version = current_version(found.get(VERSION_KEY))
        stored = found.get(key)
        if stored is not None and stored[5] == version:
            return self.replay(request, stored)
        response = self.get_response(request)
        if cacheable_response(request, response):
            stored = self.store(key, response, version)
            if stored is not None:
                self.mark(response, stored, hit=False)
        return response

    def store(self, key: str, response, version: str) -> tuple | None:
        body = TOKEN_FIELD.sub(rb"\1" + TOKEN_HOLE + rb"\2", response.content)
        headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        stored = (response.status_code, headers, body, etag, time.time(), version)
        cache.set(key, stored, timeout())
        return stored

    def replay(self, request, stored: tuple):
        status, headers, body, etag, stored_at, _ = stored
        response = HttpResponse(status=status, headers=headers)
        if TOKEN_HOLE in body:
            _csrf.process_request(request)
            body = body.replace(TOKEN_HOLE, get_token(request).encode())
        response.content = body
        self.mark(response, stored, hit=True)
        answer = get_conditional_response(request, etag=etag, last_modified=int(stored_at), response=response)
        if TOKEN_HOLE in stored[2]:
            _csrf.process_response(request, answer)
        return answer

    @staticmethod
    def mark(response, stored: tuple, *, hit: bool) -> None:
        _, _, body, etag, stored_at, _ = stored
        response["ETag"] = etag
        response["Last-Modified"] = http_date(stored_at)
        if TOKEN_HOLE in body:
            # The page carries this reader's own form token: a shared cache must not hand it to anyone else.
            response["Cache-Control"] = "private, max-age=0, must-revalidate"
        else:
            own = get_max_age(response) or 0
            response["Cache-Control"] = f"public, max-age={max(own, browser_max_age())}"
        patch_vary_headers(response, ["Cookie"])
        response["X-Page-Cache"] = "hit" if hit else "miss"
