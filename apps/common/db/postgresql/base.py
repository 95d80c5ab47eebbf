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

It also reads ``timestamptz`` values with psycopg's own loader (compiled, in psycopg's binary
package) where Django registers a Python subclass of psycopg's pure-Python one, whose only job is
to put Django's time zone on the value: when that zone is UTC, as the session's is (Django sets the
session's ``TimeZone`` to it), psycopg's loader already gives UTC values (``datetime.timezone.utc``).
Every date of an API page goes through it (a tenth of ``transactions/``'s database-side Python).
"""

import datetime
import select

from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import is_psycopg3

if is_psycopg3:
    import psycopg
    from psycopg.adapt import Loader
    from psycopg.pq import Format

    # psycopg's own text loader of timestamptz (the compiled one with psycopg's binary package).
    PSYCOPG_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, Format.TEXT)

    class UtcTimestamptzLoader(Loader):
        """psycopg's loader, as is. A wrapper, since the compiled class cannot be subclassed:
        ``load`` is the compiled loader's own bound method (no Python frame per value), and
        ``timezone`` is what Django's ``create_cursor`` compares with its own before registering
        its loader on a cursor."""

        timezone = datetime.UTC

        def __init__(self, oid: int, context=None):
            super().__init__(oid, context)
            self.load = PSYCOPG_TIMESTAMPTZ_LOADER(oid, context).load  # shadows the method below

        def load(self, data):  # never called (the instance's own ``load`` wins); psycopg's ABC wants it
            return PSYCOPG_TIMESTAMPTZ_LOADER(self.oid, self.connection).load(data)


def socket_quiet(fileno: int) -> bool:
    """True when nothing waits to be read on the socket ``fileno`` (no unasked server message,
    no end-of-file), without waiting."""
    poller = select.poll()
    poller.register(fileno, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if is_psycopg3 and self.timezone is datetime.UTC and self.timezone_name == "UTC":
            connection.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
        return connection

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
