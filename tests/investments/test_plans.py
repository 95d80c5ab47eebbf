from decimal import Decimal

import pytest

from apps.common.errors import ApplicationError
from apps.investments.models import Plan
from apps.investments.services.plans import plan_update
from tests.investments.helpers import make_plan

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"daily_rate": "-1"}, "daily_rate"),
        ({"daily_rate": "0"}, "daily_rate"),
        ({"daily_rate": "100.5"}, "daily_rate"),
        ({"daily_rate": "1.00001"}, "daily_rate"),
        ({"daily_rate": 1.5}, "daily_rate"),
        ({"term_days": 0}, "term_days"),
        ({"term_days": -5}, "term_days"),
        ({"term_days": "ten"}, "term_days"),
        ({"min_amount": "0"}, "min_amount"),
        ({"max_amount": "10.00", "min_amount": "20.00"}, "max_amount"),
        ({"payout_schedule": "weekly"}, "payout_schedule"),
        ({"capital_back": "yes"}, "capital_back"),
        ({"name": " "}, "name"),
        ({"balance": "1"}, "balance"),
    ],
)
def test_bad_plans_are_refused(staff, unchanged_db, overrides, field):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        make_plan(actor=staff, **overrides)
    assert error.value.field == field


def test_update_records_history_and_refuses_bad_values(staff, unchanged_db):
    plan = make_plan(actor=staff)
    with unchanged_db(), pytest.raises(ApplicationError):
        plan_update(plan_id=plan.pk, actor=staff, fields={"max_amount": "1.00"})
    plan_update(plan_id=plan.pk, actor=staff, fields={"name": "Pro", "daily_rate": Decimal("4.5")})
    plan.refresh_from_db()
    assert (plan.name, plan.daily_rate) == ("Pro", Decimal("4.5000"))
    change = plan.changes.first()
    assert (change.actor, change.changes) == (
        staff,
        {"name": ["Professional", "Pro"], "daily_rate": ["5.0000", "4.5000"]},
    )
    assert Plan.objects.count() == 1
