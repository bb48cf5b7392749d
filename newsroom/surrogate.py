"""Surrogate keys: every public page names what it shows, and a change purges only the pages showing it.

A page's keys are gathered while it renders: linking to a story (``Story.get_absolute_url``) adds
``story:<id>``, an author's link ``author-name:<slug>`` (changed only by the author); a section's link adds
nothing, since any change to a section purges ``site``; the address adds
what the page lists (``front``, ``list:latest``, ``day:2026-04-23``, ``month:2026-04``, ``year:2026``,
``context:<slug>``, ``section:<path>``, ``author:<slug>``, ``sitemap``, ``search``, ``corrections``), a
story's Related box adds its contexts, and its comments ``thread:<id>``. Every page also carries ``site``
(the header's sections, a restore from backup) and every page that lists stories ``lists`` (retired when
a scheduled story goes live by the clock alone).

The keys leave in ``Surrogate-Key`` and ``xkey`` headers, for the HTTP caches in front (Varnish with the
xkey module, deploy/varnish/dateline.vcl, or a CDN), and drive the application's own page cache
(newsroom.pagecache), which keeps a version per key in the shared cache.

A change purges after commit: ``purge(keys)`` moves those keys' versions on and sends one PURGE with an
``xkey-purge`` header to every cache in ``HTTP_CACHE_PURGE_URLS``. A cache that does not answer within
``HTTP_CACHE_PURGE_TIMEOUT`` is logged and left alone for a few seconds; the editor's save never waits on
it for longer. With read replicas, the same keys are purged once more as soon as every replica has replayed
the change, so a page rendered from a replica that was a moment behind is not kept.
"""

from __future__ import annotations

import contextvars
import http.client
import logging
import secrets
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

SITE = "site"
# On every page that lists stories: purged when a scheduled story's moment passes with no save to say so.
LISTS = "lists"
# On no page: list counts and anchors (newsroom.pagination), purged whenever a story joins or leaves a list.
COUNTS = "counts"
FRONT = "front"
LATEST = "list:latest"
VERSION_PREFIX = "dateline:key:"
# Moved on by every purge: a page whose render overlapped a purge is not stored (newsroom.pagecache).
PURGE_STAMP_KEY = "dateline:keys:purged"
# Most caches refuse header lines much longer than this; more keys go in further requests.
KEYS_PER_PURGE = 200
SKIP_SECONDS = 5.0
# Keys owed to a cache that missed purges, at most; past that it is sent the whole site's key.
PENDING_LIMIT = 5_000

_collected: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("dateline_surrogate_keys", default=None)


# Naming ------------------------------------------------------------------------------------------------


def story_key(pk) -> str:
    return f"story:{pk}"


def story_page_key(pk) -> str:
    """Only on the story's own pages (its page, print view, Markdown twin), where its words are in full."""
    return f"story-page:{pk}"


def thread_key(pk) -> str:
    return f"thread:{pk}"


def context_key(slug: str) -> str:
    return f"context:{slug}"


def author_key(slug: str) -> str:
    return f"author:{slug}"


def author_name_key(slug: str) -> str:
    """On every page that links to the author by name (a byline): changes only when the author does."""
    return f"author-name:{slug}"


def section_key(path: str) -> str:
    return f"section:{path.strip('/')}"


def section_keys(path: str) -> list[str]:
    """A section and every section above it: each lists the articles of the sections below it."""
    parts = path.strip("/").split("/")
    return [section_key("/".join(parts[: n + 1])) for n in range(len(parts))]


def day_keys(day: date) -> list[str]:
    return [f"day:{day:%Y-%m-%d}", f"month:{day:%Y-%m}", f"year:{day:%Y}"]


# Gathering -----------------------------------------------------------------------------------------------


def add(*keys: str) -> None:
    """Name what the page being rendered shows; nothing happens outside a page being gathered."""
    found = _collected.get()
    if found is not None:
        found.update(keys)


@contextmanager
def collecting():
    keys: set[str] = {SITE}
    token = _collected.set(keys)
    try:
        yield keys
    finally:
        _collected.reset(token)


LIST_PAGES = {
    "home": (FRONT, LATEST, LISTS),
    "latest": (LATEST, LISTS),
    "corrections": ("corrections",),
    "search": ("search", LISTS),
    "feed_latest": (LATEST, LISTS),
    "feed_latest_atom": (LATEST, LISTS),
    "feed_events": (LATEST, LISTS),
    "feed_events_atom": (LATEST, LISTS),
    "sitemap_index": ("sitemap", LISTS),
    "sitemap_news": ("sitemap", LISTS),
    "sitemap_section": ("sitemap", LISTS),
}


def keys_for_address(match) -> list[str]:
    """What a public address lists, from its URL pattern's name and arguments."""
    if match is None:
        return []
    name, kwargs = match.url_name, match.kwargs
    keys = list(LIST_PAGES.get(name, ()))
    try:
        if name in ("year", "month", "day", "day_markdown"):
            year, month, day = int(kwargs["year"]), int(kwargs.get("month", 1)), int(kwargs.get("day", 1))
            stamp = {"year": f"year:{year:04d}", "month": f"month:{year:04d}-{month:02d}"}.get(
                name, f"day:{year:04d}-{month:02d}-{day:02d}"
            )
            # Previous and next links move when a neighbouring day gains its first story or loses its last:
            # that change purges this page's own key (newsroom.invalidation.neighbour_keys).
            keys += [stamp, LISTS]
        elif name in ("tag", "feed_tag", "feed_tag_atom"):
            keys += [context_key(kwargs["slug"]), LISTS]
        elif name in ("author", "feed_author", "feed_author_atom"):
            keys += [author_key(kwargs["slug"]), LISTS]
        elif name in ("section", "feed_section", "feed_section_atom"):
            keys += [section_key(kwargs["path"]), LISTS]
    except (KeyError, ValueError):
        pass
    return keys


def header_value(keys: Iterable[str]) -> str:
    return " ".join(sorted(keys))


# Purging ---------------------------------------------------------------------------------------------------


def purge(keys: Iterable[str]) -> None:
    """Purge ``keys`` once the current transaction commits (at once outside one); nothing if it rolls back."""
    keys = frozenset(keys)
    if keys:
        transaction.on_commit(lambda: purge_now(keys))


def purge_now(keys: Iterable[str], *, again: bool = True) -> None:
    keys = set(keys)
    if getattr(settings, "DATELINE_PURGE_SCOPE", "keys") == "site":
        # Every change retires every page (bench/breaking_news.py measures what keys save against this).
        keys = {SITE, LISTS, COUNTS}
    replicas = getattr(settings, "DATABASE_REPLICAS", []) if again else []
    position = primary_position() if replicas else None
    if position:
        # A page rendered from a replica that has not yet replayed the change would be kept under the new
        # versions. Replicas usually replay within milliseconds: wait for that (briefly) and purge once.
        wait = float(getattr(settings, "DATABASE_REPLICA_PURGE_WAIT", 1.0))
        again = not wait_for_replay(position, replicas, time.monotonic() + wait, close=False)
    move_versions_on(keys)
    send_http_purges(keys)
    if again and replicas:
        # Not replayed in time: purge once more as soon as every replica has replayed it (at the latest
        # after the lag a replica is allowed before readers leave it).
        waiter = threading.Thread(target=purge_when_replayed, args=(keys, position, list(replicas)), daemon=True)
        waiter.start()


def primary_position() -> str | None:
    """Where the primary's write-ahead log is now, once the change is committed (PostgreSQL only)."""
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            return cursor.fetchone()[0]
    except DatabaseError:
        return None


def wait_for_replay(position: str | None, replicas: list[str], deadline: float, *, close: bool) -> bool:
    """Whether every replica that answers has replayed the primary's ``position`` before ``deadline``."""
    from django.db import DatabaseError, connections

    from .dbrouting import health

    if not position:
        return False
    # A replica left alone for now serves no reader: nothing it shows needs waiting for.
    waiting = [alias for alias in replicas if alias in connections and not health.resting(alias)]
    try:
        while waiting and time.monotonic() < deadline:
            for alias in list(waiting):
                try:
                    with connections[alias].cursor() as cursor:
                        cursor.execute("SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [position])
                        if cursor.fetchone()[0]:
                            waiting.remove(alias)
                except DatabaseError as error:
                    # A replica that cannot answer serves no reader (newsroom.dbrouting) and is not waited for.
                    health.mark_down(alias, f"{type(error).__name__}: {str(error).strip()[:200]}")
                    waiting.remove(alias)
            if waiting:
                time.sleep(0.01)
    finally:
        if close:
            for alias in replicas:
                if alias in connections:
                    connections[alias].close()
    return not waiting


def purge_when_replayed(keys: set[str], position: str | None, replicas: list[str]) -> None:
    deadline = time.monotonic() + float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 5)) + 1
    if not wait_for_replay(position, replicas, deadline, close=True):
        time.sleep(max(0.0, deadline - time.monotonic()))
    purge_now(keys, again=False)


def version_key(key: str) -> str:
    return VERSION_PREFIX + key


def new_version() -> int:
    """A key's next version: a random number, which Redis keeps as it is (a string would be pickled)."""
    return secrets.randbits(48)


def move_versions_on(keys: Iterable[str]) -> None:
    stamp = new_version()
    values = {version_key(key): stamp for key in keys}
    values[PURGE_STAMP_KEY] = stamp
    cache.set_many(values, None)
    if LISTS in keys or COUNTS in keys:
        from . import pagecache

        # The next scheduled moment may have changed with the lists.
        cache.delete(pagecache.DUE_KEY)


def versions(keys: Iterable[str], found: dict | None = None) -> dict[str, str]:
    """The current version of each key, giving a version to a key that has none yet."""
    keys = list(keys)
    found = dict(found or {})
    wanted = [version_key(key) for key in keys if version_key(key) not in found]
    if wanted:
        found.update(cache.get_many(wanted))
    for key in keys:
        if version_key(key) not in found:
            cache.add(version_key(key), new_version(), None)
            found[version_key(key)] = cache.get(version_key(key))
    return {key: found[version_key(key)] for key in keys}


class _Skipper:
    """Which purge addresses failed lately, and the keys they still owe.

    One that does not answer is left alone for SKIP_SECONDS, but what it should have purged is not lost: the
    keys wait here and go with the next purge that reaches it, or with a retry SKIP_SECONDS later, so a
    cache that was slow for a moment does not keep a page that changed until the page's time runs out.
    Past PENDING_LIMIT keys the whole site is purged instead.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}
        self._owed: dict[str, set[str]] = {}
        self._retrying: set[str] = set()

    def skip(self, url: str) -> bool:
        return time.monotonic() < self._until.get(url, 0)

    def owe(self, url: str, keys: Iterable[str]) -> None:
        with self._lock:
            owed = self._owed.setdefault(url, set())
            owed.update(keys)
            if len(owed) > PENDING_LIMIT:
                owed.clear()
                owed.add(SITE)
            start = url not in self._retrying
            self._retrying.add(url)
        if start:
            retry = threading.Timer(SKIP_SECONDS + 0.1, self._retry, args=(url,))
            retry.daemon = True
            retry.start()

    def take_owed(self, url: str) -> set[str]:
        with self._lock:
            return self._owed.pop(url, set())

    def _retry(self, url: str) -> None:
        with self._lock:
            self._retrying.discard(url)
        if self._owed.get(url):
            send_http_purges((), only=[url])

    def failed(self, url: str, error: Exception) -> None:
        with self._lock:
            first = url not in self._until
            self._until[url] = time.monotonic() + SKIP_SECONDS
        if first:
            logger.warning(
                "HTTP cache %s did not take a purge (%s: %s); skipping it for now", url, type(error).__name__, error
            )

    def succeeded(self, url: str) -> None:
        with self._lock:
            if self._until.pop(url, None) is not None:
                logger.warning("HTTP cache %s takes purges again", url)


skipper = _Skipper()


def purge_urls() -> list[str]:
    return list(getattr(settings, "HTTP_CACHE_PURGE_URLS", []))


# Keys whose pages must never be served again once purged: a story's own pages (a correction, a withdrawal,
# a comment taken down), an author's name, and the whole site. Every other key names a list, a link or a
# newly approved comment (``thread:``), which may be answered from the copy it replaces for the moment one
# fresh copy takes to render (HTTP_CACHE_SOFT_PURGE): a corrected story's own page is never shown as it was,
# while the front page that links to it, or a story page with one more comment, renders once in the background.
HARD_PREFIXES = ("story-page:", "author-name:")


def is_hard(key: str) -> bool:
    return key == SITE or key.startswith(HARD_PREFIXES)


def purge_headers(keys: Iterable[str]) -> list[tuple[str, list[str]]]:
    """(header, keys) pairs: ``xkey-purge`` drops pages at once, ``xkey-softpurge`` lets a list be answered
    from its old copy while one request renders the new one, so readers never queue behind a busy list."""
    keys = set(keys)
    # A change to a story purges its own pages hard, whatever else shows it.
    keys.update(story_page_key(key.split(":", 1)[1]) for key in list(keys) if key.startswith("story:"))
    keys = sorted(keys)
    if not getattr(settings, "HTTP_CACHE_SOFT_PURGE", True):
        return [("xkey-purge", keys)] if keys else []
    hard = [key for key in keys if is_hard(key)]
    soft = [key for key in keys if not is_hard(key)]
    return [(header, chosen) for header, chosen in (("xkey-purge", hard), ("xkey-softpurge", soft)) if chosen]


def send_http_purges(keys: Iterable[str], only: list[str] | None = None) -> int:
    """PURGE with the keys in ``xkey-purge`` / ``xkey-softpurge`` to every HTTP cache; how many caches took it.

    Keys a cache could not take are kept for it and sent with its next purge (``_Skipper``).
    """
    keys = set(keys)
    taken = 0
    for url in only if only is not None else purge_urls():
        if skipper.skip(url):
            skipper.owe(url, keys)
            continue
        wanted = keys | skipper.take_owed(url)
        try:
            for header, chosen in purge_headers(wanted):
                for start in range(0, len(chosen), KEYS_PER_PURGE):
                    _send(url, chosen[start : start + KEYS_PER_PURGE], header)
        except (OSError, http.client.HTTPException, PurgeRefused) as error:
            skipper.failed(url, error)
            skipper.owe(url, wanted)
            continue
        skipper.succeeded(url)
        taken += 1
    return taken


class PurgeRefused(Exception):
    pass


def _send(url: str, keys: list[str], header: str = "xkey-purge") -> None:
    parts = urlsplit(url)
    timeout = float(getattr(settings, "HTTP_CACHE_PURGE_TIMEOUT", 0.5))
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("PURGE", parts.path or "/", headers={header: " ".join(keys)})
        answer = connection.getresponse()
        answer.read()
        if answer.status >= 300:
            raise PurgeRefused(f"answered {answer.status} {answer.reason}")
    finally:
        connection.close()
