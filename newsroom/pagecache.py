"""Whole public pages for anonymous readers, kept in the cache from settings and driven by surrogate keys.

Every public page names what it shows (newsroom.surrogate): ``story:<id>`` for each story it links to, the
lists it is (``day:2026-04-23``, ``context:<slug>``, ``front``...), ``site`` for what every page shows. A
stored page is kept by address with the version each of its keys had when it rendered; a change purges
only the keys it touches after commit, moving their versions on, so exactly the pages showing it are
rendered again on their next request and every other page stays. The same keys leave in the
``Surrogate-Key`` and ``xkey`` headers for an HTTP cache in front (Varnish), which the same purge reaches.

A scheduled story turns public by the clock with no save at all: the next such moment is kept beside the
versions, and when it has passed the ``lists`` key (on every page that lists stories) is purged; an HTTP
cache in front is told to keep pages no longer than until that moment (``s-maxage``), and
``manage.py publish_due`` from cron purges it with exact keys.

A reader's request for a stored page costs one cache round trip (the page and its keys' versions fetched
together: each process remembers which keys an address had), and none while the process keeps both until
Redis announces a change (newsroom.keptreads) and skips sessions, authentication and the
rest of the middleware: ``PageCacheMiddleware`` sits near the top of ``MIDDLEWARE``, below only the
security headers, static files, the most-read counter and the read-replica routing. Under a WSGI server
the same page is answered before Django's request handling starts (newsroom.earlyreplay), with the
functions below.

Never stored: anything but a plain GET or HEAD answered 200, requests carrying
a session or messages cookie (staff, previews, a reader who has posted and may
see their own comment waiting, flash messages), responses marked private or
no-cache, and responses that set any cookie. Every stored page is public to an
HTTP cache in front (``public, s-maxage=...``), story pages with a comment form
included: the form carries nothing of its reader's own, and comments.js asks
``/comments/token/<id>/`` for the form token when the reader starts to write
(newsroom.comments.views).
"""

from __future__ import annotations

import hashlib
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, get_max_age, patch_vary_headers
from django.utils.http import http_date

from . import surrogate
from .cache import reachable

# The next moment a page changes by the clock alone (a scheduled story, a placement's expiry), as a Unix
# time, or 0 for none; worked out again after it has passed and after every change to the lists.
DUE_KEY = "dateline:pages:due"
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
# Reader accounts' pages are each reader's own, and their forms carry tokens a shared copy must not.
# The API counts every request against a rate and answers its own validators (newsroom.api).
# The "most read" box lives a minute, not a page's day, and says so itself; a reported read is a POST.
SKIPPED_PREFIXES = ("/admin/", "/preview/", "/comments/", "/accounts/", "/api/", "/most-read/", "/reads/")


def enabled() -> bool:
    """Whether pages, list counts and anchors are kept (each retired by the keys of what it shows)."""
    return getattr(settings, "DATELINE_PAGE_CACHE", True)


def serving() -> bool:
    """Whether whole pages are stored and replayed (off with counts still kept: every page renders)."""
    return enabled() and getattr(settings, "DATELINE_PAGE_CACHE_SERVE", True)


def timeout() -> int:
    return getattr(settings, "DATELINE_PAGE_CACHE_SECONDS", 600)


def browser_max_age() -> int:
    return getattr(settings, "DATELINE_PAGE_MAX_AGE", 60)


# Other moments that change pages by the clock alone (a front page placement's expiry), each a callable
# answering the next such moment or None; apps add theirs in ``AppConfig.ready()``.
_due_moments: list = []


def register_due_moment(source) -> None:
    """Have stored lists also retire at the next moment ``source()`` names."""
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


def next_due(found: dict | None = None) -> float:
    """The next moment pages change by the clock (0 for none), from ``found`` when the caller fetched it."""
    due = (found or {}).get(DUE_KEY) if found is not None else cache.get(DUE_KEY)
    if due is None:
        due = _next_due() or 0
        cache.set(DUE_KEY, due, timeout())
    return due


def catch_up_with_the_clock(found: dict) -> tuple[float, bool]:
    """Purge the lists when the moment a story was scheduled for has passed.

    Answers the next such moment, and whether the lists were purged just now (what ``found`` holds is then
    from before the purge).
    """
    due = next_due(found)
    if due and time.time() >= due:
        cache.delete(DUE_KEY)
        surrogate.purge_now([surrogate.LISTS, surrogate.FRONT, surrogate.COUNTS])
        return next_due(), True
    return due, False


def remember(name: str, compute):
    """``compute()``, kept until the lists change; computed every time when nothing is kept.

    For figures that change only when a story joins or leaves a list: list counts and page anchors.
    A figure that only one thing can change is better kept with ``remember_for``.
    """
    if not enabled() or not reachable():
        return compute()
    version = surrogate.versions([surrogate.COUNTS])[surrogate.COUNTS]
    key = f"dateline:kept:{version}:{name}"
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
    purges the lists) need not count a long thread again. The subject carries a stamp; the
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
    """Retire every stored page and every list figure, after commit: for changes with no keys of their own."""
    if enabled():
        surrogate.purge([surrogate.SITE, surrogate.LISTS, surrogate.COUNTS])


def forget_everything_kept(sender=None, **kwargs) -> None:
    """Retire every page and figure kept, when the cache may hold what the database no longer says.

    Connected to ``newsroom.cache.stale``: after a cache outage, changes saved meanwhile could not retire
    what they touched; after a restore from backup the whole database changed at once.
    """
    if enabled():
        cache.set(KEPT_FOR_EPOCH_KEY, uuid.uuid4().hex, None)
        surrogate.purge_now([surrogate.SITE, surrogate.LISTS, surrogate.COUNTS])


def forget_thread_after_comment(sender, instance=None, created=False, **kwargs) -> None:
    # A newly posted comment that waits for a moderator changes nothing a reader sees.
    if created and instance is not None and instance.status != "approved":
        return
    if instance is not None:
        forget_subject(thread_subject(instance.story_id))


def cacheable_request(request) -> bool:
    if not serving() or request.method not in ("GET", "HEAD"):
        return False
    if request.path.startswith(SKIPPED_PREFIXES):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def page_key(request) -> str:
    """One key per address; the stored entry says which version of each of its keys it was rendered under."""
    address = f"{request.get_host()}{request.get_full_path()}"
    return f"dateline:pages:{hashlib.sha256(address.encode()).hexdigest()}"


def cacheable_response(request, response) -> bool:
    if response.status_code != 200 or response.streaming:
        return False
    control = response.get("Cache-Control", "").lower()
    if any(word in control for word in ("private", "no-cache", "no-store")):
        return False
    if response.cookies:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and getattr(storage, "_queued_messages", None))


# Which keys each address had when last stored, so a hit fetches the page and its versions in one trip.
_known_keys: dict[str, tuple[str, ...]] = {}
KNOWN_KEYS_LIMIT = 20_000


def remember_keys(key: str, versions: dict) -> None:
    if len(_known_keys) >= KNOWN_KEYS_LIMIT:
        _known_keys.clear()
    _known_keys[key] = tuple(versions)


def http_cache_seconds() -> int:
    return getattr(settings, "DATELINE_HTTP_CACHE_SECONDS", 24 * 60 * 60)


def fetch(key: str) -> dict:
    """The stored page at ``key`` with what decides whether it is current, in one trip to the cache.

    The trip brings the next moment the lists change by the clock, the purge stamp and the versions of the
    keys the page was last stored under in this process (``_known_keys``).
    """
    guessed = _known_keys.get(key, ())
    return cache.get_many([key, DUE_KEY, surrogate.PURGE_STAMP_KEY, *map(surrogate.version_key, guessed)])


def current_page(key: str, found: dict) -> tuple | None:
    """The page ``fetch(key)`` found, if every key it was rendered under still has the version it had then."""
    stored = found.get(key)
    if stored is None:
        return None
    versions = stored[5]
    missing = [surrogate.version_key(k) for k in versions if surrogate.version_key(k) not in found]
    if missing:
        # Stored by another process (or with other keys since): its keys come with the page's next request
        # in the same trip.
        found.update(cache.get_many(missing))
    if not all(found.get(surrogate.version_key(k)) == v for k, v in versions.items()):
        return None
    if _known_keys.get(key, ()) != tuple(versions):
        remember_keys(key, versions)
    return stored


def replay(request, stored: tuple, due: float):
    """The response for a stored page, answering a conditional request with 304 as Django would."""
    status, headers, body, etag, stored_at, _ = stored
    response = HttpResponse(body, status=status, headers=headers)
    # As for a rendered page (CommonMiddleware, below the page cache), so the server need not chunk it.
    response["Content-Length"] = str(len(body))
    mark(response, stored, hit=True, due=due)
    return get_conditional_response(request, etag=etag, last_modified=int(stored_at), response=response)


class PageCacheMiddleware:
    """Serve and store whole pages. Near the top of MIDDLEWARE: a hit returns before sessions or auth run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not cacheable_request(request):
            return self.get_response(request)
        key = page_key(request)
        found = fetch(key)
        if not reachable():
            # The cache is an accelerator, never a dependency: render, and store nothing.
            return self.get_response(request)
        due, purged = catch_up_with_the_clock(found)
        if purged:
            # A list stored before the purge is not current: ask again, with the purge stamp as it is now.
            found = fetch(key)
        stored = current_page(key, found)
        if stored is not None:
            return replay(request, stored, due)
        purged_before = found.get(surrogate.PURGE_STAMP_KEY)
        with surrogate.collecting() as keys:
            response = self.get_response(request)
        if cacheable_response(request, response):
            keys.update(surrogate.keys_for_address(getattr(request, "resolver_match", None)))
            current = surrogate.versions(keys, {surrogate.PURGE_STAMP_KEY: None})
            # A change committed while this page rendered may not be in it: serve it, but do not keep it.
            if cache.get(surrogate.PURGE_STAMP_KEY) == purged_before:
                stored = self.store(key, response, current)
                remember_keys(key, current)
            else:
                stored = self.unstored(response, current)
            mark(response, stored, hit=False, due=due)
        return response

    def store(self, key: str, response, versions: dict) -> tuple:
        stored = self.unstored(response, versions)
        cache.set(key, stored, timeout())
        return stored

    @staticmethod
    def unstored(response, versions: dict) -> tuple:
        body = response.content
        headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return (response.status_code, headers, body, etag, time.time(), versions)


def mark(response, stored: tuple, *, hit: bool, due: float | None) -> None:
    _, _, _, etag, stored_at, versions = stored
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stored_at)
    keys = surrogate.header_value(versions)
    response["Surrogate-Key"] = keys
    response["xkey"] = keys
    # A page may ask for a longer life of its own (a frozen archive story); browsers keep the longer.
    response["Cache-Control"] = cache_control(get_max_age(response) or 0, due)
    patch_vary_headers(response, ["Cookie"])
    response["X-Page-Cache"] = "hit" if hit else "miss"


def cache_control(own: int, due: float | None) -> str:
    """The Cache-Control of a page the page cache answers or stores; ``own`` is the page's own max-age."""
    shared = http_cache_seconds()
    if due is None:
        due = next_due()
    if due:
        # A scheduled story may join this page's lists at that moment, with no purge to say so.
        shared = max(1, min(shared, int(due - time.time())))
    browser = max(own, browser_max_age())
    return f"public, max-age={min(browser, shared)}, s-maxage={shared}"
