"""Read-mostly cache values kept in each process until Redis announces that they changed.

A reader's request for a stored page costs a trip to Redis for the page and the versions of its keys, and a
rendered page one more for the header's sections and one for the most-read list. Those values change a few
times an hour, yet every request asked Redis again: the trip cost a stored page more than the rest of its
work in the application. Redis can tell a client when a key it keeps a copy of has changed: server-assisted
client-side caching, ``CLIENT TRACKING``. In broadcasting mode, every change to a key under the given
prefixes, made by any client, is announced on the ``__redis__:invalidate`` channel to a connection the
tracking connection names.

``KeptReads`` holds one such pair of connections per process and Redis, and the values read under the
prefixes (as Redis sent them, unpickled for each read as a fresh copy):

- Before it answers from what it keeps, it takes in every announcement waiting on the listening connection
  (a poll that does not wait). Redis writes the announcement of a change before it answers the client that
  made it, so a request that starts after a save has returned, in any process, finds the change announced.
- A key it does not keep is read from Redis and kept, unless a change was announced or made by this
  process while it was being read (a counter, ``generation``, moves on with every change). A missing key is
  kept as missing: creating it is announced like any other change.
- A kept value is read again after ``KEEP_SECONDS``: Redis announces a key's expiry only once it deletes the
  key, which for a key nobody reads may come well after its time.
- A change this process writes drops its keys at once; the announcement that follows drops them again.
- Anything unexpected (either connection closed or failing, the tracking connection not answering the ping
  sent once a second, the process forked, Redis flushed) drops everything kept, and reads go to Redis until
  the two connections are set up again, at most once per ``retry_seconds``.
- It keeps at most ``max_bytes`` of values; past that it starts again from nothing.

Redis 6 or later is needed (``CLIENT TRACKING ... BCAST``, with announcements redirected to a subscribed
connection, which works with the usual protocol). ``CACHE_TRACKING=0`` turns it off; with it off or out of
service, every read is a trip to Redis as before.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from redis.exceptions import ResponseError

logger = logging.getLogger(__name__)

CHANNEL = "__redis__:invalidate"
# The room a key kept as missing is counted for.
MISSING_BYTES = 64
PING_SECONDS = 1.0
# A kept value is read from Redis again after this long. Redis announces a key's expiry only when it deletes
# the key, which for a key nobody reads may be long after its time (the most-read list lives a minute).
KEEP_SECONDS = 10.0


def without_overlaps(prefixes) -> tuple[str, ...]:
    """The prefixes with any that another one covers left out: Redis refuses overlapping prefixes."""
    ordered = sorted(set(prefixes), key=len)
    kept: list[str] = []
    for prefix in ordered:
        if not any(prefix.startswith(shorter) for shorter in kept):
            kept.append(prefix)
    return tuple(kept)


class KeptReads:
    """Values of the keys under ``prefixes``, kept until Redis announces a change (see the module)."""

    def __init__(self, make_connection, prefixes, *, max_bytes: int, retry_seconds: float):
        self._make_connection = make_connection
        self.prefixes = without_overlaps(prefixes)
        self._max_bytes = max_bytes
        self._retry_seconds = retry_seconds
        self._lock = threading.Lock()
        # Each kept key: its value as Redis sent it (None for a missing key) and the moment it was read.
        self._values: dict[str, tuple[bytes | None, float]] = {}
        self._bytes = 0
        self.generation = 0
        self._listener = None
        self._tracker = None
        self._pid = os.getpid()
        self._retry_at = 0.0
        self._pinged_at = 0.0
        self._ids = (0, 0)
        # Set when Redis refuses tracking (too old, or the account may not use it): reads then go to Redis.
        self.refused = False

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def get(self, keys: list[str]) -> tuple[dict[str, bytes | None], list[str], int | None]:
        """What is kept of ``keys`` (None for a key kept as missing), the keys to read from Redis, and the
        generation to hand to ``keep``.

        The generation is None when nothing can be kept now: every key is then to be read from Redis.
        """
        with self._lock:
            if not self._ready():
                return {}, list(keys), None
            found, missing = {}, []
            values = self._values
            oldest = time.monotonic() - KEEP_SECONDS
            for key in keys:
                kept = values.get(key)
                if kept is None or kept[1] < oldest:
                    missing.append(key)
                else:
                    found[key] = kept[0]
            return found, missing, self.generation

    def keep(self, values: dict[str, bytes | None], generation: int | None) -> None:
        """Keep what was read from Redis (None for a missing key), if nothing changed since ``get`` answered
        ``generation``."""
        if generation is None:
            return
        with self._lock:
            if generation != self.generation or self._listener is None:
                return
            now = time.monotonic()
            for key, value in values.items():
                if not key.startswith(self.prefixes):
                    continue
                size = MISSING_BYTES if value is None else len(value)
                if self._bytes + size > self._max_bytes:
                    self._drop_all()
                self._drop(key)
                self._values[key] = (value, now)
                self._bytes += size

    def forget(self, keys) -> None:
        """Drop ``keys``, which this process has just changed (or is about to)."""
        keys = [key for key in keys if key.startswith(self.prefixes)]
        if not keys:
            return
        with self._lock:
            self.generation += 1
            for key in keys:
                self._drop(key)

    def forget_all(self) -> None:
        with self._lock:
            self.generation += 1
            self._drop_all()

    def close(self) -> None:
        """Drop everything kept and close both connections (the next read sets them up again)."""
        with self._lock:
            self._stop()

    @property
    def connection_ids(self) -> tuple[int, int] | None:
        """Redis's ids of the listening and the tracking connection, while they are set up."""
        return self._ids if self._listener is not None else None

    # Under the lock -------------------------------------------------------------------------------------

    def _drop(self, key: str) -> None:
        kept = self._values.pop(key, None)
        if kept is not None:
            self._bytes -= MISSING_BYTES if kept[0] is None else len(kept[0])

    def _drop_all(self) -> None:
        self._values.clear()
        self._bytes = 0

    def _ready(self) -> bool:
        """Whether what is kept is current, every waiting announcement taken in; sets the connections up."""
        if self._pid != os.getpid():
            # A forked child shares its parent's sockets: leave them to the parent and start again.
            self._listener = self._tracker = None
            self._drop_all()
            self._pid = os.getpid()
        now = time.monotonic()
        try:
            if self._listener is None:
                if self.refused or now < self._retry_at:
                    return False
                self._start()
                self._pinged_at = now
                return True
            self._take_announcements()
            if now - self._pinged_at >= PING_SECONDS:
                # A tracking connection that silently went away would announce nothing ever again.
                self._tracker.send_command("PING")
                if self._tracker.read_response() not in (b"PONG", "PONG"):
                    raise ConnectionError("the tracking connection answered a ping with something else")
                self._pinged_at = now
            return True
        except ResponseError as error:
            # Not a passing fault: asking again would cost the same trips every time.
            logger.warning("Redis refused to track keys (%s); every read goes to Redis", error)
            self.refused = True
            self._stop()
            return False
        except Exception as error:
            # Redis may be down or restarting; the cache's own breaker reports that. Read from Redis meanwhile.
            logger.info("Kept cache values dropped (%r); reading from Redis until tracking is set up again", error)
            self._stop()
            self._retry_at = now + self._retry_seconds
            return False

    def _start(self) -> None:
        self.generation += 1
        self._drop_all()
        listener = self._make_connection()
        tracker = self._make_connection()
        try:
            listener.connect()
            listener.send_command("CLIENT", "ID")
            client_id = listener.read_response()
            listener.send_command("SUBSCRIBE", CHANNEL)
            listener.read_response()
            tracker.connect()
            tracker.send_command("CLIENT", "ID")
            self._ids = (client_id, tracker.read_response())
            prefixes = [part for prefix in self.prefixes for part in ("PREFIX", prefix)]
            tracker.send_command("CLIENT", "TRACKING", "ON", "REDIRECT", client_id, "BCAST", *prefixes)
            tracker.read_response()
        except Exception:
            listener.disconnect()
            tracker.disconnect()
            raise
        self._listener, self._tracker = listener, tracker

    def _stop(self) -> None:
        self.generation += 1
        self._drop_all()
        for connection in (self._listener, self._tracker):
            if connection is not None:
                connection.disconnect()
        self._listener = self._tracker = None

    def _take_announcements(self) -> None:
        if self._tracker.can_read(0):
            # It is only ever sent pings, each answered at once: anything else is the connection closing.
            raise ConnectionError("the tracking connection was closed")
        listener = self._listener
        while listener.can_read(0):
            message = listener.read_response()
            if not isinstance(message, list) or len(message) != 3 or message[0] not in (b"message", "message"):
                continue
            self.generation += 1
            keys = message[2]
            if keys is None:
                # The whole database was flushed.
                self._drop_all()
                continue
            for key in keys:
                self._drop(key.decode() if isinstance(key, bytes) else key)
