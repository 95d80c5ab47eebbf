"""Benchmark: one business date of daily accrual (DESIGN P1, P2) on PostgreSQL + Redis.

Generates N active positions of M investors with bulk SQL, then measures in one run, each on its
own business date over the same positions:
- ``project, 1 worker``: ``accrue_returns`` through the real job path (chunks of investors,
  JobRun, lock, triggers), the job working every chunk itself;
- ``project, 2 workers``: the same with the chunks sent through Redis (``JOBS_FAN_OUT``) to a
  Celery worker process started beside it, the job working chunks too: two processes;
- ``per-position SQL``: the old shape as hand-written set-based SQL in one transaction (an entry
  and two postings per position): the reference the new shape replaces;
- ``per-investor SQL``: the shape the job writes (one posting per investor, one entry) as
  hand-written SQL in one transaction, no chunks: the lower bound;
- a naive reference: one ORM save per position, timed on a sample and extrapolated to N;
- P2: re-running the finished date (catch-up with nothing pending, and a forced ``--date``
  replay), asserting that nothing is written.

    .venv/bin/python bench/accrual.py [--positions 1000000] [--investors 500000] [--keep]
"""

import argparse
import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, django_setup_on_fresh_database, drop_database, step, table

DB_NAME = "bursar_bench_accrual"
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/12")
QUEUE = f"bench-accrual-{uuid.uuid4().hex[:8]}"
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
            " payout_schedule, capital_back, is_active, display_order, risk_disclosure, risk_disclosure_version,"
            " created_at, updated_at)"
            " VALUES ('Bench', '', 1, 1000000, 1.2345, 365, 'daily', true, true, 0, '', 1, now(), now()) RETURNING id"
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

    positions = list(Position.objects.select_related("user").order_by("user_id", "pk")[:sample])
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
            posting = entry.postings.get(amount__gt=0)
            Accrual.objects.create(position=position, business_date=day, amount=amount, posting=posting)
    return (time.perf_counter() - start) / len(positions)


# The per-position shape (before issue 13): an entry and two postings per position, as
# set-based SQL over every position in one transaction.
PER_POSITION_SQL = (
    """
    CREATE TEMP TABLE ref_due ON COMMIT DROP AS
    SELECT p.id AS position_id, p.user_id,
           ROUND((%(day)s::date - p.start_date) * p.principal * p.daily_rate / 100, 2)
         - ROUND(((%(day)s::date - p.start_date) - 1) * p.principal * p.daily_rate / 100, 2) AS amount
    FROM investments_position p
    WHERE p.status = 'active' AND p.start_date < %(day)s::date AND p.maturity_date >= %(day)s::date
      AND NOT EXISTS (SELECT 1 FROM investments_accrual a WHERE a.position_id = p.id AND a.business_date = %(day)s)
    """,
    "ANALYZE ref_due",
    """
    SELECT COUNT(*) FROM (
        SELECT id FROM wallet_account WHERE id IN (
            SELECT %(expense)s UNION ALL
            SELECT a.id FROM wallet_account a JOIN (SELECT DISTINCT user_id FROM ref_due) d ON a.owner_id = d.user_id
            WHERE a.kind = 'available' AND a.currency = %(currency)s)
        ORDER BY id FOR UPDATE) l
    """,
    """
    CREATE TEMP TABLE ref_entries ON COMMIT DROP AS
    WITH inserted AS (
        INSERT INTO wallet_entry (kind, natural_key, business_date, currency, memo, created_at)
        SELECT 'return', 'accrual:' || position_id || ':' || %(day_text)s, %(day)s::date, %(currency)s, '', now()
        FROM ref_due WHERE amount > 0 ORDER BY position_id
        RETURNING id, natural_key
    )
    SELECT i.id AS entry_id, d.position_id, a.id AS account_id, d.amount,
           nextval(pg_get_serial_sequence('wallet_posting', 'id')) AS posting_id
    FROM inserted i
    JOIN ref_due d ON d.position_id = split_part(i.natural_key, ':', 2)::bigint
    JOIN wallet_account a ON a.owner_id = d.user_id AND a.kind = 'available' AND a.currency = %(currency)s
    """,
    """
    INSERT INTO wallet_posting (id, entry_id, account_id, amount, balance_after, currency)
    SELECT COALESCE(id, nextval(pg_get_serial_sequence('wallet_posting', 'id'))), entry_id, account_id, amount,
           balance_after, %(currency)s FROM (
        SELECT NULL::bigint AS id, e.entry_id, 0 AS leg, %(expense)s::bigint AS account_id, -e.amount AS amount,
               x.balance - SUM(e.amount) OVER (ORDER BY e.entry_id) AS balance_after
        FROM ref_entries e CROSS JOIN (SELECT balance FROM wallet_account WHERE id = %(expense)s) x
        UNION ALL
        SELECT e.posting_id, e.entry_id, 1, e.account_id, e.amount,
               a.balance + SUM(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.entry_id)
        FROM ref_entries e JOIN wallet_account a ON a.id = e.account_id
    ) legs
    ORDER BY entry_id, leg
    """,
    """
    UPDATE wallet_account a SET balance = a.balance + s.total
    FROM (SELECT account_id, SUM(amount) AS total FROM ref_entries GROUP BY account_id) s WHERE a.id = s.account_id
    """,
    """
    UPDATE wallet_account SET balance = balance - (SELECT COALESCE(SUM(amount), 0) FROM ref_entries)
    WHERE id = %(expense)s
    """,
    """
    INSERT INTO investments_accrual (position_id, business_date, amount, posting_id)
    SELECT d.position_id, %(day)s::date, d.amount, e.posting_id
    FROM ref_due d LEFT JOIN ref_entries e ON e.position_id = d.position_id ORDER BY d.position_id
    """,
)


def _sql_params(day) -> dict:
    from django.conf import settings
    from django.utils import timezone

    from apps.wallet.models import AccountKind
    from apps.wallet.services.ledger import platform_account

    return {
        "day": day,
        "day_text": day.isoformat(),
        "low": 0,
        "high": 2**62,
        "currency": settings.PLATFORM_CURRENCY,
        "expense": platform_account(AccountKind.RETURN_EXPENSE).pk,
        "now": timezone.now(),
    }


def per_position_sql(*, day) -> float:
    """The old shape, hand-written: every position in one transaction."""
    from django.db import connection, transaction

    params = _sql_params(day)
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in PER_POSITION_SQL:
            cursor.execute(statement, params)
    return time.perf_counter() - start


def per_investor_sql(*, day) -> float:
    """The job's shape, hand-written: the chunk's statements over every investor at once, in one
    transaction (no chunks, no JobRun, no lock, no claim)."""
    from django.db import transaction

    from apps.investments.services import accrual

    start = time.perf_counter()
    with transaction.atomic():
        result = accrual._chunk_postgresql(day=day, low=0, high=2**62)
    assert result.created > 0
    return time.perf_counter() - start


def worker_start() -> subprocess.Popen:
    """One Celery worker process (solo pool) on the benchmark's queue and database."""
    env = {**os.environ, "JOBS_CHUNK_QUEUE": QUEUE, "CELERY_BROKER_URL": BROKER, "DJANGO_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "celery", "-A", "workers", "worker", "-Q", QUEUE, "--pool=solo"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel=WARNING"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(4)  # connected and waiting before the clock starts
    assert worker.poll() is None, worker.stderr.read().decode()
    return worker


def project_run(*, day, fan_out: bool) -> float:
    from django.conf import settings

    from apps.investments.services.accrual import accrue_returns

    settings.JOBS_FAN_OUT = fan_out
    began = time.perf_counter()
    [run] = accrue_returns(through=day)
    assert run.status == "succeeded", run.error
    return time.perf_counter() - began


_DUE_ROWS = """
SELECT p.id, %(day)s::date,
       ROUND((%(day)s::date - p.start_date) * p.principal * p.daily_rate / 100, 2)
     - ROUND(((%(day)s::date - p.start_date) - 1) * p.principal * p.daily_rate / 100, 2)
FROM investments_position p
WHERE p.status = 'active' AND p.start_date < %(day)s::date AND p.maturity_date >= %(day)s::date
"""


def write_paths(*, day) -> tuple[float, float]:
    """The accrual rows of a date (the bulk of the job's writes), written two ways, each in a
    transaction rolled back afterwards: INSERT … SELECT computed in the database (what the job
    does), and COPY of the same rows from the client into a staging table then INSERT … SELECT
    from it (rows read out first, not timed: the COPY path at its best)."""
    from django.db import connection, transaction

    params = {"day": day}
    insert_sql = "INSERT INTO investments_accrual (position_id, business_date, amount) " + _DUE_ROWS
    with connection.cursor() as cursor:
        cursor.execute(_DUE_ROWS, params)
        rows = cursor.fetchall()
    timings = []
    for path in ("insert-select", "copy"):
        with transaction.atomic(), connection.cursor() as cursor:
            began = time.perf_counter()
            if path == "insert-select":
                cursor.execute(insert_sql, params)
            else:
                cursor.execute(
                    "CREATE TEMP TABLE accrual_stage (position_id bigint, business_date date, amount numeric)"
                    " ON COMMIT DROP"
                )
                with cursor.cursor.copy("COPY accrual_stage FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cursor.execute(
                    "INSERT INTO investments_accrual (position_id, business_date, amount)"
                    " SELECT position_id, business_date, amount FROM accrual_stage"
                )
            timings.append(time.perf_counter() - began)
            transaction.set_rollback(True)
    return timings[0], timings[1]


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
    parser.add_argument("--investors", type=int, default=500_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    os.environ.update(CELERY_BROKER_URL=BROKER, JOBS_CHUNK_QUEUE=QUEUE, CELERY_TASK_ALWAYS_EAGER="0")

    print(f"accrual benchmark: {args.positions:,} positions, {args.investors:,} investors (PostgreSQL)")
    with step("migrating a fresh database"):
        django_setup_on_fresh_database(DB_NAME)
    worker = None
    try:
        from apps.common.dates import business_date_today
        from apps.investments.services.accrual import accrue_returns
        from workers.models import JobRun

        today = business_date_today()
        start_day = today - timedelta(days=4)
        one, two, per_position_day, per_investor_day = (start_day + timedelta(days=n) for n in (1, 2, 3, 4))
        with step("generating positions"):
            generate(positions=args.positions, investors=args.investors, start=start_day)
        JobRun.objects.create(job="accrue_returns", business_date=start_day, status="succeeded")
        with step(f"naive loop on {NAIVE_SAMPLE:,} positions"):
            per_row = naive_sample(day=one, sample=NAIVE_SAMPLE)
        with step("project, 1 worker: accrue_returns for one date"):
            project_one = project_run(day=one, fan_out=False)
        with step("starting a second worker process"):
            worker = worker_start()
        with step("project, 2 workers: accrue_returns for the next date"):
            project_two = project_run(day=two, fan_out=True)
        with step("per-position SQL (the old shape) for the next date"):
            per_position = per_position_sql(day=per_position_day)
        with step("per-investor SQL (the job's shape) for the next date"):
            per_investor = per_investor_sql(day=per_investor_day)
        with step("the date's accrual rows: INSERT … SELECT vs COPY into a staging table (rolled back)"):
            insert_select, copy = write_paths(day=per_investor_day + timedelta(days=1))
        before = writes()
        with step("re-run: catch-up with nothing pending"):
            began = time.perf_counter()
            assert accrue_returns(through=two) == []
            rerun_idle = time.perf_counter() - began
        with step("re-run: forced replay of the finished date"):
            began = time.perf_counter()
            assert accrue_returns(only=two) == []
            rerun_forced = time.perf_counter() - began
        assert writes() == before, "a re-run wrote ledger rows"
        scale = args.positions / (args.positions - NAIVE_SAMPLE)
        project_one *= scale  # the naive sample wrote its positions' accruals of that date first
        naive = per_row * args.positions
        print()
        print(
            table(
                [
                    ("measure", "seconds", "note"),
                    ("project, 1 worker (real job path)", f"{project_one:.1f}", "the job works every chunk itself"),
                    (
                        "project, 2 workers (real job path)",
                        f"{project_two:.1f}",
                        f"P1 target ≤ 30 and ≤ {1.3 * per_investor:.1f} (1.3× per-investor SQL)",
                    ),
                    ("per-position SQL (old shape)", f"{per_position:.1f}", "one transaction; 4 rows per position"),
                    ("per-investor SQL (job's shape)", f"{per_investor:.1f}", "one transaction; the lower bound"),
                    ("accrual rows, INSERT … SELECT", f"{insert_select:.1f}", "the job's write path"),
                    ("accrual rows, COPY + INSERT … SELECT", f"{copy:.1f}", "from the client through a staging table"),
                    (
                        "naive ORM loop (extrapolated)",
                        f"{naive:.0f}",
                        f"{per_row * 1000:.2f} ms per position; ≥ 50× project wanted",
                    ),
                    ("re-run, nothing pending", f"{rerun_idle:.3f}", "P2 target ≤ 1, writes nothing"),
                    ("re-run, forced --date replay", f"{rerun_forced:.3f}", "P2 target ≤ 1, writes nothing"),
                ]
            )
        )
        print(
            f"\nratios: 2 workers / per-investor SQL = {project_two / per_investor:.2f} (≤ 1.3 wanted), "
            f"2 workers / per-position SQL = {project_two / per_position:.2f} (≤ 0.5 wanted), "
            f"naive / 2 workers = {naive / project_two:.0f} (≥ 50 wanted)"
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        if not args.keep:
            drop_database(DB_NAME)


if __name__ == "__main__":
    main()
