"""The project's PostgreSQL backend (apps.common.db.postgresql): a health check without a round
trip (a connection the server ended is found before a request uses it, a live one is kept without
asking the server), and dates read by psycopg's own loader, the same values Django's gave."""

import datetime
import time

import psycopg
import pytest
from django.db import connections

from apps.accounts.models import User
from apps.common.db.postgresql.base import UtcTimestamptzLoader, socket_quiet

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wrapper():
    """A connection of its own (the test's own is inside pytest-django's bookkeeping)."""
    connection = connections.create_connection("default")
    connection.ensure_connection()
    yield connection
    connection.close()


def terminate(wrapper) -> None:
    """End ``wrapper``'s session from another connection, as a restart or a pooler would."""
    pid = wrapper.connection.info.backend_pid
    params = wrapper.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k not in ("cursor_factory", "context")}) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while socket_quiet(wrapper.connection.pgconn.socket) and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_backend_is_the_projects(wrapper):
    assert type(wrapper).__module__ == "apps.common.db.postgresql.base"
    assert wrapper.vendor == "postgresql"
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_live_idle_connection_is_usable_without_a_query(wrapper, monkeypatch):
    def no_query(*args, **kwargs):
        raise AssertionError("the health check sent a query")

    monkeypatch.setattr(wrapper.connection, "execute", no_query)
    monkeypatch.setattr(wrapper.connection, "cursor", no_query)
    wrapper.health_check_done = False

    assert wrapper.is_usable() is True
    wrapper.close_if_health_check_failed()

    assert wrapper.connection is not None
    assert wrapper.health_check_done is True


def test_a_connection_the_server_ended_is_replaced_before_use(wrapper):
    old = wrapper.connection
    terminate(wrapper)
    wrapper.health_check_done = False

    assert wrapper.is_usable() is False
    wrapper.close_if_health_check_failed()
    with wrapper.cursor() as cursor:  # a new connection, not an error
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

    assert wrapper.connection is not old
    assert old.closed


def test_a_connection_in_a_failed_transaction_is_not_usable(wrapper):
    wrapper.connection.autocommit = False
    with pytest.raises(psycopg.Error):
        wrapper.connection.execute("SELECT 1/0")

    assert wrapper.is_usable() is False
    wrapper.connection.rollback()
    assert wrapper.is_usable() is True


def test_a_closed_connection_is_not_usable(wrapper):
    wrapper.connection.close()

    assert wrapper.is_usable() is False


def test_dates_are_read_by_psycopgs_loader_in_utc(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT '2026-03-29 01:30:00.123456+02'::timestamptz, '2026-12-04 23:59:59Z'::timestamptz")
        first, second = cursor.fetchone()
        loader = cursor.cursor.adapters.get_loader(psycopg.postgres.types["timestamptz"].oid, psycopg.pq.Format.TEXT)

    assert loader is UtcTimestamptzLoader
    assert first == datetime.datetime(2026, 3, 28, 23, 30, 0, 123456, tzinfo=datetime.UTC)
    assert first.tzinfo is datetime.UTC and second.tzinfo is datetime.UTC
    assert second == datetime.datetime(2026, 12, 4, 23, 59, 59, tzinfo=datetime.UTC)


def test_a_model_date_reads_back_as_written(investor):
    written = datetime.datetime(2026, 10, 25, 1, 59, 59, 999999, tzinfo=datetime.UTC)
    User.objects.filter(pk=investor.pk).update(date_joined=written)

    read = User.objects.values_list("date_joined", flat=True).get(pk=investor.pk)

    assert read == written
    assert read.tzinfo is datetime.UTC
