"""How many live stories each section and each author holds by month (SectionMonth, AuthorMonth), kept by
triggers.

A section's or author's page numbers its pages from these rows instead of counting every story it holds,
and a deep page starts its reading at the month it falls in instead of walking every newer story.
"Live" is the publication rule without its clock: published or scheduled, with a publish time; readers
take off the few stories still waiting for theirs (``newsroom.listcounts``). A story counts in the month
of its day.

Three tables decide a count: the story's state and day (story), its section (article) and its authors
(byline). Each table's trigger joins the other two as they stand, so a row counts once whichever of them
is written first or deleted first: a story deleted before its article is taken off by the story's
trigger, and the article's trigger then finds no story; the other way round, the article's trigger takes
it off. A trigger on an article or a byline first takes a share lock on its stories, so a story published
at the same moment by another transaction is counted by whichever of the two commits second.

PostgreSQL runs statement-level triggers that add their sums in key-then-month order, so two writers lock
the count rows in the same order; SQLite runs row triggers. A count is only lowered on a row that exists.
"""

from django.db import migrations, models

STORY = "newsroom_story"
ARTICLE = "newsroom_article"
BYLINE = "newsroom_byline"
SECTIONS = "newsroom_sectionmonth"
AUTHORS = "newsroom_authormonth"
LIVE = "({row}.status IN ('published', 'scheduled') AND {row}.publish_at IS NOT NULL AND {row}.date IS NOT NULL)"
PG_MONTH = "date_trunc('month', {row}.date::timestamp)::date"
SQLITE_MONTH = "strftime('%Y-%m-01', {row}.date)"


def _pg_add(table: str, key: str, changes: str) -> str:
    """Add ``changes`` (rows of key, month, delta) to ``table`` in key-then-month order; never below zero."""
    return f"""
        INSERT INTO {table} ({key}, month, stories)
            SELECT changes.key, changes.month, SUM(changes.delta) FROM ({changes}) AS changes
             WHERE changes.key IS NOT NULL
             GROUP BY changes.key, changes.month
            HAVING SUM(changes.delta) > 0 OR (SUM(changes.delta) < 0 AND EXISTS (
                   SELECT 1 FROM {table} kept WHERE kept.{key} = changes.key AND kept.month = changes.month))
             ORDER BY changes.key, changes.month
        ON CONFLICT ({key}, month) DO UPDATE SET stories = {table}.stories + EXCLUDED.stories;"""


def _pg_lock(ids: str) -> str:
    return f"\n        PERFORM 1 FROM {STORY} s WHERE s.id IN ({ids}) ORDER BY s.id FOR SHARE OF s;"


def _counted(row: str) -> str:
    return LIVE.format(row=row)


def _same_place(a: str, b: str) -> str:
    """Row ``b`` counts in the same month as row ``a`` (both counted)."""
    return f"({_counted(b)} AND {PG_MONTH.format(row=a)} = {PG_MONTH.format(row=b)})"


# Story: a story that starts or stops counting, or moves to another month, moves its section's and its
# authors' counts. Rows whose state and month stay as they were (every other save) change nothing.
STORY_CHANGES = {
    "INSERT": f"SELECT n.id, {PG_MONTH.format(row='n')} AS month, 1 AS delta FROM new_rows n WHERE {_counted('n')}",
    "DELETE": f"SELECT o.id, {PG_MONTH.format(row='o')} AS month, -1 AS delta FROM old_rows o WHERE {_counted('o')}",
    "UPDATE": (
        f"SELECT n.id, {PG_MONTH.format(row='n')} AS month, 1 AS delta FROM new_rows n JOIN old_rows o ON o.id = n.id "
        f"WHERE {_counted('n')} AND NOT {_same_place('n', 'o')} "
        f"UNION ALL SELECT o.id, {PG_MONTH.format(row='o')} AS month, -1 AS delta "
        f"FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {_counted('o')} AND NOT {_same_place('o', 'n')}"
    ),
}


def _story_body(changes: str) -> str:
    sections = (
        f"SELECT a.section_id AS key, c.month, c.delta FROM ({changes}) c JOIN {ARTICLE} a ON a.story_ptr_id = c.id"
    )
    authors = f"SELECT b.author_id AS key, c.month, c.delta FROM ({changes}) c JOIN {BYLINE} b ON b.article_id = c.id"
    return _pg_add(SECTIONS, "section_id", sections) + _pg_add(AUTHORS, "author_id", authors)


def _linked(table: str, key: str, story: str) -> dict:
    """The bodies for a table that links a story to a key (article: section, byline: author)."""
    joined = f"JOIN {STORY} s ON s.id = {{row}}.{story} AND {_counted('s')}"
    month = PG_MONTH.format(row="s")
    added = f"SELECT n.{key} AS key, {month} AS month, 1 AS delta FROM new_rows n {joined.format(row='n')}"
    taken = f"SELECT o.{key} AS key, {month} AS month, -1 AS delta FROM old_rows o {joined.format(row='o')}"
    return {
        "INSERT": _pg_lock(f"SELECT {story} FROM new_rows") + _pg_add(table, key, added),
        "DELETE": _pg_lock(f"SELECT {story} FROM old_rows") + _pg_add(table, key, taken),
        "UPDATE": _pg_lock(f"SELECT {story} FROM new_rows UNION SELECT {story} FROM old_rows")
        + _pg_add(table, key, f"{added} UNION ALL {taken}"),
    }


def _pg_function(name: str, bodies: dict) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{bodies["INSERT"]}
    ELSIF TG_OP = 'DELETE' THEN{bodies["DELETE"]}
    ELSE{bodies["UPDATE"]}
    END IF;
    RETURN NULL;
END
$$;
"""


PG_FUNCTIONS = {
    STORY: ("newsroom_list_counts_story", {op: _story_body(sql) for op, sql in STORY_CHANGES.items()}),
    ARTICLE: ("newsroom_list_counts_article", _linked(SECTIONS, "section_id", "story_ptr_id")),
    BYLINE: ("newsroom_list_counts_byline", _linked(AUTHORS, "author_id", "article_id")),
}


def _pg_statements() -> list[str]:
    statements = []
    for table, (function, bodies) in PG_FUNCTIONS.items():
        statements.append(_pg_function(function, bodies))
        for op, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ):
            statements.append(
                f"CREATE TRIGGER list_counts_{op.lower()} AFTER {op} ON {table} REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    return statements


# SQLite: a row trigger per write.


def _sqlite_add(table: str, key: str, select: str) -> str:
    return (
        f"INSERT INTO {table} ({key}, month, stories) SELECT key, month, 1 FROM ({select}) WHERE key IS NOT NULL "
        f"ON CONFLICT ({key}, month) DO UPDATE SET stories = stories + 1;"
    )


def _sqlite_take(table: str, key: str, select: str) -> str:
    return f"UPDATE {table} SET stories = stories - 1 WHERE ({key}, month) IN ({select});"


def _sqlite_story(row: str, change) -> str:
    month = SQLITE_MONTH.format(row=row)
    sections = f"SELECT section_id AS key, {month} AS month FROM {ARTICLE} WHERE story_ptr_id = {row}.id"
    authors = f"SELECT author_id AS key, {month} AS month FROM {BYLINE} WHERE article_id = {row}.id"
    return change(SECTIONS, "section_id", sections) + " " + change(AUTHORS, "author_id", authors)


def _sqlite_linked(table: str, key: str, story: str, row: str, change) -> str:
    month = SQLITE_MONTH.format(row="s")
    return change(
        table,
        key,
        f"SELECT {row}.{key} AS key, {month} AS month FROM {STORY} s WHERE s.id = {row}.{story} AND {_counted('s')}",
    )


def _sqlite_statements() -> list[str]:
    new, old = _counted("NEW"), _counted("OLD")
    same = f"{SQLITE_MONTH.format(row='NEW')} = {SQLITE_MONTH.format(row='OLD')}"
    statements = [
        f"CREATE TRIGGER list_counts_story_insert AFTER INSERT ON {STORY} WHEN {new} "
        f"BEGIN {_sqlite_story('NEW', _sqlite_add)} END",
        f"CREATE TRIGGER list_counts_story_delete AFTER DELETE ON {STORY} WHEN {old} "
        f"BEGIN {_sqlite_story('OLD', _sqlite_take)} END",
        # A save that starts the story counting or moves it to another month adds it there...
        f"CREATE TRIGGER list_counts_story_join AFTER UPDATE OF status, publish_at, date ON {STORY} "
        f"WHEN {new} AND NOT ({old} AND {same}) BEGIN {_sqlite_story('NEW', _sqlite_add)} END",
        # ...and one that stops it counting or moves it takes it off where it was.
        f"CREATE TRIGGER list_counts_story_leave AFTER UPDATE OF status, publish_at, date ON {STORY} "
        f"WHEN {old} AND NOT ({new} AND {same}) BEGIN {_sqlite_story('OLD', _sqlite_take)} END",
    ]
    for name, table, counts, key, story in (
        ("article", ARTICLE, SECTIONS, "section_id", "story_ptr_id"),
        ("byline", BYLINE, AUTHORS, "author_id", "article_id"),
    ):
        add = _sqlite_linked(counts, key, story, "NEW", _sqlite_add)
        take = _sqlite_linked(counts, key, story, "OLD", _sqlite_take)
        statements += [
            f"CREATE TRIGGER list_counts_{name}_insert AFTER INSERT ON {table} BEGIN {add} END",
            f"CREATE TRIGGER list_counts_{name}_delete AFTER DELETE ON {table} BEGIN {take} END",
            f"CREATE TRIGGER list_counts_{name}_update AFTER UPDATE OF {key}, {story} ON {table} "
            f"BEGIN {take} {add} END",
        ]
    return statements


SQLITE_NAMES = [
    "list_counts_story_insert",
    "list_counts_story_delete",
    "list_counts_story_join",
    "list_counts_story_leave",
    *(f"list_counts_{name}_{op}" for name in ("article", "byline") for op in ("insert", "delete", "update")),
]


def forwards(apps, schema_editor):
    from newsroom.listcounts import rebuild_list_counts

    connection = schema_editor.connection
    statements = _pg_statements() if connection.vendor == "postgresql" else _sqlite_statements()
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    rebuild_list_counts(using=connection.alias)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, (function, _) in PG_FUNCTIONS.items():
                for op in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS list_counts_{op} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        else:
            for name in SQLITE_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0015_context_month_counts"),
    ]

    operations = [
        migrations.CreateModel(
            name="SectionMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("section_id", models.IntegerField()),
                ("month", models.DateField(help_text="The first day of the month.")),
                ("stories", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("section_id", "month"), name="section_month_unique")],
            },
        ),
        migrations.CreateModel(
            name="AuthorMonth",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("author_id", models.IntegerField()),
                ("month", models.DateField(help_text="The first day of the month.")),
                ("stories", models.IntegerField(default=0)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("author_id", "month"), name="author_month_unique")],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
