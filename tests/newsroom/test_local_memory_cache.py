"""The cache of one process without Redis: Django's local-memory cache, read many keys at a time."""

import time
import uuid

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache

from newsroom.cache import LocalMemoryCache


def fresh(name: str | None = None) -> LocalMemoryCache:
    return LocalMemoryCache(name or uuid.uuid4().hex, {"KEY_PREFIX": "dateline"})


def test_without_a_cache_address_each_process_keeps_its_own_local_memory_cache():
    assert isinstance(caches["default"], LocalMemoryCache)


def test_reading_many_keys_gives_what_djangos_local_memory_cache_gives():
    ours = fresh()
    django = LocMemCache(uuid.uuid4().hex, {"KEY_PREFIX": "dateline"})
    for cache in (ours, django):
        cache.set_many({"page": (200, {"Content-Type": "text/html"}, b"<p>Hello</p>"), "version": 7})
        cache.set("gone", "soon", timeout=1)
        cache.set("version", 9, version=2)
    keys = ["page", "version", "gone", "never-set"]
    assert (
        ours.get_many(keys)
        == django.get_many(keys)
        == {
            "page": (200, {"Content-Type": "text/html"}, b"<p>Hello</p>"),
            "version": 7,
            "gone": "soon",
        }
    )
    assert ours.get_many(["version"], version=2) == django.get_many(["version"], version=2) == {"version": 9}


def test_a_key_past_its_time_is_not_read_and_is_let_go():
    cache = fresh()
    cache.set("gone", "soon", timeout=1)
    cache._expire_info[cache.make_key("gone")] = time.time() - 1
    assert cache.get_many(["gone"]) == {}
    assert cache.make_key("gone") not in cache._cache


def test_each_key_is_made_once_however_often_it_is_read(monkeypatch):
    cache = fresh()
    cache.set("page", "kept")
    made = []
    make = cache.make_and_validate_key
    monkeypatch.setattr(
        cache, "make_and_validate_key", lambda key, version=None: made.append(key) or make(key, version)
    )
    for _ in range(3):
        assert cache.get_many(["page", "missing"]) == {"page": "kept"}
    assert sorted(made) == ["missing", "page"]


def test_a_read_key_is_kept_longer_than_one_never_read_when_the_cache_is_full():
    cache = LocalMemoryCache(uuid.uuid4().hex, {"OPTIONS": {"MAX_ENTRIES": 3, "CULL_FREQUENCY": 3}})
    for name in ("first", "second", "third"):
        cache.set(name, name)
    cache.get_many(["first"])
    cache.set("fourth", "fourth")
    assert cache.get("first") == "first"
