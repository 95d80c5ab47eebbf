"""The back office: queue badges, dashboard figures, the ledger export."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    QuerySet,
    Sum,
)

from apps.wallet.models import (
    Account,
    AccountKind,
    Adjustment,
    Deposit,
    Posting,
    RequestStatus,
    Withdrawal,
)
from apps.wallet.selectors.balances import ZERO


def adjustment_pending_count() -> int:
    """Adjustments waiting for a second staff member (their checker)."""
    return Adjustment.objects.filter(status=RequestStatus.PENDING).count()


@dataclass(frozen=True)
class PendingSummary:
    count: int
    total: Decimal


def _pending_summary(model) -> PendingSummary:
    row = model.objects.filter(status=RequestStatus.PENDING).aggregate(count=Count("id"), total=Sum("amount"))
    return PendingSummary(count=row["count"], total=row["total"] or ZERO)


def deposit_pending_summary() -> PendingSummary:
    """Pending deposits: how many and how much they would credit (one query)."""
    return _pending_summary(Deposit)


def withdrawal_pending_summary() -> PendingSummary:
    """Pending withdrawals: how many and how much they would pay out, fees apart (one query)."""
    return _pending_summary(Withdrawal)


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
