"""Trigram indexes behind the moderation queue's search, on PostgreSQL.

The queue searches comment text, the commenter's name and address, and the
story's title for what a moderator typed anywhere inside them (a spammer's
domain inside a link, part of a name). Without an index that reads every one of
millions of comments. pg_trgm ships with PostgreSQL and is a trusted extension,
so the database's owner can create it. Other databases keep the plain scan.

The indexes are built CONCURRENTLY, outside a transaction: on a full archive
they take about two minutes, during which readers can still post comments and
moderators still decide on them.
"""

from django.db import migrations

# (index, table, column) for each searched field; the expression matches what icontains compares.
INDEXES = [
    ("comment_body_trgm", "comments_comment", "body"),
    ("comment_name_trgm", "comments_comment", "name"),
    ("comment_email_trgm", "comments_comment", "email"),
    ("story_title_trgm", "newsroom_story", "title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} "
            f'ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )
    # Statistics on the new expressions: without them PostgreSQL guesses a couple of hundred matches
    # for any word, and plans a common word as if it were rare, until the tables are next analysed.
    for table in sorted({table for _, table, _ in INDEXES}):
        schema_editor.execute(f'ANALYZE "{table}"')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False

    dependencies = [
        ("comments", "0003_moderation_list_indexes"),
        ("newsroom", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
