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


@pytest.fixture
def redis_cache(settings):
    client = redis_client()
    if client is None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must reach Redis at {REDIS_URL}")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"dateline-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.DATELINE_PAGE_CACHE = True
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
    assert output.stdout.strip() == "django.core.cache.backends.locmem.LocMemCache", output.stderr


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
