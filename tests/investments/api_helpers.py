"""Helpers for the investments API tests: the clock, clients whose token is issued at that
moment, staff with chosen ``investments`` permissions, and the exact bodies the API returns."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import Permission

from apps.investments.returns import cumulative_return, return_for_day
from tests.factories import StaffFactory
from tests.wallet.api_helpers import api_for, iso

DAY0 = date(2026, 3, 2)


def at(day: date, hour: int = 12):
    """Travel to ``hour`` o'clock UTC on ``day`` (the business date, PLATFORM_TIME_ZONE being UTC)."""
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC")), tick=False)


def get_at(day: date, user, path: str, **kwargs):
    """GET ``path`` as ``user`` on ``day``, with a token issued then (tokens live 15 minutes)."""
    with at(day):
        return api_for(user).get(path, **kwargs)


def staff_with(*codenames: str):
    """A staff member (not a superuser) holding exactly these ``investments`` permissions."""
    user = StaffFactory()
    permissions = Permission.objects.filter(content_type__app_label="investments", codename__in=codenames)
    assert permissions.count() == len(codenames), codenames
    user.user_permissions.add(*permissions)
    return user


def pack_body(plan, **overrides) -> dict:
    plan.refresh_from_db()
    body = {
        "id": plan.pk,
        "name": plan.name,
        "description": plan.description,
        "min_amount": f"{plan.min_amount:.2f}",
        "max_amount": f"{plan.max_amount:.2f}",
        "daily_return_rate": f"{plan.daily_rate:.4f}",
        "duration_days": plan.term_days,
        "payout_schedule": plan.payout_schedule,
        "capital_back": plan.capital_back,
        "total_return_rate": f"{plan.daily_rate * plan.term_days:.4f}",
        "risk_disclosure": plan.risk_disclosure,
        "is_active": plan.is_active,
    }
    body.update(overrides)
    return body


def admin_pack_body(plan, **overrides) -> dict:
    body = pack_body(plan)
    body.update(
        display_order=plan.display_order, created_at=iso(plan.created_at), updated_at=iso(plan.updated_at), **overrides
    )
    return body


def investment_body(position, *, total_return: str, days_elapsed: int, **overrides) -> dict:
    """The investment as the API shows it; ``total_return`` and ``days_elapsed`` are given by
    the test (exact figures it expects), the rest comes from the row (``pack``: the plan as
    ``investments/packs/`` shows it now)."""
    position.refresh_from_db()
    body = {
        "id": position.pk,
        "user": position.user_id,
        "pack": pack_body(position.plan),
        "amount": f"{position.principal:.2f}",
        "daily_return": str(return_for_day(principal=position.principal, daily_rate=position.daily_rate, day=1)),
        "daily_return_rate": f"{position.daily_rate:.4f}",
        "duration_days": position.term_days,
        "payout_schedule": position.payout_schedule,
        "capital_back": position.capital_back,
        "start_date": position.start_date.isoformat(),
        "end_date": position.maturity_date.isoformat(),
        "days_elapsed": days_elapsed,
        "total_return": total_return,
        "expected_total_return": str(
            cumulative_return(principal=position.principal, daily_rate=position.daily_rate, days=position.term_days)
        ),
        "status": position.status,
        "created_at": iso(position.created_at),
    }
    body.update(overrides)
    return body
