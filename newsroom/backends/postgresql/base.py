"""Django's PostgreSQL backend, with a health check that asks the server nothing while the connection is quiet.

With ``CONN_HEALTH_CHECKS`` on, Django checks a kept connection before the first query of each request by
running ``SELECT 1``: a round trip on every page, about a tenth of a millisecond of the two processes' time.
What it guards against is a connection the server has ended (a restart, an administrator's
``pg_terminate_backend``, an idle timeout). The server says so on the socket before it closes it: a
termination notice, then the end of the stream. So a connection that is idle, outside a transaction, with
nothing waiting to be read is taken as healthy at the cost of one ``poll`` system call; anything on the
socket (a notice, an error, the end) sends it through Django's own ``SELECT 1``, which reads what is there and
closes the connection if it has ended. A connection that had an error during the request is always checked
with ``SELECT 1`` (``close_if_unusable_or_obsolete``), as before.

A server that disappears without closing the socket (a cable pulled) is not caught by either check until
the query times out; ``connect_timeout`` and the keepalive settings cover that case.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq

# Anything the server sent, or the socket ending or failing.
_SOMETHING_ARRIVED = select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is not None and self.health_check_enabled and not self.health_check_done and self.quiet():
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def quiet(self) -> bool:
        """Whether the connection is open, idle outside any transaction, and the server has sent nothing since."""
        raw = self.connection
        if raw is None or raw.closed or raw.broken:
            return False
        pgconn = raw.pgconn
        if pgconn.status != pq.ConnStatus.OK or pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        poller = select.poll()
        try:
            poller.register(pgconn.socket, _SOMETHING_ARRIVED)
        except (OSError, ValueError, pq.PGError):
            return False
        return not poller.poll(0)
