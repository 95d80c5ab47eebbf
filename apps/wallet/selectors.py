"""Reads with rules on the wallet: balances, statements, request lists, and the ledger check."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    CharField,
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
