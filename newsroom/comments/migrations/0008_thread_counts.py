"""How many approved comments each story's thread holds (ThreadCount), kept by triggers on the comments.

A story page numbers its comment pages from this row instead of counting the thread: 76 ms for a
thread of 194,000 comments, on every render the page cache could not spare. A count depends only on
the comment's own story and status, so no trigger needs another table and two writers never miss each
other's change. PostgreSQL runs one statement-level trigger per write, adding its sums in story order;
SQLite runs a row trigger per comment. A count is only lowered on a row that exists.
"""

from django.db import migrations, models

COMMENTS = "comments_comment"
TABLE = "comments_threadcount"
APPROVED = "'approved'"


def _pg_add(changes: str) -> str:
    return f"""
        INSERT INTO {TABLE} (story_id, approved)
            SELECT changes.story_id, SUM(changes.delta) FROM ({changes}) AS changes
             GROUP BY changes.story_id
            HAVING SUM(changes.delta) > 0 OR (SUM(changes.delta) < 0 AND EXISTS (
                   SELECT 1 FROM {TABLE} kept WHERE kept.story_id = changes.story_id))
             ORDER BY changes.story_id
        ON CONFLICT (story_id) DO UPDATE SET approved = {TABLE}.approved + EXCLUDED.approved;"""


ADDED = f"SELECT story_id, 1 AS delta FROM new_rows WHERE status = {APPROVED}"
TAKEN = f"SELECT story_id, -1 AS delta FROM old_rows WHERE status = {APPROVED}"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION comments_thread_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{_pg_add(ADDED)}
    ELSIF TG_OP = 'DELETE' THEN{_pg_add(TAKEN)}
    ELSE{_pg_add(ADDED + " UNION ALL " + TAKEN)}
    END IF;
    RETURN NULL;
END
$$;
"""

PG_TRIGGERS = [
    f"CREATE TRIGGER thread_counts_insert AFTER INSERT ON {COMMENTS} REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION comments_thread_counts()",
    f"CREATE TRIGGER thread_counts_delete AFTER DELETE ON {COMMENTS} REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION comments_thread_counts()",
    f"CREATE TRIGGER thread_counts_update AFTER UPDATE ON {COMMENTS} "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION comments_thread_counts()",
]


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} (story_id, approved) SELECT {row}.story_id, 1 WHERE {row}.status = {APPROVED} "
        "ON CONFLICT (story_id) DO UPDATE SET approved = approved + 1;"
    )


def _sqlite_take(row: str) -> str:
    return (
        f"UPDATE {TABLE} SET approved = approved - 1 WHERE story_id = {row}.story_id AND {row}.status = {APPROVED};"
    )


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER thread_counts_insert AFTER INSERT ON {COMMENTS} BEGIN {_sqlite_add('NEW')} END",
    f"CREATE TRIGGER thread_counts_delete AFTER DELETE ON {COMMENTS} BEGIN {_sqlite_take('OLD')} END",
    f"CREATE TRIGGER thread_counts_update AFTER UPDATE OF story_id, status ON {COMMENTS} "
    f"BEGIN {_sqlite_take('OLD')} {_sqlite_add('NEW')} END",
]


def forwards(apps, schema_editor):
    from newsroom.comments.counts import rebuild_thread_counts

    connection = schema_editor.connection
    statements = [PG_FUNCTION, *PG_TRIGGERS] if connection.vendor == "postgresql" else SQLITE_TRIGGERS
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    rebuild_thread_counts(using=connection.alias)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for name in ("thread_counts_insert", "thread_counts_delete", "thread_counts_update"):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {COMMENTS}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS comments_thread_counts()")


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0007_thread_index_in_page_order"),
    ]

    operations = [
        migrations.CreateModel(
            name="ThreadCount",
            fields=[
                ("story_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("approved", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
