"""Reads for the staff admin: plan and position lists with their counts and sums, a position's
schedule with its totals, and the dashboard's investment figures (exposure and what is due)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, DecimalField, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.common.dates import business_date_today
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.investments.models import Accrual, PayoutSchedule, Plan, Position, PositionStatus
from apps.investments.returns import cumulative_return
from apps.investments.selectors.positions import ScheduleRow, position_schedule
from workers.models import JobRun, JobStatus

__all__ = [
    "InvestmentSummary",
    "Obligation",
    "PositionScheduleSummary",
    "investment_summary_for_dashboard",
    "obligations_due",
    "obligations_due_at_once",
    "plan_list_for_admin",
    "position_list_for_admin",
    "position_schedule_for_admin",
]

ACCRUAL_JOB = "accrue_returns"  # the job name of ``services.accrual`` (kept here: no import cycle)
OBLIGATION_WINDOWS = (7, 30)
ZERO = Decimal("0.00")


def _money_output() -> DecimalField:
    return DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)


# --- lists ----------------------------------------------------------------------------------------


def plan_list_for_admin(*, queryset: QuerySet | None = None) -> QuerySet:
    """Plans with ``open_positions``: how many active positions each has (one subquery per row,
    on the positions' plan index, so the list costs the same however many positions there are)."""
    open_positions = (
        Position.objects.filter(plan=OuterRef("pk"), status=PositionStatus.ACTIVE)
        .order_by()
        .values("plan")
        .annotate(count=Count("pk"))
        .values("count")
    )
    queryset = Plan.objects.all() if queryset is None else queryset
    return queryset.annotate(open_positions=Coalesce(Subquery(open_positions, output_field=IntegerField()), 0))


def position_list_for_admin(*, queryset: QuerySet | None = None) -> QuerySet:
    """Positions with their investor and plan, and ``returns_paid``: the sum of the accruals
    already paid (daily ones as they are posted, at-maturity ones once maturity has posted them)."""
    paid = (
        Accrual.objects.filter(position=OuterRef("pk"), posting__isnull=False)
        .order_by()
        .values("position")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    queryset = Position.objects.all() if queryset is None else queryset
    return queryset.select_related("user", "plan").annotate(
        returns_paid=Coalesce(Subquery(paid, output_field=_money_output()), Value(ZERO), output_field=_money_output())
    )


# --- one position ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionScheduleSummary:
    rows: list[ScheduleRow]
    total: Decimal  # every day of the term
    paid: Decimal
    paid_days: int
    unpaid: Decimal


def position_schedule_for_admin(*, position: Position) -> PositionScheduleSummary:
    """The position's schedule (one query) and its totals."""
    rows = position_schedule(position=position)
    paid_rows = [row for row in rows if row.paid]
    total = sum((row.amount for row in rows), ZERO)
    paid = sum((row.amount for row in paid_rows), ZERO)
    return PositionScheduleSummary(rows=rows, total=total, paid=paid, paid_days=len(paid_rows), unpaid=total - paid)


# --- the dashboard --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obligation:
    """What open positions are still owed for business dates up to ``through`` (today + ``days``),
    including anything the jobs have not paid yet."""

    days: int
    through: date
    returns: Decimal
    principal: Decimal

    @property
    def total(self) -> Decimal:
        return self.returns + self.principal


@dataclass(frozen=True)
class InvestmentSummary:
    today: date  # the business date the figures are for
    active_positions: int
    invested_principal: Decimal
    returns_paid: Decimal
    obligations: list[Obligation]
    accrued_through: date | None  # the last business date the accrual job finished
    last_accrual_run: JobRun | None  # the most recent accrual run, whatever its outcome


def investment_summary_for_dashboard(*, today: date | None = None) -> InvestmentSummary:
    today = today or business_date_today()
    exposure = Position.objects.filter(status=PositionStatus.ACTIVE).aggregate(
        count=Count("pk"), principal=Coalesce(Sum("principal"), Value(ZERO), output_field=_money_output())
    )
    returns_paid = Accrual.objects.filter(posting__isnull=False).aggregate(
        total=Coalesce(Sum("amount"), Value(ZERO), output_field=_money_output())
    )["total"]
    runs = JobRun.objects.filter(job=ACCRUAL_JOB)
    accrued_through = (
        runs.filter(status=JobStatus.SUCCEEDED)
        .order_by("-business_date")
        .values_list("business_date", flat=True)
        .first()
    )
    return InvestmentSummary(
        today=today,
        active_positions=exposure["count"],
        invested_principal=exposure["principal"],
        returns_paid=returns_paid,
        obligations=obligations_due(today=today, paid_through=accrued_through),
        accrued_through=accrued_through,
        last_accrual_run=runs.select_related("actor").order_by("-started_at", "-id").first(),
    )


def obligations_due(
    *, today: date, paid_through: date | None, windows: tuple[int, ...] = OBLIGATION_WINDOWS
) -> list[Obligation]:
    """For each window of N days: the returns and the principal that open positions are owed for
    business dates up to today + N and that are not paid yet. Daily returns are owed for every day
    after ``paid_through`` (the accrual job pays every position up to that date), at-maturity
    returns in one sum on the maturity date, the principal on the maturity date when the plan
    gives it back. Amounts follow the drift-free arithmetic of ``returns`` (I10)."""
    obligations = []
    for days in windows:
        horizon = today + timedelta(days=days)
        compute = _owed_postgresql if connection.vendor == "postgresql" else _owed_generic
        returns, principal = compute(horizon=horizon, paid_through=paid_through)
        obligations.append(Obligation(days=days, through=horizon, returns=returns, principal=principal))
    return obligations


def _days_into(position_start: date, day: date | None, term: int) -> int:
    """How many days of the term fall on or before ``day`` (0 … term)."""
    if day is None:
        return 0
    return min(max((day - position_start).days, 0), term)


def _owed_generic(*, horizon: date, paid_through: date | None) -> tuple[Decimal, Decimal]:
    """Any backend: one pass over the open positions with the exact Decimal arithmetic."""
    returns, principal = ZERO, ZERO
    rows = Position.objects.filter(status=PositionStatus.ACTIVE).values_list(
        "principal", "daily_rate", "term_days", "start_date", "maturity_date", "payout_schedule", "capital_back"
    )
    for amount, rate, term, start, maturity, schedule, capital_back in rows.iterator(chunk_size=2000):
        if schedule == PayoutSchedule.DAILY:
            paid_days = _days_into(start, paid_through, term)
            due_days = _days_into(start, horizon, term)
            returns += cumulative_return(principal=amount, daily_rate=rate, days=due_days) - cumulative_return(
                principal=amount, daily_rate=rate, days=paid_days
            )
        elif maturity <= horizon:
            returns += cumulative_return(principal=amount, daily_rate=rate, days=term)
        if capital_back and maturity <= horizon:
            principal += amount
    return returns, principal


# PostgreSQL: the same sums in one statement over the open positions (exact numeric arithmetic;
# ROUND rounds half away from zero, which is half-up for these non-negative amounts).
_PG_OWED = """
SELECT
  COALESCE(SUM(CASE
    WHEN payout_schedule = 'daily'
      THEN ROUND(due_days * principal * daily_rate / 100, 2) - ROUND(paid_days * principal * daily_rate / 100, 2)
    WHEN maturity_date <= %(horizon)s::date
      THEN ROUND(term_days * principal * daily_rate / 100, 2)
    ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN capital_back AND maturity_date <= %(horizon)s::date THEN principal ELSE 0 END), 0)
FROM (
  SELECT p.principal, p.daily_rate, p.term_days, p.maturity_date, p.payout_schedule, p.capital_back,
         CASE WHEN %(paid_through)s::date IS NULL THEN 0
              ELSE LEAST(GREATEST(%(paid_through)s::date - p.start_date, 0), p.term_days) END AS paid_days,
         LEAST(GREATEST(%(horizon)s::date - p.start_date, 0), p.term_days) AS due_days
  FROM investments_position p
  WHERE p.status = 'active'
) owed
"""


def _owed_postgresql(*, horizon: date, paid_through: date | None) -> tuple[Decimal, Decimal]:
    with connection.cursor() as cursor:
        cursor.execute(_PG_OWED, {"horizon": horizon, "paid_through": paid_through})
        returns, principal = cursor.fetchone()
    return Decimal(returns).quantize(Decimal("0.01")), Decimal(principal).quantize(Decimal("0.01"))


def obligations_due_at_once(
    *, today: date, paid_through: date | None, windows: tuple[int, ...] = OBLIGATION_WINDOWS
) -> list[Obligation]:
    """``obligations_due`` for every window in one pass over the open positions (one statement on
    PostgreSQL), with the same arithmetic."""
    horizons = [today + timedelta(days=days) for days in windows]
    if connection.vendor == "postgresql":
        sums = _owed_postgresql_windows(horizons=horizons, paid_through=paid_through)
    else:
        sums = _owed_generic_windows(horizons=horizons, paid_through=paid_through)
    return [
        Obligation(days=days, through=horizon, returns=returns, principal=principal)
        for days, horizon, (returns, principal) in zip(windows, horizons, sums, strict=True)
    ]


def _owed_generic_windows(*, horizons: list[date], paid_through: date | None) -> list[tuple[Decimal, Decimal]]:
    sums = [[ZERO, ZERO] for _ in horizons]
    rows = Position.objects.filter(status=PositionStatus.ACTIVE).values_list(
        "principal", "daily_rate", "term_days", "start_date", "maturity_date", "payout_schedule", "capital_back"
    )
    for amount, rate, term, start, maturity, schedule, capital_back in rows.iterator(chunk_size=2000):
        paid = cumulative_return(principal=amount, daily_rate=rate, days=_days_into(start, paid_through, term))
        for index, horizon in enumerate(horizons):
            if schedule == PayoutSchedule.DAILY:
                due = _days_into(start, horizon, term)
                sums[index][0] += cumulative_return(principal=amount, daily_rate=rate, days=due) - paid
            elif maturity <= horizon:
                sums[index][0] += cumulative_return(principal=amount, daily_rate=rate, days=term)
            if capital_back and maturity <= horizon:
                sums[index][1] += amount
    return [(returns, principal) for returns, principal in sums]


_PG_OWED_WINDOW = """
  COALESCE(SUM(CASE
    WHEN payout_schedule = 'daily'
      THEN ROUND(LEAST(GREATEST(%(h{n})s::date - start_date, 0), term_days) * principal * daily_rate / 100, 2)
         - ROUND(paid_days * principal * daily_rate / 100, 2)
    WHEN maturity_date <= %(h{n})s::date THEN ROUND(term_days * principal * daily_rate / 100, 2)
    ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN capital_back AND maturity_date <= %(h{n})s::date THEN principal ELSE 0 END), 0)"""

_PG_OWED_WINDOWS_FROM = """
FROM (
  SELECT p.principal, p.daily_rate, p.term_days, p.start_date, p.maturity_date, p.payout_schedule,
         p.capital_back,
         CASE WHEN %(paid_through)s::date IS NULL THEN 0
              ELSE LEAST(GREATEST(%(paid_through)s::date - p.start_date, 0), p.term_days) END AS paid_days
  FROM investments_position p
  WHERE p.status = 'active'
) owed
"""


def _owed_postgresql_windows(*, horizons: list[date], paid_through: date | None) -> list[tuple[Decimal, Decimal]]:
    columns = ",".join(_PG_OWED_WINDOW.format(n=n) for n in range(len(horizons)))
    params = {"paid_through": paid_through, **{f"h{n}": horizon for n, horizon in enumerate(horizons)}}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} {_PG_OWED_WINDOWS_FROM}", params)
        row = cursor.fetchone()
    cent = Decimal("0.01")
    return [(Decimal(row[2 * n]).quantize(cent), Decimal(row[2 * n + 1]).quantize(cent)) for n in range(len(horizons))]
