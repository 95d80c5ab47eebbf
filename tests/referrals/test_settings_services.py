"""Commission rules and milestones managed through their services: checks, history, multi-level
commissions paid exactly, awarded milestones kept."""

from decimal import Decimal

import pytest

from apps.common.errors import ApplicationError
from apps.referrals.models import Commission, CommissionRule, Milestone, ReferralChange
from apps.referrals.services.grants import grant_milestones
from apps.referrals.services.milestones import milestone_delete, milestone_update
from apps.referrals.services.rules import commission_rule_create, commission_rule_update
from tests.factories import UserFactory
from tests.referrals.helpers import DAY0, at, invest, make_milestone, referred_users, small_plan
from tests.wallet.helpers import assert_ledger_ok, balances

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_second_level_pays_three_and_one_percent_exactly(staff):
    rule = commission_rule_create(actor=staff, level=2, rate="1")
    assert (rule.level, rule.rate, rule.is_active) == (2, D("1.0000"), True)
    grandparent = UserFactory()
    parent = UserFactory(referred_by=grandparent)
    investor = UserFactory(referred_by=parent)
    with at(DAY0):
        position = invest(investor, staff=staff, plan=small_plan(staff), amount="1234.50")
    assert balances(parent)[0] == D("37.04")  # 3% of 1,234.50 = 37.035 → 37.04
    assert balances(grandparent)[0] == D("12.35")  # 1% of 1,234.50 = 12.345 → 12.35
    rows = Commission.objects.order_by("level").values_list("level", "referrer", "referred_user", "rate", "amount")
    assert list(rows) == [
        (1, parent.pk, investor.pk, D("3.0000"), D("37.04")),
        (2, grandparent.pk, investor.pk, D("1.0000"), D("12.35")),
    ]
    keys = Commission.objects.order_by("level").values_list("entry__natural_key", flat=True)
    assert list(keys) == [f"commission:{position.pk}:1", f"commission:{position.pk}:2"]
    assert_ledger_ok()


def test_an_inactive_level_pays_nothing(staff):
    rule = commission_rule_create(actor=staff, level=2, rate="1")
    commission_rule_update(rule_id=rule.pk, actor=staff, fields={"is_active": False})
    grandparent = UserFactory()
    investor = UserFactory(referred_by=UserFactory(referred_by=grandparent))
    with at(DAY0):
        invest(investor, staff=staff, plan=small_plan(staff), amount="1000.00")
    assert balances(grandparent)[0] == D("0.00")
    assert list(Commission.objects.values_list("level", "amount")) == [(1, D("30.00"))]


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"level": 2, "rate": "0"}, "rate", "invalid_rate"),
        ({"level": 2, "rate": "-1"}, "rate", "invalid_rate"),
        ({"level": 2, "rate": "100.01"}, "rate", "invalid_rate"),
        ({"level": 2, "rate": "1.00001"}, "rate", "invalid_rate"),
        ({"level": 2, "rate": "abc"}, "rate", "invalid_rate"),
        ({"level": 2, "rate": 1.5}, "rate", "invalid_rate"),
        ({"level": 0, "rate": "1"}, "level", "invalid"),
        ({"level": 11, "rate": "1"}, "level", "invalid"),
        ({"level": "x", "rate": "1"}, "level", "invalid"),
        ({"level": 1, "rate": "5"}, "level", "level_taken"),
    ],
)
def test_bad_rules_are_refused_and_change_nothing(staff, unchanged_db, fields, field, code):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        commission_rule_create(actor=staff, **fields)
    assert (error.value.field, error.value.code) == (field, code)


def test_rule_changes_are_recorded_with_their_actor(staff, unchanged_db):
    rule = CommissionRule.objects.get(level=1)
    commission_rule_update(rule_id=rule.pk, actor=staff, fields={"rate": "100"})
    rule.refresh_from_db()
    assert rule.rate == D("100.0000")
    change = ReferralChange.objects.get()
    assert (change.subject, change.object_id, change.actor, change.changes) == (
        "rule",
        rule.pk,
        staff,
        {"rate": ["3.0000", "100.0000"]},
    )
    with unchanged_db():
        commission_rule_update(rule_id=rule.pk, actor=staff, fields={"rate": "100.0"})  # no change, no record
        with pytest.raises(ApplicationError) as error:
            commission_rule_update(rule_id=rule.pk, actor=staff, fields={"level": 1, "is_staff": True})
        assert (error.value.field, error.value.code) == ("is_staff", "field_not_editable")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"required_referrals": 0}, "required_referrals"),
        ({"required_referrals": "many"}, "required_referrals"),
        ({"reward_amount": "0"}, "reward_amount"),
        ({"reward_amount": "-5"}, "reward_amount"),
        ({"reward_amount": "1.005"}, "reward_amount"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 51}, "name"),
        ({"icon": ""}, "icon"),
        ({"is_active": "yes"}, "is_active"),
    ],
)
def test_bad_milestones_are_refused_and_change_nothing(staff, unchanged_db, fields, field):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        make_milestone(actor=staff, **fields)
    assert error.value.field == field


def test_an_awarded_milestone_cannot_be_deleted_only_deactivated(staff, unchanged_db):
    bronze = make_milestone(actor=staff, required_referrals=1)
    spare = make_milestone(actor=staff, name="Spare", required_referrals=50)
    referrer = UserFactory()
    with at(DAY0):
        referred_users(referrer, 1, staff=staff, plan=small_plan(staff))
        grant_milestones()
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        milestone_delete(milestone_id=bronze.pk, actor=staff)
    assert error.value.code == "milestone_awarded"
    milestone_update(milestone_id=bronze.pk, actor=staff, fields={"is_active": False, "reward_amount": "5.00"})
    bronze.refresh_from_db()
    assert (bronze.is_active, bronze.reward_amount, bronze.awards.get().amount) == (False, D("5.00"), D("100.00"))
    milestone_delete(milestone_id=spare.pk, actor=staff)
    assert list(Milestone.objects.values_list("name", flat=True)) == ["Bronze"]
    assert list(
        ReferralChange.objects.filter(object_id=spare.pk, subject="milestone").values_list("changes", flat=True)
    ) == [
        {"deleted": [None, "True"]},
        {
            k: [None, v]
            for k, v in {
                "name": "Spare",
                "required_referrals": "50",
                "reward_amount": "100.00",
                "icon": "bronze",
            }.items()
        },
    ]
