"""Querysets compiled to SQL once per process and run again with new values (issue 13 §2).

Building and compiling a queryset is most of the Python time of a small read: a primary-key
look-up spends more in the ORM's compiler than in the database. The reads that run on every API
request (the signed-in user, the balances, the activity list) describe their queryset once, as a
function of integer parameters; ``PreparedQuery`` compiles it with a sentinel in place of each
parameter, remembers where the sentinels landed in the SQL's parameters, and from then on only
swaps the values in and runs the SQL. The rows go through the compiler's own converters, so what
comes back is exactly what the queryset would have given (a test compares them).

Only integer parameters that the ORM sends as SQL parameters can be prepared (ids); anything that
changes the shape of the query (a filter being present, a ``LIMIT``) is part of the shape: make
one ``PreparedQuery`` per shape.
"""

import threading
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import connections
from django.db.backends.postgresql.psycopg_any import is_psycopg3
from django.db.models import QuerySet

# Values no id ever takes, one per parameter, so that their places in the SQL can be found.
SENTINEL_BASE = -7_301_946_251_000


# Runs of one statement on a connection before psycopg prepares it on the server (its default).
PREPARE_THRESHOLD = 5


def _cursor(connection):
    """A cursor of ``connection``. On PostgreSQL (psycopg 3), unless ``DATABASE_PREPARED_STATEMENTS``
    is off, one that binds the parameters on the server, so that psycopg prepares a statement run
    ``PREPARE_THRESHOLD`` times on a connection and PostgreSQL stops planning it on every request
    (the activity page took longer to plan than to run). Django leaves psycopg's preparing off (for
    poolers that cannot keep prepared statements); it is turned on for the connection here, which
    affects only these cursors: Django's own (client-side binding) never prepare. Everything else
    of ``connection.cursor()`` is kept: the health check, the error wrapping, the query log
    (``django_assert_num_queries`` counts these queries)."""
    if connection.vendor != "postgresql" or not is_psycopg3 or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        if connection.connection.prepare_threshold is None:
            connection.connection.prepare_threshold = PREPARE_THRESHOLD
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


class _Compiled:
    __slots__ = ("compiler", "params", "slots", "sql")

    def __init__(self, *, compiler, sql: str, params: tuple, slots: tuple):
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.slots = slots  # per SQL parameter: the name of the prepared parameter, or None (fixed)


def _bound(compiled: _Compiled, values: dict) -> list:
    """The SQL parameters of ``compiled`` with ``values`` in the prepared parameters' places."""
    pairs = zip(compiled.params, compiled.slots, strict=True)
    return [param if slot is None else values[slot] for param, slot in pairs]


class PreparedQuery:
    """``build(**parameters)`` returns a queryset; ``rows(**values)`` runs it as compiled once."""

    def __init__(self, build: Callable[..., QuerySet], *parameters: str):
        self.build = build
        self.parameters = parameters
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        sentinels = {SENTINEL_BASE - number: name for number, name in enumerate(self.parameters)}
        queryset = self.build(**{name: value for value, name in sentinels.items()})
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(sentinels.get(param) if type(param) is int else None for param in params)
        missing = set(self.parameters) - set(slots)
        if missing:
            raise ValueError(f"parameters {sorted(missing)} are not SQL parameters of the query")
        return _Compiled(compiler=compiler, sql=sql, params=tuple(params), slots=slots)

    def compiled(self, using: str = "default") -> _Compiled:
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        return compiled

    def _execute(self, using: str, values: dict, *, counted: bool = False) -> tuple[_Compiled, list]:
        compiled = self.compiled(using)
        pairs = zip(compiled.params, compiled.slots, strict=True)
        params = [param if slot is None else values[slot] for param, slot in pairs]
        # A count is Django's own form for a combined query: COUNT(*) over it as a subquery.
        sql = f"SELECT COUNT(*) FROM ({compiled.sql}) subquery" if counted else compiled.sql  # noqa: S608 (ORM-built)
        with _cursor(connections[using]) as cursor:
            cursor.execute(sql, params)
            return compiled, cursor.fetchall()

    def count(self, *, using: str = "default", **values) -> int:
        """How many rows the query has (for a query without ``LIMIT``)."""
        _compiled, rows = self._execute(using, values, counted=True)
        return rows[0][0]

    def rows(self, *, using: str = "default", **values) -> Iterator[tuple]:
        """The rows as tuples of converted values (the columns of ``values_list``/``values``)."""
        compiled, rows = self._execute(using, values)
        return compiled.compiler.results_iter([rows], tuple_expected=True)

    def rows_with_count(self, counted: "PreparedQuery", *, using: str = "default", **values) -> tuple[list, int | None]:
        """``rows(**values)`` and ``counted.count(**values)`` in one statement, for a page and the
        count of everything it pages through: one round trip instead of two, where each costs more
        than either query on a busy server. The count rides on the rows as a last column (an
        uncorrelated scalar subquery: run once), so it is None when there are no rows. The outer
        query is a plain scan of the rows' query (no join, no sort), which PostgreSQL and SQLite
        give in the inner ``ORDER BY``'s order (SQL does not promise it: tests compare the rows).
        Both queries keep their compiled SQL: the statement is the same text on every call
        (psycopg prepares it)."""
        page, total = self.compiled(using), counted.compiled(using)
        sql = (
            f"SELECT prepared_rows.*, (SELECT COUNT(*) FROM ({total.sql}) prepared_count) "  # noqa: S608 (ORM-built)
            f"FROM ({page.sql}) prepared_rows"
        )
        params = [*_bound(total, values), *_bound(page, values)]  # in the order of the SQL's text
        with _cursor(connections[using]) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        rows = page.compiler.results_iter([[row[:-1] for row in fetched]], tuple_expected=True)
        return list(rows), (fetched[0][-1] if fetched else None)

    def instances(self, *, using: str = "default", **values) -> list:
        """The rows as model instances (a plain ``Model.objects.filter(…)``: no joins, no
        annotations, no ``values()``)."""
        compiled, rows = self._execute(using, values)
        compiler = compiled.compiler
        info = compiler.klass_info
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in compiler.select[start:end]]
        model = info["model"]
        return [model.from_db(using, names, row[start:end]) for row in compiler.results_iter([rows])]
