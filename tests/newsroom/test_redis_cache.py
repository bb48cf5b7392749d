"""The page cache and the rest of the cache traffic against a real Redis, as in production.

CI exports REDIS_URL (a database of its own on the machine's Redis) and this must
run there; on a developer machine without Redis it is skipped.
"""

import os
import subprocess
import sys
import uuid

import pytest

from newsroom.services import add_correction
from tests.factories import ArticleFactory

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        return None
    return client


def redis_or_skip():
    """A client of the test suite's Redis; the test is skipped without one, except in CI, where it fails."""
    client = redis_client()
    if client is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must reach Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


def page_cache_in_redis(settings, backend: str, **options) -> str:
    """Settings for pages kept in the test suite's Redis under a prefix of their own, which is answered."""
    prefix = f"dateline-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix, **options}}
    settings.DATELINE_PAGE_CACHE = True
    return prefix


@pytest.fixture
def redis_cache(settings):
    client = redis_or_skip()
    prefix = page_cache_in_redis(settings, "django.core.cache.backends.redis.RedisCache")
    yield client
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.mark.django_db
def test_pages_are_stored_in_redis_and_a_correction_replaces_them(
    client, redis_cache, django_capture_on_commit_callbacks
):
    story = ArticleFactory(headline="Tram line opens")
    url = story.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    stored = [key for key in redis_cache.scan_iter("dateline-test-*") if b"dateline:pages:" in key]
    assert stored
    assert client.get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        add_correction(story=story, note="The line opens on Monday, not Sunday.", by=None)
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "The line opens on Monday, not Sunday." in response.content.decode()


def test_cache_url_selects_redis():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/0", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    env.pop("DATABASE_URL", None)
    output = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code], env=env, capture_output=True, text=True
    )
    assert output.stdout.strip() == "newsroom.cache.ResilientRedisCache", output.stderr
    env.pop("CACHE_URL")
    output = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code], env=env, capture_output=True, text=True
    )
    assert output.stdout.strip() == "newsroom.cache.LocalMemoryCache", output.stderr


def test_resilient_cache_reuses_one_redis_client_for_every_call(redis_cache):
    from newsroom.cache import ResilientRedisCache

    prefix = f"dateline-test-{uuid.uuid4().hex[:8]}"
    cache = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    cache.set("first", "one")
    cache.set_many({"second": "two", "third": "three"})
    assert cache.get("first") == "one"
    assert cache.get_many(["second", "third"]) == {"second": "two", "third": "three"}
    assert cache.incr("counter", 1) if cache.add("counter", 1) else False
    assert cache.get("counter") == 2
    # One client object for the pool, however many calls: building one per call cost more than the call.
    assert cache._cache.get_client(write=True) is cache._cache.get_client(write=True)
    assert len(cache._cache._clients) == 1
    for key in redis_cache.scan_iter(f"{prefix}:*"):
        redis_cache.delete(key)


def test_resilient_cache_reads_many_keys_as_django_does_each_key_made_once(redis_cache, monkeypatch):
    from newsroom.cache import ResilientRedisCache

    prefix = f"dateline-test-{uuid.uuid4().hex[:8]}"
    cache = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    cache.set_many({"count": 7, "page": ("200", {"Content-Type": "text/html"}, b"<p>Hello</p>")})
    cache.set("count", 8, version=2)
    made = []
    make = cache.make_and_validate_key
    monkeypatch.setattr(
        cache, "make_and_validate_key", lambda key, version=None: made.append(key) or make(key, version)
    )
    for _ in range(3):
        found = cache.get_many(["count", "page", "missing"])
        assert found == {"count": 7, "page": ("200", {"Content-Type": "text/html"}, b"<p>Hello</p>")}
    assert sorted(made) == ["count", "missing", "page"]
    assert cache.get_many(["count", "missing"], version=2) == {"count": 8}
    assert redis_cache.get(f"{prefix}:2:count") == b"8"
    for key in redis_cache.scan_iter(f"{prefix}:*"):
        redis_cache.delete(key)


def test_resilient_cache_takes_keys_memcached_would_warn_about(redis_cache, recwarn):
    from newsroom.cache import ResilientRedisCache

    prefix = f"dateline-test-{uuid.uuid4().hex[:8]}"
    cache = ResilientRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    long_key = "page:" + "x" * 300 + " with spaces"
    cache.set(long_key, "kept")
    assert cache.get(long_key) == "kept"
    assert not [warning for warning in recwarn if "CacheKeyWarning" in type(warning.message).__name__]
    for key in redis_cache.scan_iter(f"{prefix}:*"):
        redis_cache.delete(key)


@pytest.fixture
def resilient_redis(settings, redis_cache):
    """The cache as production configures it from CACHE_URL, with a key prefix of this test's own."""
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        }
    }
    return redis_cache


@pytest.fixture
def redis_trips(monkeypatch):
    """How many times the application talked to Redis: each command, or each pipeline of commands, is one trip."""
    import redis

    trips = []
    command, pipeline = redis.Redis.execute_command, redis.client.Pipeline.execute

    def counted_command(self, *args, **options):
        if not isinstance(self, redis.client.Pipeline):
            trips.append(args[0])
        return command(self, *args, **options)

    def counted_pipeline(self, *args, **options):
        trips.append("pipeline")
        return pipeline(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted_command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", counted_pipeline)
    return trips


READER = {"HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"}


@pytest.mark.django_db
def test_a_stored_story_page_is_served_in_one_trip_to_redis_and_its_reads_counted_in_one_more_a_second(
    client, resilient_redis, redis_trips
):
    from newsroom import pagecache, popularity
    from newsroom.models import StoryViewCount

    story = ArticleFactory(headline="Ferry timetable changes")
    url = story.get_absolute_url()
    assert client.get(url, **READER)["X-Page-Cache"] == "miss"
    # As if another server process had stored the page: this one does not know which keys it shows yet.
    pagecache._known_keys.clear()
    redis_trips.clear()
    assert client.get(url, **READER)["X-Page-Cache"] == "hit"
    assert len(redis_trips) == 2, redis_trips  # the page, then its keys' versions
    redis_trips.clear()
    for _ in range(3):
        response = client.get(url, **READER)
        assert response["X-Page-Cache"] == "hit" and "Ferry timetable changes" in response.content.decode()
    # From then on the page and its versions come in one trip; the reads wait in the process.
    assert len(redis_trips) == 3, redis_trips
    # Keys remembered from an older copy of the page are put right by the first hit in the same way.
    for key in pagecache._known_keys:
        pagecache._known_keys[key] = ("site",)
    redis_trips.clear()
    assert client.get(url, **READER)["X-Page-Cache"] == "hit"
    assert client.get(url, **READER)["X-Page-Cache"] == "hit"
    assert len(redis_trips) == 3, redis_trips
    # The process's timer adds the reads it gathered, with the flush clock, in one trip (a pipeline).
    redis_trips.clear()
    popularity.tally.send()
    assert redis_trips[0] == "pipeline", redis_trips
    assert popularity.flush() == 7
    assert sum(StoryViewCount.objects.filter(story=story).values_list("views", flat=True)) == 7


def test_a_counter_is_started_by_exactly_one_of_many_callers_at_once(resilient_redis):
    from concurrent.futures import ThreadPoolExecutor

    from django.core.cache import cache

    from newsroom.cache import count

    cache.set("flushed-at", 1234.5, None)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: count({"views": 1}, 60, read=["flushed-at", "never-set"]), range(40)))
    assert sum(len(started) for started, _, _ in answers) == 1
    assert sorted(totals["views"] for _, totals, _ in answers) == list(range(1, 41))
    assert all(found == {"flushed-at": 1234.5} for _, _, found in answers)
    assert cache.get("views") == 40
    assert 0 < resilient_redis.ttl(cache.make_key("views")) <= 60


@pytest.mark.django_db
def test_the_versions_a_stored_page_is_checked_against_are_plain_numbers_in_redis(
    client, resilient_redis, django_capture_on_commit_callbacks
):
    # A stored page is checked against the version of every key it shows (twenty stories and more on a list):
    # numbers are read back as they are, where anything else is unpickled one by one.
    story = ArticleFactory(headline="Night buses return")
    assert client.get(story.get_absolute_url(), **READER)["X-Page-Cache"] == "miss"
    versions = [key for key in resilient_redis.scan_iter("dateline-test-*") if b":dateline:key:" in key]
    assert versions
    assert all(resilient_redis.get(key).isdigit() for key in versions)
    with django_capture_on_commit_callbacks(execute=True):
        add_correction(story=story, note="The first version gave the wrong route number.", by=None)
    assert client.get(story.get_absolute_url(), **READER)["X-Page-Cache"] == "miss"
    assert all(resilient_redis.get(key).isdigit() for key in versions)
