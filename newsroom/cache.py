"""A Redis cache that is an accelerator, never a dependency.

``ResilientRedisCache`` is Django's ``RedisCache`` whose every operation, when
Redis cannot be reached or does not answer in time, logs and answers as a cache
that holds nothing: ``get`` gives the default, ``get_many`` nothing, ``add``
False, ``set`` and ``delete`` do nothing, ``incr`` raises ``ValueError`` as for a
missing key. Pages are then rendered from the database.

Connections give up quickly (a quarter of a second to connect or to answer), and
after a failure the backend leaves Redis alone for a moment (``SKIP_SECONDS``): a
Redis that is down costs a page one failed attempt, not one per cache call. When
that moment has passed, one caller tries again while the others keep skipping;
the first answer puts Redis back in use and sends ``stale``, so that what
was kept before the outage, and may have gone stale while changes could not
retire it, is retired. One warning is logged when Redis is lost and one when it
is back, not a traceback per request.

Django keeps one cache object per thread, so what is known about a server is
kept per server address for the whole process.

With Redis, the values under ``TRACK_PREFIXES`` (stored pages, their keys' versions and a few more that
every page reads) are kept in each process until Redis announces that they changed: newsroom.keptreads.

Without Redis (no ``CACHE_URL``), ``LocalMemoryCache`` is Django's local-memory cache for one process. Both
read many keys at once the way a stored page needs them, the page and twenty versions or so for every hit:
each key made once per process, not once per read, and the local one under a single lock.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.dispatch import Signal

from .keptreads import KeptReads

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.25
READ_TIMEOUT = 0.25
SKIP_SECONDS = 2.0
# Keys made into stored keys, kept per process for get_many: a stored page and its versions, read for every hit.
MADE_KEYS_LIMIT = 50_000
USE, SKIP, PROBE = "use", "skip", "probe"
# At most this much of values kept in each process (newsroom.keptreads), by default.
TRACK_MAX_BYTES = 64 * 1024 * 1024

# Sent when what the cache holds may no longer match the database: when a cache that was unreachable
# answers again (writes made meanwhile, such as a page retired, were lost) and after a restore from backup.
# Receivers retire what they keep.
stale = Signal()


class Breaker:
    """What one process knows about one Redis: in use, or skipped until a moment has passed."""

    def __init__(self, name: str, skip_seconds: float):
        self.name = name
        self.skip_seconds = skip_seconds
        self._lock = threading.Lock()
        self._down = False
        self._skip_until = 0.0

    @property
    def down(self) -> bool:
        return self._down

    def allow(self) -> str:
        """USE Redis, SKIP it, or PROBE it: while it is down, one caller per pause tries it again."""
        if not self._down:
            return USE
        with self._lock:
            now = time.monotonic()
            if now < self._skip_until:
                return SKIP
            # This caller probes; the rest skip for another pause whatever the answer.
            self._skip_until = now + self.skip_seconds
            return PROBE

    def failed(self, error: Exception) -> None:
        with self._lock:
            was_down, self._down = self._down, True
            self._skip_until = time.monotonic() + self.skip_seconds
        if not was_down:
            logger.warning(
                "Cache %s unreachable (%s: %s); serving without it, trying again every %.1f s",
                self.name,
                type(error).__name__,
                error,
                self.skip_seconds,
            )

    def succeeded(self) -> None:
        with self._lock:
            was_down, self._down = self._down, False
        if was_down:
            logger.warning("Cache %s reachable again; using it", self.name)
            for receiver, error in stale.send_robust(sender=self.__class__, name=self.name):
                if error is not None:
                    logger.warning("After the cache came back, %s failed: %r", receiver, error)


_breakers: dict[str, Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(name: str, skip_seconds: float) -> Breaker:
    with _breakers_lock:
        if name not in _breakers:
            _breakers[name] = Breaker(name, skip_seconds)
        return _breakers[name]


def _redacted(location: str) -> str:
    """The server address without a password, for the log."""
    scheme, sep, rest = location.partition("://")
    if sep and "@" in rest:
        rest = rest.rsplit("@", 1)[1]
    return f"{scheme}{sep}{rest}"


class ManyKeys:
    """Keys made into stored keys once per process, for ``get_many``; and no check of each key's characters.

    A stored page is served with one read of twenty keys or so, the same keys again and again. Django makes
    each one (prefix and version added) and checks it character by character for memcached on every read, a
    tenth of serving the page; Redis and the local memory take any key.
    """

    def validate_key(self, key):
        """Nothing to check: the base class warns about keys memcached would refuse."""

    def _made_keys(self, keys, version) -> dict[str, str]:
        """Each key as it is stored mapped to the key asked for."""
        if version is not None:
            return {self.make_and_validate_key(key, version=version): key for key in keys}
        made_keys = self.__dict__.setdefault("_made", {})
        made = {}
        for key in keys:
            full = made_keys.get(key)
            if full is None:
                if len(made_keys) >= MADE_KEYS_LIMIT:
                    made_keys.clear()
                full = made_keys[key] = self.make_and_validate_key(key)
            made[full] = key
        return made


class LocalMemoryCache(ManyKeys, LocMemCache):
    """Django's local-memory cache, the same keys and values, reading many keys under one lock."""

    def get_many(self, keys, version=None):
        made = self._made_keys(keys, version)
        now = time.time()
        found = {}
        with self._lock:
            for full, key in made.items():
                # As LocMemCache.get: a key never set has no expiry of -1, so it counts as expired.
                expiry = self._expire_info.get(full, -1)
                if expiry is not None and expiry <= now:
                    self._delete(full)
                    continue
                found[key] = self._cache[full]
                self._cache.move_to_end(full, last=False)
        return {key: pickle.loads(value) for key, value in found.items()}


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis cache client, keeping one ``redis.Redis`` per connection pool instead of one per call.

    Django builds a new ``redis.Redis`` for every cache operation, and building one fills its table of reply
    handlers (about 170 entries): some 150 µs each time, two thirds of what serving a stored page cost.
    A ``redis.Redis`` takes a connection from its pool for each command, so one per pool serves every call.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(ManyKeys, RedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is unreachable (see the module)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        options = dict(self._options)
        skip_seconds = float(options.pop("SKIP_SECONDS", SKIP_SECONDS))
        tracked = tuple(options.pop("TRACK_PREFIXES", ()))
        tracked_bytes = int(options.pop("TRACK_MAX_BYTES", TRACK_MAX_BYTES))
        # One immediate reconnect mends a pooled connection Redis closed when it restarted; a timeout is not
        # retried, so an unanswering Redis costs one timeout, not two.
        options.setdefault("retry", Retry(NoBackoff(), 1, supported_errors=(redis.exceptions.ConnectionError,)))
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", READ_TIMEOUT)
        self._options = options
        self._errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
        self.breaker = breaker_for(",".join(_redacted(s) for s in self._servers), skip_seconds)
        # Values under these prefixes are kept in the process until Redis announces a change (newsroom.keptreads).
        self._kept = (
            kept_reads_for(self, tuple(self.make_key(prefix) for prefix in tracked), tracked_bytes, skip_seconds)
            if tracked and len(self._servers) == 1
            else None
        )

    @property
    def reachable(self) -> bool:
        """False while Redis is being skipped after a failure."""
        return not self.breaker.down

    def _attempt(self, operation, fallback):
        state = self.breaker.allow()
        if state == SKIP:
            return fallback()
        try:
            if state == PROBE:
                # Redis is taken back (and what was kept before the outage retired) before this call reads it.
                self._cache.get_client(write=True).ping()
                self.breaker.succeeded()
            return operation()
        except self._errors as error:
            self.breaker.failed(error)
            return fallback()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._changing([key], version):
            return self._attempt(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), _false)

    def get(self, key, default=None, version=None):
        if self._kept is not None:
            return self.get_many([key], version).get(key, default)
        return self._attempt(lambda: super(ResilientRedisCache, self).get(key, default, version), lambda: default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        with self._changing([key], version):
            return self._attempt(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), _none)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), _false)

    def delete(self, key, version=None):
        with self._changing([key], version):
            return self._attempt(lambda: super(ResilientRedisCache, self).delete(key, version), _false)

    def get_many(self, keys, version=None):
        def run():
            made = self._made_keys(keys, version)
            values = self._read(list(made))
            loads = self._cache._serializer.loads
            return {made[k]: loads(v) for k, v in values.items() if v is not None}

        return self._attempt(run, dict)

    def _read(self, made: list[str]) -> dict:
        """The stored value of each made key (None for a missing one), from what the process keeps if it can."""
        kept = self._kept
        if kept is None:
            return dict(zip(made, self._cache.get_client(None).mget(made), strict=True))
        found, missing, generation = kept.get(made)
        if missing:
            read = dict(zip(missing, self._cache.get_client(None).mget(missing), strict=True))
            kept.keep(read, generation)
            found.update(read)
        return found

    @contextlib.contextmanager
    def _changing(self, keys, version=None):
        """Around a write: the keys' kept values are dropped once it is done (or has failed)."""
        try:
            yield
        finally:
            if self._kept is not None:
                self._kept.forget([self.make_key(key, version=version) for key in keys])

    def has_key(self, key, version=None):
        return self._attempt(lambda: super(ResilientRedisCache, self).has_key(key, version), _false)

    def incr(self, key, delta=1, version=None):
        def missing():
            # What callers already handle for a counter that does not exist yet.
            raise ValueError(f"Key '{key}' not found: the cache is unreachable.")

        with self._changing([key], version):
            return self._attempt(lambda: super(ResilientRedisCache, self).incr(key, delta, version), missing)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        with self._changing(list(data), version):
            return self._attempt(
                lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), lambda: list(data)
            )

    def delete_many(self, keys, version=None):
        keys = list(keys)
        with self._changing(keys, version):
            return self._attempt(lambda: super(ResilientRedisCache, self).delete_many(keys, version), _none)

    def clear(self):
        try:
            return self._attempt(lambda: super(ResilientRedisCache, self).clear(), _false)
        finally:
            if self._kept is not None:
                self._kept.forget_all()

    def count(self, amounts: dict, timeout, read=(), version=None):
        """``count`` below in one round trip: each counter started and added to, and ``read`` fetched."""

        def run():
            client = self._cache.get_client(next(iter(amounts), ""), write=True)
            expiry = self.get_backend_timeout(timeout)
            counters = {self.make_and_validate_key(key, version=version): key for key in amounts}
            names = {self.make_and_validate_key(name, version=version): name for name in read}
            pipeline = client.pipeline(transaction=False)
            for counter, key in counters.items():
                pipeline.set(counter, 0, ex=expiry, nx=True)
                pipeline.incrby(counter, amounts[key])
            if names:
                pipeline.mget(list(names))
            answers = pipeline.execute()
            loads = self._cache._serializer.loads
            values = answers[-1] if names else []
            found = {names[k]: loads(v) for k, v in zip(names, values, strict=True) if v is not None}
            started = {key for n, key in enumerate(counters.values()) if answers[2 * n]}
            totals = {key: answers[2 * n + 1] for n, key in enumerate(counters.values())}
            return started, totals, found

        with self._changing(list(amounts), version):
            return self._attempt(run, lambda: (set(), {}, {}))


_kept_reads: dict[tuple[str, tuple[str, ...]], KeptReads] = {}


def kept_reads_for(backend: ResilientRedisCache, prefixes: tuple[str, ...], max_bytes: int, retry: float) -> KeptReads:
    """The process's ``KeptReads`` for the backend's server and these prefixes, shared by the backends Django
    makes for each thread."""
    name = (backend._servers[0], prefixes)
    with _breakers_lock:
        kept = _kept_reads.get(name)
        if kept is None:
            pool = backend._cache._get_connection_pool(False)
            # Announcements come as pub/sub messages on a connection of the protocol's second version (the third
            # sends them as pushes, which redis-py takes in on its own); both connections use it.
            factory, settings = pool.connection_class, {**pool.connection_kwargs, "protocol": 2}
            kept = _kept_reads[name] = KeptReads(
                lambda: factory(**settings), prefixes, max_bytes=max_bytes, retry_seconds=retry
            )
        return kept


def _false() -> bool:
    return False


def _none() -> None:
    return None


def reachable(alias: str = "default") -> bool:
    """Whether the cache can be relied on to keep what is put in it: False while a Redis is being skipped."""
    return getattr(caches[alias], "reachable", True)


def count(amounts: dict[str, int], timeout: int, read=(), alias: str = "default") -> tuple[set, dict, dict]:
    """Add to counters (key: amount), starting each from nothing with ``timeout``, and fetch the keys in ``read``.

    Answers the keys of the counters this call started, each counter's new value (none when the cache keeps
    nothing: it is unreachable) and what was found of ``read``. On Redis it is one round trip, where ``add``,
    ``incr`` and ``get_many`` would be three a counter and one more (Django's ``incr`` asks first whether the
    key exists); a counter started by two callers at once is started by exactly one of them.
    """
    backend = caches[alias]
    if hasattr(backend, "count"):
        return backend.count(amounts, timeout, read)
    started, totals = set(), {}
    for key, amount in amounts.items():
        if backend.add(key, 0, timeout):
            started.add(key)
        with contextlib.suppress(ValueError):
            totals[key] = backend.incr(key, amount)
    return started, totals, backend.get_many(list(read)) if read else {}
