"""Benchmark: ``ledger_check`` over a generated ledger on PostgreSQL (DESIGN P5: ≤ 2 s per 5M
postings), beside a plain-SQL lower bound (one aggregate scan of the postings) and a naive
per-account / per-entry ORM loop (sampled and extrapolated), all measured in the same run.

    .venv/bin/python bench/ledger_check.py [--postings 5000000] [--users 100000] [--keep]
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import best_of, django_setup_on_fresh_database, drop_database, step, table

DB_NAME = "bursar_bench_ledger"


def generate(*, postings: int, users: int) -> None:
    """Users with one available account each; entries of two postings (cash → investor) with
    correct running balances; cached balances to match. Bulk SQL, triggers off while loading."""
    from django.conf import settings
    from django.db import connection, transaction

    entries = postings // 2
    currency = settings.PLATFORM_CURRENCY
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # bulk load: no row triggers
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, country,
                language, referral_code, is_email_verified, kyc_status, is_staff, is_active, date_joined, updated_at)
            SELECT '!', false, 'bench' || g || '@example.com', '', '', '', '', 'en',
                   translate(lpad(g::text, 8, 'Z'), '01', 'AB'), true, 'approved', false, true, now(), now()
            FROM generate_series(1, %s) g
            """,
            [users],
        )
        cursor.execute(
            "INSERT INTO wallet_account (owner_id, kind, currency, balance, created_at)"
            " SELECT id, 'available', %s, 0, now() FROM accounts_user WHERE email LIKE 'bench%%' ORDER BY id",
            [currency],
        )
        cursor.execute("SELECT MIN(id) FROM wallet_account WHERE kind = 'available'")
        first_account = cursor.fetchone()[0]
        cursor.execute("SELECT id FROM wallet_account WHERE owner_id IS NULL AND kind = 'cash'")
        cash = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO wallet_entry (id, kind, natural_key, business_date, currency, memo, created_at)"
            " SELECT g, 'deposit', 'bench:' || g, DATE '2026-01-01' + (g %% 300), %s, '', now()"
            " FROM generate_series(1, %s) g",
            [currency, entries],
        )
        cursor.execute(
            """
            INSERT INTO wallet_posting (id, entry_id, account_id, amount, balance_after, currency)
            SELECT id, entry_id, account_id, amount,
                   SUM(amount) OVER (PARTITION BY account_id ORDER BY id), %(currency)s
            FROM (
                SELECT 2 * g - 1 AS id, g AS entry_id, %(cash)s AS account_id,
                       -(((g::bigint * 7919) %% 100000 + 1)::numeric / 100) AS amount
                FROM generate_series(1, %(entries)s) g
                UNION ALL
                SELECT 2 * g, g, %(first)s + (g %% %(users)s),
                       ((g::bigint * 7919) %% 100000 + 1)::numeric / 100
                FROM generate_series(1, %(entries)s) g
            ) legs
            """,
            {"currency": currency, "cash": cash, "entries": entries, "first": first_account, "users": users},
        )
        cursor.execute(
            "UPDATE wallet_account a SET balance = s.total"
            " FROM (SELECT account_id, SUM(amount) AS total FROM wallet_posting GROUP BY account_id) s"
            " WHERE a.id = s.account_id"
        )
        for table_name in ("wallet_entry", "wallet_posting"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), (SELECT MAX(id) FROM {table_name}))"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE wallet_posting")
        cursor.execute("VACUUM ANALYZE wallet_entry")
        cursor.execute("VACUUM ANALYZE wallet_account")


def reference_sql() -> None:
    """The lower bound: the per-account sums every I4 check needs, and nothing else."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT SUM(total) FROM (SELECT account_id, SUM(amount) AS total FROM wallet_posting GROUP BY account_id) s"
        )
        cursor.fetchall()


def naive_sampled(sample: int) -> float:
    """What a naive check costs: an ORM aggregate per account and per entry. Timed on a
    sample, extrapolated to the whole ledger."""
    from django.db.models import Sum

    from apps.wallet.models import Account, Entry

    accounts = list(Account.objects.order_by("?")[:sample])
    entries = list(Entry.objects.order_by("id")[:sample])
    start = time.perf_counter()
    for account in accounts:
        assert (account.postings.aggregate(total=Sum("amount"))["total"] or 0) == account.balance
    per_account = (time.perf_counter() - start) / len(accounts)
    start = time.perf_counter()
    for entry in entries:
        assert entry.postings.aggregate(total=Sum("amount"))["total"] == 0
    per_entry = (time.perf_counter() - start) / len(entries)
    return per_account * Account.objects.count() + per_entry * Entry.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=5_000_000)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    print(f"ledger_check benchmark: {args.postings:,} postings, {args.users:,} investors (PostgreSQL)")
    with step("migrating a fresh database"):
        django_setup_on_fresh_database(DB_NAME)
    try:
        with step("generating the ledger"):
            generate(postings=args.postings, users=args.users)
        from apps.wallet.ledger_check import ledger_check

        with step("ledger_check (project)"):
            project, report = best_of(args.runs, ledger_check)
        assert report.ok, report.problems
        assert report.postings == args.postings // 2 * 2
        with step("plain SQL reference"):
            reference, _ = best_of(args.runs, reference_sql)
        with step("naive ORM loop (sampled)"):
            naive = naive_sampled(2000)
        per_5m = project * 5_000_000 / report.postings
        print()
        print(
            table(
                [
                    ("implementation", "seconds", "per 5M postings"),
                    ("ledger_check (project)", f"{project:.2f}", f"{per_5m:.2f} (target ≤ 2.00)"),
                    ("plain SQL lower bound", f"{reference:.2f}", f"{reference * 5_000_000 / report.postings:.2f}"),
                    ("naive ORM loop (extrapolated)", f"{naive:.0f}", f"{naive * 5_000_000 / report.postings:.0f}"),
                ]
            )
        )
    finally:
        if not args.keep:
            drop_database(DB_NAME)


if __name__ == "__main__":
    main()
