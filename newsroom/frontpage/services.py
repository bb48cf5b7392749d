"""Writes to the front page: publishing an arrangement and recording zone changes, each with its history row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from newsroom.models import Story

from . import arrangement
from .arrangement import Arrangement, Place
from .models import Placement, Revision, Zone


class Conflict(Exception):
    """Someone published the front page after the arrangement being published was opened."""

    def __init__(self, latest: Revision):
        super().__init__(f"The front page was changed at {latest.created_at} by {latest.user}.")
        self.latest = latest


class Vanished(ValueError):
    """A story or zone in the arrangement was deleted while it was being published."""


def area_labels(zones) -> dict[str, str]:
    labels = {"lead": "Lead story", "top": "Top stories"}
    labels.update({zone.area: zone.heading for zone in zones})
    return labels


def latest_revision_id() -> int | None:
    return Revision.objects.order_by("-pk").values_list("pk", flat=True).first()


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "j M Y, H:i")


def describe_change(before: Arrangement, after: Arrangement, titles: dict[int, str]) -> str:
    """What an editor changed, in words, one change a line."""
    labels = area_labels(before.zones) | area_labels(after.zones)
    old = {p.story: p for p in before.places}
    new = {p.story: p for p in after.places}
    lines = []
    for place in sorted(after.places, key=lambda p: (p.area, p.position)):
        title = titles.get(place.story, f"story {place.story}")
        previous = old.get(place.story)
        if previous is None:
            where = "as the lead story" if place.area == "lead" else f"to {labels.get(place.area, place.area)}"
            lines.append(f"Placed “{title}” {where}.")
        elif previous.area != place.area:
            origin, target = labels.get(previous.area, previous.area), labels.get(place.area, place.area)
            lines.append(f"Moved “{title}” from {origin} to {target}.")
        if place.expires_at != (previous.expires_at if previous else None):
            if place.expires_at is None:
                lines.append(f"“{title}” now stays until moved.")
            else:
                lines.append(f"“{title}” leaves the front page at {_when(place.expires_at)}.")
    for story_id, place in old.items():
        if story_id not in new:
            lines.append(
                f"Removed “{titles.get(story_id, f'story {story_id}')}” from {labels.get(place.area, place.area)}."
            )
    for area, label in labels.items():
        kept_before = [p.story for p in before.in_area(area) if p.story in new and new[p.story].area == area]
        kept_after = [p.story for p in after.in_area(area) if p.story in old and old[p.story].area == area]
        if kept_before != kept_after:
            lines.append(f"Reordered {label}.")
    return "\n".join(lines) or "Published the front page unchanged."


def snapshot(places, titles: dict[int, str], zones) -> list[dict]:
    labels = area_labels(zones)
    return [
        {
            "story": place.story,
            "title": titles.get(place.story, ""),
            "area": place.area,
            "where": labels.get(place.area, place.area),
            "position": place.position,
            "expires_at": place.expires_at.isoformat() if place.expires_at else None,
        }
        for place in sorted(places, key=lambda p: (p.area, p.position))
    ]


def publish_arrangement(*, places: list[Place], user, based_on: int | None) -> Revision:
    """Make ``places`` the front page, replacing every placement, and record who changed what.

    ``based_on`` is the latest history row when the editor opened the arrangement: if someone has published
    since, nothing is written and ``Conflict`` names who and when, so one editor never silently undoes another.
    Callers validate ``places`` first (one story each, areas that exist, room in each area).
    """
    with transaction.atomic():
        # Serialise publishers on the zones' rows: two editors publishing at once queue here.
        zones = list(Zone.objects.select_for_update().order_by("position", "heading", "pk"))
        latest = Revision.objects.select_related("user").order_by("-pk").first()
        if (latest.pk if latest else None) != based_on:
            raise Conflict(latest)
        before = arrangement.load()
        zone_infos = before.zones
        zone_ids = {zone.pk for zone in zones}
        kept = {p.story_id: p for p in Placement.objects.all()}
        story_ids = {p.story for p in places} | {p.story for p in before.places}
        titles = dict(Story.objects.filter(pk__in=story_ids).values_list("pk", "title"))
        now = timezone.now()
        rows = []
        for place in places:
            if place.area.startswith("zone-"):
                zone_id = int(place.area.removeprefix("zone-"))
                if zone_id not in zone_ids:
                    raise Vanished("A zone in this arrangement has just been removed.")
                slot = Placement.Slot.ZONE
            else:
                slot, zone_id = place.area, None
            if place.story not in titles:
                raise Vanished("A story in this arrangement has just been deleted.")
            earlier = kept.get(place.story)
            rows.append(
                Placement(
                    story_id=place.story,
                    slot=slot,
                    zone_id=zone_id,
                    position=place.position,
                    expires_at=place.expires_at,
                    placed_at=earlier.placed_at if earlier else now,
                    placed_by_id=earlier.placed_by_id if earlier else getattr(user, "pk", None),
                )
            )
        Placement.objects.all().delete()
        Placement.objects.bulk_create(rows)
        after = Arrangement(zone_infos, tuple(places))
        revision = Revision.objects.create(
            user=user,
            summary=describe_change(before, after, titles),
            arrangement=snapshot(places, titles, zone_infos),
        )
        arrangement.forget()
    return revision


def record_zone_change(*, user, summary: str) -> Revision:
    """A history row for a zone added, changed or removed, with the arrangement it left."""
    with transaction.atomic():
        now_arranged = arrangement.load()
        titles = dict(Story.objects.filter(pk__in=[p.story for p in now_arranged.places]).values_list("pk", "title"))
        revision = Revision.objects.create(
            user=user, summary=summary, arrangement=snapshot(now_arranged.places, titles, now_arranged.zones)
        )
        arrangement.forget()
    return revision
