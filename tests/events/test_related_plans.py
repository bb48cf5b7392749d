"""Related and a story's comments stay bounded on PostgreSQL whatever plan a prepared statement gets.

With prepared statements on, PostgreSQL may plan a statement once for any parameters (a generic plan),
sized for an average context or an average thread. These tests build one very large context and one
very long thread, then look at the plans PostgreSQL runs: the rows they read must stay a handful.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events.models import Event
from events.related import CANDIDATES_PER_CONTEXT, ranking_params, ranking_sql
from newsroom.comments.models import Comment
from newsroom.models import Story, TaggedStory
from tests.factories import CommentFactory, EventFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def _copies(model, template_pk: int, count: int, changes: dict[str, str]) -> None:
    """``count`` copies of one row of ``model``'s own table, made in SQL; ``changes`` maps columns to SQL."""
    columns = [field.column for field in model._meta.local_concrete_fields]
    table = model._meta.db_table
    picked = ", ".join(changes.get(column, f'"{column}"') for column in columns)
    names = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {picked} FROM "{table}", generate_series(1, %s) AS g '
            f'WHERE "{table}"."{model._meta.pk.column}" = %s',
            [count, template_pk],
        )


def _big_context(size: int) -> tuple[Story, int]:
    """A published event in a context of ``size`` stories, among many small contexts."""
    story = EventFactory(summary="At the centre.", tags=["Everywhere"])
    tag_id = story.tags.get().pk
    for n in range(40):
        EventFactory(summary=f"Small context {n}.", tags=[f"Corner {n}"])
    offset = 10_000_000
    _copies(
        Story,
        story.pk,
        size,
        {
            "id": f"{offset} + g",
            "slug": "\"slug\" || '-' || g",
            "date": '"date" - g',
            "publish_at": "\"publish_at\" - g * interval '1 day'",
        },
    )
    _copies(Event, story.pk, size, {"story_ptr_id": f"{offset} + g"})
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "newsroom_taggedstory" (content_object_id, tag_id, story_date, story_publish_at, listed) '
            'SELECT id, %s, date, publish_at, true FROM "newsroom_story" WHERE id > %s',
            [tag_id, offset],
        )
        cursor.execute("ANALYZE")
    return story, tag_id


def _generic_plan(sql: str, params: list) -> dict:
    """EXPLAIN ANALYZE of ``sql`` as a prepared statement planned once for any parameters."""
    numbered = iter(range(1, 1000))
    prepared = re.sub(r"%s", lambda _: f"${next(numbered)}", sql)
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        try:
            cursor.execute(f"PREPARE generic_probe AS {prepared}")
            literals = []
            for value in params:
                text = "{" + ",".join(map(str, value)) + "}" if isinstance(value, list) else str(value)
                cursor.execute("SELECT quote_literal(%s::text)", [text])
                literals.append(cursor.fetchone()[0])
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE generic_probe({', '.join(literals)})")
            plan = cursor.fetchone()[0]
        finally:
            cursor.execute("DEALLOCATE ALL")
            cursor.execute("RESET plan_cache_mode")
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def _rows_read(plan: dict, table: str) -> int:
    """Rows the plan's nodes on ``table`` produced, over all their loops."""
    own = plan.get("Actual Rows", 0) * plan.get("Actual Loops", 1) if plan.get("Relation Name") == table else 0
    return own + sum(_rows_read(part, table) for part in plan.get("Plans", []))


def test_related_reads_a_bounded_number_of_links_in_a_huge_context_even_with_a_generic_plan():
    story, tag_id = _big_context(5_000)
    now = timezone.now()
    day = story.date
    params = ranking_params([tag_id], day, {story.pk}, 10, now)
    plan = _generic_plan(ranking_sql(), params)
    # The forty links nearest the day on either side, then each candidate's own links; never the context's
    # 5,000 links.
    assert _rows_read(plan, TaggedStory._meta.db_table) <= 4 * CANDIDATES_PER_CONTEXT
    # And only the story rows of the ten it lists, never the other candidates' or every published story's.
    assert _rows_read(plan, Story._meta.db_table) <= 10


def test_a_long_threads_first_page_reads_only_that_page_even_with_a_generic_plan():
    story = EventFactory(summary="A story readers argue about.")
    quiet = EventFactory(summary="A quiet story.")
    first = CommentFactory(story=story, created_at=timezone.now() - timedelta(days=1))
    CommentFactory(story=quiet)
    later = {"id": f"{first.pk} + 10000000 + g", "created_at": "\"created_at\" + g * interval '1 second'"}
    _copies(Comment, first.pk, 3_000, later)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    thread = Comment.objects.for_story_page(story)[:50]
    sql, params = thread.query.sql_with_params()
    plan = _generic_plan(sql, list(params))
    assert _rows_read(plan, Comment._meta.db_table) <= 50
    assert thread.count() == 50


def test_related_runs_one_statement_for_every_story_whatever_its_contexts():
    from events.related import related_stories

    events = [
        EventFactory(summary=f"Ferry strike day {n}.", tags=[f"Port {n}", "Ferries"][: 1 + n % 2]) for n in range(6)
    ]
    for n in range(12):
        EventFactory(summary=f"Harbour news {n}.", tags=[f"Port {n % 6}", "Ferries"])
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    for _ in range(2):
        for event in events:
            assert related_stories(event), event.summary
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%WITH candidates(id, day)%"]
        )
        statements = cursor.fetchall()
    # Stories with one context and with two ran the same statement: PostgreSQL may keep one plan for all of
    # them (the plan the test above bounds), where a statement per story was planned again on every page.
    assert len(statements) == 1, statements


def test_related_prepares_one_statement_whatever_the_size_of_the_numbers_it_sends():
    from events.related import _ranked_sql

    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    # Context and story numbers that fit a smallint, an integer and a bigint: psycopg would send each list as
    # the narrowest array type, and prepare the statement once for each.
    for tag_ids, seen in (([1, 2], {5}), ([40_000], {70_000}), ([3], {10_000_000_000})):
        for _ in range(4):
            assert _ranked_sql(tag_ids, now.date(), seen, 10, now) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%WITH candidates(id, day)%"]
        )
        assert cursor.fetchone()[0] == 1
