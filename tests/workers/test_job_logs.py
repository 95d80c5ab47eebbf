"""The daily jobs write one log line per committed chunk (job, run id, business date, chunk
number, rows, duration) and one when the run ends; a chunk rolled back is never reported."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from apps.common.errors import ApplicationError
from apps.investments.services import accrual as accrual_module
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund
from workers.jobs import lock_acquire
from workers.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db
DAY0 = date(2026, 3, 2)


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


@pytest.fixture
def three_positions(staff, settings):
    """Three positions of a 2-day plan bought on DAY0; one per chunk."""
    settings.ACCRUAL_CHUNK_SIZE = 1
    with time_machine.travel(noon(DAY0), tick=False):
        plan = make_plan(actor=staff, min_amount="100.00", term_days=2)
        for _ in range(3):
            investor = UserFactory()
            fund(investor, "1000.00", approver=staff)
            investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)


def job_lines(logs, event: str) -> list[dict]:
    """The job's lines of one kind, with timestamp and duration checked for shape and left out."""
    lines = [line for line in logs("bursar.jobs") if line["event"] == event]
    for line in lines:
        assert isinstance(line.pop("timestamp"), str)
        if "duration_ms" in line:
            assert isinstance(line.pop("duration_ms"), float)
    return lines


def chunk(run: JobRun, number: int, **fields) -> dict:
    return {
        "event": "job_chunk",
        "level": "info",
        "logger": "bursar.jobs",
        "job": run.job,
        "job_run_id": run.pk,
        "business_date": run.business_date.isoformat(),
        "chunk": number,
        "rows": 1,
        "rows_written": 1,
        **fields,
    }


def test_each_accrual_chunk_writes_one_line_with_its_run(three_positions, logs, django_capture_on_commit_callbacks):
    at = noon(DAY0 + timedelta(days=2))
    with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
        first, second = accrue_returns()

    assert job_lines(logs, "job_chunk") == [
        chunk(first, 1),
        chunk(first, 2),
        chunk(first, 3),
        chunk(second, 1),
        chunk(second, 2),
        chunk(second, 3),
    ]
    assert job_lines(logs, "job_run_finished") == [
        {
            "event": "job_run_finished",
            "level": "info",
            "logger": "bursar.jobs",
            "job": "accrue_returns",
            "job_run_id": run.pk,
            "business_date": run.business_date.isoformat(),
            "chunks": 3,
            "rows": 3,
        }
        for run in (first, second)
    ]


def test_maturity_chunks_are_logged_too(three_positions, logs, django_capture_on_commit_callbacks):
    with time_machine.travel(noon(DAY0 + timedelta(days=2)), tick=False):
        accrue_returns()
        with django_capture_on_commit_callbacks(execute=True):
            run = mature_investments()

    assert job_lines(logs, "job_chunk") == [chunk(run, 1), chunk(run, 2), chunk(run, 3)]


def test_a_rolled_back_chunk_is_not_reported_and_the_failed_run_is(
    three_positions, logs, monkeypatch, django_capture_on_commit_callbacks
):
    def stalled(index: int) -> None:
        traveller.shift(timedelta(minutes=31))  # past the lock's life: another copy takes it over
        assert lock_acquire(name="accrue_returns", holder="second-copy")

    with time_machine.travel(noon(DAY0 + timedelta(days=1)), tick=False) as traveller:
        monkeypatch.setattr(accrual_module, "_after_chunk", stalled)
        with pytest.raises(ApplicationError), django_capture_on_commit_callbacks(execute=True):
            accrue_returns()

    run = JobRun.objects.get(job="accrue_returns")
    assert (run.status, run.chunks) == (JobStatus.FAILED, 1)
    assert job_lines(logs, "job_chunk") == [chunk(run, 1)]
    assert job_lines(logs, "job_run_failed") == [
        {
            "event": "job_run_failed",
            "level": "error",
            "logger": "bursar.jobs",
            "job": "accrue_returns",
            "job_run_id": run.pk,
            "business_date": run.business_date.isoformat(),
            "chunks": 1,
            "error": "JobLocked",
        }
    ]
