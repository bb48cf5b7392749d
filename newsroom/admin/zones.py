"""Times as editors type and read them: in the newsroom's zone, or in the zone of a dateline far away.

Every publish time is stored as an aware UTC datetime; these helpers name the zone a typed time is
read in ("Europe/London, BST"), turn a wall-clock time typed in another zone into that instant, and
give the browser what it needs to show the same conversion while the editor types.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import capfirst

# A short list a correspondent can find their zone in; a newsroom sets its own in DATELINE_TYPED_TIME_ZONES.
DEFAULT_TYPED_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Jerusalem",
    "Asia/Dubai",
    "Asia/Tehran",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "America/Mexico_City",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
)


def newsroom_zone_name() -> str:
    return settings.TIME_ZONE


def newsroom_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def typed_zone_names() -> list[str]:
    """The zones a time may be typed in: the newsroom's first, then the configured list, each once."""
    names = [newsroom_zone_name(), *getattr(settings, "DATELINE_TYPED_TIME_ZONES", DEFAULT_TYPED_ZONES)]
    usable = []
    for name in dict.fromkeys(names):
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        usable.append(name)
    return usable


def offset_text(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def typed_zone_choices() -> list[tuple[str, str]]:
    now = timezone.now()
    choices = []
    for name in typed_zone_names():
        label = f"{name.replace('_', ' ')} ({offset_text(now.astimezone(ZoneInfo(name)))} now)"
        if name == newsroom_zone_name():
            label = f"{name.replace('_', ' ')}, the newsroom's zone"
        choices.append((name, label))
    return choices


def zone_label(moment: datetime | None = None, zone_name: str | None = None) -> str:
    """The zone a time is read in, with the abbreviation in force at ``moment``: "Europe/London, BST"."""
    zone_name = zone_name or newsroom_zone_name()
    local = (moment or timezone.now()).astimezone(ZoneInfo(zone_name))
    abbreviation = local.tzname() or offset_text(local)
    return zone_name if abbreviation == zone_name else f"{zone_name}, {abbreviation}"


@cache
def abbreviations_by_offset(zone_name: str) -> dict[str, str]:
    """Offset in minutes -> abbreviation the zone has used at it (0 -> "GMT", 60 -> "BST").

    The browser knows the offset of any instant in any zone but names it in its own way ("GMT+1");
    this table lets it say "BST" as the server does.
    """
    zone = ZoneInfo(zone_name)
    found: dict[str, str] = {}
    for year in range(1970, 2051):
        for month in (1, 4, 7, 10):
            local = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(zone)
            minutes = int(local.utcoffset().total_seconds() // 60)
            name = local.tzname()
            # Numeric names ("+04") say no more than the offset itself.
            if name and not name.lstrip("+-").isdigit():
                found[str(minutes)] = name
    return found


class NoSuchTime(ValueError):
    """A wall-clock time that a zone skips (clocks go forward) or has twice (clocks go back)."""


def wall_time_in(naive: datetime, zone_name: str) -> datetime:
    """The instant a wall-clock time names in a zone; refuses times the zone skips or repeats."""
    zone = ZoneInfo(zone_name)
    moment = naive.replace(tzinfo=zone)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise NoSuchTime(f"{naive:%-d %b %Y, %H:%M} does not exist in {zone_name}: the clocks skip it.")
    if moment.replace(fold=1).utcoffset() != moment.utcoffset():
        raise NoSuchTime(
            f"{naive:%-d %b %Y, %H:%M} happens twice in {zone_name} (the clocks go back); "
            "type a time a little before or after it."
        )
    return moment.astimezone(UTC)


def in_newsroom_zone_text(moment: datetime) -> str:
    """'01:00 BST, 23 Apr 2012 (Europe/London)': how a converted time is read back to the editor."""
    local = timezone.localtime(moment, newsroom_zone())
    return f"{local:%H:%M} {local.tzname()}, {local:%-d %b %Y} ({newsroom_zone_name()})"


# A clock time at the end of a typed date: "09:00", "9.30", "21:15:00", "9:30 am", "9pm".
TRAILING_CLOCK = re.compile(
    r"^(?P<day>.*[^\s,])(?:\s*,\s*|\s+|T)"
    r"(?P<clock>\d{1,2}(?:[:.]\d{2}){1,2}(?:\s*[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?)$",
    re.IGNORECASE,
)
AM_PM = re.compile(r"\s*([ap])\.?m\.?$", re.IGNORECASE)


def split_typed_time(day: str, clock: str) -> tuple[str, str]:
    """Share what was typed between the date box and the time box as an editor means it.

    A whole date and time typed into the date box ("2012-04-23 09:00", "23 April 2012, 9.30am") is
    split across the two; a date with no time at all is the start of that day, so an archive story
    entered with only its print date keeps that date. Anything else is left as typed, for the boxes'
    own checks to name.
    """
    day, clock = day.strip(), clock.strip()
    if day and not clock:
        found = TRAILING_CLOCK.match(day)
        if found:
            day, clock = found["day"], found["clock"]
        else:
            clock = "00:00"
    # "9.30 a.m." and "9.30am" read as "9:30 AM".
    clock = AM_PM.sub(lambda m: f" {m[1].upper()}M", clock).replace(".", ":")
    return day, clock


class TypedPublishTimeField(forms.SplitDateTimeField):
    """The publish time's date and time boxes, read by :func:`split_typed_time` before the usual checks."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # The admin's label for a date and time points at neither box: the date box is named by the field's
        # label and the time box by the word shown before it, as a reader of the form sees them.
        if isinstance(self.widget, forms.MultiWidget):
            self.widget.widgets[0].attrs["aria-label"] = capfirst(self.label or "")
            self.widget.widgets[1].attrs["aria-label"] = "Time"

    def clean(self, value):
        if isinstance(value, list | tuple) and len(value) == 2:
            value = list(split_typed_time(str(value[0] or ""), str(value[1] or "")))
        return super().clean(value)


def read_typed_datetime(text: str) -> datetime | None:
    """One box's date and time, read as the publish time's two boxes read them; None when unreadable."""
    day, clock = split_typed_time(text or "", "")
    try:
        return datetime.combine(forms.DateField().clean(day), forms.TimeField().clean(clock))
    except forms.ValidationError:
        return None
