"""Referral test helpers: a clock, a plan, referred investors who bought (or did not buy) it."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from apps.investments.services.positions import investment_open
from apps.referrals.services.milestones import milestone_create
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund

DAY0 = date(2026, 3, 2)


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC")), tick=False)


def small_plan(staff):
    return make_plan(actor=staff, name="Starter", min_amount="100.00", daily_rate=Decimal("1.0000"), term_days=30)


def invest(user, *, staff, plan, amount: str = "100.00"):
    """``user`` deposits ``amount`` (approved by ``staff``) and buys ``plan`` with it."""
    fund(user, amount, approver=staff)
    return investment_open(user=user, plan_id=plan.pk, amount=amount, terms_accepted=True)


def referred_users(referrer, count: int, *, staff=None, plan=None, amount: str = "100.00", **fields) -> list:
    """``count`` users referred by ``referrer``; each buys ``plan`` when one is given."""
    users = [UserFactory(referred_by=referrer, **fields) for _ in range(count)]
    if plan is not None:
        for user in users:
            invest(user, staff=staff, plan=plan, amount=amount)
    return users


def make_milestone(*, actor=None, **overrides):
    fields = {"name": "Bronze", "required_referrals": 5, "reward_amount": "100.00", "icon": "bronze"}
    fields.update(overrides)
    return milestone_create(actor=actor, **fields)
