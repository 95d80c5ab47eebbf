from datetime import timedelta
from decimal import Decimal

import pytest

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.investments.models import Plan, PositionStatus
from apps.investments.selectors import position_schedule
from apps.investments.services.plans import plan_deactivate, plan_update
from apps.investments.services.positions import investment_open, investment_quote
from apps.referrals.models import Commission
from apps.wallet.models import AccountKind
from apps.wallet.services.ledger import platform_account
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import assert_ledger_ok, balances, fund

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def referred(staff):
    referrer = UserFactory()
    investor = UserFactory(referred_by=referrer)
    fund(investor, "15000.00", approver=staff)
    return investor, referrer


def test_worked_example_opening(referred, staff):
    """The original system's example: 15,000 available, 10,000 in 5%/day for 60 days."""
    investor, referrer = referred
    plan = make_plan(actor=staff)
    position = investment_open(user=investor, plan_id=plan.pk, amount="10000.00", terms_accepted=True)
    assert balances(investor) == (D("5000.00"), D("0.00"), D("10000.00"))
    assert balances(referrer) == (D("300.00"), D("0.00"), D("0.00"))
    assert platform_account(AccountKind.REFERRAL_EXPENSE).balance == D("-300.00")
    commission = Commission.objects.get()
    assert (commission.referrer, commission.level, commission.amount, commission.position) == (
        referrer,
        1,
        D("300.00"),
        position,
    )
    assert commission.entry.natural_key == f"commission:{position.pk}:1"
    today = business_date_today()
    assert (position.start_date, position.maturity_date, position.status) == (
        today,
        today + timedelta(days=60),
        PositionStatus.ACTIVE,
    )
    assert (position.principal, position.daily_rate, position.term_days) == (D("10000.00"), D("5.0000"), 60)
    assert position.terms_snapshot["risk_disclosure"] == "You can lose money."
    schedule = position_schedule(position=position)
    assert (len(schedule), schedule[0].business_date, schedule[0].amount, schedule[0].paid) == (
        60,
        today + timedelta(days=1),
        D("500.00"),
        False,
    )
    assert schedule[-1].business_date == position.maturity_date
    assert_ledger_ok()


def test_quote_shows_what_will_happen(staff):
    plan = make_plan(actor=staff, payout_schedule="at_maturity")
    quote = investment_quote(plan_id=plan.pk, amount="10000")
    assert (quote.first_day_return, quote.total_return, quote.payable_at_maturity) == (
        D("500.00"),
        D("30000.00"),
        D("40000.00"),
    )
    assert quote.maturity_date == business_date_today() + timedelta(days=60)


def test_frozen_terms_survive_plan_edits_and_deactivation(referred, staff):
    investor, _ = referred
    plan = make_plan(actor=staff)
    position = investment_open(user=investor, plan_id=plan.pk, amount="6000", terms_accepted=True)
    plan_update(plan_id=plan.pk, actor=staff, fields={"daily_rate": "1.0000", "term_days": 10})
    plan_deactivate(plan_id=plan.pk, actor=staff)
    position.refresh_from_db()
    assert (position.daily_rate, position.term_days, position.status) == (D("5.0000"), 60, PositionStatus.ACTIVE)
    assert list(plan.changes.order_by("id").values_list("changes", flat=True))[1:] == [
        {"daily_rate": ["5.0000", "1.0000"], "term_days": ["60", "10"]},
        {"is_active": ["True", "False"]},
    ]


@pytest.mark.parametrize(
    ("plan_kwargs", "amount", "accepted", "code"),
    [
        ({}, "4999.99", True, "amount_out_of_range"),
        ({}, "20000.01", True, "amount_out_of_range"),
        ({}, "6000.001", True, "invalid_amount"),
        ({}, "-6000", True, "invalid_amount"),
        ({}, "abc", True, "invalid_amount"),
        ({"max_amount": "50000.00"}, "15000.01", True, "insufficient_balance"),
        ({}, "6000", False, "terms_not_accepted"),
        ({"is_active": False}, "6000", True, "invalid_pack"),
    ],
)
def test_refusals_change_nothing(referred, staff, unchanged_db, plan_kwargs, amount, accepted, code):
    investor, _ = referred
    plan = make_plan(actor=staff, **plan_kwargs)
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        investment_open(user=investor, plan_id=plan.pk, amount=amount, terms_accepted=accepted)
    assert error.value.code == code


@pytest.mark.parametrize("plan_id", [999999, "1", None, 1.0, True, -1, 2**63])
def test_unknown_or_malformed_plan(referred, unchanged_db, plan_id):
    investor, _ = referred
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        investment_open(user=investor, plan_id=plan_id, amount="6000", terms_accepted=True)
    assert error.value.code == "invalid_pack"


def test_a_boolean_is_not_plan_1(referred, unchanged_db):
    """``True == 1`` in Python: it must not buy (or quote) the plan whose id is 1."""
    investor, _ = referred
    Plan.objects.create(pk=1, name="One", min_amount="100.00", max_amount="9000.00", daily_rate="1.0000", term_days=5)
    with unchanged_db():
        for call in (
            lambda: investment_quote(plan_id=True, amount="6000"),
            lambda: investment_open(user=investor, plan_id=True, amount="6000", terms_accepted=True),
        ):
            with pytest.raises(ApplicationError) as error:
                call()
            assert error.value.code == "invalid_pack"


def test_investor_without_referrer_pays_no_commission(investor, staff):
    fund(investor, "6000.00", approver=staff)
    investment_open(user=investor, plan_id=make_plan(actor=staff).pk, amount="6000", terms_accepted=True)
    assert Commission.objects.count() == 0
    assert balances(investor) == (D("0.00"), D("0.00"), D("6000.00"))
