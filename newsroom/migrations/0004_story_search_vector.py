"""A weighted search vector on every story, indexed and filled on PostgreSQL.

The column exists everywhere; the GIN index and the vectors themselves are
PostgreSQL features, so those steps do nothing on other databases.
"""

import html
import re

import django.contrib.postgres.search
from django.conf import settings
from django.db import migrations
from django.utils.html import strip_tags

INDEX_NAME = "story_search_vector_gin"
BATCH = 500


BLOCK_TAG = re.compile(r"</?(?:p|br|h[1-6]|li|ul|ol|blockquote|figure|figcaption|hr|pre|div)\b[^>]*>", re.IGNORECASE)


def _plain(value):
    # Block tags become spaces so that paragraphs do not run into each other.
    return " ".join(html.unescape(strip_tags(BLOCK_TAG.sub(" ", value or ""))).split())


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("newsroom", "Story")._meta.db_table)
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON {table} USING gin (search_vector)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


def fill_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    Story = apps.get_model("newsroom", "Story")
    Article = apps.get_model("newsroom", "Article")
    try:
        Event = apps.get_model("events", "Event")
    except LookupError:
        Event = None
    config = getattr(settings, "DATELINE_SEARCH_CONFIG", "english")
    table = schema_editor.quote_name(Story._meta.db_table)
    sql = (
        f"UPDATE {table} SET search_vector = "
        "setweight(to_tsvector(%s::regconfig, %s), 'A') || "
        "setweight(to_tsvector(%s::regconfig, %s), 'B') || "
        "setweight(to_tsvector(%s::regconfig, %s), 'C') WHERE id = %s"
    )
    ids = list(Story.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        titles = dict(Story.objects.filter(pk__in=chunk).values_list("pk", "title"))
        articles = {pk: (s, b) for pk, s, b in Article.objects.filter(pk__in=chunk).values_list("pk", "standfirst", "body")}
        events = dict(Event.objects.filter(pk__in=chunk).values_list("pk", "summary")) if Event else {}
        rows = []
        for pk in chunk:
            standfirst, body = articles.get(pk, ("", ""))
            middle = " ".join(part for part in (standfirst or "", _plain(events.get(pk))) if part)
            # An event's title is its summary, which already counts at weight B.
            headline = "" if pk in events else titles.get(pk) or ""
            rows.append((config, headline, config, middle, config, _plain(body), pk))
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(sql, rows)


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0003_comment_policy"),
    ]

    operations = [
        migrations.AddField(
            model_name="story",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(add_index, drop_index),
        migrations.RunPython(fill_vectors, migrations.RunPython.noop),
    ]
