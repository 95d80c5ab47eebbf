"""Plans on offer, an investor's positions and their schedules."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import QuerySet

from apps.investments.models import Plan, Position
from apps.investments.returns import return_for_day


def plan_list_active() -> QuerySet:
    return Plan.objects.filter(is_active=True).order_by("display_order", "id")


def position_list_for_user(*, user) -> QuerySet:
    return Position.objects.filter(user=user).select_related("plan").order_by("-created_at", "-id")


@dataclass(frozen=True)
class ScheduleRow:
    day: int
    business_date: date
    amount: Decimal
    paid: bool
    entry_id: int | None


def position_schedule(*, position: Position) -> list[ScheduleRow]:
    """Every business date of the term, the amount due, and whether (and by which entry) it was
    paid. One query for the accruals; the amounts come from the frozen terms."""
    accruals = {a.business_date: a for a in position.accruals.select_related("posting")}
    rows = []
    for day in range(1, position.term_days + 1):
        business_date = position.start_date + timedelta(days=day)
        accrual = accruals.get(business_date)
        rows.append(
            ScheduleRow(
                day=day,
                business_date=business_date,
                amount=return_for_day(principal=position.principal, daily_rate=position.daily_rate, day=day),
                paid=accrual is not None and accrual.posting_id is not None,
                entry_id=accrual.posting.entry_id if accrual and accrual.posting_id else None,
            )
        )
    return rows
