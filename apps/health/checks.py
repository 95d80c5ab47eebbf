"""The readiness checks: database, Celery broker, cache, KYC storage, migrations, beat heartbeat.

Each check answers ``None`` (it passed) or a short fixed description of what is wrong, never an
exception's text (which could carry a URL with its password). The database checks run in the
request's thread on its own connection (a statement timeout on PostgreSQL); the others run in a
small thread pool and are given ``CHECK_TIMEOUT_SECONDS`` each, so one unreachable service cannot
hold the probe. A check still running from an earlier probe is not started again: it is reported
as timed out until it ends.
"""

import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from kombu import Connection

from apps.kyc.storage import kyc_storage
from workers.selectors import scheduler_health_get

CHECK_TIMEOUT_SECONDS = 2.0
# The storage check asks whether this object exists; it never does (nothing is ever written).
STORAGE_PROBE_NAME = "health/probe"
CACHE_PROBE_KEY = "health:ready:probe"
# Migrations applied once stay applied: a pass is trusted for this long before the (tens of
# milliseconds) migration graph is built again. A failure is checked again on every probe.
MIGRATIONS_PASS_SECONDS = 60.0


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    latency_ms: float
    error: str | None = None

    def as_dict(self) -> dict:
        result = {"status": "ok" if self.ok else "fail", "latency_ms": self.latency_ms}
        if self.error:
            result["error"] = self.error
        return result


class CheckFailed(Exception):
    """Raised by a check with a description that is safe to show."""


# --- Database-bound checks (request thread) -------------------------------------------------------


@contextmanager
def _statement_time_box():
    if connection.vendor != "postgresql":
        yield  # SQLite is a local file
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = %s", [int(CHECK_TIMEOUT_SECONDS * 1000)])
        yield


def database_check() -> None:
    with _statement_time_box(), connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise CheckFailed("unexpected answer")


class _MigrationsState:
    passed_until = 0.0


def migrations_check() -> None:
    if time.monotonic() < _MigrationsState.passed_until:
        return
    with _statement_time_box():
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise CheckFailed(f"{len(plan)} migration(s) not applied")
    _MigrationsState.passed_until = time.monotonic() + MIGRATIONS_PASS_SECONDS


def heartbeat_check() -> None:
    """Beat records a heartbeat every minute (``workers/schedule.py``); it is stale past
    ``SCHEDULER_HEARTBEAT_STALE_SECONDS`` (default 180: three missed beats)."""
    with _statement_time_box():
        health = scheduler_health_get()
    if health.last_beat_at is None:
        raise CheckFailed("no heartbeat recorded")
    if not health.is_alive:
        age = int((timezone.now() - health.last_beat_at).total_seconds())
        raise CheckFailed(f"stale: last beat {age} s ago (limit {settings.SCHEDULER_HEARTBEAT_STALE_SECONDS} s)")


# --- Service checks (thread pool) -----------------------------------------------------------------


def broker_check() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        _filesystem_broker_check(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    else:
        _broker_ping(url)


def _filesystem_broker_check(options: dict) -> None:
    """kombu's filesystem transport is three folders: they must exist and be writable."""
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = options.get(key)
        if not folder or not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
            raise CheckFailed(f"{key} missing or not writable")


def _broker_ping(url: str) -> None:
    """Connect (Redis: connecting sends a PING) with short timeouts and no retry; then PING."""
    timeouts = {"socket_timeout": CHECK_TIMEOUT_SECONDS, "socket_connect_timeout": CHECK_TIMEOUT_SECONDS}
    with Connection(url, connect_timeout=CHECK_TIMEOUT_SECONDS, transport_options=timeouts) as broker:
        broker.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS)
        client = getattr(broker.default_channel, "client", None)
        if client is not None and hasattr(client, "ping") and not client.ping():
            raise CheckFailed("no answer to PING")


def cache_check() -> None:
    token = uuid.uuid4().hex
    cache.set(CACHE_PROBE_KEY, token, timeout=30)
    if cache.get(CACHE_PROBE_KEY) != token:
        raise CheckFailed("a value written could not be read back")


def storage_check() -> None:
    """One cheap look-up, no write: S3 answers a HEAD of a fixed key (a 404 is an answer); a local
    folder must be writable (or, before the first upload creates it, the folder it goes in)."""
    storage = kyc_storage()
    if isinstance(storage, FileSystemStorage):
        _folder_writable_check(Path(storage.location))
    storage.exists(STORAGE_PROBE_NAME)


def _folder_writable_check(folder: Path) -> None:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise CheckFailed("the KYC folder is not writable")


# --- Running ----------------------------------------------------------------------------------------

DATABASE_CHECKS: dict[str, Callable[[], None]] = {
    "database": database_check,
    "migrations": migrations_check,
    "heartbeat": heartbeat_check,
}
SERVICE_CHECKS: dict[str, Callable[[], None]] = {
    "broker": broker_check,
    "cache": cache_check,
    "storage": storage_check,
}
CHECK_ORDER = ("database", "migrations", "heartbeat", "broker", "cache", "storage")


class _Pool:
    lock = threading.Lock()
    executor: ThreadPoolExecutor | None = None
    pid: int | None = None
    running: dict[str, Future] = {}

    @classmethod
    def submit(cls, name: str, check: Callable[[], None]) -> Future | None:
        """The check's future, or ``None`` while an earlier run of it has not ended."""
        with cls.lock:
            if cls.executor is None or cls.pid != os.getpid():  # a fresh pool after a fork
                cls.executor = ThreadPoolExecutor(max_workers=len(SERVICE_CHECKS), thread_name_prefix="health")
                cls.pid, cls.running = os.getpid(), {}
            earlier = cls.running.get(name)
            if earlier is not None and not earlier.done():
                return None
            future = cls.executor.submit(_timed, name, check)
            cls.running[name] = future
            return future


def _timed(name: str, check: Callable[[], None]) -> CheckResult:
    started = time.perf_counter()
    try:
        check()
        error = None
    except CheckFailed as exc:
        error = str(exc)
    except Exception as exc:
        error = f"unreachable ({type(exc).__name__})"
    latency = round((time.perf_counter() - started) * 1000, 1)
    return CheckResult(name=name, ok=error is None, latency_ms=latency, error=error)


def _service_result(name: str, future: Future | None, started: float) -> CheckResult:
    if future is not None:
        remaining = max(0.0, CHECK_TIMEOUT_SECONDS - (time.perf_counter() - started))
        try:
            return future.result(timeout=remaining)
        except FutureTimeout:
            pass
    latency = round((time.perf_counter() - started) * 1000, 1)
    return CheckResult(name=name, ok=False, latency_ms=latency, error=f"timed out after {CHECK_TIMEOUT_SECONDS:g} s")


def readiness_check() -> list[CheckResult]:
    """Every check, in ``CHECK_ORDER``: the service checks run while the database ones do."""
    started = time.perf_counter()
    futures = {name: _Pool.submit(name, check) for name, check in SERVICE_CHECKS.items()}
    results = {name: _timed(name, check) for name, check in DATABASE_CHECKS.items()}
    for name, future in futures.items():
        results[name] = _service_result(name, future, started)
    return [results[name] for name in CHECK_ORDER]
