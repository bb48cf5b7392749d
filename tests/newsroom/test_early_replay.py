"""Stored pages answered at the WSGI boundary: the same bytes and headers Django gives, and only when Django would.

Each request goes through the WSGI application as a server calls it. ``django_answered`` says whether the request
reached Django or was answered from the page cache before it.
"""

from __future__ import annotations

import io
import socket
import sys
import time
import uuid

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from newsroom import cache as resilient
from newsroom import earlyreplay, pagecache, popularity
from tests.factories import ArticleFactory, EventFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


class Answer:
    def __init__(self, status: str, headers: list[tuple[str, str]], body: bytes, django_answered: bool):
        self.status_code = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body
        self.django_answered = django_answered

    def text(self) -> str:
        return self.body.decode()


class Server:
    """What gunicorn does with ``newsroom.wsgi.application``: the environ in, status, headers and body out."""

    def __init__(self, early: bool):
        self.django = WSGIHandler()
        self.calls = 0
        self.application = earlyreplay.StoredPageApplication(self.counted) if early else self.counted

    def counted(self, environ, start_response):
        self.calls += 1
        return self.django(environ, start_response)

    def request(self, path: str, method: str = "GET", **extra) -> Answer:
        extra.setdefault("HTTP_USER_AGENT", BROWSER)
        environ = dict(RequestFactory().generic(method, path, **extra).environ)
        environ["wsgi.input"] = io.BytesIO()
        environ["wsgi.errors"] = sys.stderr
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer.update(status=status, headers=headers)

        calls = self.calls
        # As Django's test client does: the test's database connection stays open across requests.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            chunks = self.application(environ, start_response)
            body = b"".join(chunks)
            if hasattr(chunks, "close"):
                chunks.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Answer(answer["status"], answer["headers"], body, self.calls > calls)

    def get(self, path: str, **extra) -> Answer:
        return self.request(path, **extra)


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.DATELINE_PAGE_CACHE = True


@pytest.fixture
def early():
    return Server(early=True)


@pytest.fixture
def django_only():
    return Server(early=False)


@pytest.fixture
def stories():
    article = ArticleFactory(headline="Harbour pilots return to work", tags=["Port of Arlen", "Harbour pilots strike"])
    event = EventFactory(summary="The pilots' union signs the agreement.", tags=["Harbour pilots strike"])
    return article, event


def addresses(article, event) -> list[str]:
    return [
        "/",
        "/news/",
        f"/news/{event.date:%Y/%m/%d}/",
        article.get_absolute_url(),
        event.get_absolute_url(),
        "/tags/port-of-arlen/",
        "/feeds/latest/rss/",
        "/sitemap-news.xml",
    ]


def test_a_stored_page_is_answered_early_with_the_bytes_and_headers_django_gives(early, django_only, stories):
    for address in addresses(*stories):
        first = django_only.get(address)
        assert first.status_code == 200, address
        through_django = django_only.get(address)
        answered_early = early.get(address)
        assert not answered_early.django_answered, address
        assert through_django.headers["X-Page-Cache"] == answered_early.headers["X-Page-Cache"] == "hit"
        assert answered_early.status_code == 200
        assert answered_early.body == through_django.body == first.body
        assert answered_early.headers == through_django.headers, address
        # Later early answers reuse the headers worked out for the first one: still Django's.
        again = early.get(address)
        assert not again.django_answered and again.body == through_django.body
        assert again.headers == django_only.get(address).headers, address


def test_later_early_answers_count_down_to_a_scheduled_story_as_django_does(early, django_only, stories):
    article, _ = stories
    early.get(article.get_absolute_url())
    early.get(article.get_absolute_url())
    cache.set(pagecache.DUE_KEY, time.time() + 600)
    answer = early.get(article.get_absolute_url())
    assert not answer.django_answered
    assert answer.headers["Cache-Control"] == django_only.get(article.get_absolute_url()).headers["Cache-Control"]
    shared = int(answer.headers["Cache-Control"].rpartition("s-maxage=")[2])
    assert 590 <= shared <= 600


def test_a_page_answered_early_over_https_and_then_http_gets_each_its_own_headers(stories, settings):
    article, _ = stories
    settings.SECURE_HSTS_SECONDS = 3600
    server = Server(early=True)
    server.get(article.get_absolute_url(), secure=True)
    for _ in range(2):
        secure = server.get(article.get_absolute_url(), secure=True)
        plain = server.get(article.get_absolute_url())
        assert not secure.django_answered and not plain.django_answered
        assert secure.headers["Strict-Transport-Security"] == "max-age=3600"
        assert "Strict-Transport-Security" not in plain.headers


def test_the_reader_sees_the_security_headers_and_policy_on_a_page_answered_early(early, stories):
    article, _ = stories
    early.get(article.get_absolute_url())
    answer = early.get(article.get_absolute_url())
    assert not answer.django_answered
    assert "Harbour pilots return to work" in answer.text()
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Cache-Control"].startswith("public, max-age=")
    assert answer.headers["Content-Length"] == str(len(answer.body))
    assert popularity.STORY_HEADER not in answer.headers


def test_each_story_read_answered_early_is_counted_once_and_a_bot_read_is_not(early, stories):
    article, _ = stories
    early.get(article.get_absolute_url())
    popularity.tally.discard()
    for _ in range(3):
        early.get(article.get_absolute_url())
        early.get(article.get_absolute_url(), HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    assert sum(n for (_, story_id), n in popularity.tally.reads.items() if story_id == article.pk) == 3


def test_a_changed_story_is_rendered_again_by_django_not_answered_from_the_old_copy(
    early, stories, django_capture_on_commit_callbacks
):
    article, _ = stories
    early.get(article.get_absolute_url())
    assert not early.get(article.get_absolute_url()).django_answered
    with django_capture_on_commit_callbacks(execute=True):
        article.headline = "Harbour pilots return after nine days"
        article.save()
    renewed = early.get(article.get_absolute_url())
    assert renewed.django_answered
    assert "Harbour pilots return after nine days" in renewed.text()
    again = early.get(article.get_absolute_url())
    assert not again.django_answered and again.body == renewed.body


@pytest.mark.parametrize(
    "request_kwargs",
    [
        pytest.param({"HTTP_COOKIE": "sessionid=abc"}, id="a session cookie"),
        pytest.param({"HTTP_COOKIE": "messages=abc"}, id="a messages cookie"),
        pytest.param({"method": "HEAD"}, id="HEAD"),
        pytest.param({"HTTP_IF_NONE_MATCH": '"whatever"'}, id="a conditional request"),
        pytest.param({"HTTP_IF_MODIFIED_SINCE": "Wed, 21 Oct 2015 07:28:00 GMT"}, id="a dated conditional request"),
    ],
)
def test_requests_a_stored_page_may_not_answer_as_it_stands_go_to_django(early, stories, request_kwargs):
    article, _ = stories
    early.get(article.get_absolute_url())
    answer = early.request(article.get_absolute_url(), **request_kwargs)
    assert answer.django_answered
    assert answer.status_code in (200, 304)


def test_a_conditional_request_for_a_stored_page_still_answers_not_modified(early, stories):
    article, _ = stories
    etag = early.get(article.get_absolute_url()).headers["ETag"]
    assert early.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_post_never_gets_a_stored_page(early, stories):
    article, _ = stories
    early.get(article.get_absolute_url())
    answer = early.request(article.get_absolute_url(), method="POST")
    assert answer.django_answered and answer.status_code != 200


def test_a_host_the_site_does_not_serve_is_refused_by_django(early, stories):
    article, _ = stories
    early.get(article.get_absolute_url())
    answer = early.get(article.get_absolute_url(), HTTP_HOST="evil.example")
    assert answer.django_answered and answer.status_code == 400


def test_a_malformed_address_is_refused_by_django(early, stories):
    early.get("/news/")
    answer = early.get("/news/%FF/")
    assert answer.django_answered and answer.status_code == 400


def test_with_https_required_a_plain_http_request_is_redirected_by_django(stories, settings):
    article, _ = stories
    settings.SECURE_SSL_REDIRECT = True
    server = Server(early=True)
    server.get(article.get_absolute_url(), secure=True)
    secure = server.get(article.get_absolute_url(), secure=True)
    assert not secure.django_answered and secure.status_code == 200
    answer = server.get(article.get_absolute_url())
    assert answer.django_answered and answer.status_code == 301


def test_a_middleware_above_the_page_cache_it_does_not_know_leaves_every_request_to_django(early, stories, settings):
    article, _ = stories
    position = settings.MIDDLEWARE.index(earlyreplay.PAGE_CACHE)
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:position],
        "django.middleware.gzip.GZipMiddleware",
        *settings.MIDDLEWARE[position:],
    ]
    server = Server(early=True)
    server.get(article.get_absolute_url())
    answer = server.get(article.get_absolute_url())
    assert answer.django_answered and answer.headers["X-Page-Cache"] == "hit"


def test_switched_off_every_request_goes_to_django(early, stories, settings):
    article, _ = stories
    settings.DATELINE_EARLY_REPLAY = False
    early.get(article.get_absolute_url())
    assert early.get(article.get_absolute_url()).django_answered


def test_a_scheduled_story_falling_due_is_left_to_django_which_renews_the_lists(early, stories):
    early.get("/news/")
    assert not early.get("/news/").django_answered
    # The moment a scheduled story goes public has just passed: Django purges the lists, then renders.
    cache.set(pagecache.DUE_KEY, time.time() - 1)
    renewed = early.get("/news/")
    assert renewed.django_answered and renewed.headers["X-Page-Cache"] == "miss"
    assert not early.get("/news/").django_answered


def test_with_the_cache_unreachable_pages_are_rendered_by_django(stories, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    resilient._breakers.clear()
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "KEY_PREFIX": f"dateline-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"SKIP_SECONDS": 30},
        }
    }
    server = Server(early=True)
    article, event = stories
    try:
        for address in addresses(article, event):
            answer = server.get(address)
            assert answer.status_code == 200 and answer.django_answered, address
    finally:
        resilient._breakers.clear()


def test_the_served_application_answers_stored_pages_early():
    from newsroom import wsgi

    assert isinstance(wsgi.application.application, earlyreplay.StoredPageApplication)
