"""Benchmark: the investor dashboard (the portal's signed-in ``/``, issue 10 §1: under 150 ms server
time for an investor with 50 positions and 5,000 movements, a constant number of queries).

``--movements`` sets how many dates are paid: movements ÷ positions of them, so that every position
gets about that many accruals. Since issue 13 a day's returns are one posting per investor, so the
investor's movements are then about one per date (the run prints how many), the accruals stay 5,000.

A fresh PostgreSQL database gets a background of other investors (bulk SQL, ``bench/data.py``: a
ledger, deposit and withdrawal requests, and active positions), then one investor built through
the real services: deposits approved by staff, positions bought with back-dated start dates, a
pending withdrawal, people invited with their code; the real accrual job then pays every date up
to yesterday for everyone, which gives the investor their movements (mostly daily returns).

The page is fetched with Django's test client, signed in, DEBUG off: the whole request
(middleware, session, header, selectors, templates) but no HTTP server. Beside it, in the same
run: the reads alone (``investor_dashboard_for_user``), a lower bound (every SQL query the page
runs, replayed bare on the same connection: what the database costs whatever the Python) and a
naive reference (the same figures read the plain ORM way: queries per position and per invited
person, accruals and movements loaded as objects and summed in Python), checked to agree with
the project's figures.

    .venv/bin/python bench/investor_dashboard.py [--positions 50] [--movements 5000]
        [--others 20000] [--other-positions 2000] [--postings 1000000] [--runs 20] [--keep] [--reuse]

The database server is ``BENCH_POSTGRES`` (default postgres://postgres@127.0.0.1:5432), as for
every benchmark here: a database ``bursar_bench_dashboard`` is created there and dropped after.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    django_setup_on_fresh_database,
    drop_database,
    statements_of,
    statements_replay,
    step,
    table,
)
from bench.data import REALISTIC_MIX, ledger_generate, requests_generate, vacuum_analyze

DB_NAME = "bursar_bench_dashboard"
TARGET_MS = 150
PRINCIPAL = Decimal("1000.00")
DEPOSITS = 10  # the investor's approved deposits (movements too)
INVITED = 5  # people who signed up with the investor's code
INVESTOR_EMAIL = "bench-investor@example.com"


def background_positions(*, positions: int, days: int) -> None:
    """Active positions of the other investors, started over the last ``days`` days (bulk SQL, no
    ledger entry: the accrual job pays them like any other)."""
    from django.conf import settings
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO investments_plan (name, description, min_amount, max_amount, daily_rate, term_days,"
            " payout_schedule, capital_back, is_active, display_order, risk_disclosure, risk_disclosure_version,"
            " created_at, updated_at)"
            " VALUES ('Background', '', 1, 1000000, 0.8000, 365, 'daily', true, true, 9, '', 1, now(), now())"
            " RETURNING id"
        )
        plan = cursor.fetchone()[0]
        cursor.execute("SELECT MIN(id), COUNT(*) FROM accounts_user WHERE email LIKE 'bench%%'")
        first_user, users = cursor.fetchone()
        cursor.execute(
            """
            INSERT INTO investments_position (user_id, plan_id, principal, currency, daily_rate, term_days,
                payout_schedule, capital_back, start_date, maturity_date, status, terms_accepted_at,
                terms_snapshot, created_at)
            SELECT %(first)s + (g %% %(users)s), %(plan)s, 100 + (g %% 9973)::numeric + 0.37, %(currency)s,
                   0.8000, 365, 'daily', true, start, start + 365, 'active', now(), '{}'::jsonb, now()
            FROM generate_series(1, %(positions)s) g
            CROSS JOIN LATERAL (SELECT CURRENT_DATE - 1 - (g %% %(days)s) AS start) s
            """,
            {
                "first": first_user,
                "users": users,
                "plan": plan,
                "currency": settings.PLATFORM_CURRENCY,
                "positions": positions,
                "days": days,
            },
        )
    vacuum_analyze("investments_position")


def investor_build(*, positions: int, movements: int):
    """The investor, through the services: ``DEPOSITS`` deposits, ``positions`` daily positions whose
    start dates are set so that the accrual job pays exactly the returns that bring their
    movements to ``movements``, a pending withdrawal, ``INVITED`` people invited."""
    from apps.accounts.services import user_create
    from apps.common.dates import business_date_today
    from apps.investments.services.plans import plan_create
    from apps.investments.services.positions import investment_open
    from apps.wallet.services.deposits import deposit_approve, deposit_request_create

    returns = movements - DEPOSITS - positions - 1  # the pending withdrawal is a movement too
    if returns < 0:
        raise SystemExit(f"--movements must be at least {DEPOSITS + positions + 1} for {positions} positions")
    staff = user_create(email="bench-finance@example.com", password=None, is_staff=True, is_superuser=True)
    investor = user_create(
        email="bench-investor@example.com", password=None, is_email_verified=True, first_name="Layla"
    )
    type(investor).objects.filter(pk=investor.pk).update(kyc_status="approved")  # no call to action for KYC
    investor.refresh_from_db()
    each = (PRINCIPAL * positions + Decimal("5000.00")) / DEPOSITS
    for _ in range(DEPOSITS):
        deposit = deposit_request_create(user=investor, amount=f"{each:.2f}")
        deposit_approve(deposit_id=deposit.pk, actor=staff)
    plan = plan_create(
        actor=staff,
        name="Steady",
        min_amount="100.00",
        max_amount="100000.00",
        daily_rate=Decimal("0.5000"),
        term_days=365,
        payout_schedule="daily",
        capital_back=True,
        risk_disclosure="You can lose money.",
    )
    today = business_date_today()
    for n in range(positions):
        days = returns // positions + (1 if n < returns % positions else 0)  # returns paid through yesterday
        investment_open(
            user=investor,
            plan_id=plan.pk,
            amount=f"{PRINCIPAL:.2f}",
            terms_accepted=True,
            start_date=today - timedelta(days=days + 1),
        )
    for n in range(INVITED):
        user_create(email=f"bench-invited{n}@example.com", password=None, referred_by=investor)
    return investor


def pending_withdrawal(investor) -> None:
    from apps.wallet.services.withdrawals import withdrawal_request_create

    withdrawal_request_create(user=investor, amount="250.00", address="TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")


@dataclass
class Timing:
    median: float  # ms
    best: float  # ms: the least disturbed by other processes on a busy machine


def timed(runs: int, function) -> Timing:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return Timing(statistics.median(times), min(times))


def page_queries(client, url: str) -> list[tuple[str, object]]:
    """The page's SQL statements with their parameters (replayable: ``statements_replay``)."""
    queries, response = statements_of(lambda: client.get(url))
    assert response.status_code == 200, (url, response.status_code)
    return queries


def naive_figures(*, user, today) -> dict:
    """The dashboard's figures read the plain ORM way: a query or three per position, one per person
    invited, every accrual and every posting of the investor loaded as objects."""
    from django.db.models import Sum

    from apps.investments.models import Accrual, Position, PositionStatus
    from apps.wallet.models import Account, Posting, Withdrawal

    balances = {account.kind: account.balance for account in Account.objects.filter(owner=user)}
    positions = {}
    for position in Position.objects.filter(user=user, status=PositionStatus.ACTIVE):
        paid = Accrual.objects.filter(position=position, posting__isnull=False)
        last = Accrual.objects.filter(position=position).order_by("-business_date").first()
        positions[position.pk] = (
            position.plan.name,
            paid.aggregate(total=Sum("amount"))["total"] or Decimal("0.00"),
            last.business_date if last else None,
        )
    returns_by_date = defaultdict(Decimal)
    paid_accruals = Accrual.objects.filter(position__user=user, posting__isnull=False).select_related("posting__entry")
    for accrual in paid_accruals:
        returns_by_date[accrual.posting.entry.business_date] += accrual.amount
    postings = sorted(
        Posting.objects.filter(account__owner=user).select_related("entry", "account"),
        key=lambda posting: (posting.entry.created_at, posting.pk),
        reverse=True,
    )
    invited = list(type(user).objects.filter(referred_by=user))
    qualified = sum(1 for person in invited if Position.objects.filter(user=person).exists())
    pending = [w.amount for w in Withdrawal.objects.filter(user=user, status="pending")]
    return {
        "balances": balances,
        "positions": positions,
        "returns_by_date": dict(returns_by_date),
        "latest": postings[:10],
        "referrals": (len(invited), qualified),
        "pending": (len(pending), sum(pending, Decimal("0.00"))),
        "today": today,
    }


def naive_agrees(naive: dict, dashboard) -> None:
    """The naive reads give the project's figures (what both can say the same way)."""
    figures = dashboard.figures
    assert naive["returns_by_date"] == figures.returns_by_date
    credited = {o.position.pk: o.row.credited for o in figures.outlook.positions}
    assert {pk: value[1] for pk, value in naive["positions"].items()} == credited
    assert naive["referrals"] == (figures.referrals, figures.qualified_referrals)
    assert naive["pending"] == (figures.pending_withdrawals.count, figures.pending_withdrawals.total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--positions", type=int, default=50, help="the investor's active positions (default 50)")
    parser.add_argument("--movements", type=int, default=5000, help="the investor's movements (default 5,000)")
    parser.add_argument("--others", type=int, default=20_000, help="other investors (default 20,000)")
    parser.add_argument("--other-positions", type=int, default=2_000, help="their active positions (default 2,000)")
    parser.add_argument("--postings", type=int, default=1_000_000, help="their ledger postings (default 1M)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per measure (median), after a warm-up")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure again on the database a --keep run left (no generation)"
    )
    args = parser.parse_args()
    if args.positions < 1 or args.runs < 1:
        parser.error("--positions and --runs must be at least 1")

    os.environ["DJANGO_DEBUG"] = "false"  # timing as in production: no query log, cached templates
    var_dir = tempfile.mkdtemp(prefix="bursar-bench-var-")  # DEBUG off needs collected static files
    os.environ["BURSAR_VAR_DIR"] = var_dir
    print(
        f"investor dashboard benchmark: {args.positions:,} positions and {args.movements:,} movements; "
        f"{args.others:,} other investors, {args.other_positions:,} positions, {args.postings:,} postings "
        f"(PostgreSQL, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start)"
    )
    started = time.perf_counter()
    try:
        if args.reuse:
            with step("reusing the database of a --keep run"):
                database_reuse(DB_NAME)
        else:
            with step("migrating a fresh database"):
                django_setup_on_fresh_database(DB_NAME)
        with step("collecting static files"):
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        if not args.reuse:
            generate(args)
        from apps.accounts.models import User
        from apps.common.dates import business_date_today

        measure(args, User.objects.get(email=INVESTOR_EMAIL), business_date_today())
    finally:
        if not args.keep:
            drop_database(DB_NAME)
        shutil.rmtree(var_dir, ignore_errors=True)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")


def database_reuse(name: str) -> None:
    """Set Django up on the benchmark database a ``--keep`` run left (same server as ``common``)."""
    from bench.common import DEFAULT_SERVER, ROOT

    os.environ["DATABASE_URL"] = f"{os.environ.get('BENCH_POSTGRES', DEFAULT_SERVER).rstrip('/')}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def generate(args) -> None:
    from apps.common.dates import business_date_today
    from apps.investments.services.accrual import accrue_returns

    with step("generating the other investors' ledger and requests"):
        ledger_generate(postings=args.postings, users=args.others, kinds=REALISTIC_MIX)
        requests_generate(deposits=args.postings // 25, withdrawals=args.postings // 100)
    span = args.movements // args.positions + 2
    with step("generating their positions"):
        background_positions(positions=args.other_positions, days=span)
    with step("the investor, through the services"):
        investor = investor_build(positions=args.positions, movements=args.movements)
    with step(f"the accrual job, {span} dates for everyone"):
        accrue_returns(through=business_date_today() - timedelta(days=1))
    pending_withdrawal(investor)
    vacuum_analyze("investments_accrual", "investments_position", "wallet_entry", "wallet_posting")


def measure(args, investor, today) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.wallet.selectors import investor_dashboard_for_user, transaction_list_for_user

    movements = transaction_list_for_user(user=investor).count()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(investor, backend="apps.accounts.backends.EmailOrUsernameBackend")
    rows = [("measure", "median ms", "best ms", "queries", f"median ≤ {TARGET_MS} ms")]
    load = os.getloadavg()[0]
    for period in ("30d", "all"):
        url = f"/?period={period}"
        with step(f"page, {period}"):
            queries = page_queries(client, url)  # also the warm-up
            page = timed(args.runs, lambda url=url: client.get(url))
        with step(f"reads alone, {period}"):
            with CaptureQueriesContext(connection) as captured:
                dashboard = investor_dashboard_for_user(user=investor, period=period)
            reads = timed(args.runs, lambda period=period: investor_dashboard_for_user(user=investor, period=period))
        with step(f"lower bound: the page's SQL, bare, {period}"):
            statements_replay(queries)
            lower = timed(args.runs, lambda queries=queries: statements_replay(queries))
        verdict = "yes" if page.median <= TARGET_MS else "NO"
        rows += [
            (f"dashboard page, {period} (project)", *cells(page), str(len(queries)), verdict),
            ("  its reads: investor_dashboard_for_user", *cells(reads), str(len(captured.captured_queries)), ""),
            (f"  lower bound: the page's {len(queries)} queries, bare SQL", *cells(lower), str(len(queries)), ""),
        ]
    assert len(dashboard.figures.outlook.positions) == args.positions
    with step("naive reads (per-position queries, objects summed in Python)"):
        with CaptureQueriesContext(connection) as captured:
            naive = naive_figures(user=investor, today=today)
        naive_agrees(naive, dashboard)
        naive_time = timed(max(3, args.runs // 4), lambda: naive_figures(user=investor, today=today))
    estimate = Timing(page.median - reads.median + naive_time.median, page.best - reads.best + naive_time.best)
    rows += [
        ("naive reads (per position, objects in Python)", *cells(naive_time), str(len(captured.captured_queries)), ""),
        ("naive page, estimated: page − reads + naive reads", *cells(estimate), "", ""),
    ]
    print()
    print(
        f"The investor: {args.positions} active positions, {movements:,} movements "
        f"(transaction_list_for_user), {len(dashboard.figures.returns_by_date):,} dates credited. "
        f"Load average {load:.2f} before the measures, {os.getloadavg()[0]:.2f} after ({os.cpu_count()} cores)."
    )
    print(table(rows))
    print(
        f"({args.runs} timed runs after a warm-up; test client with DEBUG off: the whole request without an HTTP "
        "server; the naive page estimate is for the 'all' period)"
    )


def cells(timing: Timing) -> tuple[str, str]:
    return f"{timing.median:.1f}", f"{timing.best:.1f}"


if __name__ == "__main__":
    main()
