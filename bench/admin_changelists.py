"""Benchmark: the money admin's changelists over a big ledger (DESIGN P3: first and filtered pages
≤ 150 ms over ≥ 5M postings, a constant number of queries, no COUNT(*) over big tables).

Each page is fetched with Django's test client, logged in as a superuser, DEBUG off: the whole
request (middleware, session, admin, unfold templates) but no HTTP server. Beside it, in the same
run: a lower bound (the bare SQL of the page's main query on the same connection) and the naive
reference (Django's stock ModelAdmin, which also counts every matching row: the page plus its
``SELECT COUNT(*)``). The ledger CSV export of one week is timed to its last byte.

A probe of the staff dashboard (``GET /admin/``, issue 10: under 300 ms) looks at it on the
dataset's last business date (time-machine travels there, so its 30 days of charts have data):
its lower bound is every SQL statement the page ran, re-run bare; its naive reference is the page
with that SQL swapped for the obvious reads (balances summed from the postings instead of the
cached account balances, one query per day and series for the charts).

    .venv/bin/python bench/admin_changelists.py [--postings 5000000] [--users 100000]
        [--deposits 200000] [--withdrawals 50000] [--runs 5] [--keep] [--reuse] [--only-dashboard]

``--keep`` leaves the database behind; ``--reuse`` runs on that kept database instead of generating
it again (pending migrations are applied, so a new index is measured), and ``--only-dashboard``
times the dashboard probe alone.
"""

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datetime import UTC

from bench.common import django_setup_on_fresh_database, drop_database, staff_client, step, table
from bench.data import REALISTIC_MIX, ledger_generate, requests_generate

DB_NAME = "bursar_bench_admin"
TARGET_MS = 150
PER_PAGE = 50  # list_per_page of every list below
PER_ROW = 5  # a query shape run this often on one page is taken for one query per row (N+1)
BIG_TABLES = ("wallet_posting", "wallet_entry")
EXPORT_FROM, EXPORT_TO = "2026-06-01", "2026-06-07"  # one week of business dates

# The bare SQL of each page's main query: the rows it shows, with the joins it needs.
ENTRY_PAGE = (
    "SELECT e.*, u.* FROM wallet_entry e LEFT JOIN accounts_user u ON u.id = e.actor_id"
    " {where} ORDER BY e.id DESC LIMIT 50 OFFSET {offset}"
)
POSTING_PAGE = (
    "SELECT p.*, e.*, a.*, u.* FROM wallet_posting p JOIN wallet_entry e ON e.id = p.entry_id"
    " JOIN wallet_account a ON a.id = p.account_id LEFT JOIN accounts_user u ON u.id = a.owner_id"
    " {where} ORDER BY p.id DESC LIMIT 50"
)
ACCOUNT_PAGE = (
    "SELECT a.*, u.* FROM wallet_account a LEFT JOIN accounts_user u ON u.id = a.owner_id ORDER BY a.id DESC LIMIT 50"
)
# The queues: pending first, then newest (QUEUE_ORDERING).
QUEUE_ORDER = "ORDER BY CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, r.created_at DESC, r.id DESC LIMIT 50"
DEPOSIT_PAGE = (
    "SELECT r.*, u.*, v.* FROM wallet_deposit r JOIN accounts_user u ON u.id = r.user_id"
    " LEFT JOIN accounts_user v ON v.id = r.reviewed_by_id {where} " + QUEUE_ORDER
)
WITHDRAWAL_PAGE = (
    "SELECT r.*, u.*, f.*, v.* FROM wallet_withdrawal r JOIN accounts_user u ON u.id = r.user_id"
    " LEFT JOIN accounts_user f ON f.id = r.first_approved_by_id"
    " LEFT JOIN accounts_user v ON v.id = r.reviewed_by_id " + QUEUE_ORDER
)
EXPORT_ROWS = (
    "SELECT e.id, e.business_date, e.kind, e.natural_key, p.account_id, u.email, a.kind, p.amount,"
    " p.balance_after, e.memo FROM wallet_posting p JOIN wallet_entry e ON e.id = p.entry_id"
    " JOIN wallet_account a ON a.id = p.account_id LEFT JOIN accounts_user u ON u.id = a.owner_id"
    f" WHERE e.business_date BETWEEN '{EXPORT_FROM}' AND '{EXPORT_TO}' ORDER BY p.id"
)


def django_setup_on_kept_database(name: str) -> None:
    """Set Django up on the database a ``--keep`` run left, and apply any migration added since."""
    from bench.common import DEFAULT_SERVER

    server = os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER).rstrip("/")
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def analyze_all() -> None:
    """Statistics for every table, as a running database has them: the generators analyze what
    they fill, and a table never analyzed (say an empty ``investments_accrual``) is planned as ten
    pages of rows, which can buy a parallel plan (worker start-up: ~10 ms) to read nothing."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def count(table_name: str, where: str = "") -> str:
    return f"SELECT COUNT(*) FROM {table_name} {where}".strip()


@dataclass
class Page:
    label: str
    url: str
    lower_bound: str
    # What Django's stock ModelAdmin would run on top of the project's queries: its COUNT(*)s
    # (the paginator's over the filtered list, and the "full result count" when filtered).
    naive_counts: tuple[str, ...]
    probe: bool = False  # not one of DESIGN P3's pages: a filter looked at for what it costs
    stream: bool = False
    target_ms: int = TARGET_MS


def pages(*, account_id: int) -> list[Page]:
    entry_deposits = "WHERE e.kind = 'deposit'"
    return [
        # The fixed cost of an admin list page: a tiny table (a handful of rows), same shell.
        Page(
            "reference: deposit addresses (tiny table)",
            "/admin/wallet/depositaddress/",
            "SELECT * FROM wallet_depositaddress ORDER BY network, id LIMIT 100",
            (),
            probe=True,
        ),
        Page("entries", "/admin/wallet/entry/", ENTRY_PAGE.format(where="", offset=0), (count("wallet_entry"),)),
        Page(
            "entries, kind = deposit",
            "/admin/wallet/entry/?kind__exact=deposit",
            ENTRY_PAGE.format(where=entry_deposits, offset=0),
            (count("wallet_entry", "WHERE kind = 'deposit'"), count("wallet_entry")),
        ),
        Page(
            "entries, page 50",
            "/admin/wallet/entry/?p=50",
            ENTRY_PAGE.format(where="", offset=49 * PER_PAGE),
            (count("wallet_entry"),),
        ),
        Page("postings", "/admin/wallet/posting/", POSTING_PAGE.format(where=""), (count("wallet_posting"),)),
        Page("accounts", "/admin/wallet/account/", ACCOUNT_PAGE, (count("wallet_account"),)),
        # The queues keep Django's paginator: they count already, stock or not.
        Page("deposits", "/admin/wallet/deposit/", DEPOSIT_PAGE.format(where=""), ()),
        Page(
            "deposits, status = pending",
            "/admin/wallet/deposit/?status__exact=pending",
            DEPOSIT_PAGE.format(where="WHERE r.status = 'pending'"),
            (count("wallet_deposit"),),
        ),
        Page("withdrawals", "/admin/wallet/withdrawal/", WITHDRAWAL_PAGE, ()),
        Page(
            "ledger CSV, one week",
            f"/admin/wallet/entry/export/?date_from={EXPORT_FROM}&date_to={EXPORT_TO}",
            EXPORT_ROWS,
            (),
            stream=True,
        ),
        # Other filters, to see what they cost (not in P3's list).
        Page(
            "probe: entries, kind = adjustment (0.1 %)",
            "/admin/wallet/entry/?kind__exact=adjustment",
            ENTRY_PAGE.format(where="WHERE e.kind = 'adjustment'", offset=0),
            (count("wallet_entry", "WHERE kind = 'adjustment'"), count("wallet_entry")),
            probe=True,
        ),
        Page(
            "probe: entries, one week of business dates",
            f"/admin/wallet/entry/?business_date_from={EXPORT_FROM}&business_date_to={EXPORT_TO}",
            ENTRY_PAGE.format(where=f"WHERE e.business_date BETWEEN '{EXPORT_FROM}' AND '{EXPORT_TO}'", offset=0),
            (count("wallet_entry", f"WHERE business_date BETWEEN '{EXPORT_FROM}' AND '{EXPORT_TO}'"),),
            probe=True,
        ),
        Page(
            "probe: postings of one account",
            f"/admin/wallet/posting/?account__id__exact={account_id}",
            POSTING_PAGE.format(where=f"WHERE p.account_id = {account_id}"),
            (count("wallet_posting", f"WHERE account_id = {account_id}"), count("wallet_posting")),
            probe=True,
        ),
        Page(
            "probe: postings, entry kind = deposit",
            "/admin/wallet/posting/?entry__kind__exact=deposit",
            POSTING_PAGE.format(where="WHERE e.kind = 'deposit'"),
            (
                "SELECT COUNT(*) FROM wallet_posting p JOIN wallet_entry e ON e.id = p.entry_id"
                " WHERE e.kind = 'deposit'",
                count("wallet_posting"),
            ),
            probe=True,
        ),
        Page(
            "probe: postings, entry kind = adjustment (0.1 %)",
            "/admin/wallet/posting/?entry__kind__exact=adjustment",
            POSTING_PAGE.format(where="WHERE e.kind = 'adjustment'"),
            (
                "SELECT COUNT(*) FROM wallet_posting p JOIN wallet_entry e ON e.id = p.entry_id"
                " WHERE e.kind = 'adjustment'",
                count("wallet_posting"),
            ),
            probe=True,
        ),
    ]


def median_ms(runs: int, function) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def fetch(client, page: Page) -> int:
    """GET the page to its last byte; the bytes received."""
    response = client.get(page.url)
    assert response.status_code == 200, (page.url, response.status_code, response.get("Location"))
    if page.stream:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def sql_ms(runs: int, sql: str) -> float:
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.fetchall()

    run()  # warm-up
    return median_ms(runs, run)


def shape(sql: str) -> str:
    """A query with its literals blanked: the same shape run per row is an N+1."""
    return re.sub(r"\b\d+\b", "?", re.sub(r"'[^']*'", "?", sql))


@dataclass
class Counted:
    sql: str
    table: str
    capped: bool


def counts_in(queries: list[str]) -> list[Counted]:
    """Every COUNT query, the table it counts and whether it is capped (``COUNT(*) FROM (… LIMIT n)``)."""
    found = []
    for sql in queries:
        if "COUNT(" not in sql.upper():
            continue
        tables = re.findall(r'FROM "?(\w+)"?', sql)
        found.append(Counted(sql, tables[-1] if tables else "?", bool(re.search(r"\bLIMIT\s+\d+", sql))))
    return found


@dataclass
class Result:
    page: Page
    project_ms: float
    queries: int
    repeated: list[tuple[str, int]]
    counts: list[Counted]
    lower_ms: float
    naive_extra_ms: float
    size: int
    naive_ms: float | None = None  # a naive reference of its own (the dashboard), else page + COUNTs
    slowest: list[tuple[float, str]] | None = None  # the dashboard: its slowest statements (ms, SQL)


def measure(client, page: Page, runs: int, count_cache: dict[str, float]) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fetch(client, page)  # warm-up
    with CaptureQueriesContext(connection) as captured:
        size = fetch(client, page)
    queries = [query["sql"] for query in captured.captured_queries]
    repeated = [(sql, n) for sql, n in Counter(shape(sql) for sql in queries).items() if n >= PER_ROW]
    project = median_ms(runs, lambda: fetch(client, page))
    lower = sql_ms(runs, page.lower_bound)
    for sql in page.naive_counts:
        if sql not in count_cache:
            count_cache[sql] = sql_ms(max(3, runs // 2), sql)
    naive_extra = sum(count_cache[sql] for sql in page.naive_counts)
    return Result(page, project, len(queries), repeated, counts_in(queries), lower, naive_extra, size)


def naive_export_ms(runs: int) -> float:
    """The naive export: every posting of the week as a model instance (with its entry, account
    and owner), then the CSV written from them in memory."""
    import csv
    import io

    from apps.wallet.models import Posting

    def run() -> None:
        postings = list(
            Posting.objects.filter(entry__business_date__range=(EXPORT_FROM, EXPORT_TO))
            .select_related("entry", "account__owner")
            .order_by("id")
        )
        out = io.StringIO()
        writer = csv.writer(out)
        for p in postings:
            writer.writerow(
                (
                    p.entry_id,
                    p.entry.business_date.isoformat(),
                    p.entry.kind,
                    p.entry.natural_key,
                    p.account_id,
                    p.account.owner.email if p.account.owner else "",
                    p.account.kind,
                    f"{p.amount:.2f}",
                    f"{p.balance_after:.2f}",
                    p.entry.memo,
                )
            )
        out.getvalue().encode()

    return median_ms(runs, run)


# --- the staff dashboard ---------------------------------------------------------------------------

DASHBOARD_TARGET_MS = 300
DASHBOARD_DAYS = 30  # the charts' default range
DASHBOARD_SLOWEST = 6  # statements of the dashboard listed with their time


def dashboard_page() -> Page:
    return Page(
        f"probe: dashboard, /admin/ (target {DASHBOARD_TARGET_MS} ms)",
        "/admin/",
        "",
        (),
        probe=True,
        target_ms=DASHBOARD_TARGET_MS,
    )


def dashboard_day():
    """The dataset's last business date (``bench.data``: requests and entries over ``DAYS`` days)."""
    from datetime import date, timedelta

    from bench.data import DAYS, FIRST_DAY

    return date.fromisoformat(FIRST_DAY) + timedelta(days=DAYS - 1)


def naive_dashboard_sql(*, through) -> list[str]:
    """The dashboard's figures read the obvious way: balances and platform cash summed from the
    postings, and each chart series one query per day."""
    from datetime import timedelta

    sql = [
        "SELECT a.kind, SUM(p.amount) FROM wallet_posting p JOIN wallet_account a ON a.id = p.account_id"
        " WHERE a.owner_id IS NOT NULL GROUP BY a.kind",
        "SELECT SUM(p.amount) FROM wallet_posting p JOIN wallet_account a ON a.id = p.account_id"
        " WHERE a.owner_id IS NULL AND a.kind = 'cash'",
        "SELECT COUNT(*), SUM(amount), MIN(created_at) FROM wallet_deposit WHERE status = 'pending'",
        "SELECT COUNT(*), SUM(amount), MIN(created_at) FROM wallet_withdrawal WHERE status = 'pending'",
    ]
    for n in range(DASHBOARD_DAYS):
        day = through - timedelta(days=n)
        on_day = f"::date = DATE '{day.isoformat()}'"
        sql += [
            f"SELECT SUM(amount) FROM wallet_deposit WHERE status = 'approved' AND reviewed_at{on_day}",
            f"SELECT SUM(amount) FROM wallet_withdrawal WHERE status = 'approved' AND reviewed_at{on_day}",
            "SELECT COUNT(*) FROM wallet_deposit d WHERE d.status = 'approved' AND d.reviewed_at"
            f"{on_day} AND NOT EXISTS (SELECT 1 FROM wallet_deposit e WHERE e.user_id = d.user_id"
            " AND e.status = 'approved' AND e.reviewed_at < d.reviewed_at)",
            f"SELECT COUNT(*) FROM accounts_user WHERE NOT is_staff AND date_joined{on_day}",
            f"SELECT SUM(total_amount) FROM workers_jobrun WHERE job = 'accrue_returns' AND business_date{on_day}",
            "SELECT SUM(c.amount) FROM referrals_commission c JOIN wallet_entry e ON e.id = c.entry_id"
            f" WHERE e.business_date{on_day}",
        ]
    return sql


def statements_ms(runs: int, statements: list[str]) -> float:
    """Every statement run bare, one after the other (median of the runs, after a warm-up)."""
    from django.db import connection

    def run() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    run()
    return median_ms(runs, run)


def measure_dashboard(client, runs: int) -> Result:
    """The dashboard on the dataset's last business date, at noon UTC."""
    from datetime import datetime

    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    page, day = dashboard_page(), dashboard_day()
    with time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=True):
        fetch(client, page)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            size = fetch(client, page)
        queries = [query["sql"] for query in captured.captured_queries]
        project = median_ms(runs, lambda: fetch(client, page))
        lower = statements_ms(runs, queries)
        naive_sql = statements_ms(max(1, runs // 2), naive_dashboard_sql(through=day))
        slowest = sorted(((statements_ms(3, [sql]), sql) for sql in queries), reverse=True)[:DASHBOARD_SLOWEST]
    repeated = [(sql, n) for sql, n in Counter(shape(sql) for sql in queries).items() if n >= PER_ROW]
    naive = project - lower + naive_sql
    result = Result(page, project, len(queries), repeated, counts_in(queries), lower, 0.0, size, naive_ms=naive)
    result.slowest = slowest
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postings", type=int, default=5_000_000, help="ledger postings (default 5M)")
    parser.add_argument("--users", type=int, default=100_000, help="investors, one account each")
    parser.add_argument("--deposits", type=int, default=200_000, help="deposit requests, mixed statuses")
    parser.add_argument("--withdrawals", type=int, default=50_000, help="withdrawal requests")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page (median), after one warm-up")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="run on the database a --keep run left (migrated, not regenerated; kept afterwards)",
    )
    parser.add_argument("--only-dashboard", action="store_true", help="time the dashboard probe alone")
    args = parser.parse_args()
    if args.reuse:
        args.keep = True

    os.environ["DJANGO_DEBUG"] = "false"  # timing as in production: no query log, cached templates
    # DEBUG off needs collected static files (a manifest): collect them into a throw-away var dir.
    var_dir = tempfile.mkdtemp(prefix="bursar-bench-var-")
    os.environ["BURSAR_VAR_DIR"] = var_dir
    print(
        f"admin changelists benchmark: {args.postings:,} postings, {args.users:,} investors, "
        f"{args.deposits:,} deposits, {args.withdrawals:,} withdrawals (PostgreSQL, {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.2f} at start)"
    )
    started = time.perf_counter()
    if args.reuse:
        with step(f"migrating the kept database {DB_NAME}"):
            django_setup_on_kept_database(DB_NAME)
    else:
        with step("migrating a fresh database"):
            django_setup_on_fresh_database(DB_NAME)
    try:
        with step("collecting static files"):
            from django.core.management import call_command

            call_command("collectstatic", interactive=False, verbosity=0)
        from apps.accounts.models import User
        from apps.wallet.models import Account, DepositAddress

        if not args.reuse:
            with step("generating the ledger"):
                ledger_generate(postings=args.postings, users=args.users, kinds=REALISTIC_MIX)
            with step("generating deposits and withdrawals"):
                requests_generate(deposits=args.deposits, withdrawals=args.withdrawals)
            DepositAddress.objects.bulk_create(
                DepositAddress(network=network, address=f"{network}-bench-address-{n}", label=f"wallet {n}")
                for n in range(1, 3)
                for network in ("TRC20", "ERC20", "BTC")
            )
            User.objects.create_superuser(email="bench-admin@example.com", password=None)
            with step("analyzing the other tables"):
                analyze_all()
        staff = User.objects.get(email="bench-admin@example.com")
        client = staff_client(staff)  # two-factor verified, as staff sessions must be
        account_id = Account.objects.filter(owner__email="bench1@example.com").values_list("pk", flat=True).get()

        results, count_cache = [], {}
        if not args.only_dashboard:
            for page in pages(account_id=account_id):
                with step(page.label):
                    results.append(measure(client, page, args.runs, count_cache))
        with step(dashboard_page().label):
            results.append(measure_dashboard(client, args.runs))
        naive_export = 0.0
        if not args.only_dashboard:
            with step("naive export (model instances, CSV in memory)"):
                naive_export = naive_export_ms(max(1, args.runs // 2))
        report(results, naive_export, postings=args.postings)
    finally:
        if not args.keep:
            drop_database(DB_NAME)
        shutil.rmtree(var_dir, ignore_errors=True)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")


def report(results: list[Result], naive_export: float, *, postings: int) -> None:
    rows = [("page", "project ms", "queries", "lower bound ms", "naive ms (stock COUNT)", f"≤ {TARGET_MS} ms")]
    for r in results:
        if r.page.stream:
            naive = f"{naive_export:.0f} (ORM objects)"
            verdict = f"{r.size / 1e6:.1f} MB streamed"
        elif r.naive_ms is not None:
            naive = f"{r.naive_ms:.0f} (naive reads)"
            verdict = "yes" if r.project_ms <= r.page.target_ms else "NO"
        else:
            naive = f"{r.project_ms + r.naive_extra_ms:.0f} (+{r.naive_extra_ms:.0f})" if r.page.naive_counts else "="
            verdict = "yes" if r.project_ms <= r.page.target_ms else "NO"
        rows.append(
            (r.page.label, f"{r.project_ms:.1f}", str(r.queries), f"{r.lower_ms:.1f}", naive, verdict),
        )
    print()
    print(table(rows))
    print(
        "(median of the timed runs; lower bound: the page's main query alone, bare SQL; naive: the page plus the "
        "COUNT(*)s Django's stock ModelAdmin runs, '=' where the page already counts like stock; the dashboard: "
        "lower bound = all its SQL run bare, naive = the page with balances summed from the postings and one "
        f"query per day and series, on {dashboard_day().isoformat()}; its target is {DASHBOARD_TARGET_MS} ms)"
    )

    for r in results:
        if r.slowest:
            print(f"\nslowest statements of {r.page.label} (bare SQL, median of 3):")
            for ms, sql in r.slowest:
                print(f"  {ms:7.1f} ms  {sql[:160]}")

    # The sidebar's badges (pending requests, locked-out logins) are counted on every admin page.
    html_pages = [r for r in results if not r.page.stream]
    everywhere = set.intersection(*({shape(c.sql) for c in r.counts} for r in html_pages)) if html_pages else set()
    print("\nCOUNT queries (capped = COUNT(*) over a LIMITed subquery; FULL = every matching row):")
    for sql in sorted(everywhere):
        print(f"  every admin page (sidebar badges), {'capped' if 'LIMIT' in sql else 'FULL'}: {sql[:140]}")
    violations = []
    for r in results:
        for counted in r.counts:
            if shape(counted.sql) in everywhere and r.counts.count(counted) == 1:
                continue
            print(f"  {r.page.label}: {'capped' if counted.capped else 'FULL'} on {counted.table}: {counted.sql[:140]}")
            if counted.table in BIG_TABLES and not counted.capped:
                violations.append((r.page.label, counted.sql))
    repeated = [(r.page.label, sql, n) for r in results for sql, n in r.repeated]
    for label, sql, n in repeated:
        print(f"  query run once per row on {label} ({n}×): {sql[:140]}")
    main_pages = [r for r in results if not r.page.probe and not r.page.stream]
    if not main_pages:  # --only-dashboard
        return
    print(
        f"\nP3 over {postings:,} postings: pages ≤ {TARGET_MS} ms: "
        f"{'yes' if all(r.project_ms <= TARGET_MS for r in main_pages) else 'NO'}; "
        f"no uncapped COUNT on {'/'.join(BIG_TABLES)}: {'yes' if not violations else 'NO'}; "
        f"no query repeated per row: {'yes' if not repeated else 'NO'}"
    )
    assert not violations, violations


if __name__ == "__main__":
    main()
