"""A purchase, a deposit credit and a withdrawal (hold and payout) dated back to an earlier
business date (what ``seed_demo`` builds its history with; no interface passes a date): every
entry carries that date, the jobs catch up from it, and a date in the future or before returns
already accrued is refused without changing anything."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.common.errors import ApplicationError
from apps.investments.services import accrual as accrual_module
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from apps.referrals.models import Commission
from apps.wallet.models import Deposit, Entry, Withdrawal
from apps.wallet.services.deposits import deposit_approve, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_request_create
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve
from workers.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        yield


@pytest.fixture
def plan(staff):
    return make_plan(actor=staff, name="Starter", min_amount="100.00", daily_rate=D("1.0000"), term_days=30)


@pytest.fixture
def referred(staff):
    referrer = UserFactory()
    investor = UserFactory(referred_by=referrer)
    fund(investor, "5000.00", approver=staff)
    return investor, referrer


def test_a_backdated_purchase_carries_its_date_everywhere_and_earns_from_the_next_day(referred, plan):
    investor, referrer = referred
    start = TODAY - timedelta(days=10)

    position = investment_open(user=investor, plan_id=plan.pk, amount="1000.00", terms_accepted=True, start_date=start)

    assert (position.start_date, position.maturity_date) == (start, start + timedelta(days=30))
    assert position.open_entry.business_date == start
    commission = Commission.objects.get()
    assert (commission.referrer, commission.amount, commission.entry.business_date) == (referrer, D("30.00"), start)
    runs = accrue_returns(through=TODAY - timedelta(days=1))
    assert [run.business_date for run in runs] == [start + timedelta(days=n) for n in range(1, 10)]
    assert balances(investor) == (D("4090.00"), D("0.00"), D("1000.00"))
    assert_ledger_ok()


def test_without_a_date_a_purchase_is_dated_today(referred, plan):
    investor, _referrer = referred

    position = investment_open(user=investor, plan_id=plan.pk, amount="1000.00", terms_accepted=True)

    assert (position.start_date, position.open_entry.business_date) == (TODAY, TODAY)
    assert Commission.objects.get().entry.business_date == TODAY


@pytest.mark.parametrize(
    ("days_ago", "code"),
    [(-1, "future_date"), (6, "accrual_done")],
)
def test_a_purchase_in_the_future_or_before_accrued_returns_is_refused(
    referred, plan, staff, unchanged_db, days_ago, code
):
    investor, _referrer = referred
    other = UserFactory()
    fund(other, "1000.00", approver=staff)
    investment_open(user=other, plan_id=plan.pk, amount="100.00", terms_accepted=True, start_date=TODAY - timedelta(10))
    accrue_returns(through=TODAY - timedelta(days=5))

    with unchanged_db(), pytest.raises(ApplicationError) as refused:
        investment_open(
            user=investor,
            plan_id=plan.pk,
            amount="1000.00",
            terms_accepted=True,
            start_date=TODAY - timedelta(days=days_ago),
        )

    assert refused.value.code == code


def test_a_purchase_on_the_last_accrued_date_earns_from_the_next_one(referred, plan, staff):
    investor, _referrer = referred
    other = UserFactory()
    fund(other, "1000.00", approver=staff)
    investment_open(user=other, plan_id=plan.pk, amount="100.00", terms_accepted=True, start_date=TODAY - timedelta(10))
    accrue_returns(through=TODAY - timedelta(days=5))

    position = investment_open(
        user=investor, plan_id=plan.pk, amount="1000.00", terms_accepted=True, start_date=TODAY - timedelta(days=5)
    )
    accrue_returns(through=TODAY - timedelta(days=1))

    assert list(position.accruals.order_by("business_date").values_list("business_date", "amount")) == [
        (TODAY - timedelta(days=n), D("10.00")) for n in range(4, 0, -1)
    ]
    assert_ledger_ok()


def test_a_deposit_credited_on_an_earlier_business_date(staff):
    investor = UserFactory()
    deposit = deposit_request_create(user=investor, amount="250.00")

    deposit_approve(deposit_id=deposit.pk, actor=staff, business_date=TODAY - timedelta(days=35))

    deposit.refresh_from_db()
    assert (deposit.status, deposit.entry.business_date) == ("approved", TODAY - timedelta(days=35))
    assert balances(investor) == (D("250.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


def test_a_deposit_is_never_credited_on_a_future_date(staff, unchanged_db):
    deposit = deposit_request_create(user=UserFactory(), amount="250.00")

    with unchanged_db(), pytest.raises(ApplicationError) as refused:
        deposit_approve(deposit_id=deposit.pk, actor=staff, business_date=TODAY + timedelta(days=1))

    assert refused.value.code == "future_date"
    assert Deposit.objects.get().status == "pending"
    assert not Entry.objects.filter(kind="deposit", natural_key=f"deposit:{deposit.pk}").exists()


def test_a_withdrawal_held_and_paid_on_earlier_business_dates(staff):
    investor = UserFactory()
    fund(investor, "1000.00", approver=staff)
    kyc_approve(investor)
    requested, paid = TODAY - timedelta(days=10), TODAY - timedelta(days=9)

    withdrawal = withdrawal_request_create(
        user=investor, amount="400.00", address="TBackdated01", business_date=requested
    )
    assert balances(investor) == (D("600.00"), D("400.00"), D("0.00"))
    withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff, payout_hash="0xback", business_date=paid)

    withdrawal.refresh_from_db()
    dates = dict(Entry.objects.filter(natural_key__startswith="withdrawal").values_list("kind", "business_date"))
    assert withdrawal.status == "approved"
    assert sorted(dates.values()) == [requested, paid]
    assert balances(investor) == (D("600.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


def test_a_withdrawal_is_never_dated_in_the_future(staff, unchanged_db):
    investor = UserFactory()
    fund(investor, "1000.00", approver=staff)
    kyc_approve(investor)
    pending = withdrawal_request_create(user=investor, amount="100.00", address="TBackdated02")
    tomorrow = TODAY + timedelta(days=1)

    with unchanged_db():
        with pytest.raises(ApplicationError) as request_refused:
            withdrawal_request_create(user=investor, amount="100.00", address="TBackdated02", business_date=tomorrow)
        with pytest.raises(ApplicationError) as payout_refused:
            withdrawal_approve(withdrawal_id=pending.pk, actor=staff, payout_hash="0xf", business_date=tomorrow)

    assert (request_refused.value.code, payout_refused.value.code) == ("future_date", "future_date")
    assert Withdrawal.objects.get().status == "pending"


def test_a_purchase_dated_before_a_run_that_stopped_part_way_is_refused(
    referred, plan, staff, settings, monkeypatch, unchanged_db
):
    """A run for a later date that failed after paying some investors: a position earning on that
    date would give one of them a second posting for it. The purchase waits for the run."""
    investor, _referrer = referred
    fund(investor, "2000.00", approver=staff)
    for user in (UserFactory(), UserFactory(), investor):
        if user is not investor:
            fund(user, "1000.00", approver=staff)
        investment_open(
            user=user, plan_id=plan.pk, amount="100.00", terms_accepted=True, start_date=TODAY - timedelta(3)
        )
    accrue_returns(through=TODAY - timedelta(days=2))
    settings.ACCRUAL_CHUNK_SIZE = 1
    monkeypatch.setattr(accrual_module, "_after_chunk", lambda index: (_ for _ in ()).throw(RuntimeError("killed")))
    with pytest.raises(RuntimeError):
        accrue_returns(through=TODAY - timedelta(days=1))  # one investor paid for that date, then killed
    assert JobRun.objects.get(status=JobStatus.FAILED).chunks == 1

    with unchanged_db(), pytest.raises(ApplicationError) as refused:
        investment_open(
            user=investor, plan_id=plan.pk, amount="500.00", terms_accepted=True, start_date=TODAY - timedelta(days=2)
        )
    assert refused.value.code == "accrual_started"
