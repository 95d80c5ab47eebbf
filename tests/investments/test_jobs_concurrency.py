"""PostgreSQL only: two copies of the accrual job started at once pay once."""

from datetime import timedelta
from decimal import Decimal

import pytest

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.investments.models import Accrual, Position
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from tests.factories import StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import assert_ledger_ok, balances, fund
from tests.wallet.test_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_runs_at_once_pay_once(settings):
    settings.ACCRUAL_CHUNK_SIZE = 3
    staff = StaffFactory()
    plan = make_plan(actor=staff, min_amount="100.00", daily_rate=Decimal("1"))
    investors = [UserFactory() for _ in range(10)]
    for investor in investors:
        fund(investor, "100.00", approver=staff)
        investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
    today = business_date_today()
    Position.objects.update(start_date=today - timedelta(days=2), maturity_date=today + timedelta(days=58))

    results = run_in_threads(8, lambda i: accrue_returns())

    locked = [r for r in results if isinstance(r, ApplicationError)]
    assert all(error.code == "job_locked" for error in locked)
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, ApplicationError)]
    assert Accrual.objects.count() == 20
    assert {balances(investor)[0] for investor in investors} == {Decimal("2.00")}
    assert_ledger_ok()
