"""While the database cannot be reached, every request gets the site's short 503 page, never a traceback.

The outage is simulated: every new cursor raises the ``OperationalError`` a
PostgreSQL restart raises. ``bench/pg_restart.py`` measures a real restart.
"""

from __future__ import annotations

import contextlib
import logging
import time

import pytest
from django.db import InterfaceError, OperationalError, connections
from django.test import Client
from django.urls import reverse

from newsroom import faults, pagecache
from newsroom.models import Article
from tests.factories import ArticleFactory, StaffFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
REFUSED = 'connection failed: connection to server at "127.0.0.1", port 5432 failed: Connection refused'


@contextlib.contextmanager
def database_down(error: Exception | None = None):
    """Every query fails as it does while PostgreSQL restarts; the test's own transaction is left alone."""

    def refuse(*args, **kwargs):
        raise error or OperationalError(REFUSED)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connections["default"], "_cursor", refuse)
        yield


@pytest.fixture(autouse=True)
def fresh_outage_log(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    faults.outage_log.__init__()


@pytest.fixture
def quiet_client():
    """A client that gets what a browser would get even when the site logs an error, instead of raising it."""
    return Client(raise_request_exception=False)


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "We will be back in a moment" in page
    assert 'rel="stylesheet"' in page
    assert "Traceback" not in page and "OperationalError" not in page


@pytest.mark.parametrize("path", ["/", "story", "/news/", "/tags/harbour/", "/search/?q=harbour", "/feeds/latest/rss/"])
def test_public_pages_answer_503_with_retry_after_while_the_database_is_down(quiet_client, path):
    story = ArticleFactory(headline="Ferry timetable changes", tags=["Harbour"])
    url = story.get_absolute_url() if path == "story" else path
    with database_down():
        response = quiet_client.get(url, HTTP_USER_AGENT=BROWSER)
    assert_unavailable_page(response)


def test_admin_pages_answer_503_while_the_database_is_down(quiet_client):
    story = ArticleFactory(headline="Ferry timetable changes")
    quiet_client.force_login(StaffFactory(username="desk"))
    changelist = reverse(f"admin:{Article._meta.app_label}_article_changelist")
    change = reverse(f"admin:{Article._meta.app_label}_article_change", args=[story.pk])
    with database_down():
        for url in ("/admin/", changelist, change):
            assert_unavailable_page(quiet_client.get(url))
        assert_unavailable_page(quiet_client.post(change, {"headline": "Changed while the database was away"}))
    story.refresh_from_db()
    assert story.headline == "Ferry timetable changes"


def test_reader_sending_a_comment_is_told_it_was_not_saved(quiet_client):
    story = ArticleFactory(headline="Ferry timetable changes")
    with database_down():
        response = quiet_client.post(f"/comments/post/{story.pk}/", {"body": "Good news."}, HTTP_USER_AGENT=BROWSER)
    assert_unavailable_page(response)
    assert "What you sent was not saved" in response.content.decode()
    assert "What you sent was not saved" not in quiet_client.get("/").content.decode()


def test_sign_in_answers_503_while_the_database_is_down(quiet_client):
    StaffFactory(username="desk", password="harbour-lights-42")
    with database_down():
        response = quiet_client.post(reverse("admin:login"), {"username": "desk", "password": "harbour-lights-42"})
    assert_unavailable_page(response)


def test_broken_connection_error_answers_503_too(quiet_client):
    ArticleFactory()
    with database_down(InterfaceError("the connection is closed")):
        assert_unavailable_page(quiet_client.get("/"))


def test_head_request_gets_503_without_a_body(quiet_client):
    ArticleFactory()
    with database_down():
        response = quiet_client.head("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.content == b""


def test_site_answers_again_as_soon_as_the_database_is_back(quiet_client):
    ArticleFactory(headline="Ferry timetable changes")
    with database_down():
        assert quiet_client.get("/").status_code == 503
    response = quiet_client.get("/")
    assert response.status_code == 200
    assert "Ferry timetable changes" in response.content.decode()


def test_stored_pages_are_still_served_while_the_database_is_down(quiet_client, settings):
    settings.DATELINE_PAGE_CACHE = True
    story = ArticleFactory(headline="Ferry timetable changes")
    assert quiet_client.get(story.get_absolute_url(), HTTP_USER_AGENT=BROWSER)["X-Page-Cache"] == "miss"
    with database_down():
        response = quiet_client.get(story.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
        not_stored = quiet_client.get("/tags/harbour/", HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 200
    assert response["X-Page-Cache"] == "hit"
    assert "Ferry timetable changes" in response.content.decode()
    assert_unavailable_page(not_stored)


def test_database_error_raised_outside_a_view_answers_503_not_500(quiet_client, settings):
    """A stored page past the moment a scheduled story came due needs the database to go on."""
    settings.DATELINE_PAGE_CACHE = True
    ArticleFactory()
    assert quiet_client.get("/").status_code == 200
    from django.core.cache import cache

    cache.set(pagecache.DUE_KEY, time.time() - 1, None)
    with database_down():
        response = quiet_client.get("/")
    assert_unavailable_page(response)


def test_other_errors_still_answer_500(quiet_client, monkeypatch):
    from newsroom import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(views.FrontPageView, "get", broken)
    response = quiet_client.get("/")
    assert response.status_code == 500
    assert "Retry-After" not in response


def test_outage_is_logged_once_per_burst_without_a_traceback(quiet_client, caplog):
    ArticleFactory()
    with caplog.at_level(logging.WARNING, logger="newsroom.faults"), database_down():
        for _ in range(5):
            assert quiet_client.get("/").status_code == 503
    reports = [record for record in caplog.records if record.name == "newsroom.faults"]
    assert len(reports) == 1
    assert "Database unavailable" in reports[0].getMessage()
    assert "Connection refused" in reports[0].getMessage()
    assert reports[0].exc_info is None


def test_developers_see_the_traceback_page_with_debug_on(quiet_client, settings):
    settings.DEBUG = True
    ArticleFactory()
    with database_down():
        response = quiet_client.get("/")
    assert response.status_code == 500
    assert "OperationalError" in response.content.decode()
