"""A job renews its lock per date and per chunk: a catch-up longer than the lock's 30 minutes
keeps it, so a second copy cannot start; a copy whose lock was taken over stops before writing
another chunk."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from apps.common.errors import ApplicationError
from apps.investments.models import Accrual, Position, PositionStatus
from apps.investments.services import accrual as accrual_module
from apps.investments.services import maturity as maturity_module
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund
from workers.jobs import LOCK_TTL, lock_acquire, lock_renew
from workers.models import JobLock, JobRun, JobStatus

pytestmark = pytest.mark.django_db
DAY0 = date(2026, 3, 2)
STEP = timedelta(minutes=20)  # each chunk "takes" 20 minutes: three of them outlast the 30-minute lock


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


def long_chunks(traveller, job: str, seen: list):
    """An ``_after_chunk`` that moves the clock on and checks the lock is still held."""

    def after_chunk(index: int) -> None:
        traveller.shift(STEP)
        lock = JobLock.objects.get(name=job)
        seen.append((lock.expires_at - datetime.now(UTC), lock_acquire(name=job, holder="second-copy")))

    return after_chunk


def test_a_long_accrual_catch_up_keeps_its_lock(three_positions, monkeypatch):
    seen = []
    with time_machine.travel(noon(DAY0 + timedelta(days=2)), tick=False) as traveller:
        monkeypatch.setattr(accrual_module, "_after_chunk", long_chunks(traveller, "accrue_returns", seen))
        runs = accrue_returns()
        assert datetime.now(UTC) - noon(DAY0 + timedelta(days=2)) == 6 * STEP  # 2 hours, 4 lock lifetimes

    # Renewed by each chunk 20 minutes before the check: 10 minutes left, never taken over.
    assert seen == [(LOCK_TTL - STEP, False)] * 6
    assert [(run.business_date, run.status, run.chunks) for run in runs] == [
        (DAY0 + timedelta(days=1), JobStatus.SUCCEEDED, 3),
        (DAY0 + timedelta(days=2), JobStatus.SUCCEEDED, 3),
    ]
    assert Accrual.objects.count() == 6
    assert JobLock.objects.count() == 0  # released at the end


def test_a_long_maturity_run_keeps_its_lock(three_positions, monkeypatch):
    seen = []
    with time_machine.travel(noon(DAY0 + timedelta(days=2)), tick=False) as traveller:
        accrue_returns()
        monkeypatch.setattr(maturity_module, "_after_chunk", long_chunks(traveller, "mature_investments", seen))
        run = mature_investments()

    assert seen == [(LOCK_TTL - STEP, False)] * 3
    assert (run.status, run.chunks) == (JobStatus.SUCCEEDED, 3)
    assert list(Position.objects.values_list("status", flat=True)) == [PositionStatus.MATURED] * 3
    assert JobLock.objects.count() == 0


def test_a_copy_whose_lock_was_taken_over_stops_before_the_next_chunk(three_positions, monkeypatch):
    def stalled(index: int) -> None:
        traveller.shift(LOCK_TTL + timedelta(minutes=1))  # stuck past the lock's life
        assert lock_acquire(name="accrue_returns", holder="second-copy")

    with time_machine.travel(noon(DAY0 + timedelta(days=1)), tick=False) as traveller:
        monkeypatch.setattr(accrual_module, "_after_chunk", stalled)
        with pytest.raises(ApplicationError) as error:
            accrue_returns()

    assert (error.value.code, error.value.message) == ("job_locked", "Another copy of accrue_returns is running.")
    run = JobRun.objects.get(job="accrue_returns")
    assert (run.status, run.chunks) == (JobStatus.FAILED, 1)
    assert Accrual.objects.count() == 1  # the second chunk was rolled back
    assert list(JobLock.objects.values_list("holder", flat=True)) == ["second-copy"]  # not released by the first


def test_lock_renew_says_whether_the_holder_still_holds_it(db):
    assert lock_acquire(name="some_job", holder="me")
    assert lock_renew(name="some_job", holder="me") is True
    assert lock_renew(name="some_job", holder="someone-else") is False
