"""Prepared statements that survive a migration run while the servers are up.

With ``DATABASE_PREPARED_STATEMENTS`` on (the default on PostgreSQL), psycopg
prepares the queries a connection runs often, and PostgreSQL keeps their plans
for the session. A migration that changes the type of a column such a plan
reads (a longer ``max_length`` is enough) makes PostgreSQL refuse the kept plan
with "cached plan must not change result type", on every connection that
prepared it, until that connection closes: for ``CONN_MAX_AGE`` seconds, the
pages using that query would fail on every server still running.

``replan_after_schema_change`` is added to every PostgreSQL connection's
execute wrappers. On that error, outside a transaction, it drops the
connection's prepared statements (``DEALLOCATE ALL``, which psycopg also reads
as "forget your list") and runs the query again, prepared afresh. Inside a
transaction the error stands, as the transaction is lost anyway; Django's
rollback makes psycopg forget its statements, so the next request works.

``planned_each_time`` is for the few queries whose best plan depends on their
parameters' values (a search: a rare word is found through the index, a common
one by walking the newest stories). PostgreSQL plans a prepared statement for
any values after five runs, and that plan, made blind to how common the words
are, walked the whole archive for a rare word (66 to 79 ms at full size, 1.4 to
11 ms planned for the words at hand).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import NotSupportedError, connections

PLAN_CHANGED = "cached plan must not change result type"


def replan_after_schema_change(execute, sql, params, many, context):
    try:
        return execute(sql, params, many, context)
    except NotSupportedError as error:
        if PLAN_CHANGED not in str(error):
            raise
        connection = context["connection"]
        raw = connection.connection
        if connection.in_atomic_block or raw is None or not raw.autocommit:
            raise
        raw.execute("DEALLOCATE ALL")
        return execute(sql, params, many, context)


def watch_prepared_statements(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: every PostgreSQL connection that prepares statements gets the wrapper."""
    if connection.vendor != "postgresql" or not connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold"):
        return
    if replan_after_schema_change not in connection.execute_wrappers:
        connection.execute_wrappers.append(replan_after_schema_change)


@contextmanager
def planned_each_time(using: str) -> Iterator[None]:
    """Within it, the queries run on database ``using`` are not prepared: PostgreSQL plans each for its values."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not connection.settings_dict.get("OPTIONS", {}).get("prepare_threshold"):
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    kept = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        # The connection may have been closed and opened again meanwhile: only the one changed is put back.
        raw.prepare_threshold = kept
