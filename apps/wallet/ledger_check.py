"""The ledger check: the invariants the database does not enforce row by row (DESIGN §5).

Always checked, in one pass over the postings:
- I4: every account's cached balance equals the sum of its postings;
- I11: all accounts sum to zero;
- I3: no investor account is negative (also a CHECK constraint).

I1 (every entry's postings sum to zero, and no entry lacks postings) is enforced at commit by
PostgreSQL's deferred constraint triggers, so on PostgreSQL it is re-verified only with
``deep=True``; on SQLite, which has no such triggers, it is always checked. ``deep=True`` also
checks every running balance: each account's last one against its cached balance, and the whole
chain re-added (a full sort of the postings); and the daily returns: one posting per investor and
date (I6), each equal to the sum of the accruals that point to it (I5).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection

_REPORT_LIMIT = 20


@dataclass
class LedgerReport:
    accounts: int = 0
    entries: int = 0
    postings: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# ``{c}(x)`` makes an amount exact: PostgreSQL's numeric already is; SQLite keeps decimals as
# binary floats, so there amounts are compared as integer cents.
# One pass over the postings: per-account sums joined to the cached balances, giving the
# totals (I11), the counts and the accounts whose cached balance is wrong (I4).
_ACCOUNTS = """
    WITH sums AS (
        SELECT account_id, SUM({c}(amount)) AS total, COUNT(*) AS n FROM wallet_posting GROUP BY account_id
    ), joined AS MATERIALIZED (
        SELECT a.id, a.balance, {c}(a.balance) AS exact, COALESCE(s.total, 0) AS total, COALESCE(s.n, 0) AS n
        FROM wallet_account a LEFT JOIN sums s ON s.account_id = a.id
    )
    SELECT 0, COUNT(*), COALESCE(SUM(n), 0), COALESCE(SUM(exact), 0) FROM joined
    UNION ALL
    SELECT * FROM (SELECT 1, id, exact, total FROM joined WHERE exact <> total ORDER BY id LIMIT 21) mismatches
"""

_CHECKS = {
    "I3 investor account is negative": """
        SELECT id, {c}(balance), 0 FROM wallet_account WHERE owner_id IS NOT NULL AND balance < 0
    """,
}

_LAST_BALANCE = {
    "postgresql": """
        SELECT a.id, a.balance, last.balance_after FROM wallet_account a
        CROSS JOIN LATERAL (
            SELECT balance_after FROM wallet_posting p WHERE p.account_id = a.id ORDER BY p.id DESC LIMIT 1
        ) last
        WHERE last.balance_after <> a.balance
    """,
    "sqlite": """
        SELECT a.id, {c}(a.balance), {c}(p.balance_after) FROM wallet_account a
        JOIN wallet_posting p ON p.id = (SELECT MAX(id) FROM wallet_posting WHERE account_id = a.id)
        WHERE {c}(p.balance_after) <> {c}(a.balance)
    """,
}

_ENTRY_CHECKS = {
    "I1 entry postings do not sum to zero": """
        SELECT entry_id, SUM({c}(amount)), COUNT(*) FROM wallet_posting GROUP BY entry_id HAVING SUM({c}(amount)) <> 0
    """,
    # Postings are non-zero and sum to zero per entry, so an entry with any posting has one on
    # each side; what remains to catch is an entry with none at all.
    "I1 entry has no postings": """
        SELECT e.id, 0, 0 FROM wallet_entry e WHERE NOT EXISTS (SELECT 1 FROM wallet_posting p WHERE p.entry_id = e.id)
    """,
}

# Daily returns (issue 13): one posting per investor account and date (I6), and each such posting
# carries exactly the accruals that point to it (I5). Entries of the per-position shape written
# before (``accrual:<position>:<date>``) pay one accrual each and pass the second check too.
_I6_RETURNS = "I6 more than one daily-return posting for an investor and date"
_RETURN_CHECKS = {
    _I6_RETURNS: """
        SELECT p.account_id, COUNT(*), e.business_date FROM wallet_posting p
        JOIN wallet_entry e ON e.id = p.entry_id
        JOIN wallet_account a ON a.id = p.account_id
        WHERE e.kind = 'return' AND e.natural_key LIKE 'returns:%' AND a.owner_id IS NOT NULL
        GROUP BY p.account_id, e.business_date HAVING COUNT(*) > 1
    """,
    "I5 daily-return posting differs from the accruals it paid": """
        SELECT p.id, {c}(p.amount), COALESCE(paid.total, 0) FROM wallet_posting p
        JOIN wallet_entry e ON e.id = p.entry_id
        JOIN wallet_account a ON a.id = p.account_id
        LEFT JOIN (
            SELECT posting_id, SUM({c}(amount)) AS total FROM investments_accrual
            WHERE posting_id IS NOT NULL GROUP BY posting_id
        ) paid ON paid.posting_id = p.id
        WHERE e.kind = 'return' AND a.owner_id IS NOT NULL AND {c}(p.amount) <> COALESCE(paid.total, 0)
    """,
}

_CHAIN_CHECK = {
    "I4 running balance chain is broken": """
        SELECT id, {c}(balance_after), running FROM (
            SELECT id, balance_after, SUM({c}(amount)) OVER (PARTITION BY account_id ORDER BY id) AS running
            FROM wallet_posting
        ) t WHERE running <> {c}(balance_after)
    """,
}


def _sqlite_cents(value) -> int | None:
    if value is None:
        return None
    return int((Decimal(str(value)) * 100).to_integral_value())


def _shown(amount) -> Decimal:
    """An amount as the SQL returned it ({c}: cents on SQLite) for the report, 2 decimals."""
    value = Decimal(str(amount))
    return (value / 100 if connection.vendor == "sqlite" else value).quantize(Decimal("0.01"))


def _amounts_shown(row) -> str:
    return f"id {row[0]} ({_shown(row[1])} vs {_shown(row[2])})"


# Checks whose rows are not (id, amount, amount).
_ROW_SHOWN = {_I6_RETURNS: lambda row: f"account {row[0]} has {row[1]} on {row[2]}"}


def _exact(sql: str) -> str:
    return sql.replace("{c}(", "bursar_cents(" if connection.vendor == "sqlite" else "(")


def ledger_check(*, deep: bool = False) -> LedgerReport:
    report = LedgerReport()
    vendor = connection.vendor
    checks = dict(_CHECKS)
    if deep or vendor != "postgresql":
        checks.update(_ENTRY_CHECKS)
    if deep:
        checks["I4 last running balance differs from the cached balance"] = _LAST_BALANCE.get(
            vendor, _LAST_BALANCE["sqlite"]
        )
        checks.update(_CHAIN_CHECK)
        checks.update(_RETURN_CHECKS)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            connection.connection.create_function("bursar_cents", 1, _sqlite_cents, deterministic=True)
        cursor.execute(_exact(_ACCOUNTS))
        (_, accounts, postings, total), *mismatches = cursor.fetchall()
        cursor.execute("SELECT COUNT(*) FROM wallet_entry")
        report.accounts, report.postings, report.entries = int(accounts), int(postings), cursor.fetchone()[0]
        if total != 0:
            report.problems.append(f"I11 money is not conserved: the accounts sum to {_shown(total)}, not 0")
        title = "I4 cached balance differs from the sum of postings"
        report.problems += [
            f"{title}: id {row[1]} ({_shown(row[2])} vs {_shown(row[3])})" for row in mismatches[:_REPORT_LIMIT]
        ]
        if len(mismatches) > _REPORT_LIMIT:
            report.problems.append(f"{title}: more rows not shown")
        for title, sql in checks.items():
            cursor.execute(_exact(sql))
            rows = cursor.fetchmany(_REPORT_LIMIT + 1)
            shown = _ROW_SHOWN.get(title, _amounts_shown)
            report.problems += [f"{title}: {shown(row)}" for row in rows[:_REPORT_LIMIT]]
            if len(rows) > _REPORT_LIMIT:
                report.problems.append(f"{title}: more rows not shown")
    return report
