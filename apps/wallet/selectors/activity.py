"""The investor's activity: their requests and every other movement on their balance (API)."""

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Concat

from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.wallet.models import (
    AccountKind,
    Deposit,
    EntryKind,
    Posting,
    RequestStatus,
    Withdrawal,
)
from apps.wallet.selectors.balances import ZERO

# Entries that belong to a deposit or withdrawal request: the request itself is the row.
REQUEST_ENTRY_KINDS = (
    EntryKind.DEPOSIT,
    EntryKind.WITHDRAWAL_HOLD,
    EntryKind.WITHDRAWAL_PAYOUT,
    EntryKind.WITHDRAWAL_RELEASE,
)
TRANSACTION_DEPOSIT = "deposit"
TRANSACTION_WITHDRAWAL = "withdrawal"
MOVEMENT_TYPES = tuple(kind for kind in EntryKind.values if kind not in REQUEST_ENTRY_KINDS)
TRANSACTION_TYPES = (TRANSACTION_DEPOSIT, TRANSACTION_WITHDRAWAL, *MOVEMENT_TYPES)
# A ledger movement is done the moment it is posted.
MOVEMENT_STATUS = "completed"
TRANSACTION_STATUSES = (*RequestStatus.values, MOVEMENT_STATUS)
# The columns of one activity row, in the order every branch of the union selects them.
TRANSACTION_COLUMNS = (
    "row_id",
    "row_user_id",
    "row_type",
    "row_direction",
    "row_amount",
    "row_fee",
    "row_status",
    "row_balance_after",
    "row_wallet_address",
    "row_transaction_hash",
    "row_admin_note",
    "row_reference",
    "row_created_at",
    "row_updated_at",
)


def _money_field() -> DecimalField:
    return DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)


def _text(value: str) -> Cast:
    # Typed, so that PostgreSQL can match the branches of the union whatever the binding mode.
    return Cast(Value(value), output_field=CharField())


def _request_rows(queryset: QuerySet, *, kind: str, direction: str, entry: str, **columns) -> QuerySet:
    """One branch of the activity union: a request and the balance its entry left on the
    investor's available account (empty while nothing was posted)."""
    postings = Posting.objects.filter(entry_id=OuterRef(entry), account__kind=AccountKind.AVAILABLE)
    available_after = postings.values("balance_after")[:1]
    return (
        queryset.order_by()
        .annotate(
            row_id=F("id"),
            row_user_id=F("user_id"),
            row_type=_text(kind),
            row_direction=_text(direction),
            row_amount=F("amount"),
            row_fee=columns["fee"],
            row_status=F("status"),
            row_balance_after=Subquery(available_after, output_field=_money_field()),
            row_wallet_address=F(columns["wallet_address"]),
            row_transaction_hash=F(columns["transaction_hash"]),
            row_admin_note=F("admin_note"),
            row_reference=Concat(_text(f"{kind}:"), Cast("id", output_field=CharField()), output_field=CharField()),
            row_created_at=F("created_at"),
            row_updated_at=F("updated_at"),
        )
        .values(*TRANSACTION_COLUMNS)
    )


def _movement_rows(*, user, types: tuple[str, ...]) -> QuerySet:
    """Postings on the investor's available account that are not part of a request."""
    return (
        Posting.objects.filter(account__owner=user, account__kind=AccountKind.AVAILABLE, entry__kind__in=types)
        .order_by()
        .annotate(
            row_id=F("id"),
            row_user_id=F("account__owner_id"),
            row_type=F("entry__kind"),
            row_direction=Case(When(amount__gt=0, then=_text("credit")), default=_text("debit")),
            row_amount=Abs("amount", output_field=_money_field()),
            row_fee=Value(ZERO, output_field=_money_field()),
            row_status=_text(MOVEMENT_STATUS),
            row_balance_after=F("balance_after"),
            row_wallet_address=_text(""),
            row_transaction_hash=_text(""),
            row_admin_note=F("entry__memo"),
            row_reference=F("entry__natural_key"),
            row_created_at=F("entry__created_at"),
            row_updated_at=F("entry__created_at"),
        )
        .values(*TRANSACTION_COLUMNS)
    )


def _deposit_rows(deposits: QuerySet) -> QuerySet:
    return _request_rows(
        deposits,
        kind=TRANSACTION_DEPOSIT,
        direction="credit",
        entry="entry_id",
        fee=Value(ZERO, output_field=_money_field()),
        wallet_address="sender_address",
        transaction_hash="transaction_hash",
    )


def _withdrawal_rows(withdrawals: QuerySet) -> QuerySet:
    return _request_rows(
        withdrawals,
        kind=TRANSACTION_WITHDRAWAL,
        direction="debit",
        entry="hold_entry_id",
        fee=F("fee"),
        wallet_address="address",
        transaction_hash="payout_hash",
    )


def _union(branches: list[QuerySet]) -> QuerySet:
    if not branches:
        return _deposit_rows(Deposit.objects.none())
    first, *others = branches
    return first.union(*others, all=True) if others else first


def transaction_list_for_user(*, user, transaction_type: str | None = None, status: str | None = None) -> QuerySet:
    """The investor's activity, newest first: their deposit and withdrawal requests (with their
    status) and every other movement on their available balance (adjustments, investments,
    returns, commissions, …), each with the running balance it left.

    One SQL ``UNION ALL`` of dict rows keyed by ``TRANSACTION_COLUMNS``: a page costs one query
    and its count one more, however many rows there are. A request is dated when it was made;
    ``balance_after`` is the available balance right after its entry was posted.
    """
    branches = []
    if status != MOVEMENT_STATUS:
        requests = {"user": user, **({"status": status} if status else {})}
        if transaction_type in (None, TRANSACTION_DEPOSIT):
            branches.append(_deposit_rows(Deposit.objects.filter(**requests)))
        if transaction_type in (None, TRANSACTION_WITHDRAWAL):
            branches.append(_withdrawal_rows(Withdrawal.objects.filter(**requests)))
    types = MOVEMENT_TYPES if transaction_type is None else tuple(t for t in MOVEMENT_TYPES if t == transaction_type)
    if types and status in (None, MOVEMENT_STATUS):
        branches.append(_movement_rows(user=user, types=types))
    return _union(branches).order_by("-row_created_at", "-row_id")


def transaction_request_get_for_user(*, user, transaction_id: int) -> dict | None:
    """One of the investor's own deposit or withdrawal requests as an activity row (one query)."""
    rows = _union(
        [
            _deposit_rows(Deposit.objects.filter(user=user, pk=transaction_id)),
            _withdrawal_rows(Withdrawal.objects.filter(user=user, pk=transaction_id)),
        ]
    )
    return next(iter(rows[:1]), None)
