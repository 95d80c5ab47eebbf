"""``ledger_check --deep`` on the daily returns: one posting per investor and date (I6), each equal
to the accruals that point to it (I5)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from apps.investments.models import Accrual
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from apps.wallet.ledger_check import ledger_check
from apps.wallet.models import AccountKind, EntryKind, Posting
from apps.wallet.services.ledger import Leg, entry_post, investor_account, platform_account
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db
D = Decimal
DAY0 = date(2026, 3, 2)
DAY1 = DAY0 + timedelta(days=1)


@pytest.fixture
def accrued(staff):
    """One investor with two positions (100.00 at 1% and 200.00 at 1%), accrued for DAY1."""
    investor = UserFactory()
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        fund(investor, "1000.00", approver=staff)
        plan = make_plan(actor=staff, min_amount="100.00", daily_rate=D("1.0000"))
        for amount in ("100.00", "200.00"):
            investment_open(user=investor, plan_id=plan.pk, amount=amount, terms_accepted=True)
    with time_machine.travel(datetime(2026, 3, 3, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        accrue_returns()
    return investor


def test_two_positions_are_paid_by_one_posting_that_the_check_accepts(accrued):
    [posting] = Posting.objects.filter(entry__kind=EntryKind.RETURN, account__owner=accrued)
    assert posting.amount == D("3.00")
    assert sorted(posting.accruals.values_list("amount", flat=True)) == [D("1.00"), D("2.00")]
    assert ledger_check(deep=True).problems == []


def test_a_second_returns_posting_for_the_same_investor_and_date_is_reported(accrued):
    available = investor_account(user=accrued, kind=AccountKind.AVAILABLE)
    with transaction.atomic():
        entry_post(
            kind=EntryKind.RETURN,
            natural_key=f"returns:{DAY1}:{accrued.pk}-{accrued.pk}:again",
            legs=[Leg(platform_account(AccountKind.RETURN_EXPENSE).pk, D("-0.50")), Leg(available.pk, D("0.50"))],
            business_date=DAY1,
        )
    problems = ledger_check(deep=True).problems
    extra = Posting.objects.filter(entry__natural_key__endswith=":again", account=available).get()
    assert problems == [
        f"I6 more than one daily-return posting for an investor and date: account {available.pk} has 2 on {DAY1}",
        f"I5 daily-return posting differs from the accruals it paid: id {extra.pk} (0.50 vs 0.00)",
    ]


def test_an_accrual_that_no_longer_matches_its_posting_is_reported(accrued):
    accrual = Accrual.objects.get(amount=D("2.00"))
    Accrual.objects.filter(pk=accrual.pk).update(amount=D("2.01"))
    assert ledger_check(deep=True).problems == [
        f"I5 daily-return posting differs from the accruals it paid: id {accrual.posting_id} (3.00 vs 3.01)"
    ]
