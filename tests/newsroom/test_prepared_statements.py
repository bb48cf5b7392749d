"""Prepared statements on PostgreSQL keep working when a migration changes a column under them."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def probe_table():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE dateline_plan_probe (id integer PRIMARY KEY, label varchar(10))")
        cursor.execute("INSERT INTO dateline_plan_probe VALUES (1, 'first'), (2, 'second')")
    yield "dateline_plan_probe"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS dateline_plan_probe")


def widen_column_elsewhere():
    """What `migrate` run from another machine does: the column's type changes under the running server."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    ) as other:
        other.execute("ALTER TABLE dateline_plan_probe ALTER COLUMN label TYPE varchar(40)")


def label(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, label FROM dateline_plan_probe WHERE id = %s", [pk])
        return cursor.fetchone()[1]


def prepare_the_query():
    connection.ensure_connection()
    assert connection.settings_dict["OPTIONS"].get("prepare_threshold"), "prepared statements are on by default"
    for _ in range(5):
        assert label(1) == "first"


def test_a_prepared_query_answers_after_its_column_type_changed(probe_table):
    prepare_the_query()
    widen_column_elsewhere()
    assert label(2) == "second"
    assert label(1) == "first"


def test_inside_a_transaction_the_next_one_answers(probe_table):
    prepare_the_query()
    widen_column_elsewhere()
    with pytest.raises(Exception, match="cached plan must not change result type"), transaction.atomic():
        label(1)
    assert label(1) == "first"
