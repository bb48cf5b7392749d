"""What the front page shows: the editors' arrangement, kept in the cache, filled with the newest stories.

The arrangement (zones and placements, a few small rows) is kept in the cache under a stamp that every change
renews after commit, the way ``pagecache.remember_for`` keeps a figure, so a rendered front page costs no query
for it: the page's stories come from the same two queries it ran before there was anything to arrange. With the
cache unreachable the arrangement is read from the database instead.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Case, F, IntegerField, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from newsroom import pagecache
from newsroom.models import Article, Story

from .models import TOP_STORIES, Placement, Zone

log = logging.getLogger(__name__)

STAMP_KEY = "dateline:frontpage:stamp"
VALUE_KEY = "dateline:frontpage:arrangement"

# Which article types fill a zone's empty places, by the zone's fill setting.
FILL_TYPES = {
    Zone.Fill.OPINION: (Article.ArticleType.OPINION, Article.ArticleType.EDITORIAL),
    Zone.Fill.ANALYSIS: (Article.ArticleType.ANALYSIS,),
    Zone.Fill.NEWS: (Article.ArticleType.NEWS,),
}
# The lead and top stories are filled with news and analysis, as the front page always was.
TOP_TYPES = (Article.ArticleType.NEWS, Article.ArticleType.ANALYSIS)


@dataclass(frozen=True)
class ZoneInfo:
    id: int
    heading: str
    slug: str
    capacity: int
    fill: str

    @property
    def area(self) -> str:
        return f"zone-{self.id}"


@dataclass(frozen=True)
class Place:
    """One placement: ``area`` is "lead", "top" or "zone-<id>"."""

    story: int
    area: str
    position: int
    expires_at: datetime | None = None

    def live(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


@dataclass(frozen=True)
class Arrangement:
    zones: tuple[ZoneInfo, ...] = ()
    places: tuple[Place, ...] = ()

    def in_area(self, area: str) -> list[Place]:
        return sorted((p for p in self.places if p.area == area), key=lambda p: p.position)


def area_of(placement: Placement) -> str:
    return f"zone-{placement.zone_id}" if placement.slot == Placement.Slot.ZONE else placement.slot


def load() -> Arrangement:
    """The arrangement as the database has it."""
    zones = tuple(
        ZoneInfo(z.pk, z.heading, z.slug, z.capacity, z.fill)
        for z in Zone.objects.only("heading", "slug", "capacity", "fill", "position")
    )
    places = tuple(
        Place(p.story_id, area_of(p), p.position, p.expires_at)
        for p in Placement.objects.only("story_id", "slot", "zone_id", "position", "expires_at").order_by(
            "position", "pk"
        )
    )
    return Arrangement(zones, places)


def current() -> Arrangement:
    """The published arrangement, from the cache when it can be; never stale after a change commits."""
    try:
        found = cache.get_many([STAMP_KEY, VALUE_KEY])
        stamp, kept = found.get(STAMP_KEY), found.get(VALUE_KEY)
        if stamp is not None and kept is not None and kept[0] == stamp:
            return kept[1]
        if stamp is None:
            cache.add(STAMP_KEY, uuid.uuid4().hex, None)
            stamp = cache.get(STAMP_KEY)
    except Exception:
        log.warning("The cache is unreachable; the front page arrangement is read from the database.")
        return load()
    # Read under the stamp fetched before it: a change committing meanwhile renews the stamp, so what is
    # stored below is not taken for the new arrangement.
    value = load()
    try:
        cache.set(VALUE_KEY, (stamp, value), None)
    except Exception:
        log.warning("The cache is unreachable; the front page arrangement was not kept.")
    return value


def _renew_stamp() -> None:
    try:
        cache.set(STAMP_KEY, uuid.uuid4().hex, None)
    except Exception:
        # Nothing kept can be read while the cache is down; delete it on the way back if possible.
        log.warning("The cache is unreachable; the kept front page arrangement could not be retired.")


def forget() -> None:
    """Retire the kept arrangement and every stored page, after commit."""
    transaction.on_commit(_renew_stamp)
    pagecache.forget_pages()


def forget_after_save(sender, instance=None, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    forget()


def next_expiry() -> datetime | None:
    """The next moment a placement leaves the front page, so stored pages expire with it."""
    now = timezone.now()
    moments = [p.expires_at for p in current().places if p.expires_at is not None and p.expires_at > now]
    return min(moments) if moments else None


@dataclass
class ZoneOnPage:
    heading: str
    slug: str
    stories: list = field(default_factory=list)


@dataclass
class FrontPage:
    lead: Story | None
    top: list
    zones: list[ZoneOnPage]


def lay_out(arrangement: Arrangement, *, now: datetime | None = None) -> FrontPage:
    """The stories on the front page: placed ones first, then the newest published, none twice.

    Two queries (three with the bylines each prefetches) whatever is placed: one reads the placed stories with
    the newest news and analysis behind them, one the newest stories of the types zones are filled with.
    """
    now = now or timezone.now()
    places = [p for p in arrangement.places if p.live(now)]
    placed_ids = [p.story for p in places]
    live = Story.objects.published(now).for_listing()
    fallback = Q(kind=Story.Kind.ARTICLE, article__article_type__in=TOP_TYPES)
    if placed_ids:
        rows = (
            live.filter(Q(pk__in=placed_ids) | fallback)
            .annotate(placed=Case(When(pk__in=placed_ids, then=Value(0)), default=Value(1)))
            .order_by("placed", "-date", "-publish_at", "-pk")
        )
    else:
        rows = live.filter(fallback).newest_first()
    rows = list(rows[: len(placed_ids) + 1 + TOP_STORIES])
    found = {story.pk: story for story in rows}
    newest = [story for story in rows if story.pk not in set(placed_ids)]
    shown: set[int] = set()

    def take(place_list: list[Place], limit: int) -> list:
        taken = []
        for place in place_list:
            story = found.get(place.story)
            if story is not None and story.pk not in shown and len(taken) < limit:
                taken.append(story)
                shown.add(story.pk)
        return taken

    def fill(candidates: list, taken: list, limit: int) -> None:
        for story in candidates:
            if len(taken) >= limit:
                break
            if story.pk not in shown:
                taken.append(story)
                shown.add(story.pk)

    lead_list = take([p for p in places if p.area == "lead"], 1)
    top = take(sorted((p for p in places if p.area == "top"), key=lambda p: p.position), TOP_STORIES)
    zone_picks = {
        zone.id: take(sorted((p for p in places if p.area == zone.area), key=lambda p: p.position), zone.capacity)
        for zone in arrangement.zones
    }
    if not lead_list:
        fill(newest, lead_list, 1)
    if not lead_list and top:
        # Every published story is placed below the lead: the first of them leads rather than nobody.
        lead_list.append(top.pop(0))
    fill(newest, top, TOP_STORIES)

    candidates = _fill_candidates(arrangement.zones, live, bound=len(shown))
    zones = []
    for zone in arrangement.zones:
        stories = zone_picks[zone.id]
        if zone.fill:
            fill(candidates.get(zone.fill, []), stories, zone.capacity)
        if stories:
            zones.append(ZoneOnPage(zone.heading, zone.slug, stories))
    return FrontPage(lead=lead_list[0] if lead_list else None, top=top, zones=zones)


def _fill_candidates(zones, live, *, bound: int) -> dict[str, list]:
    """The newest stories of each fill setting zones use, in one query.

    Each setting needs as many as its zones hold together, plus as many again as are already on the page
    (any of which may be among them and is skipped).
    """
    wanted: dict[str, int] = {}
    for zone in zones:
        if zone.fill in FILL_TYPES:
            wanted[zone.fill] = wanted.get(zone.fill, 0) + zone.capacity
    if not wanted:
        return {}
    whens = [When(article__article_type__in=FILL_TYPES[fill], then=Value(n)) for n, fill in enumerate(wanted)]
    group = Case(*whens, output_field=IntegerField())
    types = [kind for fill in wanted for kind in FILL_TYPES[fill]]
    rows = (
        live.filter(kind=Story.Kind.ARTICLE, article__article_type__in=types)
        .annotate(
            fill_group=group,
            rank=Window(
                RowNumber(), partition_by=[group], order_by=[F("date").desc(), F("publish_at").desc(), F("pk").desc()]
            ),
        )
        .filter(rank__lte=max(wanted.values()) + bound)
        .order_by("-date", "-publish_at", "-pk")
    )
    fills = list(wanted)
    candidates: dict[str, list] = {fill: [] for fill in wanted}
    for story in rows:
        candidates[fills[story.fill_group]].append(story)
    return candidates
