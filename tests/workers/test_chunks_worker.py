"""A real Celery worker of two prefork processes and the broker (the filesystem transport on
the embedded defaults, Redis when CELERY_BROKER_URL says so), fan-out on and the chunks sent to
the worker's own queue.

The daily job sent through the broker: the book of ``tests.workers.test_chunks`` bought two days
ago, so the job accrues yesterday and today and matures today's at-maturity positions, in
4 + 4 + 2 chunks (ACCRUAL_CHUNK_SIZE = 3), each done once whoever took it, and chunk tasks
delivered again change nothing. On the filesystem transport (polled every second) the job's
own process usually does every chunk before the other process gets a message; on Redis the
other process takes some. The second test takes the job away: each chunk's task delivered twice
to the two processes."""

import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings

from apps.common.dates import business_date_today
from tests.conftest import database_snapshot
from tests.factories import StaffFactory
from tests.workers.test_chunks import assert_day1_paid_once, assert_outcome_exact, book_open, run_planned
from tests.workers.test_worker import database_url_for_subprocess
from workers import celery_app
from workers.models import ChunkStatus, JobChunk, JobRun, JobStatus

ROOT = Path(settings.BASE_DIR)
CHUNK_TASK = "workers.tasks.job_chunk_task"
SUCCEEDED = re.compile(r"Task workers\.tasks\.job_chunk_task\[([0-9a-f-]+)\] succeeded in [0-9.e-]+s: (True|False)")


def start_worker(queue: str, log: Path) -> subprocess.Popen:
    """One worker, two prefork processes, consuming ``queue``; chunks fan out to the same queue.
    Not eager (the test settings' default): the job's chunk tasks go through the broker."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_subprocess(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "JOBS_FAN_OUT": "1",
        "JOBS_CHUNK_QUEUE": queue,
        "ACCRUAL_CHUNK_SIZE": "3",
    }
    command = [sys.executable, "-m", "celery", "-A", "workers", "worker", "-Q", queue]
    command += ["--pool=prefork", "--concurrency=2", "--without-mingle", "--without-gossip", "--without-heartbeat"]
    command += ["--loglevel=INFO"]
    with log.open("w") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)


def chunk_tasks_finished(log: Path) -> dict[str, str]:
    """task id → what each chunk task the worker finished returned ("True" or "False")."""
    return dict(SUCCEEDED.findall(log.read_text()))


def wait_for(condition, *, worker: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert worker.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.3)


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def pids_of(workers_names) -> list[int]:
    return [int(name.rsplit(":", 1)[1]) for name in workers_names]


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_the_daily_job_fans_its_chunks_out_and_each_is_done_once(tmp_path):
    day0 = business_date_today() - timedelta(days=2)
    book = book_open(StaffFactory(), day0=day0)
    queue, log = f"test-{uuid.uuid4().hex[:12]}", tmp_path / "worker.log"
    celery_app.send_task("workers.tasks.daily_investment_jobs_task", queue=queue)  # never eager
    worker = start_worker(queue, log)
    try:
        finished = JobRun.objects.filter(status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED])
        wait_for(lambda: finished.filter(job="mature_investments").exists(), worker=worker, log=log)
        # every chunk task the job sent has been taken off the queue and finished
        wait_for(lambda: len(chunk_tasks_finished(log)) == 10, worker=worker, log=log)
        assert_outcome_exact(book, day0=day0)
        chunks = JobChunk.objects.order_by("run__business_date", "run__job", "index")
        assert list(chunks.values_list("status", flat=True)) == [ChunkStatus.DONE] * 10
        # each chunk done once: the runs counted one chunk per chunk, and the rows it wrote
        for run in JobRun.objects.all():
            assert run.chunks == run.job_chunks.count()
            assert run.created == sum(run.job_chunks.values_list("rows", flat=True))
        assert sorted(chunks.values_list("rows", flat=True)) == sorted([3, 3, 3, 2] * 2 + [3, 1])
        # done by the pool's processes: the job's, and the other one for each chunk task that did
        # its chunk (the job's process is busy with the job meanwhile)
        done_by = Counter(pids_of(chunks.values_list("worker", flat=True)))
        by_tasks = list(chunk_tasks_finished(log).values()).count("True")
        assert {parent_of(pid) for pid in done_by} == {worker.pid}
        assert sorted(done_by.values()) == sorted(n for n in (10 - by_tasks, by_tasks) if n)

        # the same chunk tasks delivered again, twice each: nothing is written
        before = database_snapshot()
        again = [chunks[0].pk, chunks[5].pk, chunks[9].pk] * 2
        sent = [celery_app.send_task(CHUNK_TASK, args=[chunk_id], queue=queue).id for chunk_id in again]
        wait_for(lambda: set(sent) <= set(chunk_tasks_finished(log)), worker=worker, log=log)
        assert [chunk_tasks_finished(log)[task_id] for task_id in sent] == ["False"] * 6
        after = database_snapshot()
        assert [label for label in before if before[label] != after[label]] == []
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert_worker_log_clean(log.read_text(), received=16)


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_chunk_tasks_delivered_twice_to_two_processes_do_each_chunk_once(tmp_path):
    """No job working beside them: only the two processes, each chunk's task sent twice in a
    row so that both processes take the same chunk at the same time."""
    day0 = business_date_today() - timedelta(days=2)
    book = book_open(StaffFactory(), day0=day0)
    run, chunks = run_planned(day0 + timedelta(days=1), size=1)
    assert len(chunks) == 5
    queue, log = f"test-{uuid.uuid4().hex[:12]}", tmp_path / "worker.log"
    sent = {
        celery_app.send_task(CHUNK_TASK, args=[chunk.pk], queue=queue).id: chunk.pk for chunk in chunks for _ in "ab"
    }
    worker = start_worker(queue, log)
    try:
        wait_for(lambda: set(sent) <= set(chunk_tasks_finished(log)), worker=worker, log=log)
        returned = chunk_tasks_finished(log)
        done_by = Counter(pids_of(JobChunk.objects.filter(run=run).values_list("worker", flat=True)))
        assert {parent_of(pid) for pid in done_by} == {worker.pid}
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    # one of each chunk's two tasks did it, the other found it done or taken
    assert sorted(chunk_id for task_id, chunk_id in sent.items() if returned[task_id] == "True") == [
        chunk.pk for chunk in chunks
    ]
    assert list(returned.values()).count("False") == 5
    assert sum(done_by.values()) == 5
    assert_day1_paid_once(book, run)
    assert run.chunks == 5
    assert_worker_log_clean(log.read_text(), received=10)


def assert_worker_log_clean(output: str, *, received: int) -> None:
    """Connected to the configured broker, each chunk message received once, no error."""
    transport = settings.CELERY_BROKER_URL.split("://")[0]
    assert f"Connected to {transport}://" in output
    assert len(re.findall(r"Task workers\.tasks\.job_chunk_task\[[0-9a-f-]+\] received", output)) == received
    assert "Traceback" not in output and "ERROR" not in output, output
