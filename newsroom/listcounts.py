"""How many stories a section's or an author's page lists, month by month, read from counts the database keeps.

A section's page lists the live stories of the section and its subsections, an author's page those
carrying the author's byline. Counting them on each render reads every one of them (200 ms for a big
section of a million-story archive), and reaching a deep page by ``OFFSET`` walks every newer story of
the site in search of the section's (seconds). ``SectionMonth`` and ``AuthorMonth`` hold one row per
section or author and month instead, kept by triggers on the story, article and byline tables (migration
0016), so the figures follow every write, whatever makes it: a save in the admin, an import, a bulk
load, a deleted story. The months number the pages, and tell a deep page which month it starts in
(``newsroom.pagination.ArchivePaginator``).

As with the archive's months, the kept figures count every live story, published or scheduled; the few
scheduled stories still waiting for their publish time are taken off when the figures are read, from the
schedule's own index, so a story counts from the moment it goes public with nothing to run.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import connections, router, transaction
from django.utils import timezone

from .archive import as_date
from .models import Article, AuthorMonth, Byline, SectionMonth, Story
from .querysets import LIVE_STATUSES


def _tables(connection) -> dict[str, str]:
    quote = connection.ops.quote_name
    models = {"story": Story, "article": Article, "byline": Byline, "sections": SectionMonth, "authors": AuthorMonth}
    return {name: quote(model._meta.db_table) for name, model in models.items()}


def _read(kept: str, key: str, waiting_join: str, waiting_key: str, ids: list[int], now) -> list[tuple[date, int]]:
    """The months with stories readers can see, newest first, with how many each holds."""
    connection = connections[router.db_for_read(Story)]
    tables = _tables(connection)
    marks = ", ".join(["%s"] * len(ids))
    when = connection.ops.adapt_datetimefield_value(now or timezone.now())
    sql = (
        f"SELECT month, stories, 0 FROM {tables[kept]} WHERE {key} IN ({marks}) AND stories <> 0 "
        f"UNION ALL SELECT story.date, -1, 1 FROM {tables['story']} story {waiting_join.format(**tables)} "
        f"WHERE story.status IN (%s, %s) AND story.publish_at > %s AND {waiting_key} IN ({marks})"
    )
    months: dict[date, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *(str(status) for status in LIVE_STATUSES), when, *ids])
        for day, count, waiting in cursor.fetchall():
            month = as_date(day).replace(day=1) if waiting else as_date(day)
            months[month] = months.get(month, 0) + count
    return sorted(((month, count) for month, count in months.items() if count > 0), reverse=True)


def section_months(section_ids: list[int], now: datetime | None = None) -> list[tuple[date, int]]:
    """The stories readers can see in these sections (a section and its subsections) by month, newest first."""
    if not section_ids:
        return []
    join = "JOIN {article} article ON article.story_ptr_id = story.id"
    return _read("sections", "section_id", join, "article.section_id", [int(pk) for pk in section_ids], now)


def author_months(author_id: int, now: datetime | None = None) -> list[tuple[date, int]]:
    """The stories readers can see under this author's byline by month, newest first."""
    join = "JOIN {byline} byline ON byline.article_id = story.id"
    return _read("authors", "author_id", join, "byline.author_id", [int(author_id)], now)


def rebuild_list_counts(*, using: str | None = None) -> int:
    """Count every section's and author's live stories by month again; answers how many rows were written.

    The triggers keep the figures exact; this is for loads that bypass them (the benchmark generator
    writes with triggers off) and for a check by hand (``manage.py rebuild_archive_counts``).
    """
    connection = connections[using or router.db_for_write(Story)]
    tables = _tables(connection)
    if connection.vendor == "postgresql":
        month = "date_trunc('month', story.date::timestamp)::date"
    else:
        # Doubled: this statement has parameters, and a lone % would start a placeholder.
        month = "strftime('%%Y-%%m-01', story.date)"
    live = "story.status IN (%s, %s) AND story.publish_at IS NOT NULL AND story.date IS NOT NULL"
    statuses = [str(status) for status in LIVE_STATUSES]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['sections']}")
        cursor.execute(f"DELETE FROM {tables['authors']}")
        cursor.execute(
            f"INSERT INTO {tables['sections']} (section_id, month, stories) "
            f"SELECT article.section_id, {month}, COUNT(*) "
            f"FROM {tables['article']} article JOIN {tables['story']} story ON story.id = article.story_ptr_id "
            f"WHERE {live} AND article.section_id IS NOT NULL GROUP BY article.section_id, {month}",
            statuses,
        )
        cursor.execute(
            f"INSERT INTO {tables['authors']} (author_id, month, stories) SELECT byline.author_id, {month}, COUNT(*) "
            f"FROM {tables['byline']} byline JOIN {tables['story']} story ON story.id = byline.article_id "
            f"WHERE {live} GROUP BY byline.author_id, {month}",
            statuses,
        )
        written = 0
        for table in (tables["sections"], tables["authors"]):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            written += cursor.fetchone()[0]
        return written
