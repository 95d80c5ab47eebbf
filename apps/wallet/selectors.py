"""Reads with rules on the wallet: balances, statements, request lists, and the ledger check."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Concat
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import KycStatus
from apps.common.dates import business_date_today, business_day_bounds
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.wallet.models import (
    INVESTOR_KINDS,
    Account,
    AccountKind,
    Adjustment,
    Deposit,
    DepositAddress,
    EntryKind,
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


def balances_for_user(*, user) -> Balances:
    rows = dict(Account.objects.filter(owner=user, kind__in=INVESTOR_KINDS).values_list("kind", "balance"))
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


def deposit_list_for_user(*, user) -> QuerySet:
    return Deposit.objects.filter(user=user).order_by("-created_at", "-id")


def withdrawal_list_for_user(*, user) -> QuerySet:
    return Withdrawal.objects.filter(user=user).order_by("-created_at", "-id")


def deposit_get_for_user(*, user, deposit_id: int) -> Deposit | None:
    return Deposit.objects.filter(user=user, pk=deposit_id).first()


def withdrawal_get_for_user(*, user, withdrawal_id: int) -> Withdrawal | None:
    return Withdrawal.objects.filter(user=user, pk=withdrawal_id).first()


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


def adjustment_get_for_staff(*, adjustment_id: int) -> Adjustment | None:
    return Adjustment.objects.select_related("user", "maker", "checker").filter(pk=adjustment_id).first()


# --- The investor's activity: their requests and every other movement on their balance ------

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


# --- The investor's dashboard figures ------------------------------------------------------------

RECENT_ACTIVITY_COUNT = 10


@dataclass(frozen=True)
class UserStats:
    total_balance: Decimal
    active_investments: int
    total_earnings: Decimal
    total_referrals: int
    pending_withdrawals: Decimal
    recent_activities: list[dict]


def investment_active_count_for_user(*, user) -> int:
    """Running positions. There are none until the investments app exists."""
    return 0


def earnings_total_for_user(*, user) -> Decimal:
    """Every return credited to the investor's available balance."""
    total = Posting.objects.filter(
        account__owner=user, account__kind=AccountKind.AVAILABLE, entry__kind=EntryKind.RETURN
    ).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def withdrawal_pending_total_for_user(*, user) -> Decimal:
    total = Withdrawal.objects.filter(user=user, status=RequestStatus.PENDING).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def user_stats_get(*, user) -> UserStats:
    """The investor's dashboard: total balance (available + held + invested), running
    investments, returns earned, referred users, pending withdrawals and the latest activity."""
    return UserStats(
        total_balance=balances_for_user(user=user).total,
        active_investments=investment_active_count_for_user(user=user),
        total_earnings=earnings_total_for_user(user=user),
        total_referrals=user.referrals.count(),
        pending_withdrawals=withdrawal_pending_total_for_user(user=user),
        recent_activities=list(transaction_list_for_user(user=user)[:RECENT_ACTIVITY_COUNT]),
    )


# --- The ledger check (I1, I3, I4, I11 and the running balances) -----------------------------


@dataclass
class LedgerReport:
    accounts: int = 0
    entries: int = 0
    postings: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# SQL templates; ``{c}(x)`` makes an amount exact: PostgreSQL's numeric already is, but SQLite
# keeps decimals as binary floats, so there amounts are compared as integer cents.
_CHECKS = {
    "I4 cached balance differs from the sum of postings": """
        SELECT a.id, a.balance, COALESCE(s.total, 0)
        FROM wallet_account a
        LEFT JOIN (SELECT account_id, SUM({c}(amount)) AS total FROM wallet_posting GROUP BY account_id) s
               ON s.account_id = a.id
        WHERE {c}(a.balance) <> COALESCE(s.total, 0)
    """,
    "I4 last running balance differs from the cached balance": """
        SELECT a.id, a.balance, p.balance_after
        FROM wallet_account a
        JOIN wallet_posting p ON p.id = (SELECT MAX(id) FROM wallet_posting WHERE account_id = a.id)
        WHERE {c}(p.balance_after) <> {c}(a.balance)
    """,
    "I1 entry postings do not sum to zero": """
        SELECT entry_id, SUM({c}(amount)), COUNT(*) FROM wallet_posting GROUP BY entry_id HAVING SUM({c}(amount)) <> 0
    """,
    # Postings are non-zero and sum to zero per entry, so an entry with any posting has at least
    # one on each side; what remains to catch is an entry with none at all.
    "I1 entry has no postings": """
        SELECT e.id, 0, 0 FROM wallet_entry e
        WHERE NOT EXISTS (SELECT 1 FROM wallet_posting p WHERE p.entry_id = e.id)
    """,
    "I3 investor account is negative": """
        SELECT id, balance, 0 FROM wallet_account WHERE owner_id IS NOT NULL AND balance < 0
    """,
}

_DEEP_CHECKS = {
    "I4 running balance chain is broken": """
        SELECT id, balance_after, running FROM (
            SELECT id, balance_after, SUM({c}(amount)) OVER (PARTITION BY account_id ORDER BY id) AS running
            FROM wallet_posting
        ) t WHERE running <> {c}(balance_after)
    """,
}

_TOTALS = """
    SELECT (SELECT COUNT(*) FROM wallet_account), (SELECT COUNT(*) FROM wallet_entry),
           (SELECT COUNT(*) FROM wallet_posting), (SELECT COALESCE(SUM({c}(balance)), 0) FROM wallet_account)
"""


def _exact(sql: str) -> str:
    if connection.vendor == "sqlite":
        return sql.replace("{c}(", "bursar_cents(")
    return sql.replace("{c}(", "(")


_REPORT_LIMIT = 20


def _sqlite_cents(value) -> int | None:
    """SQLite stores decimals as floats: turn one back into exact integer cents."""
    if value is None:
        return None
    return int((Decimal(str(value)) * 100).to_integral_value())


def ledger_check(*, deep: bool = False) -> LedgerReport:
    """Every invariant the database cannot enforce by itself, checked in a few set-based queries."""
    report = LedgerReport()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            connection.connection.create_function("bursar_cents", 1, _sqlite_cents, deterministic=True)
        cursor.execute(_exact(_TOTALS))
        report.accounts, report.entries, report.postings, total = cursor.fetchone()
        if total != 0:
            report.problems.append(f"I11 money is not conserved: the accounts sum to {total}, not 0")
        checks = {**_CHECKS, **(_DEEP_CHECKS if deep else {})}
        for title, sql in checks.items():
            cursor.execute(_exact(sql))
            rows = cursor.fetchmany(_REPORT_LIMIT + 1)
            for row in rows[:_REPORT_LIMIT]:
                report.problems.append(f"{title}: id {row[0]} ({row[1]} vs {row[2]})")
            if len(rows) > _REPORT_LIMIT:
                report.problems.append(f"{title}: more rows not shown")
    return report


# --- The investor's wallet pages (portal) ------------------------------------------------------

REQUEST_KIND_DEPOSIT = "deposit"
REQUEST_KIND_WITHDRAWAL = "withdrawal"
REQUEST_KIND_LABELS = {REQUEST_KIND_DEPOSIT: _("Deposit"), REQUEST_KIND_WITHDRAWAL: _("Withdrawal")}
WALLET_RECENT_REQUESTS = 10
# The columns of one request row, in the order both branches of the union select them.
_WALLET_REQUEST_COLUMNS = ("r_kind", "r_id", "r_amount", "r_fee", "r_currency", "r_status", "r_detail", "r_created_at")


@dataclass(frozen=True)
class WalletRequest:
    """One deposit or withdrawal request of an investor, as their wallet lists it."""

    kind: str
    id: int
    amount: Decimal
    fee: Decimal
    currency: str
    status: str
    detail: str  # a deposit's method (network), a withdrawal's destination address
    created_at: datetime

    @property
    def total(self) -> Decimal:
        """What the request moves: a withdrawal holds its amount plus its fee."""
        return self.amount + self.fee

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def kind_label(self) -> str:
        return REQUEST_KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return RequestStatus(self.status).label


class WalletRequestList:
    """The investor's requests, newest first, lazily: a slice is one query and ``count()`` one
    more, so a ``Paginator`` pages through it in two queries whatever its length."""

    def __init__(self, queryset: QuerySet) -> None:
        self._queryset = queryset

    def count(self) -> int:
        return self._queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(values) for values in self._queryset[index]]
        return self._row(self._queryset[index])

    @staticmethod
    def _row(values: dict) -> WalletRequest:
        return WalletRequest(**{name.removeprefix("r_"): values[name] for name in _WALLET_REQUEST_COLUMNS})


def _wallet_request_rows(queryset: QuerySet, *, kind: str, fee, detail: str) -> QuerySet:
    money = DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    return (
        queryset.order_by()
        .annotate(
            r_kind=Cast(Value(kind), output_field=CharField()),
            r_id=F("id"),
            r_amount=F("amount"),
            r_fee=Cast(fee, output_field=money),
            r_currency=F("currency"),
            r_status=F("status"),
            r_detail=F(detail),
            r_created_at=F("created_at"),
        )
        .values(*_WALLET_REQUEST_COLUMNS)
    )


def request_list_for_user(*, user, status: str | None = None, kind: str | None = None) -> WalletRequestList:
    """The investor's own deposit and withdrawal requests in one list, newest first (one SQL
    ``UNION ALL``), optionally of one status and/or one kind."""
    filters = {"user": user, **({"status": status} if status else {})}
    deposits = Deposit.objects.filter(**filters) if kind in (None, REQUEST_KIND_DEPOSIT) else Deposit.objects.none()
    withdrawals = Withdrawal.objects.filter(**filters)
    if kind not in (None, REQUEST_KIND_WITHDRAWAL):
        withdrawals = withdrawals.none()
    queryset = _wallet_request_rows(deposits, kind=REQUEST_KIND_DEPOSIT, fee=Value(ZERO), detail="method").union(
        _wallet_request_rows(withdrawals, kind=REQUEST_KIND_WITHDRAWAL, fee=F("fee"), detail="address"), all=True
    )
    return WalletRequestList(queryset.order_by("-r_created_at", "-r_id"))


@dataclass(frozen=True)
class WalletOverview:
    currency: str
    balances: Balances
    deposit_addresses: list[DepositAddress]
    recent_requests: list[WalletRequest]


def wallet_overview_for_user(*, user, recent: int = WALLET_RECENT_REQUESTS) -> WalletOverview:
    """The wallet page: balances, where to send deposits, and the latest requests (3 queries)."""
    return WalletOverview(
        currency=settings.PLATFORM_CURRENCY,
        balances=balances_for_user(user=user),
        deposit_addresses=list(deposit_address_list_active()),
        recent_requests=request_list_for_user(user=user)[:recent],
    )


@dataclass(frozen=True)
class DepositTerms:
    currency: str
    minimum: Decimal
    maximum: Decimal
    addresses: list[DepositAddress]

    @property
    def networks(self) -> list[str]:
        return sorted({address.network for address in self.addresses})


def deposit_terms_get() -> DepositTerms:
    """What the deposit form shows: the limits and the platform's active addresses."""
    return DepositTerms(
        currency=settings.PLATFORM_CURRENCY,
        minimum=settings.DEPOSIT_MIN,
        maximum=settings.DEPOSIT_MAX,
        addresses=list(deposit_address_list_active()),
    )


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


WITHDRAWAL_EXAMPLE_AMOUNT = Decimal("100.00")


@dataclass(frozen=True)
class WithdrawalTerms:
    currency: str
    available: Decimal
    minimum: Decimal
    maximum: Decimal
    daily_limit: Decimal
    requested_today: Decimal
    fee_fixed: Decimal
    fee_percent: Decimal
    example_amount: Decimal
    example_fee: Decimal
    kyc_status: str
    kyc_blocks: bool  # identity verification is required and this investor's is not approved

    @property
    def remaining_today(self) -> Decimal:
        return max(self.daily_limit - self.requested_today, ZERO)

    @property
    def has_fee(self) -> bool:
        return bool(self.fee_fixed or self.fee_percent)

    @property
    def example_total(self) -> Decimal:
        return self.example_amount + self.example_fee


def withdrawal_terms_for_user(*, user) -> WithdrawalTerms:
    """What the withdrawal form shows: the available balance, the limits, what is left of
    today's limit, the fee rule (charged on top: the hold is amount + fee) with a worked
    example, and whether the investor's identity check stops them."""
    from apps.wallet.services.withdrawals import withdrawal_fee_for  # services import this module

    example = min(max(WITHDRAWAL_EXAMPLE_AMOUNT, settings.WITHDRAWAL_MIN), settings.WITHDRAWAL_MAX)
    return WithdrawalTerms(
        currency=settings.PLATFORM_CURRENCY,
        available=balances_for_user(user=user).available,
        minimum=settings.WITHDRAWAL_MIN,
        maximum=settings.WITHDRAWAL_MAX,
        daily_limit=settings.WITHDRAWAL_DAILY_LIMIT,
        requested_today=withdrawal_total_today_for_user(user=user),
        fee_fixed=settings.WITHDRAWAL_FEE_FIXED,
        fee_percent=settings.WITHDRAWAL_FEE_PERCENT,
        example_amount=example,
        example_fee=withdrawal_fee_for(example),
        kyc_status=user.kyc_status,
        kyc_blocks=settings.KYC_REQUIRED_FOR_WITHDRAWAL and user.kyc_status != KycStatus.APPROVED,
    )


# --- The back office: queue badges, dashboard figures, the ledger export -------------------------


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
