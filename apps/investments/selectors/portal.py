"""What the investor's investment pages show: the plans on offer, the investor's positions with
their progress, one position's frozen terms and its schedule one page at a time.

Every read of a position goes through the owner (another investor's position is ``None``, which
the portal turns into a 404). Figures come from the drift-free arithmetic in ``returns``.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from apps.common.dates import business_date_today
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.investments.models import Accrual, PayoutSchedule, Plan, Position, PositionStatus
from apps.investments.returns import cumulative_return, return_for_day
from apps.investments.selectors.positions import plan_list_active, position_list_for_user

__all__ = [
    "LineState",
    "PlanOffer",
    "PositionDetail",
    "PositionRow",
    "PositionSchedule",
    "QuotePreview",
    "ScheduleLine",
    "SchedulePage",
    "days_elapsed",
    "money_received",
    "plan_get_for_investing",
    "plan_offer_list",
    "plan_offer_of",
    "plan_terms_version",
    "position_detail_for_user",
    "position_list_for_portal",
    "position_rows",
    "position_schedule_for_portal",
    "quote_preview",
    "rate_trimmed",
    "returns_by_posting_for_user",
    "schedule_page_for_today",
    "schedule_pages",
]

ZERO = Decimal("0.00")
ID_MAX = 2**63 - 1  # the largest id a database can hold; a larger one in a URL matches nothing
RATE_MIN_PLACES = Decimal("0.01")
PAID = Q(posting__isnull=False)


def rate_trimmed(rate: Decimal) -> Decimal:
    """The same rate with 2 to 4 decimal places: ``1.5000`` → ``1.50``, ``0.1250`` → ``0.125``."""
    shown = rate.quantize(RATE_MIN_PLACES)
    return shown if shown == rate else rate.normalize()


def plan_terms_version(plan: Plan) -> str:
    """A short fingerprint of everything an investor accepts when buying ``plan``: a preview
    carries it, so that a confirmation made after staff changed the terms can be refused."""
    terms = (
        plan.daily_rate,
        plan.term_days,
        plan.payout_schedule,
        plan.capital_back,
        plan.min_amount,
        plan.max_amount,
        plan.risk_disclosure,
    )
    return hashlib.sha256("\x1f".join(str(term) for term in terms).encode()).hexdigest()[:16]


# --- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanOffer:
    """A plan as the plans page shows it."""

    plan: Plan
    daily_rate: Decimal  # percent per day
    total_return_rate: Decimal  # percent of the amount over the whole term

    @property
    def pays_daily(self) -> bool:
        return self.plan.payout_schedule == PayoutSchedule.DAILY


def plan_offer_of(plan: Plan) -> PlanOffer:
    return PlanOffer(
        plan=plan,
        daily_rate=rate_trimmed(plan.daily_rate),
        total_return_rate=rate_trimmed(plan.daily_rate * plan.term_days),
    )


def plan_offer_list() -> list[PlanOffer]:
    """Every active plan, in display order (one query)."""
    return [plan_offer_of(plan) for plan in plan_list_active()]


def plan_get_for_investing(*, plan_id: int) -> Plan | None:
    """The active plan ``plan_id``, or ``None`` when it does not exist or is not offered."""
    if not 0 < plan_id <= ID_MAX:
        return None
    return plan_list_active().filter(pk=plan_id).first()


# --- positions -------------------------------------------------------------------------------


def _credited_subquery() -> Coalesce:
    """What the accruals of the outer position have paid out so far (their posting is written)."""
    paid = (
        Accrual.objects.filter(PAID, position=OuterRef("pk"))
        .order_by()
        .values("position")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    money = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    return Coalesce(Subquery(paid, output_field=money), Value(ZERO), output_field=money)


def position_list_for_portal(*, user) -> QuerySet:
    """The investor's positions, newest first, each with ``credited`` (returns paid so far):
    one query per page whatever the number of positions."""
    return position_list_for_user(user=user).annotate(credited=_credited_subquery())


def days_elapsed(*, position: Position, today: date) -> int:
    """How many days of the term have passed (0 on the day of purchase, the term once matured)."""
    if position.status == PositionStatus.MATURED:
        return position.term_days
    return min(max((today - position.start_date).days, 0), position.term_days)


@dataclass(frozen=True)
class PositionRow:
    """One position on the investor's list."""

    position: Position
    plan_name: str  # the plan's name when it was bought
    daily_return: Decimal  # the first day's amount
    total_return: Decimal
    credited: Decimal
    days_elapsed: int

    @property
    def progress_percent(self) -> int:
        return self.days_elapsed * 100 // self.position.term_days


def _plan_name(position: Position) -> str:
    return (position.terms_snapshot or {}).get("plan") or position.plan.name


def _daily_return(position: Position) -> Decimal:
    return return_for_day(principal=position.principal, daily_rate=position.daily_rate, day=1)


def _total_return(position: Position) -> Decimal:
    return cumulative_return(principal=position.principal, daily_rate=position.daily_rate, days=position.term_days)


def position_rows(*, positions, today: date | None = None) -> list[PositionRow]:
    """Rows for positions from ``position_list_for_portal`` (no further query)."""
    today = today or business_date_today()
    return [
        PositionRow(
            position=position,
            plan_name=_plan_name(position),
            daily_return=_daily_return(position),
            total_return=_total_return(position),
            credited=position.credited,
            days_elapsed=days_elapsed(position=position, today=today),
        )
        for position in positions
    ]


@dataclass(frozen=True)
class PositionDetail:
    """One position with the terms frozen at purchase and what it has earned so far."""

    position: Position
    plan_name: str  # the plan's name when it was bought
    risk_disclosure: str  # the text the investor accepted
    daily_rate: Decimal
    daily_return: Decimal
    total_return: Decimal
    payable_at_maturity: Decimal
    received_in_all: Decimal
    credited: Decimal  # returns paid so far
    accrued: Decimal  # returns earned so far, paid or (at-maturity plans) still to be paid
    days_elapsed: int
    first_accrual_date: date
    terms_accepted_at: datetime

    @property
    def pays_daily(self) -> bool:
        return self.position.payout_schedule == PayoutSchedule.DAILY

    @property
    def is_active(self) -> bool:
        return self.position.status == PositionStatus.ACTIVE


def money_received(*, amount: Decimal, total_return: Decimal, capital_back: bool, pays_daily: bool):
    """(paid at maturity, received over the whole term) for an amount and its total return."""
    principal = amount if capital_back else ZERO
    at_maturity = principal + (ZERO if pays_daily else total_return)
    return at_maturity, principal + total_return


@dataclass(frozen=True)
class QuotePreview:
    """What a quote (``investment_quote``) means for the investor, beyond its own figures."""

    received_in_all: Decimal  # the principal if it comes back, plus every return
    total_return_rate: Decimal  # percent of the amount over the whole term
    pays_daily: bool
    capital_back: bool


def quote_preview(*, quote) -> QuotePreview:
    plan = quote.plan
    pays_daily = plan.payout_schedule == PayoutSchedule.DAILY
    _at_maturity, in_all = money_received(
        amount=quote.amount, total_return=quote.total_return, capital_back=plan.capital_back, pays_daily=pays_daily
    )
    return QuotePreview(
        received_in_all=in_all,
        total_return_rate=rate_trimmed(plan.daily_rate * plan.term_days),
        pays_daily=pays_daily,
        capital_back=plan.capital_back,
    )


def position_detail_for_user(*, user, position_id: int) -> PositionDetail | None:
    """The investor's own position ``position_id`` (``None`` for anyone else's): 2 queries."""
    if not 0 < position_id <= ID_MAX:
        return None
    position = position_list_for_user(user=user).filter(pk=position_id).first()
    if position is None:
        return None
    sums = position.accruals.aggregate(
        credited=Coalesce(Sum("amount", filter=PAID), Value(ZERO)), accrued=Coalesce(Sum("amount"), Value(ZERO))
    )
    total = _total_return(position)
    at_maturity, in_all = money_received(
        amount=position.principal,
        total_return=total,
        capital_back=position.capital_back,
        pays_daily=position.payout_schedule == PayoutSchedule.DAILY,
    )
    return PositionDetail(
        position=position,
        plan_name=_plan_name(position),
        risk_disclosure=(position.terms_snapshot or {}).get("risk_disclosure", ""),
        daily_rate=rate_trimmed(position.daily_rate),
        daily_return=_daily_return(position),
        total_return=total,
        payable_at_maturity=at_maturity,
        received_in_all=in_all,
        credited=sums["credited"],
        accrued=sums["accrued"],
        days_elapsed=days_elapsed(position=position, today=business_date_today()),
        first_accrual_date=position.start_date + timedelta(days=1),
        terms_accepted_at=position.terms_accepted_at,
    )


# --- schedule --------------------------------------------------------------------------------


class LineState:
    PAID = "paid"  # posted to the investor's balance
    ACCRUED = "accrued"  # earned and recorded; an at-maturity plan pays it at maturity
    UPCOMING = "upcoming"  # not earned yet


@dataclass(frozen=True)
class ScheduleLine:
    day: int
    business_date: date
    amount: Decimal
    state: str
    entry_id: int | None
    entry_date: date | None

    @property
    def paid(self) -> bool:
        return self.state == LineState.PAID


class PositionSchedule:
    """Every business date of a position's term as a lazy sequence: a slice (a page) computes its
    amounts from the frozen terms and reads only that page's accruals (one query), so a
    3,650-day term costs no more than a 60-day one. Works with Django's ``Paginator``."""

    def __init__(self, position: Position):
        self.position = position

    def __len__(self) -> int:
        return self.position.term_days

    def count(self) -> int:
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop, step = index.indices(len(self))
        if step != 1:
            raise ValueError("A schedule is read in whole pages.")
        return self._lines(first_day=start + 1, last_day=stop) if start < stop else []

    def _lines(self, *, first_day: int, last_day: int) -> list[ScheduleLine]:
        position = self.position
        start = position.start_date
        accruals = {
            row["business_date"]: row
            for row in position.accruals.filter(
                business_date__gte=start + timedelta(days=first_day),
                business_date__lte=start + timedelta(days=last_day),
            ).values("business_date", "amount", "posting__entry_id", "posting__entry__business_date")
        }
        lines = []
        for day in range(first_day, last_day + 1):
            business_date = start + timedelta(days=day)
            accrual = accruals.get(business_date)
            lines.append(_line(position, day, business_date, accrual))
        return lines


def _line(position: Position, day: int, business_date: date, accrual: dict | None) -> ScheduleLine:
    if accrual is None:
        amount = return_for_day(principal=position.principal, daily_rate=position.daily_rate, day=day)
        return ScheduleLine(day, business_date, amount, LineState.UPCOMING, None, None)
    state = LineState.PAID if accrual["posting__entry_id"] is not None else LineState.ACCRUED
    return ScheduleLine(
        day,
        business_date,
        accrual["amount"],
        state,
        accrual["posting__entry_id"],
        accrual["posting__entry__business_date"],
    )


def position_schedule_for_portal(*, position: Position) -> PositionSchedule:
    return PositionSchedule(position)


@dataclass(frozen=True)
class SchedulePage:
    """One page of a schedule, for a "go to page" choice: its number and the dates it covers."""

    number: int
    first_day: int
    last_day: int
    first_date: date
    last_date: date


def schedule_pages(*, position: Position, page_size: int) -> list[SchedulePage]:
    start, term = position.start_date, position.term_days
    pages = []
    for number, first_day in enumerate(range(1, term + 1, page_size), start=1):
        last_day = min(first_day + page_size - 1, term)
        first_date, last_date = start + timedelta(days=first_day), start + timedelta(days=last_day)
        pages.append(SchedulePage(number, first_day, last_day, first_date, last_date))
    return pages


def schedule_page_for_today(*, position: Position, page_size: int, today: date | None = None) -> int:
    """The page (1-based) holding the next date to be earned (the last page once all are)."""
    day = min(days_elapsed(position=position, today=today or business_date_today()) + 1, position.term_days)
    return (day - 1) // page_size + 1


# --- the statement's daily "returns" lines ---------------------------------------------------


@dataclass(frozen=True)
class PositionReturn:
    position_id: int
    plan_name: str
    amount: Decimal


def returns_by_posting_for_user(*, user, postings) -> dict[int, list[PositionReturn]]:
    """Posting id → the positions whose returns it paid, with each one's amount (one query for a
    page of the statement). Found by (the investor's positions, date) through the accruals'
    unique index: the accruals are not indexed by posting."""
    paying = {posting.pk: posting.entry.business_date for posting in postings if posting.entry.kind == "return"}
    if not paying:
        return {}
    rows = (
        Accrual.objects.filter(position__user=user, business_date__in=set(paying.values()), posting_id__in=list(paying))
        .order_by("posting_id", "position_id")
        .values_list("posting_id", "position_id", "position__plan__name", "amount")
    )
    found: dict[int, list[PositionReturn]] = {}
    for posting_id, position_id, plan_name, amount in rows:
        found.setdefault(posting_id, []).append(PositionReturn(position_id, plan_name, amount))
    return found
