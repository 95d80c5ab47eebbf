"""Django's PostgreSQL backend, with a health check that costs no round trip (issue 13 §2).

With ``CONN_HEALTH_CHECKS`` on, Django checks a persistent connection before the first query of
every request with ``SELECT 1``: one more round trip per API request, a quarter of the wall time
of ``users/profile/`` under load on the reference machine (the request waits for PostgreSQL to be
scheduled). Here the check asks the client library and the kernel instead: the connection must be
open and idle, and its socket must have nothing to read. A server that ended the session (a
restart, ``pg_terminate_backend``, a pooler closing an idle client) sends its goodbye (an error
message, then end-of-file) unasked, so the socket becomes readable and the connection is closed
and opened again before the request uses it, as with Django's own check. What neither check can
see in advance (a network gone silent) fails the query either way.
"""

import select

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import is_psycopg3


def socket_quiet(fileno: int) -> bool:
    """True when nothing waits to be read on the socket ``fileno`` (no unasked server message,
    no end-of-file), without waiting."""
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if not is_psycopg3:  # psycopg 2 has no such introspection: Django's own check
            return super().is_usable()
        from psycopg import pq

        connection = self.connection
        if connection is None or connection.closed:
            return False
        info = connection.info
        if info.status != pq.ConnStatus.OK or info.transaction_status not in (
            pq.TransactionStatus.IDLE,
            pq.TransactionStatus.INTRANS,
        ):
            return False
        try:
            return socket_quiet(connection.pgconn.socket)
        except (OSError, ValueError, connection.OperationalError):
            return False
