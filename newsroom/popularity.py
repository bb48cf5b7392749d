""" "Most read now": reader page views over the last day, counted without a database write per view.

A view is an atomic increment of a cache key for (hour, story); a server process
gathers its views for about a second and adds them together (``Tally``). New keys are
remembered in numbered slots per hour so a flush can find them: the cache API
has no way to list keys, on locmem or on Redis. ``flush`` moves the counts into
``StoryViewCount`` rows (one per story and hour) and takes what it moved off the
cache counters, so views that arrive during a flush are kept for the next one
and running it twice adds nothing.

Flushing happens at most once a minute on the back of a counted view, and from
``manage.py flush_most_read`` (cron). With the default in-process cache every
server process counts and flushes its own views; with Redis (CACHE_URL) they
share counters and one lock.

The story view calls ``count_view``. On its own that counts every page the view
renders. When whole pages are served from a cache (``newsroom.pagecache``) the
view does not run for a stored page, so ``MostReadMiddleware``, listed just above
the page cache in MIDDLEWARE, does the counting instead: the view then only names
the story in a response header, the page cache stores and replays that header,
and the middleware counts it and takes it off before the page leaves. Anything
else that serves stored pages can count the same way by calling ``record_view``.

That is "server" counting (``DATELINE_MOST_READ_COUNTING``), right for one
machine with no HTTP cache in front. When Varnish or a CDN answers most story
pages (``HTTP_CACHE_PURGE_URLS`` set, the default then turns to "beacon"),
Django never sees those reads, so the page counts itself instead: it carries
``static/js/reads.js``, which, once the page is shown to a reader, posts to
``/reads/<story id>/`` (``count_read``). Only one of the two ever counts: in
beacon mode the view and the middleware count nothing, and in server mode the
script is not on the page and the endpoint counts nothing. One setting rather
than both at once with some way to pair them up, because a page kept by a
cache cannot tell whether Django saw it.

The endpoint is public, so one address may add only a few reads of one story
an hour (``DATELINE_MOST_READ_PER_ADDRESS``, counted in the cache by
django-ratelimit), reports that browsers say come from another site's page are
not counted (they would bring a read from each of that site's visitors), and
with the cache unreachable nothing is counted at all.

The "most read" box is rendered into pages a cache may keep for a day. The box
as rendered stays as the fallback without scripts; the same script replaces it
with the list from ``/most-read/`` (``most_read_box``), which shared caches keep
for at most what is left of the list's minute. A kept page's HTML therefore
never has to change, nor be purged, when the list does.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import math
import re
import threading
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Sum
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from . import cache as shared_cache
from .models import Story, StoryViewCount

logger = logging.getLogger(__name__)

HOUR = 3600
WINDOW_HOURS = 24
TOP = 5
# Cache counters outlive the window so a late flush still finds them.
COUNTER_TTL = (WINDOW_HOURS + 2) * HOUR
FLUSH_EVERY = 60
LIST_TTL = 60
KEEP_ROWS = timedelta(days=8)

PREFIX = "dateline:most-read"
STORY_HEADER = "X-Dateline-Story"
# Set on the request by MostReadMiddleware: the view leaves the counting to it.
COUNTED_ABOVE = "most_read_counted_above"
LIST_KEY = f"{PREFIX}:list:v2"
# The surrogate key of the box's own address (/most-read/); no story page carries it.
LIST_SURROGATE_KEY = "most-read"
READ_RATE_GROUP = "dateline-most-read"
LAST_FLUSH_KEY = f"{PREFIX}:last-flush"
LOCK_KEY = f"{PREFIX}:flush-lock"

# Crawlers, link-preview fetchers, monitors and scripted clients. Real browsers
# name none of these words; headless ones say "Headless". Matched against the lowercased user agent:
# with re.IGNORECASE the same search took ten times as long (28 µs for a desktop Chrome's).
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetcher|preview|headless|phantom|lighthouse|pagespeed|"
    r"facebookexternalhit|facebookcatalog|embedly|whatsapp|skypeuri|vkshare|w3c_validator|"
    r"monitor|uptime|pingdom|python|curl|wget|httpclient|okhttp|go-http|java/|libwww|scrapy|node-fetch|axios"
)


def is_bot(user_agent: str) -> bool:
    return not (user_agent or "").strip() or bool(BOT_USER_AGENT.search(user_agent.lower()))


SERVER = "server"
BEACON = "beacon"


def counting() -> str:
    """Who counts reads: "server" (the story view and MostReadMiddleware) or "beacon" (the page's script)."""
    return getattr(settings, "DATELINE_MOST_READ_COUNTING", SERVER)


def is_reader(request) -> bool:
    """Not a bot, not a prefetch or prerender, not a staff member; any method."""
    meta = request.META
    if is_bot(meta.get("HTTP_USER_AGENT", "")):
        return False
    purpose = (meta.get("HTTP_SEC_PURPOSE", "") + meta.get("HTTP_PURPOSE", "")).lower()
    if "prefetch" in purpose or "prerender" in purpose:
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_staff)


def is_reader_request(request) -> bool:
    """A person reading: a plain GET from a browser, not a bot, a prefetch or a staff member."""
    return request.method == "GET" and is_reader(request)


def count_view(request, response, story: Story) -> bool:
    """Count one page view of ``story`` if a reader saw it; costs no database query."""
    if response.status_code != 200 or not story.is_published:
        return False
    if getattr(request, COUNTED_ABOVE, False):
        response[STORY_HEADER] = str(story.pk)
        return False
    return count_story(request, story.pk)


def count_story(request, story_id: int) -> bool:
    """Count a read of a story's page answered to this request, unless a bot or staff asked for it."""
    if counting() != SERVER or not is_reader_request(request):
        return False
    if batch_seconds() > 0:
        tally.add(story_id)
    else:
        maybe_flush(last=record_view(story_id))
    return True


def batch_seconds() -> float:
    """How long a server process gathers the reads it counts before adding them to the cache's counters."""
    return getattr(settings, "DATELINE_MOST_READ_BATCH_SECONDS", 1.0)


class Tally:
    """The reads one server process has counted and not yet added to the cache's counters.

    With the page cache serving story pages, counting each read in Redis as it came cost as much as serving
    the page itself. Reads are gathered here instead, and a timer adds them all, one trip to the cache,
    ``batch_seconds()`` after the first of them: the counters lag the readers by about a second, where the
    list they feed changes once a minute. Each read keeps the hour it came in. ``flush`` sends this process's
    reads first; the process's exit sends what is left.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.reads: dict[tuple[int, int], int] = {}
        self.timer: threading.Timer | None = None

    def add(self, story_id: int, *, moment: float | None = None) -> None:
        read = (_bucket(moment), story_id)
        with self.lock:
            self.reads[read] = self.reads.get(read, 0) + 1
            if self.timer is None:
                self.timer = threading.Timer(batch_seconds(), self.send_quietly)
                self.timer.daemon = True
                self.timer.start()

    def take(self) -> dict[tuple[int, int], int]:
        with self.lock:
            reads, self.reads = self.reads, {}
            timer, self.timer = self.timer, None
        if timer is not None and timer is not threading.current_thread():
            timer.cancel()
        return reads

    def count(self) -> tuple[bool, float | None]:
        """Add the reads gathered so far to the cache's counters: whether there were any, and when the views
        were last flushed (as ``record_views`` answers)."""
        reads = self.take()
        return (True, record_views(reads)) if reads else (False, None)

    def send(self) -> None:
        """``count``, then flush the counters if a flush is due."""
        counted, last = self.count()
        if counted:
            maybe_flush(last=last)

    def send_quietly(self) -> None:
        """``send`` from the timer's thread or at exit: a failure is logged, never raised."""
        try:
            self.send()
        except Exception:
            logger.exception("Could not count the most recent reads")
        finally:
            # A flush from this thread opened its own connection; nothing else will close it.
            connections.close_all()

    def discard(self) -> None:
        self.take()


tally = Tally()
atexit.register(tally.send_quietly)


def count_read(request, story_id: int) -> bool:
    """Count a read that a published story's page reported (beacon mode), within the address's hourly allowance.

    Costs no database query: the caller has already checked the story is published.
    """
    if counting() != BEACON or not is_reader(request) or _from_another_site(request):
        return False
    if not _within_allowance(request, story_id):
        return False
    maybe_flush(last=record_view(story_id))
    return True


def _from_another_site(request) -> bool:
    """Sent by another site's page: its visitors' browsers would each add a read from their own address."""
    site = request.headers.get("Sec-Fetch-Site", "same-origin").strip().lower()
    return site not in ("same-origin", "none")


def _within_allowance(request, story_id: int) -> bool:
    """Whether this address may add one more read of this story this hour; no when the cache cannot say."""
    # The same reading of X-Forwarded-For as the comments' flood limits and the API's rates.
    from newsroom.comments.views import client_address

    address = client_address(request) or "unknown"
    rate = getattr(settings, "DATELINE_MOST_READ_PER_ADDRESS", "5/h")
    try:
        usage = get_usage(
            request,
            group=READ_RATE_GROUP,
            key=lambda group, request: f"{address}:{story_id}",
            rate=rate,
            method=ALL,
            increment=True,
        )
    except Exception:
        logger.warning("A reported read was not counted: the cache failed", exc_info=True)
        return False
    # None: the cache could not count (django-ratelimit fails open); a read nobody can limit is not counted.
    return usage is not None and not usage["should_limit"]


class MostReadMiddleware:
    """Counts story views on the way out, whether the view rendered the page or a page cache replayed it.

    Goes just above ``newsroom.pagecache.PageCacheMiddleware`` (and below the
    authentication middleware, so staff are told apart).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, COUNTED_ABOVE, True)
        response = self.get_response(request)
        count_named_story(request, response)
        return response


def count_named_story(request, response) -> None:
    """Count the read of the story a response names in its ``X-Dateline-Story`` header, and drop the header."""
    story_id = response.get(STORY_HEADER)
    if story_id is None:
        return
    del response[STORY_HEADER]
    if story_id.isdigit() and response.status_code == 200:
        count_story(request, int(story_id))


def _bucket(moment: float | None = None) -> int:
    return int((time.time() if moment is None else moment) // HOUR)


def _count_key(bucket: int, story_id: int) -> str:
    return f"{PREFIX}:{bucket}:n:{story_id}"


def _slots_key(bucket: int) -> str:
    return f"{PREFIX}:{bucket}:slots"


def _slot_key(bucket: int, slot: int) -> str:
    return f"{PREFIX}:{bucket}:slot:{slot}"


def _increment(key: str) -> int | None:
    """Add one to a counter, starting it at one; None when the cache keeps nothing (it is unreachable)."""
    try:
        return cache.incr(key)
    except ValueError:
        if cache.add(key, 1, COUNTER_TTL):
            return 1
        try:
            return cache.incr(key)
        except ValueError:
            return None


def record_view(story_id: int, *, moment: float | None = None) -> float | None:
    """Count one view. With the cache unreachable the view goes uncounted: a reader's page matters more.

    Answers when the views were last flushed (None when the clock has not started), fetched in the same
    trip to the cache as the count, for ``maybe_flush``.
    """
    return record_views({(_bucket(moment), story_id): 1})


def record_views(reads: dict[tuple[int, int], int]) -> float | None:
    """Count views by (hour bucket, story id), in one trip to the cache; answers as ``record_view``."""
    amounts = {_count_key(bucket, story_id): n for (bucket, story_id), n in reads.items()}
    started, _, found = shared_cache.count(amounts, COUNTER_TTL, read=[LAST_FLUSH_KEY])
    for bucket, story_id in reads:
        if _count_key(bucket, story_id) in started:
            # First view of this story this hour: leave its id where a flush will look.
            slot = _increment(_slots_key(bucket))
            if slot is not None:
                cache.set(_slot_key(bucket, slot), story_id, COUNTER_TTL)
    return found.get(LAST_FLUSH_KEY)


def maybe_flush(*, moment: float | None = None, last: float | None = None) -> None:
    """Flush when the last flush is a minute old. The first call only starts the clock.

    ``last`` is when the last flush was, when the caller has already fetched it (``record_view``).
    """
    now = time.time() if moment is None else moment
    if last is None:
        last = cache.get(LAST_FLUSH_KEY)
    if last is None:
        cache.add(LAST_FLUSH_KEY, now, None)
        return
    if now - last < FLUSH_EVERY:
        return
    cache.set(LAST_FLUSH_KEY, now, None)
    try:
        flush(moment=now)
    except DatabaseError:
        # A reader's page matters more than a counter: the views stay in the cache for the next flush.
        logger.exception("Could not flush most-read counts")


def _pending(now: float) -> dict[tuple[int, int], int]:
    """Counts waiting in the cache, by (hour bucket, story id)."""
    current = _bucket(now)
    buckets = list(range(current - WINDOW_HOURS - 1, current + 1))
    slot_totals = cache.get_many([_slots_key(b) for b in buckets])
    pending: dict[tuple[int, int], int] = {}
    for bucket in buckets:
        slots = slot_totals.get(_slots_key(bucket)) or 0
        if not slots:
            continue
        story_ids = set(cache.get_many([_slot_key(bucket, n) for n in range(1, slots + 1)]).values())
        counts = cache.get_many([_count_key(bucket, story_id) for story_id in story_ids])
        for story_id in story_ids:
            count = counts.get(_count_key(bucket, story_id)) or 0
            if count > 0:
                pending[(bucket, story_id)] = count
    return pending


def flush(*, moment: float | None = None) -> int:
    """Move counted views from the cache into hourly rows; returns how many views moved."""
    now = time.time() if moment is None else moment
    tally.count()
    if not cache.add(LOCK_KEY, 1, 5 * 60):
        return 0
    try:
        pending = _pending(now)
        moved = 0
        if pending:
            live = set(Story.objects.filter(pk__in={sid for _, sid in pending}).values_list("pk", flat=True))
            rows = [
                (story_id, datetime.fromtimestamp(bucket * HOUR, tz=UTC), count)
                for (bucket, story_id), count in pending.items()
                if story_id in live
            ]
            with transaction.atomic():
                _add_counts(rows)
                StoryViewCount.objects.filter(hour__lt=datetime.fromtimestamp(now, tz=UTC) - KEEP_ROWS).delete()
            for (bucket, story_id), count in pending.items():
                with contextlib.suppress(ValueError):
                    cache.decr(_count_key(bucket, story_id), count)
            moved = sum(count for _, _, count in rows)
            cache.delete(LIST_KEY)
        return moved
    finally:
        cache.delete(LOCK_KEY)


def _add_counts(rows: list[tuple[int, datetime, int]]) -> None:
    """Add to each (story, hour) row, creating it when missing, without a read-modify-write race."""
    if not rows:
        return
    if connection.vendor in {"postgresql", "sqlite"}:
        quote = connection.ops.quote_name
        names = (StoryViewCount._meta.db_table, "story_id", "hour", "views")
        table, story, hour, views = (quote(name) for name in names)
        sql = (
            f"INSERT INTO {table} ({story}, {hour}, {views}) VALUES (%s, %s, %s) "
            f"ON CONFLICT ({story}, {hour}) DO UPDATE SET {views} = {table}.{views} + excluded.{views}"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(sid, connection.ops.adapt_datetimefield_value(h), n) for sid, h, n in rows])
        return
    for story_id, hour, count in rows:
        updated = StoryViewCount.objects.filter(story_id=story_id, hour=hour).update(views=F("views") + count)
        if not updated:
            StoryViewCount.objects.create(story_id=story_id, hour=hour, views=count)


def most_read(*, exclude_url: str = "", moment: float | None = None) -> list[dict]:
    """The five published stories read most over the last 24 hours, cached for a minute.

    A story page passes its own address in ``exclude_url``: the list then names
    five other stories, from the same cached rows.
    """
    _, items = most_read_rows(moment=moment)
    return [item for item in items if item["url"] != exclude_url][:TOP]


def most_read_rows(*, moment: float | None = None) -> tuple[float, list[dict]]:
    """When the list was worked out, and its rows: one more than the box shows, so a story page can drop itself."""
    found = cache.get(LIST_KEY)
    if isinstance(found, tuple) and len(found) == 2:
        return found
    worked_out = time.time()
    found = (worked_out, _most_read_rows(moment))
    cache.set(LIST_KEY, found, LIST_TTL)
    return found


def seconds_left(worked_out: float) -> int:
    """How long a copy of a list worked out at ``worked_out`` may still be shown: what is left of its minute."""
    return max(1, min(LIST_TTL, math.ceil(worked_out + LIST_TTL - time.time())))


def _most_read_rows(moment: float | None) -> list[dict]:
    now = datetime.fromtimestamp(time.time() if moment is None else moment, tz=UTC)
    since = now - timedelta(hours=WINDOW_HOURS)
    stories = (
        Story.objects.published(now)
        .filter(view_counts__hour__gt=since)
        .annotate(total_views=Sum("view_counts__views"))
        .select_related("article", "event")
        .order_by("-total_views", "-publish_at", "-pk")[: TOP + 1]
    )
    return [
        {
            "id": story.pk,
            "title": story.title,
            "url": story.get_absolute_url(),
            "kind": story.kind,
            "label": (
                story.event.get_category_display()
                if story.kind == Story.Kind.EVENT
                else story.article.get_article_type_display()
            ),
            "views": story.total_views,
        }
        for story in stories
    ]
