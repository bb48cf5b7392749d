"""A kept PostgreSQL connection is checked before each request's first query without a round trip while it is
quiet, and replaced when the server has ended it (newsroom/backends/postgresql/base.py)."""

import select
import time

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the check is PostgreSQL's backend's"),
]


@pytest.fixture
def kept():
    """A second connection to the test database, outside the test's transaction, as a server's thread keeps one."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def next_request(wrapper) -> None:
    """What Django does for a kept connection when a request starts (the request_started signal)."""
    wrapper.close_if_unusable_or_obsolete()


def spy_on_select_one(wrapper, monkeypatch) -> list[bool]:
    asked = []
    real = wrapper.is_usable

    def is_usable():
        asked.append(real())
        return asked[-1]

    monkeypatch.setattr(wrapper, "is_usable", is_usable)
    return asked


def test_a_quiet_kept_connection_is_reused_without_asking_the_server(kept, monkeypatch):
    assert kept.settings_dict["CONN_HEALTH_CHECKS"]
    raw = kept.connection
    asked = spy_on_select_one(kept, monkeypatch)
    next_request(kept)
    with kept.cursor() as cursor:
        cursor.execute("SELECT 41 + 1")
        assert cursor.fetchone() == (42,)
    assert asked == []
    assert kept.connection is raw


def test_a_connection_the_server_ended_between_requests_is_replaced_before_the_first_query(kept, monkeypatch):
    raw = kept.connection
    ended = raw.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [ended])
    # The server's notice and the end of the stream reach the socket a moment after it answers.
    poller = select.poll()
    poller.register(raw.pgconn.socket, select.POLLIN | select.POLLHUP)
    deadline = time.monotonic() + 5
    while not poller.poll(50) and time.monotonic() < deadline:
        pass
    asked = spy_on_select_one(kept, monkeypatch)
    next_request(kept)
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (now_serving,) = cursor.fetchone()
    # Django's own SELECT 1 ran, found the connection ended, and the query went out on a new one.
    assert asked == [False]
    assert now_serving != ended
    assert kept.connection is not raw


def test_a_connection_in_an_open_transaction_is_checked_by_asking_the_server(kept, monkeypatch):
    kept.set_autocommit(False)
    with kept.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert not kept.quiet()
    kept.rollback()
    kept.set_autocommit(True)
    assert kept.quiet()
