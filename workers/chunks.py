"""A run's work, split into chunks that every worker process can take a share of.

The job (one copy, under its lock) plans a business date as chunks of investors, ``[low, high]``
by user id, so that everything of one investor for that date is done by one chunk: one
transaction that writes the chunk's rows and marks the chunk done. It then sends one
``job_chunk_task`` per chunk through the broker (``JOBS_FAN_OUT``) and works on the chunks
itself too, so a date never waits for a busy or absent worker. The date is finished, and the next
one starts, only when every chunk is done.

Exactly once: a chunk is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` on its row, only while
pending and while its run is running, and marked done in the same transaction as its writes. A
chunk task delivered twice, or taken by two workers at once, finds it locked or done and does
nothing; a crash rolls the chunk back to pending, and the next claim does it again. A chunk whose
task fails is retried alone (Celery retries, then the job takes it). On the embedded defaults
(SQLite, filesystem broker) nothing is sent: the job works every chunk itself, one after another.
"""

import os
import socket
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from workers.jobs import ChunkResult, chunk_clock_start, locks_renew, run_add_chunk
from workers.models import ChunkStatus, JobChunk, JobRun, JobStatus

# job name → the function that does one chunk: ``work(day=…, low=…, high=…) -> ChunkResult``,
# called inside the chunk's transaction. Named by path: workers sits below the apps' services.
CHUNK_WORK = {
    "accrue_returns": "apps.investments.services.accrual.accrual_chunk",
    "mature_investments": "apps.investments.services.maturity.maturity_chunk",
}


def worker_name() -> str:
    """``host:pid`` of this process, read when asked (a name taken at import would be the parent's
    in a forked worker)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def investor_bounds(positions: QuerySet, *, size: int) -> list[tuple[int, int]]:
    """Split the investors owning ``positions`` into ranges of user ids holding about ``size``
    positions each (never splitting one investor): the user id of every ``size``-th position in
    user order closes a range. One query; the database sorts, Python gets a row per range."""
    try:
        sql, params = positions.values("user_id").query.sql_with_params()  # Django's SQL, parameters bound
    except EmptyResultSet:  # a queryset Django knows to be empty (``none()``, ``__in=[]``)
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT user_id, n, total FROM (
                SELECT user_id, ROW_NUMBER() OVER (ORDER BY user_id) AS n, COUNT(*) OVER () AS total
                FROM ({sql}) due
            ) numbered
            WHERE n = 1 OR n %% %s = 0 OR n = total
            ORDER BY n
            """,  # noqa: S608
            [*params, size],
        )
        rows = cursor.fetchall()
    if not rows:
        return []
    bounds, low = [], rows[0][0]
    for user_id, n, total in rows:
        if (n % size == 0 or n == total) and user_id >= low:
            bounds.append((low, user_id))
            low = user_id + 1
    return bounds


def chunks_run(*, run: JobRun, bounds: list[tuple[int, int]], after_chunk: Callable[[int], None]) -> None:
    """Plan ``run`` as ``bounds``, send the chunks to the workers, and work on them here too until
    every one is done. ``after_chunk(k)`` is called after the k-th chunk done here (tests use it
    to simulate a crash)."""
    chunks = JobChunk.objects.bulk_create(
        [JobChunk(run=run, index=index, low=low, high=high) for index, (low, high) in enumerate(bounds)]
    )
    if settings.JOBS_FAN_OUT:
        from workers.tasks import job_chunk_task

        for chunk in chunks:
            job_chunk_task.apply_async(args=[chunk.pk], queue=settings.JOBS_CHUNK_QUEUE or None)
    done_here = 0
    while True:
        locks_renew()  # also stops this copy if another took the job's lock over
        if chunk_work(run_id=run.pk):
            done_here += 1
            after_chunk(done_here)
        elif not JobChunk.objects.filter(run=run, status=ChunkStatus.PENDING).exists():
            return
        else:  # the rest are being worked on by other processes
            time.sleep(settings.JOBS_CHUNK_POLL_SECONDS)


def _chunk_time_bound() -> None:
    """On PostgreSQL, for this transaction only: no statement may run, and the transaction may not
    sit idle, longer than ``JOBS_CHUNK_TIMEOUT_SECONDS``. The job waits until every chunk is done,
    and a chunk claimed by a worker that hangs (a statement stuck, or the process stopped between
    two) would keep its row lock, and the date, forever; instead the database rolls it back (for an
    idle transaction it also ends the session), the chunk is pending again, and the next claim
    does it."""
    seconds = settings.JOBS_CHUNK_TIMEOUT_SECONDS
    if connection.vendor != "postgresql" or not seconds:
        return
    limit = f"{max(1, round(seconds * 1000))}ms"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true), "
            "set_config('idle_in_transaction_session_timeout', %s, true)",
            [limit, limit],
        )


def chunk_work(*, run_id: int, chunk_id: int | None = None) -> bool:
    """Claim one pending chunk of the run (``chunk_id``, or the first free one) and do it, in one
    transaction; False when there is none free (done, or being done by someone else)."""
    with transaction.atomic():
        _chunk_time_bound()
        claim = JobChunk.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            run_id=run_id, status=ChunkStatus.PENDING, run__status=JobStatus.RUNNING
        )
        if chunk_id is not None:
            claim = claim.filter(pk=chunk_id)
        chunk = claim.select_related("run").order_by("index").first()
        if chunk is None:
            return False
        chunk_clock_start()
        run = chunk.run
        work = import_string(CHUNK_WORK[run.job])
        result: ChunkResult = work(day=run.business_date, low=chunk.low, high=chunk.high)
        JobChunk.objects.filter(pk=chunk.pk).update(
            status=ChunkStatus.DONE,
            rows=result.created,
            done_at=timezone.now(),
            worker=worker_name()[:100],
        )
        run_add_chunk(run, result, number=chunk.index + 1)
    return True
