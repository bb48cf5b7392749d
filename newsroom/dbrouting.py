"""Read replicas: anonymous readers' pages are read from a replica, everything else from the primary.

``DATABASE_REPLICA_URLS`` names the replicas (settings make them the aliases ``replica1``, ``replica2``...).
``ReplicaRoutingMiddleware`` decides per request whether its reads may go to a replica: only a plain GET or
HEAD of a public page from a reader with no session (so never staff, a signed-in reader, the admin or a
preview) and no recent write. Any unsafe request (a POST, a comment, a sign-in) sets a short-lived cookie
that pins the same client to the primary for ``DATABASE_REPLICA_PIN_SECONDS``, so whoever just wrote
something reads it back at once, whatever the replica's lag.

``ReplicaRouter`` follows that decision for reads and sends every write, migration and management command
(which run outside any request) to the primary.

A replica is used only while it is known to be fit: its lag (``now()`` minus the last replayed
transaction's time, or zero when it has replayed everything it received) is checked at most once every
``DATABASE_REPLICA_CHECK_SECONDS`` per process, and a replica behind by more than
``DATABASE_REPLICA_MAX_LAG`` seconds, or one that cannot be reached, is left alone for
``DATABASE_REPLICA_RETRY_SECONDS``. A replica that fails in the middle of a request (it stopped since the
last check) has the request answered again from the primary: only safe requests are routed to replicas,
so answering one twice is harmless. With every replica unfit, reads go to the primary: slower, not broken.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PIN_COOKIE = "dateline_wrote"
SAFE_METHODS = ("GET", "HEAD")
PRIMARY_PREFIXES = ("/admin/", "/preview/", "/comments/", "/accounts/")

# Whether this request's reads may go to a replica; set by the middleware, read by the router.
_reads_from_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("dateline_reads_from_replica", default=False)
# The replica this request read from, if any: a failure can then be laid at its door.
_replica_used: contextvars.ContextVar[str | None] = contextvars.ContextVar("dateline_replica_used", default=None)

LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
    END
"""


def replica_aliases() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def max_lag() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_MAX_LAG", 5))


def check_seconds() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_CHECK_SECONDS", 1))


def retry_seconds() -> float:
    return float(getattr(settings, "DATABASE_REPLICA_RETRY_SECONDS", 5))


def pin_seconds() -> int:
    return int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 5))


class ReplicaHealth:
    """What this process knows of each replica: fit until a moment, or unfit until a moment."""

    def __init__(self):
        self._lock = threading.Lock()
        self._fit_until: dict[str, float] = {}
        self._unfit_until: dict[str, float] = {}
        self._reported: set[str] = set()

    def reset(self) -> None:
        with self._lock:
            self._fit_until.clear()
            self._unfit_until.clear()
            self._reported.clear()

    def mark_down(self, alias: str, reason: str) -> None:
        with self._lock:
            self._fit_until.pop(alias, None)
            self._unfit_until[alias] = time.monotonic() + retry_seconds()
            first = alias not in self._reported
            self._reported.add(alias)
        if first:
            logger.warning("Replica %s not used for %.0f s: %s", alias, retry_seconds(), reason)
        # A broken connection is not handed to the next request.
        with contextlib.suppress(DatabaseError):
            connections[alias].close()

    def resting(self, alias: str) -> bool:
        """Whether the replica was found unfit a moment ago and is being left alone."""
        return time.monotonic() < self._unfit_until.get(alias, 0)

    def fit(self, alias: str) -> bool:
        now = time.monotonic()
        if now < self._fit_until.get(alias, 0):
            return True
        if now < self._unfit_until.get(alias, 0):
            return False
        lag = self.measure(alias)
        if lag is None:
            return False
        if lag > max_lag():
            self.mark_down(alias, f"{lag:.1f} s behind the primary (DATABASE_REPLICA_MAX_LAG is {max_lag():g})")
            return False
        with self._lock:
            self._fit_until[alias] = now + check_seconds()
            if alias in self._reported:
                self._reported.discard(alias)
                logger.warning("Replica %s in use again", alias)
        return True

    def measure(self, alias: str) -> float | None:
        """Seconds behind the primary, or None (and marked down) when the replica cannot answer."""
        connection = connections[alias]
        try:
            if connection.vendor != "postgresql":
                # A test alias on the primary's own database: never behind.
                connection.ensure_connection()
                return 0.0
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                return float(cursor.fetchone()[0])
        except DatabaseError as error:
            self.mark_down(alias, f"{type(error).__name__}: {str(error).strip()[:200]}")
            return None


health = ReplicaHealth()
_turns = itertools.count()


def choose_replica() -> str | None:
    """A fit replica, taking turns between them; None when none is fit."""
    aliases = replica_aliases()
    if not aliases:
        return None
    start = next(_turns)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if health.fit(alias):
            return alias
    return None


class ReplicaRouter:
    """Reads of a request the middleware let go to a replica go to one that is fit; all else to the primary."""

    def db_for_read(self, model, **hints):
        if not _reads_from_replica.get():
            return "default"
        alias = _replica_used.get()
        if alias is None:
            alias = choose_replica()
            if alias is None:
                _reads_from_replica.set(False)
                return "default"
            _replica_used.set(alias)
        return alias

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Every alias holds the same rows: a story read from a replica may point at an author from the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def may_read_from_replica(request) -> bool:
    if not replica_aliases() or request.method not in SAFE_METHODS:
        return False
    if request.path.startswith(PRIMARY_PREFIXES):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and PIN_COOKIE not in cookies


def answered_by_failed_replica(response) -> bool:
    # newsroom.faults answers a request whose database failed with 503 (a 500 with DEBUG on); when the
    # request read from a replica, the replica is the likely culprit, and the primary is asked instead.
    return response.status_code in (500, 503) and _replica_used.get() is not None


class ReplicaRoutingMiddleware:
    """Lets an anonymous reader's safe request read from a replica; pins a client that just wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not may_read_from_replica(request):
            response = self.get_response(request)
            if request.method not in SAFE_METHODS and replica_aliases():
                response.set_cookie(
                    PIN_COOKIE, "1", max_age=pin_seconds(), httponly=True, samesite="Lax", secure=request.is_secure()
                )
            return response
        reads = _reads_from_replica.set(True)
        used = _replica_used.set(None)
        try:
            response = self.get_response(request)
            if answered_by_failed_replica(response):
                health.mark_down(_replica_used.get(), "a request failed on it")
                _reads_from_replica.set(False)
                _replica_used.set(None)
                response = self.get_response(request)
            return response
        finally:
            _reads_from_replica.reset(reads)
            _replica_used.reset(used)
