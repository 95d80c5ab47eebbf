"""Shared plumbing for benchmarks: a throw-away PostgreSQL database, Django set up on it,
timing helpers and a table printer."""

import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def django_setup_on_fresh_database(name: str) -> str:
    """Create (or recreate) database ``name``, migrate it, and set Django up on it."""
    server = os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER).rstrip("/")
    url = f"{server}/{name}"
    subprocess.run(["psql", f"{server}/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", f"{server}/postgres", "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return url


def drop_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    server = os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER).rstrip("/")
    subprocess.run(["psql", f"{server}/postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {name}"], check=False)


def best_of(runs: int, function) -> tuple[float, object]:
    """Median wall time of ``runs`` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


@contextmanager
def step(title: str):
    start = time.perf_counter()
    print(f"  {title} …", end="", flush=True)
    yield
    print(f" {time.perf_counter() - start:.1f} s", flush=True)


def table(rows: list[tuple[str, ...]]) -> str:
    """A plain-text table; the first row is the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [" | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def statements_of(function) -> tuple[list[tuple[str, object]], object]:
    """Every SQL statement ``function()`` runs on the default connection, with its parameters as
    Django's cursor was given them (``%s`` placeholders), and what ``function`` returned. Unlike the
    query log (``CaptureQueriesContext``), whose text of a prepared statement keeps its ``$1``
    placeholders, these can be run again by ``statements_replay``."""
    from django.db import connection

    found = []

    def record(execute, sql, params, many, context):
        found.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        result = function()
    return found, result


def statements_replay(statements: list[tuple[str, object]]) -> None:
    """Run ``statements`` (from ``statements_of``) on a plain cursor, reading every row."""
    from django.db import connection

    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()


def staff_client(user):
    """A test client signed in as the staff member ``user`` with the second factor verified, as the
    code step leaves a staff session (a confirmed TOTP device of the user bound to the session by
    django-otp): staff pages send an unverified session to the code step."""
    from django.http import HttpRequest
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts.mfa.services import mfa_session_verified_mark

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    request = HttpRequest()
    request.session, request.user = session, user
    mfa_session_verified_mark(request=request, device=device)
    session.save()
    return client
