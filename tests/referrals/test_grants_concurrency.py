"""PostgreSQL only: copies of the milestones job started at once grant each reward once, and a
referrer withdrawing while the job pays them stays consistent."""

from decimal import Decimal

import pytest

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.referrals.models import CommissionRule, MilestoneAward
from apps.referrals.services import grants as grants_module
from apps.referrals.services.grants import grant_milestones, milestones_grant
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import StaffFactory, UserFactory
from tests.referrals.helpers import make_milestone, referred_users, small_plan
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve
from tests.wallet.test_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


@pytest.fixture(autouse=True)
def default_rule():
    """Transactional tests flush the rows data migrations wrote: restore the default 3% rule."""
    CommissionRule.objects.get_or_create(level=1, defaults={"rate": D("3.0000")})


def test_runs_at_once_grant_each_reward_once(monkeypatch):
    monkeypatch.setattr(grants_module, "CHUNK_SIZE", 2)
    staff = StaffFactory()
    make_milestone(actor=staff, required_referrals=2, reward_amount="20.00")
    plan = small_plan(staff)
    referrers = [UserFactory() for _ in range(5)]
    for referrer in referrers:
        referred_users(referrer, 2, staff=staff, plan=plan)

    results = run_in_threads(6, lambda i: grant_milestones())

    locked = [r for r in results if isinstance(r, ApplicationError)]
    assert all(error.code == "job_locked" for error in locked)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, ApplicationError)]
    assert MilestoneAward.objects.count() == 5
    assert {balances(referrer)[0] for referrer in referrers} == {D("26.00")}  # 2 × 3.00 + 20.00
    assert_ledger_ok()


def test_the_grant_and_a_withdrawal_of_the_same_referrer_serialise():
    staff = StaffFactory()
    make_milestone(actor=staff, required_referrals=2, reward_amount="20.00")
    referrer = UserFactory()
    kyc_approve(referrer)
    referred_users(referrer, 2, staff=staff, plan=small_plan(staff))
    fund(referrer, "10.00", approver=staff)

    def work(index):
        if index == 0:
            return milestones_grant(business_date=business_date_today())
        return withdrawal_request_create(user=referrer, amount="10.00", address="TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")

    results = run_in_threads(2, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    available, held, _ = balances(referrer)
    assert (available, held) == (D("26.00"), D("10.00"))  # 6.00 + 10.00 + 20.00 - 10.00 held
    assert MilestoneAward.objects.count() == 1
    assert_ledger_ok()
