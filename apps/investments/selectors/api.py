"""Reads behind the investments API: plans for the public and for staff, positions with the
returns actually credited, the cumulative chart, and the investor's figures for ``users/stats/``.

"Returns credited" has one definition everywhere: the sum of a position's *paid* accruals (an
``Accrual`` whose ``posting`` is set). A daily plan's accruals are paid by the investor's one
``return`` posting of their date; an at-maturity plan's accruals are paid together by the
``maturity`` entry. The amounts sum to the return legs those entries post to the investor's
available balance; principal never counts.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.investments.models import Accrual, Plan, Position, PositionStatus
from apps.investments.selectors.portal import PositionReturn, returns_by_posting_for_user
from apps.wallet.models import EntryKind, Posting

__all__ = [
    "CHART_PERIODS",
    "ChartPoint",
    "Earning",
    "earning_get_for_user",
    "investment_chart_for_user",
    "investment_get_for_user",
    "investment_list_for_staff",
    "investment_list_for_user",
    "investment_returns_total_for_user",
    "plan_get_for_staff",
    "plan_list_for_staff",
    "position_active_count_for_user",
    "position_days_elapsed",
]

ZERO = Decimal("0.00")
#: ``period`` of the chart → how many business dates it shows, ending today (``None``: since the
#: caller's first purchase).
CHART_PERIODS: dict[str, int | None] = {"7d": 7, "30d": 30, "90d": 90, "all": None}


def _money(expression):
    output = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    return Coalesce(expression, Value(ZERO), output_field=output)


def _paid_accruals():
    return Accrual.objects.filter(posting__isnull=False)


# --- Plans -------------------------------------------------------------------------------------


def plan_list_for_staff() -> QuerySet:
    """Every plan, offered or not, in display order (investors see ``plan_list_active``)."""
    return Plan.objects.order_by("display_order", "id")


def plan_get_for_staff(*, plan_id: int) -> Plan | None:
    return plan_list_for_staff().filter(pk=plan_id).first()


# --- Positions ---------------------------------------------------------------------------------


def _positions() -> QuerySet:
    """Positions with their plan and ``paid_return`` (returns credited so far), in one query."""
    paid = (
        _paid_accruals()
        .filter(position=OuterRef("pk"))
        .order_by()
        .values("position")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        Position.objects.select_related("plan")
        .annotate(paid_return=_money(Subquery(paid)))
        .order_by("-created_at", "-id")
    )


def investment_list_for_user(*, user) -> QuerySet:
    """The investor's positions, any status, newest first."""
    return _positions().filter(user=user)


def investment_get_for_user(*, user, position_id: int) -> Position | None:
    return investment_list_for_user(user=user).filter(pk=position_id).first()


def investment_list_for_staff(*, status: str | None = None, user_id: int | None = None) -> QuerySet:
    """Every investor's positions, newest first, optionally of one status and/or one investor."""
    positions = _positions().select_related("user")
    if status:
        positions = positions.filter(status=status)
    if user_id is not None:
        positions = positions.filter(user_id=user_id)
    return positions


def position_days_elapsed(*, position: Position, today: date) -> int:
    """Days of the term passed by ``today``: 0 on the day of purchase, never more than the term."""
    if position.status == PositionStatus.MATURED:
        return position.term_days
    return min(max((today - position.start_date).days, 0), position.term_days)


# --- Figures -----------------------------------------------------------------------------------


def position_active_count_for_user(*, user) -> int:
    return Position.objects.filter(user=user, status=PositionStatus.ACTIVE).count()


def investment_returns_total_for_user(*, user) -> Decimal:
    """Every return credited to the investor so far (paid accruals; no principal)."""
    return _paid_accruals().filter(position__user=user).aggregate(total=_money(Sum("amount")))["total"]


@dataclass(frozen=True)
class ChartPoint:
    date: date
    value: Decimal


def investment_chart_for_user(*, user, period: str) -> list:
    """One point per business date of ``period`` (ending today): the returns credited to the
    investor up to and including that date, all positions summed (each point's ``value``). The
    dashboard's chart: ``selectors.investor.returns_chart_for_user``, which this reads."""
    from apps.investments.selectors.investor import returns_chart_for_user  # it imports this module

    return returns_chart_for_user(user=user, period=period).days


@dataclass(frozen=True)
class Earning:
    """One day's returns posting of an investor (an ``earning`` row of ``transactions/``) and the
    positions whose returns it paid, each with its amount (they sum to ``amount``)."""

    posting_id: int
    business_date: date
    amount: Decimal
    positions: list[PositionReturn]


def earning_get_for_user(*, user, posting_id: int) -> Earning | None:
    """The caller's daily-returns posting ``posting_id`` opened into its positions; None when it
    is not one (another kind of movement, someone else's, or no such posting)."""
    posting = (
        Posting.objects.select_related("entry")
        .filter(pk=posting_id, account__owner=user, entry__kind=EntryKind.RETURN)
        .first()
    )
    if posting is None:
        return None
    positions = returns_by_posting_for_user(user=user, postings=[posting]).get(posting.pk, [])
    return Earning(posting.pk, posting.entry.business_date, posting.amount, positions)
