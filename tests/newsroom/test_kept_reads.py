"""Read-mostly cache values kept in the process until Redis announces a change (newsroom.keptreads).

Against a real Redis, as in production: another client stands for another process writing.
"""

import os
import pickle
import subprocess
import sys
import uuid

import pytest
from django.test import RequestFactory

from newsroom import cache as backends
from newsroom import keptreads
from tests.newsroom.test_redis_cache import REDIS_URL, page_cache_in_redis, redis_or_skip


@pytest.fixture
def redis():
    return redis_or_skip()


@pytest.fixture
def tracked(redis):
    """A Redis cache keeping values under ``page:`` and ``version:``, and a count of its trips to Redis."""
    prefix = f"dateline-test-{uuid.uuid4().hex[:8]}"
    cache = backends.ResilientRedisCache(
        REDIS_URL, {"KEY_PREFIX": prefix, "OPTIONS": {"TRACK_PREFIXES": ["page:", "version:"], "SKIP_SECONDS": 0}}
    )
    client = cache._cache.get_client(None)
    trips = []
    read = client.mget
    client.mget = lambda keys: trips.append(list(keys)) or read(keys)
    cache.trips = trips
    yield cache
    cache._kept.close()
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


def write_elsewhere(redis, cache, key, value):
    """Write as another process would: through a connection of its own."""
    redis.set(cache.make_key(key), pickle.dumps(value))


def test_a_kept_value_is_answered_without_a_trip_to_redis(tracked):
    tracked.set_many({"page:front": "<p>Front</p>", "version:site": 7})
    assert tracked.get_many(["page:front", "version:site"]) == {"page:front": "<p>Front</p>", "version:site": 7}
    assert len(tracked.trips) == 1
    for _ in range(5):
        assert tracked.get_many(["page:front", "version:site"]) == {"page:front": "<p>Front</p>", "version:site": 7}
        assert tracked.get("page:front") == "<p>Front</p>"
    assert len(tracked.trips) == 1


def test_a_value_changed_by_another_process_is_read_anew_at_once(tracked, redis):
    tracked.set("page:day", "ten events")
    assert tracked.get("page:day") == "ten events"
    write_elsewhere(redis, tracked, "page:day", "eleven events")
    assert tracked.get("page:day") == "eleven events"
    redis.delete(tracked.make_key("page:day"))
    assert tracked.get("page:day", "gone") == "gone"


def test_a_missing_key_is_kept_as_missing_until_another_process_creates_it(tracked, redis):
    assert tracked.get_many(["version:purged"]) == {}
    assert tracked.get_many(["version:purged"]) == {}
    assert len(tracked.trips) == 1
    write_elsewhere(redis, tracked, "version:purged", 41)
    assert tracked.get_many(["version:purged"]) == {"version:purged": 41}


def test_this_process_reads_back_what_it_has_just_written(tracked):
    tracked.set("page:story", "first")
    assert tracked.get("page:story") == "first"
    tracked.set("page:story", "second")
    assert tracked.get("page:story") == "second"
    tracked.set_many({"page:story": "third", "version:story": 1})
    assert tracked.get_many(["page:story", "version:story"]) == {"page:story": "third", "version:story": 1}
    tracked.delete("page:story")
    assert tracked.get("page:story") is None
    assert tracked.add("page:story", "fourth")
    assert tracked.get("page:story") == "fourth"
    tracked.delete_many(["page:story", "version:story"])
    assert tracked.get_many(["page:story", "version:story"]) == {}
    tracked.set("version:count", 1)
    assert tracked.get("version:count") == 1
    tracked.incr("version:count")
    assert tracked.get("version:count") == 2


def test_keys_outside_the_prefixes_are_read_from_redis_every_time(tracked, redis):
    tracked.set("counter:reads", 1)
    assert tracked.get("counter:reads") == 1
    assert tracked.get("counter:reads") == 1
    assert len(tracked.trips) == 2


def test_a_value_read_while_it_changed_is_not_kept(tracked):
    kept = tracked._kept
    key = tracked.make_key("page:late")
    found, missing, generation = kept.get([key])
    assert missing == [key] and generation is not None
    # Changed (here, by this process) between the read from Redis and its keeping.
    kept.forget([key])
    kept.keep({key: pickle.dumps("old")}, generation)
    assert kept.get([key])[1] == [key]


def test_closed_tracking_connections_cost_the_kept_values_never_a_stale_answer(tracked, redis):
    tracked.set("page:event", "before")
    assert tracked.get("page:event") == "before"
    listener, tracker = tracked._kept.connection_ids
    redis.client_kill_filter(_id=tracker)
    write_elsewhere(redis, tracked, "page:event", "after")
    assert tracked.get("page:event") == "after"
    # Set up again on a later read, and kept again.
    assert tracked.get("page:event") == "after"
    assert tracked._kept.connection_ids not in (None, (listener, tracker))
    trips = len(tracked.trips)
    assert tracked.get("page:event") == "after"
    assert len(tracked.trips) == trips

    redis.client_kill_filter(_id=tracked._kept.connection_ids[0])
    write_elsewhere(redis, tracked, "page:event", "later")
    assert tracked.get("page:event") == "later"


def test_a_flushed_database_drops_everything_kept(tracked, redis):
    tracked.set("page:front", "kept")
    assert tracked.get("page:front") == "kept"
    redis.flushdb()
    assert tracked.get("page:front") is None


def test_kept_values_are_read_again_after_a_while(tracked, monkeypatch):
    tracked.set("page:most-read", "five stories")
    assert tracked.get("page:most-read") == "five stories"
    assert tracked.get("page:most-read") == "five stories"
    assert len(tracked.trips) == 1
    later = keptreads.time.monotonic() + keptreads.KEEP_SECONDS + 1
    monkeypatch.setattr(keptreads.time, "monotonic", lambda: later)
    assert tracked.get("page:most-read") == "five stories"
    assert len(tracked.trips) == 2


def test_a_forked_process_starts_again_from_nothing(tracked, monkeypatch):
    tracked.set("page:front", "kept")
    assert tracked.get("page:front") == "kept"
    ids = tracked._kept.connection_ids
    monkeypatch.setattr(keptreads.os, "getpid", lambda: -1)
    assert tracked.get("page:front") == "kept"
    assert len(tracked.trips) == 2
    assert tracked._kept.connection_ids != ids


def test_an_unreachable_redis_leaves_reads_to_the_cache_breaker(settings):
    cache = backends.ResilientRedisCache(
        "redis://127.0.0.1:9/0",
        {"KEY_PREFIX": f"dateline-test-{uuid.uuid4().hex[:8]}", "OPTIONS": {"TRACK_PREFIXES": ["page:"]}},
    )
    assert cache.get("page:front", "nothing") == "nothing"
    assert cache.get_many(["page:front"]) == {}
    assert not cache._kept.listening


def test_prefixes_that_another_covers_are_left_out():
    assert keptreads.without_overlaps(["a:key:", "a:keys:", "a:", "b:pages:", "b:pages:due"]) == ("a:", "b:pages:")


def test_every_value_a_page_reads_is_kept_and_tracking_can_be_turned_off():
    from newsroom import context_processors, pagecache, popularity, surrogate
    from newsroom.frontpage import arrangement

    code = "from django.conf import settings; print(settings.CACHES['default']['OPTIONS']['TRACK_PREFIXES'])"
    env = {**os.environ, "CACHE_URL": "redis://127.0.0.1:6379/0", "DJANGO_SETTINGS_MODULE": "newsroom.settings"}
    env.pop("DATABASE_URL", None)
    run = [sys.executable, "-c", "import django; django.setup(); " + code]
    output = subprocess.run(run, env=env, capture_output=True, text=True)
    prefixes = tuple(eval(output.stdout))  # noqa: S307 - a list of strings printed by the settings above
    for key in (
        pagecache.page_key(RequestFactory().get("/news/")),
        pagecache.DUE_KEY,
        surrogate.PURGE_STAMP_KEY,
        surrogate.version_key(surrogate.story_key(1)),
        context_processors.NAV_CACHE_KEY,
        popularity.LIST_KEY,
        arrangement.STAMP_KEY,
        arrangement.VALUE_KEY,
        pagecache.KEPT_FOR_EPOCH_KEY,
        f"dateline:kept-for:{pagecache.thread_subject(1)}",
        f"dateline:stamp:{pagecache.thread_subject(1)}",
        "dateline:kept:1234:archive-months",
    ):
        assert key.startswith(prefixes), key
    output = subprocess.run(run, env={**env, "CACHE_TRACKING": "0"}, capture_output=True, text=True)
    assert output.stdout.strip() == "[]", output.stderr


@pytest.mark.django_db
def test_a_stored_page_another_process_purged_is_rendered_anew(client, redis, settings):
    from django.core.cache import caches

    from newsroom import surrogate
    from tests.factories import ArticleFactory

    prefix = page_cache_in_redis(
        settings,
        "newsroom.cache.ResilientRedisCache",
        OPTIONS={"TRACK_PREFIXES": ["dateline:pages:", "dateline:key:", "dateline:keys:"]},
    )
    story = ArticleFactory(headline="Harbour bridge reopens")
    url = story.get_absolute_url()
    try:
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
        assert caches["default"]._kept.listening
        # Another process's purge moves the story's version on; this process has the page and the version kept.
        version = caches["default"].make_key(surrogate.version_key(surrogate.story_key(story.pk)))
        redis.set(version, pickle.dumps(surrogate.new_version()))
        assert client.get(url)["X-Page-Cache"] == "miss"
        assert client.get(url)["X-Page-Cache"] == "hit"
    finally:
        caches["default"]._kept.close()
        for key in redis.scan_iter(f"{prefix}:*"):
            redis.delete(key)


def test_a_redis_that_refuses_tracking_is_read_every_time(tracked, monkeypatch):
    from redis.exceptions import ResponseError

    tracked._kept.close()

    def refuse(self):
        raise ResponseError("unknown command 'CLIENT|TRACKING'")

    monkeypatch.setattr(keptreads.KeptReads, "_start", refuse)
    tracked.set("page:front", "front")
    assert tracked.get("page:front") == "front"
    assert tracked.get("page:front") == "front"
    assert tracked._kept.refused and len(tracked.trips) == 2


def test_the_backends_of_every_thread_share_one_set_of_kept_values(tracked):
    import threading

    options = {"KEY_PREFIX": tracked.key_prefix, "OPTIONS": {"TRACK_PREFIXES": ["page:", "version:"]}}
    others = []
    thread = threading.Thread(target=lambda: others.append(backends.ResilientRedisCache(REDIS_URL, options)))
    thread.start()
    thread.join()
    assert others[0]._kept is tracked._kept
