"""Job plumbing shared by every daily job: a lock so two copies never work at once, a
``JobRun`` record per business date, and the list of dates still to do (catch-up in order)."""

import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta

import structlog
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from workers.models import JobLock, JobRun, JobStatus

LOCK_TTL = timedelta(minutes=30)
# The (name, holder) of every job lock this thread of work holds: ``run_for_date`` and
# ``run_add_chunk`` renew them, so a long catch-up keeps its lock however many chunks it takes.
_locks_held: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("locks_held", default=())
# When the chunk being worked on started: the run's start, then the end of the previous chunk.
_chunk_clock: ContextVar[float | None] = ContextVar("chunk_clock", default=None)
logger = structlog.get_logger("bursar.jobs")


class JobLocked(ApplicationError):
    def __init__(self, name: str):
        super().__init__(f"Another copy of {name} is running.", code="job_locked", status_code=409)


@dataclass
class ChunkResult:
    processed: int = 0
    created: int = 0
    amount: object = 0


def lock_acquire(*, name: str, holder: str, ttl: timedelta = LOCK_TTL) -> bool:
    """Take the lock, or take it over if its holder let it expire; False if someone holds it."""
    now = timezone.now()
    with transaction.atomic():
        taken = JobLock.objects.filter(name=name, expires_at__lt=now).update(
            holder=holder, acquired_at=now, expires_at=now + ttl
        )
        if taken:
            return True
        try:
            with transaction.atomic():
                JobLock.objects.create(name=name, holder=holder, acquired_at=now, expires_at=now + ttl)
        except IntegrityError:
            return False
    return True


def lock_renew(*, name: str, holder: str, ttl: timedelta = LOCK_TTL) -> bool:
    """Push the lock's expiry ``ttl`` from now; False if ``holder`` no longer holds it."""
    return bool(JobLock.objects.filter(name=name, holder=holder).update(expires_at=timezone.now() + ttl))


def locks_renew() -> None:
    """Renew every lock held by the running job (per date and per chunk). A lock another copy
    took over (it expired first) stops this copy before it writes more."""
    for name, holder in _locks_held.get():
        if not lock_renew(name=name, holder=holder):
            raise JobLocked(name)


def lock_release(*, name: str, holder: str) -> None:
    JobLock.objects.filter(name=name, holder=holder).delete()


@contextmanager
def job_lock(name: str) -> Iterator[str]:
    holder = uuid.uuid4().hex
    if not lock_acquire(name=name, holder=holder):
        raise JobLocked(name)
    held = _locks_held.set((*_locks_held.get(), (name, holder)))
    try:
        yield holder
    finally:
        _locks_held.reset(held)
        lock_release(name=name, holder=holder)


def last_succeeded_date(job: str) -> date | None:
    return JobRun.objects.filter(job=job, status=JobStatus.SUCCEEDED).aggregate(last=Max("business_date"))["last"]


def dates_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def business_date_check(day: date) -> None:
    if day > business_date_today():
        raise ApplicationError(f"{day} is in the future: jobs run only for dates up to today.", code="future_date")


def run_for_date(
    *, job: str, business_date: date, work: Callable[[JobRun], None], trigger: str = "schedule", actor=None
) -> JobRun:
    """Record a run of ``work`` for one date. ``work`` updates the run's counters chunk by chunk
    (see ``run_add_chunk``); any exception marks the run failed, keeps the error, and re-raises.
    The job's lock is renewed before each date."""
    locks_renew()
    run = JobRun.objects.create(job=job, business_date=business_date, trigger=trigger, actor=actor)
    started = time.perf_counter()
    clock = _chunk_clock.set(started)
    # Every line written while the run works (its chunks, the tasks it enqueues) names the run.
    context = {"job": job, "job_run_id": run.pk, "business_date": business_date.isoformat()}
    try:
        with structlog.contextvars.bound_contextvars(**context):
            work(run)
    except Exception as exc:
        JobRun.objects.filter(pk=run.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=traceback.format_exc()[-4000:]
        )
        run.refresh_from_db(fields=["chunks"])  # chunks are counted by whoever did them
        logger.error("job_run_failed", **context, chunks=run.chunks, error=type(exc).__name__)
        raise
    finally:
        _chunk_clock.reset(clock)
    JobRun.objects.filter(pk=run.pk).update(status=JobStatus.SUCCEEDED, finished_at=timezone.now())
    run.refresh_from_db()
    logger.info("job_run_finished", **context, chunks=run.chunks, rows=run.processed, duration_ms=_ms_since(started))
    return run


def _ms_since(started: float | None) -> float | None:
    return None if started is None else round((time.perf_counter() - started) * 1000, 1)


def run_add_chunk(run: JobRun, result: ChunkResult, *, number: int | None = None) -> None:
    """Add one chunk's counts to the run (inside the chunk's transaction, as its last write: the
    run's row is shared by every worker), and renew the job's lock when this process holds it: a
    chunk written after another copy took the lock over is rolled back. ``number`` names the
    chunk in the log (default: the run's count of chunks done)."""
    locks_renew()
    JobRun.objects.filter(pk=run.pk).update(
        processed=F("processed") + result.processed,
        created=F("created") + result.created,
        total_amount=F("total_amount") + result.amount,
        chunks=F("chunks") + 1,
    )
    run.chunks += 1
    _chunk_log(run=run, result=result, number=number or run.chunks)


def chunk_clock_start() -> None:
    """A chunk's work starts now (its log line gives the time since)."""
    _chunk_clock.set(time.perf_counter())


def _chunk_log(*, run: JobRun, result: ChunkResult, number: int) -> None:
    """One line per chunk (job, run id, business date, chunk number, rows, duration), written
    when the chunk's transaction commits: a chunk rolled back is never reported as done."""
    fields = {
        "job": run.job,
        "job_run_id": run.pk,
        "business_date": run.business_date.isoformat() if run.business_date else None,
        "chunk": number,
        "rows": result.processed,
        "rows_written": result.created,
        "duration_ms": _ms_since(_chunk_clock.get()),
    }
    _chunk_clock.set(time.perf_counter())
    transaction.on_commit(lambda: logger.info("job_chunk", **fields))
