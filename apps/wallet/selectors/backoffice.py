"""The back office: queue badges, dashboard figures, the ledger export."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import Exact

from apps.wallet.models import (
    Account,
    AccountKind,
    Adjustment,
    Deposit,
    Posting,
    RequestStatus,
    TreasuryBalance,
    Withdrawal,
)
from apps.wallet.selectors.balances import ZERO


def adjustment_pending_count() -> int:
    """Adjustments waiting for a second staff member (their checker)."""
    return Adjustment.objects.filter(status=RequestStatus.PENDING).count()


@dataclass(frozen=True)
class RequestTotals:
    """Requests of one kind in one status: how many and their sum (fees apart)."""

    count: int
    total: Decimal


def _totals(model, status: str) -> RequestTotals:
    row = model.objects.filter(status=status).aggregate(count=Count("id"), total=Sum("amount"))
    return RequestTotals(count=row["count"], total=row["total"] or ZERO)


def platform_cash_position() -> Decimal:
    """The cash the platform holds for its investors: deposits received minus payouts sent. The
    platform cash account is the other leg of both, so its (negative) balance is this, negated."""
    balance = (
        Account.objects.filter(owner__isnull=True, kind=AccountKind.CASH).values_list("balance", flat=True).first()
    )
    return ZERO - (balance or ZERO)


# The columns of the ledger export, in order: one row per posting, with its entry and account.
LEDGER_EXPORT_COLUMNS = (
    "entry_id",
    "entry__business_date",
    "entry__kind",
    "entry__natural_key",
    "account_id",
    "account__owner__email",
    "account__kind",
    "amount",
    "balance_after",
    "entry__memo",
)


def ledger_export_rows(*, date_from: date, date_to: date) -> QuerySet:
    """Every posting of the entries booked on business dates ``date_from`` … ``date_to``
    (inclusive), as tuples of ``LEDGER_EXPORT_COLUMNS``, in posting order. Iterate it with
    ``.iterator()``: one query, streamed."""
    return (
        Posting.objects.filter(entry__business_date__gte=date_from, entry__business_date__lte=date_to)
        .order_by("id")
        .values_list(*LEDGER_EXPORT_COLUMNS)
    )


def withdrawal_get_for_staff(*, withdrawal_id) -> Withdrawal | None:
    """One withdrawal for a staff page (``None`` for a missing or malformed id)."""
    try:
        withdrawal_id = int(withdrawal_id)
    except (TypeError, ValueError):
        return None
    return Withdrawal.objects.select_related("user", "first_approved_by").filter(pk=withdrawal_id).first()


# --- the staff dashboard and ``admin/stats/`` (apps.backoffice.selectors) ------------------------


@dataclass(frozen=True)
class QueueSummary:
    """A queue of pending requests: how many, their total, and when the oldest was made."""

    count: int
    total: Decimal
    oldest: datetime | None


def _queue_summary(model) -> QueueSummary:
    # COUNT(*), not COUNT(id): with amount in the (status, created_at) index, it is read alone.
    row = model.objects.filter(status=RequestStatus.PENDING).aggregate(
        count=Count("*"), total=Sum("amount"), oldest=Min("created_at")
    )
    return QueueSummary(count=row["count"], total=row["total"] or ZERO, oldest=row["oldest"])


def deposit_queue_summary() -> QueueSummary:
    """Pending deposits: how many, what they would credit, the oldest request (one query)."""
    return _queue_summary(Deposit)


def withdrawal_queue_summary() -> QueueSummary:
    """Pending withdrawals: how many, what they would pay out (fees apart), the oldest (one query)."""
    return _queue_summary(Withdrawal)


def deposit_approved_totals() -> RequestTotals:
    """Approved deposits over all time: how many and what they credited (one query)."""
    return _totals(Deposit, RequestStatus.APPROVED)


def withdrawal_approved_totals() -> RequestTotals:
    """Paid-out withdrawals over all time: how many and what they sent, fees apart (one query)."""
    return _totals(Withdrawal, RequestStatus.APPROVED)


@dataclass(frozen=True)
class InvestorBalanceTotals:
    """The sum of every investor's balances, by account kind."""

    available: Decimal
    held: Decimal
    invested: Decimal


def investor_balance_totals() -> InvestorBalanceTotals:
    """Every investor's available, held and invested balances, summed (one query over the cached
    account balances). One sum per kind (``FILTER``), not ``GROUP BY kind``: the same single pass,
    without hashing each row's kind (about half the time over 100k accounts)."""
    kinds = (AccountKind.AVAILABLE.value, AccountKind.HELD.value, AccountKind.INVESTED.value)
    row = Account.objects.filter(owner__isnull=False).aggregate(
        **{kind: Sum("balance", filter=Q(kind=kind)) for kind in kinds}
    )
    return InvestorBalanceTotals(**{kind: row[kind] or ZERO for kind in kinds})


def treasury_balance_current() -> TreasuryBalance | None:
    """The treasury balance counted last (latest ``as_of``), with who recorded it."""
    return TreasuryBalance.objects.select_related("recorded_by").order_by("-as_of", "-id").first()


def treasury_balance_history() -> QuerySet:
    """Every treasury balance recorded, the current one first, each with ``is_current``."""
    current = TreasuryBalance.objects.order_by("-as_of", "-id").values("pk")[:1]
    return (
        TreasuryBalance.objects.select_related("recorded_by")
        .annotate(is_current=Exact(F("pk"), Subquery(current)))
        .order_by("-as_of", "-id")
    )


# The sign convention of every staff page: each balance on its normal side, so that what investors
# are owed, the cash the platform holds, what it paid out (returns, commissions, rewards, credits)
# and the fees it earned all read as positive. The ledger stores credits to investors as positive
# (every entry sums to zero), so these platform accounts are stored with the opposite sign.
PLATFORM_KINDS_SHOWN_NEGATED = (
    AccountKind.CASH,
    AccountKind.RETURN_EXPENSE,
    AccountKind.REFERRAL_EXPENSE,
    AccountKind.REWARD_EXPENSE,
    AccountKind.TASK_REWARD_EXPENSE,
    AccountKind.ADJUSTMENTS,
)


def account_balance_shown(*, kind: str, balance: Decimal, is_platform: bool) -> Decimal:
    """``balance`` as staff pages show it (see ``PLATFORM_KINDS_SHOWN_NEGATED``)."""
    if is_platform and kind in PLATFORM_KINDS_SHOWN_NEGATED:
        return ZERO - balance
    return balance


# Per-day series: querysets of (``day``, ``series``, ``value``) rows for business dates
# ``since`` … ``through``, grouped by day; the dashboard unions a family of them into one query.


def _by_day(queryset: QuerySet, *, moment: str, series: str, value, since: date, through: date) -> QuerySet:
    from apps.common.dates import business_day_bounds, platform_time_zone

    start, end = business_day_bounds(since)[0], business_day_bounds(through)[1]
    return (
        queryset.filter(**{f"{moment}__gte": start, f"{moment}__lt": end})
        .order_by()
        .annotate(day=TruncDate(moment, tzinfo=platform_time_zone()))
        .values("day")
        .annotate(series=Value(series, output_field=CharField()), value=value)
        .values_list("day", "series", "value")
    )


def deposits_credited_by_day(*, since: date, through: date) -> QuerySet:
    """Approved deposits by the business date they were credited on: their sum."""
    return _by_day(
        Deposit.objects.filter(status=RequestStatus.APPROVED),
        moment="reviewed_at",
        series="deposits",
        value=Sum("amount"),
        since=since,
        through=through,
    )


def withdrawals_paid_by_day(*, since: date, through: date) -> QuerySet:
    """Paid withdrawals by the business date they were paid on: the sum sent (fees apart)."""
    return _by_day(
        Withdrawal.objects.filter(status=RequestStatus.APPROVED),
        moment="reviewed_at",
        series="withdrawals",
        value=Sum("amount"),
        since=since,
        through=through,
    )


def first_deposits_by_day(*, since: date, through: date) -> QuerySet:
    """Investors' first credited deposits by the business date they were credited on: how many.
    A deposit is the first when no other approved deposit of the investor was credited before it
    (or at the same moment with a smaller number).

    The deposits credited in the range (an index range) each look up their investor's first one:
    one probe of the (user, reviewed_at, id) index of approved deposits, so the cost follows the
    deposits of the range, not every deposit ever approved."""
    first = (
        Deposit.objects.filter(user=OuterRef("user"), status=RequestStatus.APPROVED)
        .order_by(F("reviewed_at").asc(nulls_last=True), "pk")  # PostgreSQL's own order: the index's
        .values("pk")[:1]
    )
    return _by_day(
        Deposit.objects.filter(status=RequestStatus.APPROVED, pk=Subquery(first)),
        moment="reviewed_at",
        series="first_deposits",
        value=Count("id"),
        since=since,
        through=through,
    )
