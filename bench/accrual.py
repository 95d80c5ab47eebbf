"""Benchmark: one business date of daily accrual (DESIGN P1, P2) on PostgreSQL.

Generates N active positions with bulk SQL, then measures in one run:
- the project: ``accrue_returns`` through the real job path (chunks, JobRun, lock, triggers);
- a naive reference: one ORM save per position (``Accrual.objects.create`` + ``entry_post``),
  timed on a sample and extrapolated to N;
- a lower-bound reference: the same writes as hand-written set-based SQL in one transaction
  (for the next business date, so both write the same rows);
- P2: re-running the finished date (catch-up with nothing pending, and a forced ``--date``
  replay), asserting that nothing is written.

    .venv/bin/python bench/accrual.py [--positions 1000000] [--investors 100000] [--keep]
"""

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_setup_on_fresh_database, drop_database, step, table

DB_NAME = "bursar_bench_accrual"
NAIVE_SAMPLE = 2000


def generate(*, positions: int, investors: int, start) -> None:
    from django.conf import settings
    from django.db import connection, transaction

    currency = settings.PLATFORM_CURRENCY
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, email, first_name, last_name, phone, country,
                language, referral_code, is_email_verified, kyc_status, is_staff, is_active, date_joined, updated_at)
            SELECT '!', false, 'bench' || g || '@example.com', '', '', '', '', 'en',
                   translate(lpad(g::text, 8, 'Z'), '01', 'AB'), true, 'approved', false, true, now(), now()
            FROM generate_series(1, %s) g
            """,
            [investors],
        )
        cursor.execute(
            "INSERT INTO wallet_account (owner_id, kind, currency, balance, created_at)"
            " SELECT id, 'available', %s, 0, now() FROM accounts_user WHERE email LIKE 'bench%%'",
            [currency],
        )
        cursor.execute(
            "INSERT INTO investments_plan (name, description, min_amount, max_amount, daily_rate, term_days,"
            " payout_schedule, capital_back, is_active, display_order, risk_disclosure, created_at, updated_at)"
            " VALUES ('Bench', '', 1, 1000000, 1.2345, 365, 'daily', true, true, 0, '', now(), now()) RETURNING id"
        )
        plan = cursor.fetchone()[0]
        cursor.execute("SELECT MIN(id) FROM accounts_user WHERE email LIKE 'bench%%'")
        first_user = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO investments_position (user_id, plan_id, principal, currency, daily_rate, term_days,
                payout_schedule, capital_back, start_date, maturity_date, status, terms_accepted_at,
                terms_snapshot, created_at)
            SELECT %(first)s + (g %% %(investors)s), %(plan)s, 100 + (g %% 9973)::numeric + 0.37, %(currency)s,
                   1.2345, 365, 'daily', true, %(start)s, %(start)s + 365, 'active', now(), '{}'::jsonb, now()
            FROM generate_series(1, %(positions)s) g
            """,
            {
                "first": first_user,
                "investors": investors,
                "plan": plan,
                "currency": currency,
                "start": start,
                "positions": positions,
            },
        )
    with connection.cursor() as cursor:
        for name in ("investments_position", "wallet_account", "accounts_user"):
            cursor.execute(f"VACUUM ANALYZE {name}")


def naive_sample(*, day, sample: int) -> float:
    """One ORM save per row, the way a plain Django loop would do it; seconds per position."""
    from django.db import transaction

    from apps.investments.models import Accrual, Position
    from apps.investments.returns import return_for_day
    from apps.wallet.models import AccountKind, EntryKind
    from apps.wallet.services.ledger import entry_post, investor_account, platform_account, transfer_legs

    positions = list(Position.objects.select_related("user").order_by("pk")[:sample])
    expense = platform_account(AccountKind.RETURN_EXPENSE)
    start = time.perf_counter()
    for position in positions:
        with transaction.atomic():
            amount = return_for_day(
                principal=position.principal, daily_rate=position.daily_rate, day=(day - position.start_date).days
            )
            entry = entry_post(
                kind=EntryKind.RETURN,
                natural_key=f"accrual:{position.pk}:{day.isoformat()}",
                legs=transfer_legs(
                    debit=expense,
                    credit=investor_account(user=position.user, kind=AccountKind.AVAILABLE),
                    amount=amount,
                ),
                business_date=day,
            )
            Accrual.objects.create(position=position, business_date=day, amount=amount, entry=entry)
    return (time.perf_counter() - start) / len(positions)


def reference_sql(*, day) -> float:
    """The lower bound: the project's own set-based statements, hand-run over every position in
    one transaction (no chunks, no JobRun, no lock)."""
    from django.conf import settings
    from django.db import connection, transaction

    from apps.investments.services import accrual
    from apps.wallet.models import AccountKind
    from apps.wallet.services.ledger import platform_account

    params = {
        "day": day,
        "day_text": day.isoformat(),
        "low": 0,
        "high": 2**62,
        "currency": settings.PLATFORM_CURRENCY,
        "expense": platform_account(AccountKind.RETURN_EXPENSE).pk,
    }
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in accrual.PG_CHUNK_STATEMENTS:
            cursor.execute(statement, params)
    return time.perf_counter() - start


def writes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM investments_accrual) + (SELECT COUNT(*) FROM wallet_entry)"
            " + (SELECT COUNT(*) FROM wallet_posting)"
        )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=1_000_000)
    parser.add_argument("--investors", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    print(f"accrual benchmark: {args.positions:,} positions, {args.investors:,} investors (PostgreSQL)")
    with step("migrating a fresh database"):
        django_setup_on_fresh_database(DB_NAME)
    try:
        from apps.common.dates import business_date_today
        from apps.investments.services.accrual import accrue_returns
        from workers.models import JobRun

        today = business_date_today()
        start_day, day = today - timedelta(days=2), today - timedelta(days=1)
        with step("generating positions"):
            generate(positions=args.positions, investors=args.investors, start=start_day)
        JobRun.objects.create(job="accrue_returns", business_date=start_day, status="succeeded")
        with step(f"naive loop on {NAIVE_SAMPLE:,} positions"):
            per_row = naive_sample(day=day, sample=NAIVE_SAMPLE)
        with step("project: accrue_returns for one date"):
            began = time.perf_counter()
            [run] = accrue_returns(through=day)
            project = time.perf_counter() - began
        assert run.created == args.positions - NAIVE_SAMPLE, run.created
        with step("lower bound: hand-written set-based SQL for the next date"):
            reference = reference_sql(day=today)
        before = writes()
        with step("re-run: catch-up with nothing pending"):
            began = time.perf_counter()
            assert accrue_returns(through=day) == []
            rerun_idle = time.perf_counter() - began
        with step("re-run: forced replay of the finished date"):
            began = time.perf_counter()
            assert accrue_returns(only=day) == []
            rerun_forced = time.perf_counter() - began
        assert writes() == before, "a re-run wrote ledger rows"
        scale = args.positions / (args.positions - NAIVE_SAMPLE)
        naive = per_row * args.positions
        print()
        print(
            table(
                [
                    ("measure", "seconds", "note"),
                    (
                        "project, one date (real job path)",
                        f"{project * scale:.1f}",
                        f"P1 target ≤ 60; ≤ {1.5 * reference:.1f} (1.5× SQL)",
                    ),
                    ("lower bound, hand-written SQL", f"{reference:.1f}", "one transaction, no chunks"),
                    (
                        "naive ORM loop (extrapolated)",
                        f"{naive:.0f}",
                        f"{per_row * 1000:.2f} ms per position; ≥ 50× project wanted",
                    ),
                    ("re-run, nothing pending", f"{rerun_idle:.3f}", "P2 target ≤ 1, writes nothing"),
                    (
                        "re-run, forced --date replay",
                        f"{rerun_forced:.3f}",
                        "checks completeness in two counts, writes nothing",
                    ),
                ]
            )
        )
        ratio_sql, ratio_naive = project * scale / reference, naive / (project * scale)
        print(f"\nratios: project/SQL = {ratio_sql:.2f}, naive/project = {ratio_naive:.0f}")
    finally:
        if not args.keep:
            drop_database(DB_NAME)


if __name__ == "__main__":
    main()
