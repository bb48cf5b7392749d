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
from django.db.models.expressions import RawSQL
from django.utils import timezone

from newsroom import surrogate
from newsroom.models import Article, Story
from newsroom.storyread import listed

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
    surrogate.purge([surrogate.FRONT])


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

    def stories(self) -> list:
        return [s for s in (self.lead, *self.top, *(s for zone in self.zones for s in zone.stories)) if s]


def lay_out(arrangement: Arrangement, *, now: datetime | None = None) -> FrontPage:
    """The stories on the front page: placed ones first, then the newest published, none twice.

    One query (two with the bylines it prefetches) whatever is placed and however many zones fill
    themselves: it reads the placed stories, the newest news and analysis for the lead and the top stories,
    and the newest stories of each type a zone is filled with. Each newest list is a limited subquery walking
    the newest-first index, as the front page's lists always were, so a large archive is never sorted to find
    them.
    """
    now = now or timezone.now()
    places = [p for p in arrangement.places if p.live(now)]
    placed_ids = [p.story for p in places]
    published = Story.objects.published(now)
    articles = published.filter(kind=Story.Kind.ARTICLE).newest_first()
    # Enough of the newest for the lead and the top stories even when every placed story is among them.
    reach = len(placed_ids) + 1 + TOP_STORIES
    wanted = [articles.filter(article__article_type__in=TOP_TYPES).values("pk")[:reach]]
    # Each fill setting reads as many as its zones hold together, plus as many as the lead, the top stories
    # and the placed stories could already show of its types (those are skipped when the zones fill).
    fills = _fill_counts(arrangement.zones)
    wanted += [
        articles.filter(article__article_type__in=FILL_TYPES[fill]).values("pk")[: count + reach]
        for fill, count in fills.items()
    ]
    if placed_ids:
        wanted.append(Story.objects.filter(pk__in=placed_ids).values("pk"))
    listing = published.for_listing().filter(pk__in=_any_of(wanted)).newest_first()
    rows = listed(listing)
    found = {story.pk: story for story in rows}
    placed_set = set(placed_ids)
    # Every list below is newest first and holds the whole newest stretch of its types that it can need,
    # so taking the first stories not yet shown gives what a query per list would.
    newest = [story for story in rows if story.pk not in placed_set and _of_types(story, TOP_TYPES)]
    candidates = {fill: [story for story in rows if _of_types(story, FILL_TYPES[fill])] for fill in fills}
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

    zones = []
    for zone in arrangement.zones:
        stories = zone_picks[zone.id]
        if zone.fill:
            fill(candidates.get(zone.fill, []), stories, zone.capacity)
        if stories:
            zones.append(ZoneOnPage(zone.heading, zone.slug, stories))
    return FrontPage(lead=lead_list[0] if lead_list else None, top=top, zones=zones)


def _fill_counts(zones) -> dict[str, int]:
    """How many stories each fill setting's zones hold together."""
    wanted: dict[str, int] = {}
    for zone in zones:
        if zone.fill in FILL_TYPES:
            wanted[zone.fill] = wanted.get(zone.fill, 0) + zone.capacity
    return wanted


def _of_types(story, types) -> bool:
    return story.kind == Story.Kind.ARTICLE and story.article.article_type in types


def _any_of(id_querysets) -> RawSQL:
    """The ids any of ``id_querysets`` (each one column of ids, perhaps limited) select, as one subquery.

    ``pk IN (a) OR pk IN (b)`` makes PostgreSQL test every story of the archive against both lists; one
    ``IN`` over their union lets it read the few stories named by their primary key. Each part is wrapped so
    its own ORDER BY and LIMIT stay its own, which SQLite requires as well.
    """
    parts, params = [], []
    for n, queryset in enumerate(id_querysets):
        sql, part_params = queryset.query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS part{n}")
        params.extend(part_params)
    return RawSQL(" UNION ALL ".join(parts), params)
