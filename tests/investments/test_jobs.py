"""The daily jobs end to end: accrual, maturity, catch-up, re-runs, crashes, locks, time zones."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.common.errors import ApplicationError
from apps.investments.models import Accrual, PositionStatus
from apps.investments.selectors import position_schedule
from apps.investments.services import accrual as accrual_module
from apps.investments.services import maturity as maturity_module
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from apps.wallet.models import AccountKind, Entry, Posting
from apps.wallet.services.ledger import platform_account
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import assert_ledger_ok, balances, fund
from workers.jobs import lock_acquire
from workers.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db
D = Decimal
DAY0 = date(2026, 3, 2)


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC")), tick=False)


@pytest.fixture
def worked_example(staff):
    """15,000 available, 10,000 in a plan of 5% per day for 60 days, bought on DAY0."""
    referrer = UserFactory()
    investor = UserFactory(referred_by=referrer)
    with at(DAY0):
        fund(investor, "15000.00", approver=staff)
        plan = make_plan(actor=staff)
        position = investment_open(user=investor, plan_id=plan.pk, amount="10000.00", terms_accepted=True)
    return investor, referrer, position


def test_the_original_worked_example_exactly(worked_example):
    investor, referrer, position = worked_example
    assert balances(investor) == (D("5000.00"), D("0.00"), D("10000.00"))
    assert balances(referrer)[0] == D("300.00")
    with at(DAY0 + timedelta(days=1)):
        [run] = accrue_returns()
    assert (run.business_date, run.status, run.created, run.total_amount) == (
        DAY0 + timedelta(days=1),
        "succeeded",
        1,
        D("500.00"),
    )
    assert balances(investor) == (D("5500.00"), D("0.00"), D("10000.00"))
    with at(DAY0 + timedelta(days=60)):
        runs = accrue_returns()
        mature_investments()
    assert len(runs) == 59
    position.refresh_from_db()
    assert position.status == PositionStatus.MATURED
    assert position.maturity_entry.natural_key == f"maturity:{position.pk}"
    assert balances(investor) == (D("45000.00"), D("0.00"), D("0.00"))
    assert platform_account(AccountKind.RETURN_EXPENSE).balance == D("-30000.00")
    assert all(row.paid for row in position_schedule(position=position))
    assert_ledger_ok()


def test_rerunning_a_date_changes_nothing(worked_example, unchanged_db):
    investor, _, _ = worked_example
    day1 = DAY0 + timedelta(days=1)
    with at(day1):
        accrue_returns()
    with at(day1), unchanged_db():
        assert accrue_returns() == []  # nothing pending
    with at(day1), unchanged_db():
        assert accrue_returns(only=day1) == []  # finished and verified complete: nothing written
    JobRun.objects.filter(business_date=day1).update(status=JobStatus.FAILED)  # as if it had crashed
    with at(day1):
        [replay] = accrue_returns(only=day1)  # not known complete: a real replay, which skips what exists
    assert (replay.created, replay.total_amount) == (0, D("0.00"))
    assert balances(investor)[0] == D("5500.00")
    assert Accrual.objects.count() == 1


def test_three_missed_days_are_paid_in_order_by_one_run(worked_example):
    investor, _, position = worked_example
    with at(DAY0 + timedelta(days=3)):
        runs = accrue_returns()
    assert [run.business_date for run in runs] == [DAY0 + timedelta(days=d) for d in (1, 2, 3)]
    assert list(position.accruals.order_by("business_date").values_list("amount", flat=True)) == [D("500.00")] * 3
    assert balances(investor)[0] == D("6500.00")
    entries = Entry.objects.filter(kind="return").order_by("id").values_list("natural_key", flat=True)
    # one entry per chunk of investors and date (here one investor, one chunk a day)
    assert list(entries) == [f"returns:{DAY0 + timedelta(days=d)}:{investor.pk}-{investor.pk}" for d in (1, 2, 3)]
    assert (
        list(position.accruals.values_list("posting__amount", "posting__account__owner"))
        == [(D("500.00"), investor.pk)] * 3
    )


def test_future_dates_and_dates_before_the_first_position_are_refused(worked_example, unchanged_db):
    with at(DAY0 + timedelta(days=1)), unchanged_db():
        with pytest.raises(ApplicationError) as error:
            accrue_returns(only=DAY0 + timedelta(days=2))
        assert error.value.code == "future_date"
        with pytest.raises(ApplicationError) as error:
            accrue_returns(only=DAY0)
        assert error.value.code == "before_first_position"


def test_maturity_waits_for_accrual(worked_example, unchanged_db):
    with at(DAY0 + timedelta(days=60)), unchanged_db(), pytest.raises(ApplicationError) as error:
        mature_investments()
    assert error.value.code == "accrual_behind"


def test_a_locked_job_refuses_to_start(worked_example, unchanged_db):
    assert lock_acquire(name="accrue_returns", holder="someone-else")
    with at(DAY0 + timedelta(days=1)), unchanged_db(), pytest.raises(ApplicationError) as error:
        accrue_returns()
    assert error.value.code == "job_locked"


@pytest.mark.parametrize("crash_after", [1, 2, 3])
def test_a_crash_after_chunk_k_then_a_rerun_ends_like_an_uninterrupted_run(staff, settings, monkeypatch, crash_after):
    settings.ACCRUAL_CHUNK_SIZE = 2
    investors = [UserFactory() for _ in range(7)]
    with at(DAY0):
        plan = make_plan(actor=staff, min_amount="100.00", daily_rate=D("0.3333"))
        for i, investor in enumerate(investors):
            fund(investor, "1000.00", approver=staff)
            investment_open(user=investor, plan_id=plan.pk, amount=f"{100 + i * 37}.00", terms_accepted=True)

    def crash(index):
        if index == crash_after:
            raise RuntimeError("killed")

    monkeypatch.setattr(accrual_module, "_after_chunk", crash)
    with at(DAY0 + timedelta(days=1)), pytest.raises(RuntimeError):
        accrue_returns()
    failed = JobRun.objects.get(job="accrue_returns")
    assert (failed.status, failed.chunks) == (JobStatus.FAILED, crash_after)
    assert "RuntimeError: killed" in failed.error
    monkeypatch.setattr(accrual_module, "_after_chunk", lambda index: None)
    with at(DAY0 + timedelta(days=1)):
        accrue_returns()
    expected = {
        investor.pk: D("1000.00")
        - D(f"{100 + i * 37}.00")
        + (D(f"{100 + i * 37}.00") * D("0.003333")).quantize(D("0.01"))
        for i, investor in enumerate(investors)
    }
    assert {investor.pk: balances(investor)[0] for investor in investors} == expected
    assert Accrual.objects.count() == 7
    # one posting per investor (each has one position here), in one entry per chunk of 2 positions
    returns = Posting.objects.filter(entry__kind="return", account__owner__isnull=False)
    assert sorted(returns.values_list("account__owner", flat=True)) == sorted(investor.pk for investor in investors)
    assert Entry.objects.filter(kind="return").count() == 4
    assert not Accrual.objects.filter(posting__isnull=True).exists()
    assert_ledger_ok()


def test_at_maturity_plan_pays_everything_at_the_end(staff):
    investor = UserFactory()
    with at(DAY0):
        fund(investor, "1000.00", approver=staff)
        plan = make_plan(
            actor=staff, min_amount="100", payout_schedule="at_maturity", term_days=3, daily_rate=D("0.3333")
        )
        position = investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
    with at(DAY0 + timedelta(days=2)):
        accrue_returns()
    assert balances(investor) == (D("900.00"), D("0.00"), D("100.00"))
    assert [row.paid for row in position_schedule(position=position)] == [False, False, False]
    with at(DAY0 + timedelta(days=3)):
        accrue_returns()
        mature_investments()
    assert balances(investor) == (D("1001.00"), D("0.00"), D("0.00"))  # 0.33 + 0.34 + 0.33
    assert [row.paid for row in position_schedule(position=position)] == [True, True, True]
    assert_ledger_ok()


def test_capital_not_returned_stays_with_the_platform(staff):
    investor = UserFactory()
    with at(DAY0):
        fund(investor, "500.00", approver=staff)
        plan = make_plan(actor=staff, min_amount="100", capital_back=False, term_days=2, daily_rate=D("10"))
        investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
    with at(DAY0 + timedelta(days=2)):
        accrue_returns()
        mature_investments()
    assert balances(investor) == (D("420.00"), D("0.00"), D("0.00"))
    assert platform_account(AccountKind.RETURN_EXPENSE).balance == D("80.00")  # paid 20, kept 100
    assert_ledger_ok()


def test_maturity_crash_then_rerun(worked_example, monkeypatch, settings):
    settings.ACCRUAL_CHUNK_SIZE = 1
    investor, _, _ = worked_example
    monkeypatch.setattr(maturity_module, "_after_chunk", lambda index: (_ for _ in ()).throw(RuntimeError("killed")))
    with at(DAY0 + timedelta(days=60)):
        accrue_returns()
        with pytest.raises(RuntimeError):
            mature_investments()
    monkeypatch.setattr(maturity_module, "_after_chunk", lambda index: None)
    with at(DAY0 + timedelta(days=60)):
        run = mature_investments()
    assert run.created == 0  # the crashed run had committed its only chunk
    assert balances(investor) == (D("45000.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


def test_business_dates_across_a_dst_change_neither_skip_nor_repeat(staff, settings):
    settings.PLATFORM_TIME_ZONE = "America/New_York"  # clocks go forward on 2026-03-08
    investor = UserFactory()
    eastern = ZoneInfo("America/New_York")
    with time_machine.travel(datetime(2026, 3, 6, 23, 30, tzinfo=eastern), tick=False):
        fund(investor, "1000.00", approver=staff)
        plan = make_plan(actor=staff, min_amount="100", term_days=10, daily_rate=D("1"))
        position = investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
    assert position.start_date == date(2026, 3, 6)
    seen = []
    for hours in range(0, 24 * 5, 6):  # every 6 hours, through the change
        moment = datetime(2026, 3, 7, 0, 30, tzinfo=eastern) + timedelta(hours=hours)
        with time_machine.travel(moment, tick=False):
            seen += [run.business_date for run in accrue_returns()]
    assert seen == [date(2026, 3, d) for d in (7, 8, 9, 10, 11)]
    assert balances(investor)[0] == D("905.00")
