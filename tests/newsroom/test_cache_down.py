"""With Redis unreachable, readers and editors notice nothing but speed: every page renders from the database.

Two ways down: a closed port on loopback (Redis never there), and a real
``redis-server`` this module starts on a free port and stops in the middle of a
run. CI installs ``redis-server`` and must run the second; elsewhere it is
skipped when the program is missing.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from newsroom import cache as resilient
from newsroom import pagecache
from newsroom.comments.models import Comment
from newsroom.models import Article, StoryViewCount
from newsroom.services import add_correction
from tests.comments.utils import form_data, post_url
from tests.factories import ArticleFactory, AuthorFactory, EventFactory, SectionFactory, StaffFactory

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
LOC = re.compile(r"<loc>([^<]+)</loc>")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_redis(settings, port: int, *, skip_seconds: float) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": f"dateline-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"SKIP_SECONDS": skip_seconds},
        }
    }


@pytest.fixture(autouse=True)
def fresh_breakers(settings):
    """Each test starts with no memory of servers found down by another, and with whole pages kept."""
    resilient._breakers.clear()
    settings.DATELINE_PAGE_CACHE = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield
    resilient._breakers.clear()


@pytest.fixture
def closed_port(settings):
    port = free_port()
    use_redis(settings, port, skip_seconds=60)
    return port


@pytest.fixture
def newsroom():
    """A small published site touching every kind of public page."""
    section = SectionFactory(name="Harbour desk", slug="harbour-desk")
    author = AuthorFactory(name="Ines Varga", slug="ines-varga")
    article = ArticleFactory(headline="Ferry timetable changes", section=section, authors=[author], tags=["Harbour"])
    ArticleFactory(headline="Dock workers vote", section=section, authors=[author], tags=["Harbour", "Labour"])
    event = EventFactory(summary="The port authority reopens the north berth.", tags=["Harbour"])
    return {"section": section, "author": author, "article": article, "event": event}


def public_urls(client, site) -> list[str]:
    """The fixed pages, every page the sitemaps name, and every feed of the site's contexts, section and author."""
    article, event = site["article"], site["event"]
    day = article.date
    urls = {
        "/",
        "/news/",
        f"/news/{day:%Y}/",
        f"/news/{day:%Y}/{day:%m}/",
        f"/news/{day:%Y}/{day:%m}/{day:%d}/",
        f"/news/{event.date:%Y}/{event.date:%m}/{event.date:%d}/",
        article.get_absolute_url(),
        event.get_absolute_url(),
        "/tags/harbour/",
        "/tags/labour/",
        site["section"].get_absolute_url(),
        site["author"].get_absolute_url(),
        "/corrections/",
        "/community-standards/",
        article.get_absolute_url().rstrip("/") + ".md",
        f"/news/{day:%Y}/{day:%m}/{day:%d}/index.md",
        "/search/",
        "/search/?q=harbour",
        "/search/?q=ferry+timetable&page=1",
        "/robots.txt",
        "/most-read/",
        "/sitemap.xml",
        "/sitemap-news.xml",
        "/feeds/latest/rss/",
        "/feeds/latest/atom/",
        "/feeds/events/rss/",
        "/feeds/events/atom/",
        "/feeds/tags/harbour/rss/",
        "/feeds/tags/harbour/atom/",
        f"/feeds/sections/{site['section'].slug}/rss/",
        f"/feeds/sections/{site['section'].slug}/atom/",
        f"/feeds/authors/{site['author'].slug}/rss/",
        f"/feeds/authors/{site['author'].slug}/atom/",
    }
    index = client.get("/sitemap.xml", HTTP_USER_AGENT=BROWSER)
    assert index.status_code == 200
    for sitemap in [urlsplit(loc).path for loc in LOC.findall(index.content.decode())]:
        urls.add(sitemap)
        listed = client.get(sitemap, HTTP_USER_AGENT=BROWSER)
        assert listed.status_code == 200, sitemap
        urls.update(urlsplit(loc).path for loc in LOC.findall(listed.content.decode()))
    return sorted(urls)


def statuses(client, urls) -> dict[str, int]:
    return {url: client.get(url, HTTP_USER_AGENT=BROWSER).status_code for url in urls}


def test_every_public_page_answers_with_redis_port_closed(client, closed_port, newsroom):
    urls = public_urls(client, newsroom)
    assert newsroom["article"].get_absolute_url() in urls
    # Twice: the second round is what a reader sees once the cache has been given up on for a while.
    for _ in range(2):
        answers = statuses(client, urls)
        assert {url: status for url, status in answers.items() if status != 200} == {}
    page = client.get(newsroom["article"].get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert "Ferry timetable changes" in page.content.decode()
    assert "X-Page-Cache" not in page


def test_editor_signs_in_and_works_in_the_admin_with_redis_port_closed(client, closed_port, newsroom):
    StaffFactory(username="desk", password="harbour-lights-42")
    login = client.post(
        reverse("admin:login"), {"username": "desk", "password": "harbour-lights-42", "next": "/admin/"}
    )
    assert login.status_code == 302
    changelist = client.get(reverse(f"admin:{Article._meta.app_label}_article_changelist"))
    assert changelist.status_code == 200
    assert "Ferry timetable changes" in changelist.content.decode()
    filtered = client.get(reverse(f"admin:{Article._meta.app_label}_article_changelist") + "?context=harbour")
    assert filtered.status_code == 200
    change = client.get(reverse(f"admin:{Article._meta.app_label}_article_change", args=[newsroom["article"].pk]))
    assert change.status_code == 200


def test_reader_posts_a_comment_with_redis_port_closed(client, closed_port, newsroom):
    story = newsroom["article"]
    response = client.post(post_url(story), form_data(story), HTTP_USER_AGENT=BROWSER)
    assert response.status_code in (200, 302, 303)
    assert Comment.objects.filter(story=story, name="Maria Lopes").count() == 1
    assert client.get(story.get_absolute_url(), HTTP_USER_AGENT=BROWSER).status_code == 200


def test_reads_reported_with_redis_port_closed_are_answered_and_not_counted(client, closed_port, newsroom, settings):
    settings.DATELINE_MOST_READ_COUNTING = "beacon"
    story = newsroom["article"]
    for _ in range(3):
        assert client.post(f"/reads/{story.pk}/", HTTP_USER_AGENT=BROWSER).status_code == 204
    assert StoryViewCount.objects.count() == 0
    assert client.get("/most-read/", HTTP_USER_AGENT=BROWSER).status_code == 200


def test_lost_cache_is_reported_once_per_outage_not_per_request(client, closed_port, newsroom, caplog):
    with caplog.at_level(logging.WARNING, logger="newsroom.cache"):
        for _ in range(5):
            assert client.get("/", HTTP_USER_AGENT=BROWSER).status_code == 200
    warnings = [record for record in caplog.records if record.name == "newsroom.cache"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()
    assert warnings[0].exc_info is None


def test_cache_down_is_skipped_without_asking_redis_again(closed_port, monkeypatch):
    from django.core.cache.backends.redis import RedisCacheClient

    assert cache.get("anything", "fallback") == "fallback"
    asked = []
    monkeypatch.setattr(RedisCacheClient, "get", lambda self, key, default: asked.append(key))
    monkeypatch.setattr(RedisCacheClient, "get_many", lambda self, keys: asked.append(keys))
    for _ in range(20):
        assert cache.get("anything", "fallback") == "fallback"
        assert cache.get_many(["a", "b"]) == {}
    assert asked == []
    assert not resilient.reachable()


def test_operations_answer_as_an_empty_cache_while_redis_is_down(closed_port):
    assert cache.get("k") is None
    assert cache.get("k", 7) == 7
    assert cache.get_many(["k", "l"]) == {}
    assert cache.add("k", 1) is False
    assert cache.set("k", 1) is None
    assert cache.delete("k") is False
    assert cache.has_key("k") is False
    assert cache.set_many({"k": 1, "l": 2}) == ["k", "l"]
    assert cache.get_or_set("k", lambda: "worked out") == "worked out"
    with pytest.raises(ValueError):
        cache.incr("k")
    with pytest.raises(ValueError):
        cache.decr("k")


# A real Redis that goes away and comes back -------------------------------------------------------------------


class RedisServer:
    def __init__(self, executable: str, port: int, folder):
        self.executable, self.port, self.folder = executable, port, folder
        self.process = None

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def stored_keys(self) -> list[bytes]:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port).keys("*")


@pytest.fixture
def redis_server(settings, tmp_path):
    executable = shutil.which("redis-server")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have redis-server (Debian package redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer(executable, free_port(), tmp_path)
    server.start()
    # No pause between tries, so the test needs no sleep to see Redis taken back into use.
    use_redis(settings, server.port, skip_seconds=0)
    yield server
    server.stop()


def test_pages_answer_before_during_and_after_a_redis_restart(client, redis_server, newsroom):
    urls = ["/", newsroom["article"].get_absolute_url(), "/tags/harbour/", "/search/?q=harbour", "/feeds/latest/rss/"]
    story = newsroom["article"].get_absolute_url()

    assert statuses(client, urls) == dict.fromkeys(urls, 200)
    assert client.get(story, HTTP_USER_AGENT=BROWSER)["X-Page-Cache"] == "hit"
    assert redis_server.stored_keys()

    redis_server.stop()
    for _ in range(2):
        assert statuses(client, urls) == dict.fromkeys(urls, 200)
    assert "X-Page-Cache" not in client.get(story, HTTP_USER_AGENT=BROWSER)
    assert not resilient.reachable()

    redis_server.start()
    assert redis_server.stored_keys() == []
    assert statuses(client, urls) == dict.fromkeys(urls, 200)
    assert resilient.reachable()
    assert client.get(story, HTTP_USER_AGENT=BROWSER)["X-Page-Cache"] == "hit"
    assert any(b"dateline:pages:" in key for key in redis_server.stored_keys())


@contextlib.contextmanager
def link_down():
    """Redis keeps what it holds but cannot be reached, as behind a dropped network link, until the block ends."""
    import redis

    from newsroom.cache import ReusedClientRedisCacheClient

    def unreachable(self, key=None, *, write=False):
        raise redis.exceptions.ConnectionError("Error 111 connecting to Redis. Connection refused.")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ReusedClientRedisCacheClient, "get_client", unreachable)
        yield


def test_correction_made_while_redis_was_unreachable_shows_once_it_is_back(client, redis_server, newsroom, indexed):
    story = newsroom["article"]
    url = story.get_absolute_url()
    client.get(url, HTTP_USER_AGENT=BROWSER)
    assert client.get(url, HTTP_USER_AGENT=BROWSER)["X-Page-Cache"] == "hit"

    with link_down():
        with indexed():
            add_correction(story=story, note="The timetable changes on Monday, not Sunday.", by=None)
        during = client.get(url, HTTP_USER_AGENT=BROWSER)
        assert "The timetable changes on Monday, not Sunday." in during.content.decode()

    # Redis still holds the page stored before the correction; it must not be served again.
    after = client.get(url, HTTP_USER_AGENT=BROWSER)
    assert after["X-Page-Cache"] == "miss"
    assert "The timetable changes on Monday, not Sunday." in after.content.decode()


def test_thread_count_retired_while_redis_was_unreachable_is_counted_again(redis_server, indexed):
    subject = pagecache.thread_subject(4242)
    assert pagecache.remember_for(subject, lambda: 60) == 60
    assert pagecache.remember_for(subject, lambda: 999) == 60

    with link_down():
        with indexed():
            pagecache.forget_subject(subject)
        assert pagecache.remember_for(subject, lambda: 61) == 61

    assert pagecache.remember_for(subject, lambda: 61) == 61
