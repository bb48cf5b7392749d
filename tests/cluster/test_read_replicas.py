"""Read replicas: anonymous readers read from a replica, everyone else and every write from the primary.

The replica here is a second connection to the test database, so what the primary committed is there at
once; a broken replica is a connection to a database that does not exist.
"""

import time

import pytest
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test.utils import CaptureQueriesContext

from newsroom import dbrouting
from newsroom.models import Story
from tests.factories import ArticleFactory, StaffFactory

ALIAS = "replica_test"
# Declared before the test databases are made, as a test mirror of the primary's: the same data, another
# connection.
connections.settings[ALIAS] = {
    **connections.settings["default"],
    "TEST": {**connections.settings["default"].get("TEST", {}), "MIRROR": "default"},
}

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", ALIAS])


@pytest.fixture
def replica(settings):
    settings.DATABASE_REPLICAS = [ALIAS]
    dbrouting.health.reset()
    yield connections[ALIAS]
    dbrouting.health.reset()


@pytest.fixture
def broken_replica(replica):
    kept = dict(replica.settings_dict)
    # Really closed: Django keeps an in-memory SQLite connection open through close(), to keep its data.
    BaseDatabaseWrapper.close(replica)
    if replica.vendor == "sqlite":
        replica.settings_dict["NAME"] = "/nonexistent-dateline-folder/replica.sqlite3"
    else:
        # Nothing listens on port 9: refused at once.
        replica.settings_dict["PORT"] = "9"
    yield ALIAS
    BaseDatabaseWrapper.close(replica)
    replica.settings_dict.clear()
    replica.settings_dict.update(kept)


@pytest.fixture
def story():
    return ArticleFactory(headline="Harbour reopens after the storm")


def test_anonymous_reader_page_is_read_from_the_replica(client, replica, story):
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert b"Harbour reopens after the storm" in response.content
    assert any("newsroom_story" in query["sql"] for query in on_replica.captured_queries)


def test_signed_in_staff_read_from_the_primary(client, replica, story):
    client.force_login(StaffFactory())
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(story.get_absolute_url()).status_code == 200
        assert client.get("/admin/").status_code == 200
    assert on_replica.captured_queries == []


def test_a_client_that_just_wrote_reads_its_write_from_the_primary(client, replica, story, settings):
    response = client.post("/search/", {"q": "harbour"})
    pin = response.cookies[dbrouting.PIN_COOKIE]
    assert pin["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS
    with CaptureQueriesContext(replica) as on_replica:
        assert client.get(story.get_absolute_url()).status_code == 200
    assert on_replica.captured_queries == []


def test_writes_and_migrations_go_to_the_primary(replica):
    router = dbrouting.ReplicaRouter()
    token = dbrouting._reads_from_replica.set(True)
    try:
        assert router.db_for_write(Story) == "default"
        assert router.db_for_read(Story) == ALIAS
    finally:
        dbrouting._reads_from_replica.reset(token)
    assert router.db_for_read(Story) == "default"
    assert router.allow_migrate("default", "newsroom")
    assert not router.allow_migrate(ALIAS, "newsroom")


def test_a_replica_that_cannot_be_reached_leaves_readers_on_the_primary(client, broken_replica, story):
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert b"Harbour reopens after the storm" in response.content
    assert not dbrouting.health.fit(ALIAS)


def test_a_replica_failing_mid_request_is_answered_from_the_primary(client, broken_replica, story):
    # It passed its last check a moment ago and stopped since.
    dbrouting.health._fit_until[ALIAS] = time.monotonic() + 60
    response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert b"Harbour reopens after the storm" in response.content
    assert not dbrouting.health.fit(ALIAS)


def test_a_lagging_replica_is_left_alone(client, replica, story, monkeypatch, settings):
    monkeypatch.setattr(dbrouting.health, "measure", lambda alias: settings.DATABASE_REPLICA_MAX_LAG + 10)
    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    assert on_replica.captured_queries == []
