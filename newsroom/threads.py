"""A context's stories as a timeline: years (and months, in busy years) with their counts, newest first.

The counts come from ``ContextMonth``, which the database keeps by triggers on the context links' table:
one row per context and month, so the timeline of a context with a quarter of a million stories reads a
few hundred rows, and the page runs the same queries at the same cost whatever the context's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst

from .archive import as_date
from .models import ContextMonth, Story, TaggedStory
from .querysets import LIVE_STATUSES

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


def context_months(tag_id: int, now: datetime | None = None) -> dict[date, int]:
    """How many of the context's stories readers can see in each month, from the kept counts.

    One statement: the context's rows of ``ContextMonth`` (a few hundred at most, one per month), and the
    days of its stories still waiting for their publish time, read from the schedule (a handful), which
    the counts already hold but readers may not see yet.
    """
    connection = connections[router.db_for_read(TaggedStory)]
    quote = connection.ops.quote_name
    kept, links, story = (quote(model._meta.db_table) for model in (ContextMonth, TaggedStory, Story))
    when = connection.ops.adapt_datetimefield_value(now or timezone.now())
    # The context's number is written into the statement, not passed as a parameter: a prepared statement's
    # plan made for any context is sized for an average one, and for "China" it read every one of its
    # links in search of the few scheduled ones. Written in, the planner sees how large the context is.
    tag = int(tag_id)
    sql = (
        f"SELECT month, stories, 0 FROM {kept} WHERE tag_id = {tag} AND stories <> 0 "
        f"UNION ALL SELECT link.story_date, -1, 1 FROM {story} story "
        f"JOIN {links} link ON link.content_object_id = story.id AND link.tag_id = {tag} "
        f"WHERE story.status IN (%s, %s) AND story.publish_at > %s "
        f"AND link.listed AND link.story_publish_at > %s AND link.story_date IS NOT NULL"
    )
    months: dict[date, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(str(status) for status in LIVE_STATUSES), when, when])
        for day, count, waiting in cursor.fetchall():
            month = as_date(day).replace(day=1) if waiting else as_date(day)
            months[month] = months.get(month, 0) + count
    return {month: count for month, count in months.items() if count > 0}


def context_years(tag) -> list[Year]:
    """The context's live stories counted by year and month, newest year first: constant cost, from
    the counts the database keeps (``ContextMonth``), however many stories the context holds."""
    years: dict[int, Year] = {}
    for month, total in context_months(tag.pk).items():
        entry = years.setdefault(month.year, Year(month.year, 0))
        entry.count += total
        entry.months[month.month] = entry.months.get(month.month, 0) + total
    ordered = sorted(years.values(), key=lambda y: y.year, reverse=True)
    before = 0
    for entry in ordered:
        entry.before = before
        for month in sorted(entry.months, reverse=True):
            entry.month_before[month] = before
            before += entry.months[month]
    return ordered


def rebuild_context_counts(*, using: str | None = None) -> int:
    """Count every context's live stories by month again from the links; answers the rows written.

    The triggers keep the figures exact; this is for loads that bypass them (the benchmark generator
    writes with triggers off) and for a check by hand (``manage.py rebuild_archive_counts``).
    """
    connection = connections[using or router.db_for_write(TaggedStory)]
    quote = connection.ops.quote_name
    kept, links = quote(ContextMonth._meta.db_table), quote(TaggedStory._meta.db_table)
    if connection.vendor == "postgresql":
        month = "date_trunc('month', story_date::timestamp)::date"
    else:
        month = "strftime('%Y-%m-01', story_date)"
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {kept}")
        cursor.execute(
            f"INSERT INTO {kept} (tag_id, month, stories) SELECT tag_id, {month}, COUNT(*) FROM {links} "
            "WHERE listed AND story_publish_at IS NOT NULL AND story_date IS NOT NULL "
            f"GROUP BY tag_id, {month}"
        )
        cursor.execute(f"SELECT COUNT(*) FROM {kept}")
        return cursor.fetchone()[0]


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
    month_labels: dict[date, str] = {}
    position = first_on_page
    for story in stories:
        year = by_year.get(story.date.year) or Year(story.date.year, 0)
        if not groups or groups[-1].label != str(year.year):
            groups.append(Group(str(year.year), year.count, anchor=year.anchor, continued=position > year.before))
        group = groups[-1]
        if year.busy:
            month = date(story.date.year, story.date.month, 1)
            label = month_labels.get(month)
            if label is None:
                # In the site's language ("April 2012", "Avril 2012"), once per month heading of the page.
                label = month_labels[month] = capfirst(date_format(month, "F Y"))
            if not group.months or group.months[-1].label != label:
                started = year.month_before.get(month.month, position)
                group.months.append(Group(label, year.months.get(month.month, 0), continued=position > started))
            group.months[-1].stories.append(story)
        else:
            group.stories.append(story)
        position += 1
    return groups
