"""How many stories a section's or an author's page lists, read from counts the database keeps.

A section's page numbers its pages by the live stories of the section and its subsections, an author's
page by the live stories carrying the author's byline. Counting them on each render reads every one of
those stories: 200 ms for a big section of a million-story archive. ``SectionCount`` and ``AuthorCount``
hold one row per section and per author instead, kept by triggers on the story, article and byline
tables (migration 0016), so the figures follow every write, whatever makes it: a save in the admin, an
import, a bulk load, a deleted story.

As with the archive's months, the kept figures count every live story, published or scheduled; the few
scheduled stories still waiting for their publish time are taken off when the figures are read, from the
schedule's own index, so a story counts from the moment it goes public with nothing to run.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connections, router, transaction
from django.utils import timezone

from .models import Article, AuthorCount, Byline, SectionCount, Story
from .querysets import LIVE_STATUSES


def _tables(connection) -> dict[str, str]:
    quote = connection.ops.quote_name
    models = {"story": Story, "article": Article, "byline": Byline, "sections": SectionCount, "authors": AuthorCount}
    return {name: quote(model._meta.db_table) for name, model in models.items()}


def _read(kept: str, key: str, waiting_join: str, waiting_key: str, ids: list[int], now: datetime | None) -> int:
    connection = connections[router.db_for_read(Story)]
    tables = _tables(connection)
    marks = ", ".join(["%s"] * len(ids))
    when = connection.ops.adapt_datetimefield_value(now or timezone.now())
    sql = (
        f"SELECT COALESCE(SUM(stories), 0) FROM {tables[kept]} WHERE {key} IN ({marks}) "
        f"UNION ALL SELECT -COUNT(*) FROM {tables['story']} story {waiting_join.format(**tables)} "
        f"WHERE story.status IN (%s, %s) AND story.publish_at > %s AND {waiting_key} IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, *(str(status) for status in LIVE_STATUSES), when, *ids])
        return max(0, sum(row[0] for row in cursor.fetchall()))


def section_stories(section_ids: list[int], now: datetime | None = None) -> int:
    """How many stories readers can see in these sections (a section and its subsections)."""
    if not section_ids:
        return 0
    join = "JOIN {article} article ON article.story_ptr_id = story.id"
    return _read("sections", "section_id", join, "article.section_id", [int(pk) for pk in section_ids], now)


def author_stories(author_id: int, now: datetime | None = None) -> int:
    """How many stories readers can see under this author's byline."""
    join = "JOIN {byline} byline ON byline.article_id = story.id"
    return _read("authors", "author_id", join, "byline.author_id", [int(author_id)], now)


def rebuild_list_counts(*, using: str | None = None) -> int:
    """Count every section's and author's live stories again; answers how many rows were written.

    The triggers keep the figures exact; this is for loads that bypass them (the benchmark generator
    writes with triggers off) and for a check by hand (``manage.py rebuild_archive_counts``).
    """
    connection = connections[using or router.db_for_write(Story)]
    tables = _tables(connection)
    live = "story.status IN (%s, %s) AND story.publish_at IS NOT NULL"
    statuses = [str(status) for status in LIVE_STATUSES]
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {tables['sections']}")
        cursor.execute(f"DELETE FROM {tables['authors']}")
        cursor.execute(
            f"INSERT INTO {tables['sections']} (section_id, stories) SELECT article.section_id, COUNT(*) "
            f"FROM {tables['article']} article JOIN {tables['story']} story ON story.id = article.story_ptr_id "
            f"WHERE {live} AND article.section_id IS NOT NULL GROUP BY article.section_id",
            statuses,
        )
        cursor.execute(
            f"INSERT INTO {tables['authors']} (author_id, stories) SELECT byline.author_id, COUNT(*) "
            f"FROM {tables['byline']} byline JOIN {tables['story']} story ON story.id = byline.article_id "
            f"WHERE {live} GROUP BY byline.author_id",
            statuses,
        )
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {tables['sections']}) + (SELECT COUNT(*) FROM {tables['authors']})"
        )
        return cursor.fetchone()[0]
