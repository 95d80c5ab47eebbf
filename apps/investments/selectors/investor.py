"""What the investor's dashboard shows of their investments, each figure computed once, and read
by ``users/stats/`` and ``investments/chart-data/`` too:

- the returns credited to them per business date (one query): their total, and the chart (per
  day and cumulative) for a period;
- their active positions (one query), each with its progress and its next payout: hence what is
  due next and the principal coming back soon.

"Returns credited" keeps the one definition of ``selectors.api``: the investor's *paid* accruals,
each counted on the business date of the entry that paid it (a daily plan's own ``return``
entry, an at-maturity plan's ``maturity`` entry). Principal never counts. Amounts still to come
follow the drift-free arithmetic of ``returns`` (I10), so they add up to exactly what the jobs
will post.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, DateField, F, OuterRef, Subquery, Sum, When

from apps.common.dates import business_date_today
from apps.investments.models import Accrual, PayoutSchedule, Position, PositionStatus
from apps.investments.returns import cumulative_return
from apps.investments.selectors.api import CHART_PERIODS
from apps.investments.selectors.portal import PositionRow, position_list_for_portal, position_rows
from apps.wallet.models import Entry

__all__ = [
    "CHART_PERIOD_DEFAULT",
    "PRINCIPAL_WINDOW_DAYS",
    "InvestmentOutlook",
    "Payout",
    "PositionOutlook",
    "ReturnsChart",
    "ReturnsDay",
    "chart_period_or_default",
    "first_purchase_date_for_user",
    "investment_outlook_for_user",
    "position_next_payout",
    "returns_chart_build",
    "returns_chart_for_user",
    "returns_credited_by_date",
]

ZERO = Decimal("0.00")
#: The dashboard's period when ``?period=`` is missing or not one of ``CHART_PERIODS``.
CHART_PERIOD_DEFAULT = "30d"
#: "Principal coming back soon" counts maturities up to this many days from today.
PRINCIPAL_WINDOW_DAYS = 30


# --- returns credited --------------------------------------------------------------------------


def returns_credited_by_date(*, user) -> dict[date, Decimal]:
    """Business date → returns credited to the investor on it, every position summed (one query;
    dates with nothing credited are absent).

    A daily plan's accrual is paid by a ``return`` posting of its own business date, so only an
    at-maturity plan's accruals look up the date of the entry that paid them: the investor's
    thousands of daily accruals are summed without a join to the ledger (about half the time on
    ``bench/investor_dashboard.py``)."""
    paid_on = Case(
        When(position__payout_schedule=PayoutSchedule.DAILY, then=F("business_date")),
        default=Subquery(Entry.objects.filter(postings=OuterRef("posting_id")).values("business_date")[:1]),
        output_field=DateField(),
    )
    rows = (
        Accrual.objects.filter(position__user=user, posting__isnull=False)
        .order_by()
        .annotate(paid_on=paid_on)
        .values("paid_on")
        .annotate(total=Sum("amount"))
        .values_list("paid_on", "total")
    )
    return dict(rows)


def first_purchase_date_for_user(*, user) -> date | None:
    """The business date of the investor's first purchase (any status), or ``None`` (one query)."""
    return Position.objects.filter(user=user).order_by("start_date").values_list("start_date", flat=True).first()


def chart_period_or_default(period: str | None, default: str = CHART_PERIOD_DEFAULT) -> str:
    """``period`` when it is one of ``CHART_PERIODS``, else ``default`` (never an error)."""
    return period if isinstance(period, str) and period in CHART_PERIODS else default


@dataclass(frozen=True)
class ReturnsDay:
    """One business date of the chart: what was credited that day and in all up to it."""

    date: date
    credited: Decimal
    cumulative: Decimal

    @property
    def value(self) -> Decimal:
        """The cumulative figure, under the name ``investments/chart-data/`` gives it."""
        return self.cumulative


@dataclass(frozen=True)
class ReturnsChart:
    period: str
    days: list[ReturnsDay]  # oldest first, ending today; empty for ``all`` before any purchase
    total: Decimal  # every return credited so far, whatever the period

    @property
    def credited_in_period(self) -> Decimal:
        return sum((day.credited for day in self.days), ZERO)

    @property
    def credited_before(self) -> Decimal:
        """What was credited before the first date shown."""
        return self.days[0].cumulative - self.days[0].credited if self.days else ZERO

    @property
    def has_credits(self) -> bool:
        return any(day.credited for day in self.days)


def returns_chart_build(
    *, credited: dict[date, Decimal], period: str, today: date, first_purchase: date | None
) -> ReturnsChart:
    """The chart for ``period`` from the dates credited (no query). ``7d``/``30d``/``90d`` are that
    many business dates ending today; ``all`` starts on the first purchase (or an earlier credit)."""
    days = CHART_PERIODS[period]
    total = sum(credited.values(), ZERO)
    if days is None:
        if first_purchase is None:
            return ReturnsChart(period=period, days=[], total=total)
        start = min(first_purchase, *credited) if credited else first_purchase
    else:
        start = today - timedelta(days=days - 1)
    cumulative = sum((amount for day, amount in credited.items() if day < start), ZERO)
    points = []
    day = start
    while day <= today:
        amount = credited.get(day, ZERO)
        cumulative += amount
        points.append(ReturnsDay(date=day, credited=amount, cumulative=cumulative))
        day += timedelta(days=1)
    return ReturnsChart(period=period, days=points, total=total)


def returns_chart_for_user(
    *, user, period: str, today: date | None = None, credited: dict[date, Decimal] | None = None
) -> ReturnsChart:
    """The investor's returns chart: one query (two for ``all``), none for the dates credited when
    the caller already has them (``returns_credited_by_date``)."""
    today = today or business_date_today()
    if credited is None:
        credited = returns_credited_by_date(user=user)
    first_purchase = first_purchase_date_for_user(user=user) if CHART_PERIODS[period] is None else None
    return returns_chart_build(credited=credited, period=period, today=today, first_purchase=first_purchase)


# --- active positions and what they pay next -----------------------------------------------------


@dataclass(frozen=True)
class Payout:
    """Money a position (or several) pays on one business date."""

    date: date
    returns: Decimal
    principal: Decimal
    positions: int = 1

    @property
    def total(self) -> Decimal:
        return self.returns + self.principal


def _days_into(position: Position, day: date) -> int:
    """How many days of the term fall on or before ``day`` (0 … term)."""
    return min(max((day - position.start_date).days, 0), position.term_days)


def _cumulative(position: Position, days: int) -> Decimal:
    return cumulative_return(principal=position.principal, daily_rate=position.daily_rate, days=days)


def position_next_payout(*, position: Position, last_accrual: date | None, today: date) -> Payout | None:
    """What an active position pays next, and when (``None`` when nothing is left to pay).

    A daily plan pays each business date's return when the accrual job runs for it (hourly, so
    on that date): the next payout is the first date not yet accrued, or today when the job is
    behind (it then pays every missed date at once). On the maturity date the principal comes
    back with the last return when the plan returns it. An at-maturity plan pays every return,
    and the principal, on its maturity date."""
    maturity = position.maturity_date
    principal = position.principal if position.capital_back else ZERO
    if position.payout_schedule != PayoutSchedule.DAILY:
        payout = Payout(
            date=max(maturity, today), returns=_cumulative(position, position.term_days), principal=principal
        )
        return payout if payout.total else None
    paid_through = max(last_accrual or position.start_date, position.start_date)
    if paid_through >= maturity:
        return Payout(date=max(maturity, today), returns=ZERO, principal=principal) if principal else None
    due = max(paid_through + timedelta(days=1), today)
    through = min(due, maturity)
    returns = _cumulative(position, _days_into(position, through)) - _cumulative(
        position, _days_into(position, paid_through)
    )
    return Payout(date=due, returns=returns, principal=principal if through >= maturity else ZERO)


@dataclass(frozen=True)
class PositionOutlook:
    row: PositionRow  # plan name, daily and total return, credited so far, days elapsed
    next_payout: Payout | None

    @property
    def position(self) -> Position:
        return self.row.position


@dataclass(frozen=True)
class InvestmentOutlook:
    today: date
    positions: list[PositionOutlook]  # every active position, the next to pay first
    principal_window_days: int
    principal_due: Decimal  # principal coming back on maturities up to today + the window
    principal_due_positions: int

    @property
    def active_count(self) -> int:
        return len(self.positions)

    @property
    def principal_due_through(self) -> date:
        return self.today + timedelta(days=self.principal_window_days)

    @property
    def next_payout(self) -> Payout | None:
        """The earliest date any active position pays, with everything paid that date."""
        payouts = [outlook.next_payout for outlook in self.positions if outlook.next_payout is not None]
        if not payouts:
            return None
        first = min(payout.date for payout in payouts)
        due = [payout for payout in payouts if payout.date == first]
        return Payout(
            date=first,
            returns=sum((payout.returns for payout in due), ZERO),
            principal=sum((payout.principal for payout in due), ZERO),
            positions=len(due),
        )


def _active_positions(*, user):
    last_accrual = Accrual.objects.filter(position=OuterRef("pk")).order_by("-business_date").values("business_date")
    return (
        position_list_for_portal(user=user)
        .filter(status=PositionStatus.ACTIVE)
        .annotate(last_accrual=Subquery(last_accrual[:1], output_field=DateField()))
    )


def _next_payout_order(outlook: PositionOutlook) -> tuple:
    payout = outlook.next_payout
    return (payout is None, payout.date if payout else None, outlook.position.maturity_date, outlook.position.pk)


def investment_outlook_for_user(
    *, user, today: date | None = None, window_days: int = PRINCIPAL_WINDOW_DAYS
) -> InvestmentOutlook:
    """The investor's active positions with their progress and next payout, and the principal
    their maturities bring back within ``window_days`` (one query, whatever the number of
    positions and accruals)."""
    today = today or business_date_today()
    positions = list(_active_positions(user=user))
    outlooks = [
        PositionOutlook(
            row=row,
            next_payout=position_next_payout(
                position=row.position, last_accrual=row.position.last_accrual, today=today
            ),
        )
        for row in position_rows(positions=positions, today=today)
    ]
    horizon = today + timedelta(days=window_days)
    returning = [p for p in positions if p.capital_back and p.maturity_date <= horizon]
    return InvestmentOutlook(
        today=today,
        positions=sorted(outlooks, key=_next_payout_order),
        principal_window_days=window_days,
        principal_due=sum((p.principal for p in returning), ZERO),
        principal_due_positions=len(returning),
    )
