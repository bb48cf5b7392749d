"""The curation screen's form: every placement a row of plain fields, so it all works without JavaScript.

Rows are named ``p<n>-story``, ``p<n>-area``, ``p<n>-order``, ``p<n>-expires_at`` and ``p<n>-remove``; the
script that adds dragging only moves rows and rewrites their area and order fields.
"""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone

from newsroom.models import Story
from newsroom.querysets import LIVE_STATUSES, Status

from .arrangement import Arrangement, Place, ZoneInfo
from .models import TOP_STORIES, Zone

ROW_KEY = re.compile(r"^p([0-9]{1,4})-story$")
ID = re.compile(r"^[0-9]{1,18}$")
MAX_ROWS = 200
SEARCH_RESULTS = 15


def to_id(value) -> int | None:
    """A row id from user input, or None: digits only, and small enough for any database's integer."""
    value = str(value if value is not None else "").strip()
    return int(value) if ID.match(value) and int(value) > 0 else None


def area_choices(zones: tuple[ZoneInfo, ...]) -> list[tuple[str, str]]:
    return [("lead", "Lead story"), ("top", "Top stories")] + [(zone.area, zone.heading) for zone in zones]


def area_capacity(area: str, zones: tuple[ZoneInfo, ...]) -> int:
    if area == "lead":
        return 1
    if area == "top":
        return TOP_STORIES
    return next((zone.capacity for zone in zones if zone.area == area), 0)


class PlacementRow(forms.Form):
    story = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**18 - 1)
    area = forms.ChoiceField(label="Where", help_text="The part of the front page the story is shown in.")
    order = forms.IntegerField(
        label="Order",
        min_value=0,
        max_value=9999,
        help_text="Lower numbers come first within the same part of the page.",
        widget=forms.NumberInput(attrs={"class": "fp-order", "size": 3}),
    )
    expires_at = forms.DateTimeField(
        label="Leaves at",
        required=False,
        help_text="Optional. The story drops out at this time; leave empty to keep it until you move it.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", "class": "fp-expires"}, format="%Y-%m-%dT%H:%M"),
    )
    remove = forms.BooleanField(label="Remove", required=False)

    def __init__(self, *args, zones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices(zones)
        self.fields["area"].widget.attrs["class"] = "fp-area"
        self.story_obj: Story | None = None


class Board:
    """The rows of an arrangement being edited, checked as a whole before a preview or publishing."""

    def __init__(self, *, zones: tuple[ZoneInfo, ...], stored: Arrangement, data=None, places=None):
        self.zones, self.stored, self.data = zones, stored, data
        self.problems: list[str] = []
        if data is not None:
            numbers = sorted({int(m.group(1)) for key in data if (m := ROW_KEY.match(key))})[:MAX_ROWS]
            self.rows = [PlacementRow(data, prefix=f"p{n}", zones=zones) for n in numbers]
        else:
            self.rows = [
                PlacementRow(
                    prefix=f"p{n}",
                    zones=zones,
                    initial={
                        "story": place.story,
                        "area": place.area,
                        "order": place.position,
                        "expires_at": timezone.localtime(place.expires_at) if place.expires_at else None,
                    },
                )
                for n, place in enumerate(places or ())
            ]
        self._attach_stories()

    def _story_id(self, row: PlacementRow) -> int | None:
        return to_id(row.data.get(f"{row.prefix}-story") if row.is_bound else row.initial.get("story"))

    def _attach_stories(self) -> None:
        ids = {self._story_id(row) for row in self.rows} - {None}
        stories = Story.objects.select_related("article", "event").in_bulk(ids)
        for row in self.rows:
            self._describe(row, stories.get(self._story_id(row)))

    @staticmethod
    def _describe(row: PlacementRow, story: Story | None) -> None:
        """The story on a row, with its kind and a warning when readers will not see it there."""
        row.story_obj, row.kind, row.note = story, "", ""
        if story is None:
            return
        row.kind = story.article.get_article_type_display() if story.kind == "article" else story.get_kind_display()
        if story.status == Status.WITHDRAWN:
            row.note = "Withdrawn: not shown. Remove it."
        elif story.status not in LIVE_STATUSES or story.publish_at is None or story.publish_at > timezone.now():
            row.note = "Not published yet: shown once it is."

    def story_ids(self) -> set[int]:
        return {self._story_id(row) for row in self.rows} - {None}

    def add(self, story_id: str, area: str) -> str | None:
        """Add a story at the end of ``area``; answers a problem to show, or None."""
        story = Story.objects.exclude(status=Status.WITHDRAWN).filter(pk=to_id(story_id)).first()
        if story is None:
            return "That story cannot be placed: it no longer exists or has been withdrawn."
        if story.pk in self.story_ids():
            return f"“{story.title}” is already on the front page."
        if area not in dict(area_choices(self.zones)):
            area = "top"
        orders = []
        for row in self.rows:
            try:
                if row.data.get(f"{row.prefix}-area") == area:
                    orders.append(int(row.data.get(f"{row.prefix}-order") or 0))
            except ValueError:
                continue
        number = max((int(m.group(1)) for key in (self.data or {}) if (m := ROW_KEY.match(key))), default=-1) + 1
        fresh = {
            f"p{number}-story": str(story.pk),
            f"p{number}-area": area,
            f"p{number}-order": str(max(orders, default=0) + 1),
        }
        self.data = self.data.copy() if self.data is not None else {}
        self.data.update(fresh)
        row = PlacementRow(self.data, prefix=f"p{number}", zones=self.zones)
        self._describe(row, story)
        self.rows.append(row)
        return None

    def is_valid(self) -> bool:
        self.problems = []
        valid = all(row.is_valid() for row in self.rows)
        if not valid:
            self.problems.append("Some placements need attention: see the messages next to them.")
            return False
        now = timezone.now()
        stored = {p.story: p for p in self.stored.places}
        seen: dict[int, PlacementRow] = {}
        counts: dict[str, int] = {}
        for row in self.rows:
            data = row.cleaned_data
            if data["remove"]:
                continue
            if row.story_obj is None:
                row.add_error(None, "This story no longer exists; remove it.")
                valid = False
                continue
            if data["story"] in seen:
                row.add_error(None, f"“{row.story_obj.title}” is placed twice; remove one of them.")
                valid = False
                continue
            seen[data["story"]] = row
            expires = data["expires_at"]
            before = stored.get(data["story"])
            if expires is not None and expires <= now:
                if before is None or before.expires_at != expires:
                    row.add_error("expires_at", "This time has already passed: choose a later one or clear it.")
                    valid = False
                # An unchanged placement that has expired is already gone from the page; it is dropped.
                continue
            counts[data["area"]] = counts.get(data["area"], 0) + 1
        labels = dict(area_choices(self.zones))
        for area, count in counts.items():
            room = area_capacity(area, self.zones)
            if count > room:
                what = "story" if room == 1 else "stories"
                self.problems.append(f"{labels[area]} holds at most {room} {what}; {count} are placed there.")
                valid = False
        if not valid and not self.problems:
            self.problems.append("Some placements need attention: see the messages next to them.")
        return valid

    def places(self) -> list[Place]:
        """The arrangement the rows describe, numbered 1, 2, 3... within each area. Call after ``is_valid()``."""
        now = timezone.now()
        kept = []
        for index, row in enumerate(self.rows):
            data = row.cleaned_data
            if data["remove"] or (data["expires_at"] is not None and data["expires_at"] <= now):
                continue
            kept.append((data["area"], data["order"], index, data))
        kept.sort()
        places, numbers = [], {}
        for area, _, _, data in kept:
            numbers[area] = numbers.get(area, 0) + 1
            places.append(Place(data["story"], area, numbers[area], data["expires_at"]))
        return places

    def columns(self) -> list[dict]:
        """The rows grouped by area, in the order the page shows them, for the screen."""
        hints = {
            "lead": "When nothing is placed here, the newest news story leads.",
            "top": "Places left empty are filled with the newest news and analysis.",
        }
        for zone in self.zones:
            if zone.fill:
                hints[zone.area] = f"Places left empty are filled with: {Zone.Fill(zone.fill).label.lower()}."
            else:
                hints[zone.area] = "Only the stories placed here are shown; with none, readers do not see the zone."
        columns = []
        for area, label in area_choices(self.zones):
            rows = [row for row in self.rows if self._area_of(row) == area]
            rows.sort(key=self._order_of)
            capacity = area_capacity(area, self.zones)
            columns.append({"area": area, "label": label, "capacity": capacity, "rows": rows, "hint": hints[area]})
        known = {column["area"] for column in columns}
        stray = [row for row in self.rows if self._area_of(row) not in known]
        if stray:
            columns[1]["rows"] += stray
        return columns

    @staticmethod
    def _area_of(row: PlacementRow) -> str:
        return row.data.get(f"{row.prefix}-area", "") if row.is_bound else row.initial.get("area", "")

    @staticmethod
    def _order_of(row: PlacementRow) -> int:
        value = row.data.get(f"{row.prefix}-order") if row.is_bound else row.initial.get("order")
        try:
            return int(value)
        except (TypeError, ValueError):
            return 0


def find_stories(query: str, *, exclude: set[int] = frozenset()) -> list[Story]:
    """Stories whose headline or summary holds ``query``, newest first, for placing."""
    query = query.strip()[:200]
    if len(query) < 2:
        return []
    found = (
        Story.objects.exclude(status=Status.WITHDRAWN)
        .exclude(pk__in=exclude)
        .filter(title__icontains=query)
        .select_related("article", "event")
        .order_by("-date", "-publish_at", "-pk")
    )
    return list(found[:SEARCH_RESULTS])
