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
from bench.data import ledger_generate

DB_NAME = "bursar_bench_ledger"


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
            ledger_generate(postings=args.postings, users=args.users)
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
