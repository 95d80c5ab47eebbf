"""Balances, statements and the investor's and staff's request look-ups."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    QuerySet,
    Sum,
)

from apps.common.dates import business_date_today, business_day_bounds
from apps.common.prepared import PreparedQuery
from apps.wallet.models import (
    INVESTOR_KINDS,
    Account,
    AccountKind,
    Deposit,
    DepositAddress,
    Posting,
    RequestStatus,
    Withdrawal,
)

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Balances:
    available: Decimal
    held: Decimal
    invested: Decimal

    @property
    def total(self) -> Decimal:
        return self.available + self.held + self.invested


# Read on every profile request: compiled once per process (apps.common.prepared).
_INVESTOR_BALANCES = PreparedQuery(
    lambda owner_id: Account.objects.filter(owner_id=owner_id, kind__in=INVESTOR_KINDS).values_list("kind", "balance"),
    "owner_id",
)


def balances_for_user(*, user) -> Balances:
    rows = dict(_INVESTOR_BALANCES.rows(owner_id=user.pk))
    return Balances(
        available=rows.get(AccountKind.AVAILABLE, ZERO),
        held=rows.get(AccountKind.HELD, ZERO),
        invested=rows.get(AccountKind.INVESTED, ZERO),
    )


def statement_for_user(
    *,
    user,
    account_kind: str = AccountKind.AVAILABLE,
    entry_kind: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet:
    """Postings on one of the user's accounts, newest first, each with its running balance."""
    queryset = Posting.objects.filter(account__owner=user, account__kind=account_kind).select_related("entry")
    if entry_kind:
        queryset = queryset.filter(entry__kind=entry_kind)
    if date_from:
        queryset = queryset.filter(entry__business_date__gte=date_from)
    if date_to:
        queryset = queryset.filter(entry__business_date__lte=date_to)
    return queryset.order_by("-id")


def deposit_address_list_active() -> QuerySet:
    return DepositAddress.objects.filter(is_active=True).order_by("network", "id")


def pending_counts() -> dict[str, int]:
    """Queue sizes for the admin sidebar and dashboard: one query per queue, index-only."""
    return {
        "deposits": Deposit.objects.filter(status=RequestStatus.PENDING).count(),
        "withdrawals": Withdrawal.objects.filter(status=RequestStatus.PENDING).count(),
    }


def deposit_list_for_staff(*, status: str | None = None) -> QuerySet:
    """The deposit queue for staff, newest first, with what the list shows."""
    queryset = Deposit.objects.select_related("user", "reviewed_by")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def withdrawal_list_for_staff(*, status: str | None = None) -> QuerySet:
    """The withdrawal queue for staff, newest first, with what the list shows."""
    queryset = Withdrawal.objects.select_related("user", "first_approved_by", "reviewed_by")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def withdrawal_total_today_for_user(*, user) -> Decimal:
    """What the investor asked to withdraw today (business date), not counting rejected or
    cancelled requests: the same sum the daily limit of ``withdrawal_request_create`` uses."""
    start, end = business_day_bounds(business_date_today())
    total = (
        Withdrawal.objects.filter(user=user, created_at__gte=start, created_at__lt=end)
        .exclude(status__in=[RequestStatus.REJECTED, RequestStatus.CANCELLED])
        .aggregate(total=Sum("amount"))["total"]
    )
    return total or ZERO
