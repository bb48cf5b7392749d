"""The archive's shape: which years and months hold published stories, and how many.

/news/ lists the years and numbers its pages, a year page counts its months,
a month page numbers its pages and links the months either side. Asking the
story table each time means grouping and counting every published story
(hundreds of milliseconds on a large archive, for figures that change a few
times an hour). ``ArchiveMonth`` keeps one row per month instead, counting the
stories that are live: published or scheduled, whatever the publish time.

The figures stay exact without any worker:

- Every write that can change them (a story saved with a new state or date, a
  story deleted) adjusts them in the same transaction (``Story.save`` and the
  delete signal below), so a reader never sees a count that disagrees with the list.
- A scheduled story waiting for its time is in the table already; readers take
  off the stories whose publish time is still ahead (``published_months``: an indexed
  query over the schedule, which is short). The moment a story's time passes it
  counts, exactly as ``published()`` starts listing it.

``rebuild_archive_counts()`` recounts everything from the stories; the migration,
the ``rebuild_archive_counts`` command and the benchmark generator call it after
writing rows in bulk.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connections, router, transaction
from django.utils import timezone

from .querysets import LIVE_STATUSES

TABLE = "newsroom_archivemonth"
STORY_TABLE = "newsroom_story"


def month_of(day: date) -> date:
    return day.replace(day=1)


def _live(status: str, publish_at) -> bool:
    return status in LIVE_STATUSES and publish_at is not None


def _alias(using: str | None) -> str:
    from .models import Story

    return using or router.db_for_write(Story)


def adjust(changes: Counter, *, using: str | None = None) -> None:
    """Add ``changes`` ({first of month: +n or -n}) to the kept counts, in the caller's transaction."""
    changes = {month: delta for month, delta in changes.items() if delta}
    if not changes:
        return
    connection = connections[_alias(using)]
    with connection.cursor() as cursor:
        for month, delta in sorted(changes.items()):
            # One statement per month, so two writers touching the same month queue on its row instead of
            # one of them losing its change.
            cursor.execute(
                f"INSERT INTO {TABLE} (month, stories) VALUES (%s, %s) "
                f"ON CONFLICT (month) DO UPDATE SET stories = {TABLE}.stories + excluded.stories",
                [month, delta],
            )


COUNTED_FIELDS = ("date", "status", "publish_at")


def story_saved(previous: dict | None, story, *, update_fields=None, using: str | None = None) -> None:
    """Move a saved story's count from its old month and state (``previous``) to its new ones.

    A save limited to ``update_fields`` wrote only those: the others keep their stored values,
    whatever the instance holds.
    """
    now = {name: getattr(story, name) for name in COUNTED_FIELDS}
    if previous is not None and update_fields is not None:
        now = {name: now[name] if name in update_fields else previous[name] for name in COUNTED_FIELDS}
    if previous is not None and all(previous[name] == now[name] for name in COUNTED_FIELDS):
        return
    changes: Counter = Counter()
    if previous is not None and _live(previous["status"], previous["publish_at"]):
        changes[month_of(previous["date"])] -= 1
    if now["date"] is not None and _live(now["status"], now["publish_at"]):
        changes[month_of(now["date"])] += 1
    adjust(changes, using=using)


def story_deleted(sender, instance, using=None, **kwargs) -> None:
    """post_delete receiver for Story: a deleted live story leaves its month's count."""
    if instance.date is not None and _live(instance.status, instance.publish_at):
        adjust(Counter({month_of(instance.date): -1}), using=using)


def rebuild_archive_counts(*, using: str | None = None) -> int:
    """Recount every month from the story table; returns how many months hold live stories."""
    connection = connections[_alias(using)]
    if connection.vendor == "postgresql":
        month = "date_trunc('month', s.date)::date"
    else:
        month = "date(s.date, 'start of month')"
    statuses = ", ".join(["%s"] * len(LIVE_STATUSES))
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} (month, stories) SELECT {month}, COUNT(*) FROM {STORY_TABLE} s "
            f"WHERE s.status IN ({statuses}) AND s.publish_at IS NOT NULL GROUP BY 1",
            [str(status) for status in LIVE_STATUSES],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE}")
        return cursor.fetchone()[0]


# Reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class Months:
    """The months that hold published stories, oldest first, with how many each holds."""

    counts: list[tuple[date, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.counts)

    def years(self) -> list[date]:
        """1 January of every year with published stories, newest first (the generic views' ``date_list``)."""
        return sorted({date(month.year, 1, 1) for month, _ in self.counts}, reverse=True)

    def of_year(self, year: int) -> list[tuple[date, int]]:
        return [(month, count) for month, count in self.counts if month.year == year]

    def count(self, month: date) -> int:
        return dict(self.counts).get(month_of(month), 0)

    def neighbours(self, first: date, last: date) -> tuple[date | None, date | None]:
        """The nearest months with stories before ``first`` and after ``last``."""
        before = [month for month, _ in self.counts if month < month_of(first)]
        after = [month for month, _ in self.counts if month > month_of(last)]
        return (before[-1] if before else None), (after[0] if after else None)


def _story_columns(connection, *names: str) -> list[str]:
    return [connection.ops.quote_name(name) for name in (STORY_TABLE, *names)]


def published_months(now: datetime | None = None, *, using: str | None = None) -> Months:
    """What readers see of the archive at ``now``: one small statement, whatever the number of stories.

    The kept counts come back with the days of the live stories whose publish time is still ahead (what the
    table holds that readers may not see yet), told apart by the first column: one round trip for both. The
    schedule is short, so those days are counted here rather than grouped by the database; as plain SQL,
    because building the query through the ORM cost /news/ more than running it.
    """
    connection = connections[_alias(using)]
    table, status, publish_at, on_date = _story_columns(connection, "status", "publish_at", "date")
    when = connection.ops.adapt_datetimefield_value(now or timezone.now())
    ahead: Counter = Counter()
    kept = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 0, month, stories FROM {TABLE} UNION ALL "
            f"SELECT 1, {on_date}, 1 FROM {table} WHERE {status} IN (%s, %s) AND {publish_at} > %s",
            [*(str(value) for value in LIVE_STATUSES), when],
        )
        for is_waiting, day, stories in cursor.fetchall():
            if is_waiting:
                ahead[month_of(as_date(day))] += 1
            else:
                kept.append((as_date(day), stories))
    counts = []
    for month, stories in sorted(kept):
        shown = stories - ahead.get(month, 0)
        if shown > 0:
            counts.append((month, shown))
    return Months(counts)


def as_date(value) -> date | None:
    # PostgreSQL hands back a date; SQLite, read without the ORM's converters, the ISO text of one.
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def neighbour_days(day: date, now: datetime | None = None) -> tuple[date | None, date | None]:
    """The nearest earlier and later days with published stories, in one statement.

    Each side is one step along the live-story date index, stopping at the first row: constant cost
    whatever the archive's size. Written as SQL because the two ORM queries it replaces cost a day page
    more in building and compiling than the database took to answer them.
    """
    from .models import Story

    connection = connections[router.db_for_read(Story)]
    ops = connection.ops
    when = ops.adapt_datetimefield_value(now or timezone.now())
    on = ops.adapt_datefield_value(day)
    statuses = [str(status) for status in LIVE_STATUSES]
    table, status, publish_at, on_date = _story_columns(connection, "status", "publish_at", "date")
    live = f"{status} IN (%s, %s) AND {publish_at} <= %s AND {on_date} {{}} %s"
    sql = (
        f"SELECT (SELECT {on_date} FROM {table} WHERE {live.format('<')} ORDER BY {on_date} DESC LIMIT 1), "
        f"(SELECT {on_date} FROM {table} WHERE {live.format('>')} ORDER BY {on_date} ASC LIMIT 1)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*statuses, when, on, *statuses, when, on])
        previous, following = cursor.fetchone()
    return as_date(previous), as_date(following)
