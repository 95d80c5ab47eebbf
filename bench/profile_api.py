"""Profile the API reads in-process: where one request's time goes.

A fresh PostgreSQL database gets the same data as ``bench/api_read.py`` (``bench/data.py``); then
``--requests`` requests per endpoint go through Django's test client (the whole middleware stack,
authentication with a real JWT access token, throttles, view, serializer, renderer; no HTTP server)
under cProfile. Printed per endpoint: mean wall time a request, the top functions by cumulative and
by own time, and every SQL query of one request with its time, plus ``EXPLAIN ANALYZE`` of the
slowest query with ``--explain``.

    .venv/bin/python bench/profile_api.py [--investors 5000] [--postings 400000] [--requests 300]
        [--endpoints /api/users/profile/,/api/transactions/] [--top 25] [--cpu] [--explain] [--keep]
        [--cache-url redis://127.0.0.1:6379/13]

The database is ``bench_profile_<pid>`` (dropped afterwards unless ``--keep``). The per-user API
throttle is raised for the run (``API_THROTTLE_USER``); the throttle itself still runs, on Redis
by default as in production and in ``bench/api_read.py`` (``--cache-url file``: the embedded file
cache).
"""

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_setup_on_fresh_database, drop_database, step
from bench.data import REALISTIC_MIX, ledger_generate, requests_generate

ENDPOINTS = ("/api/users/profile/", "/api/transactions/")


def django_setup_on_database(name: str) -> None:
    """Set Django up on the existing database ``name`` (migrated to the current code)."""
    from bench.common import DEFAULT_SERVER, ROOT

    server = os.environ.get("BENCH_POSTGRES", DEFAULT_SERVER).rstrip("/")
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def clients_for(count: int) -> list:
    """Test clients carrying the JWT access tokens of ``count`` investors spread over the dataset."""
    from django.test import Client
    from rest_framework_simplejwt.tokens import RefreshToken

    from apps.accounts.models import User

    investors = list(User.objects.filter(email__startswith="bench").order_by("id"))
    stride = max(1, len(investors) // count)
    tokens = [str(RefreshToken.for_user(user).access_token) for user in investors[::stride][:count]]
    return [Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}") for token in tokens]


def queries_of_one_request(client, endpoint: str) -> list[dict]:
    """Every SQL statement of one request with its wall time in ms (round trip, measured here)."""
    from django.db import connection

    queries = []

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append({"sql": sql, "params": params, "ms": (time.perf_counter() - start) * 1000})

    with connection.execute_wrapper(timed):
        response = client.get(endpoint)
    assert response.status_code == 200, (endpoint, response.status_code, response.content[:300])
    return queries


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def profile(endpoint: str, clients: list, args) -> None:
    for client in clients:  # warm-up: connections, caches, first-time imports
        client.get(endpoint)
    queries = queries_of_one_request(clients[0], endpoint)
    start, cpu_start = time.perf_counter(), time.process_time()
    for n in range(args.requests):
        clients[n % len(clients)].get(endpoint)
    plain_ms = (time.perf_counter() - start) / args.requests * 1000
    cpu_ms = (time.process_time() - cpu_start) / args.requests * 1000
    # --cpu: this process's CPU time only (what a saturated server runs out of), not the waits on
    # PostgreSQL and Redis that wall time includes.
    profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for n in range(args.requests):
        clients[n % len(clients)].get(endpoint)
    profiler.disable()
    profiled_ms = (time.perf_counter() - start) / args.requests * 1000

    sql_ms = sum(query["ms"] for query in queries)
    print(
        f"\n=== GET {endpoint}: {plain_ms:.2f} ms a request, {cpu_ms:.2f} ms of it this process's CPU "
        f"({profiled_ms:.2f} ms under cProfile), mean of {args.requests}; one request: {len(queries)} SQL "
        f"queries, {sql_ms:.2f} ms in them (round trips)"
    )
    for number, query in enumerate(queries, 1):
        text = " ".join(query["sql"].split())
        shown = text if len(text) <= args.sql_width else text[: args.sql_width] + " …"
        print(f"  SQL {number}: {query['ms']:.2f} ms  {shown}")
    if args.explain and queries:
        for query in sorted(queries, key=lambda query: -query["ms"])[:2]:
            print(f"\n  EXPLAIN ANALYZE ({query['ms']:.2f} ms): {' '.join(query['sql'].split())[:100]} …")
            print("    " + explain(query["sql"], query["params"]).replace("\n", "\n    "))
    for order, title in (("cumulative", "cumulative time"), ("tottime", "own time")):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.strip_dirs().sort_stats(order).print_stats(args.top)
        body = buffer.getvalue()
        body = body[body.find("   ncalls") :] if "   ncalls" in body else body
        clock = "CPU" if args.cpu else "wall"
        print(f"\n  top {args.top} by {title}, {clock} time (totals over {args.requests} requests):")
        print("    " + body.rstrip().replace("\n", "\n    "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--investors", type=int, default=5000, help="investors in the dataset")
    parser.add_argument("--postings", type=int, default=400_000, help="ledger postings (half on investors)")
    parser.add_argument("--deposits", type=int, default=20_000, help="deposit requests")
    parser.add_argument("--withdrawals", type=int, default=5_000, help="withdrawal requests")
    parser.add_argument("--tokens", type=int, default=16, help="investors whose tokens the requests carry")
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint (profiled and not)")
    parser.add_argument("--endpoints", default=",".join(ENDPOINTS), help="comma-separated paths (GET)")
    parser.add_argument("--top", type=int, default=25, help="functions shown per ordering")
    parser.add_argument("--sql-width", type=int, default=160, help="characters of each SQL statement shown")
    parser.add_argument(
        "--cpu", action="store_true", help="profile this process's CPU time instead of wall time (waits left out)"
    )
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest query per endpoint")
    parser.add_argument(
        "--cache-url",
        default="redis://127.0.0.1:6379/13",
        help="CACHE_URL (the throttle's counters), as bench/api_read.py serves it; 'file' for the embedded file cache",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (its name is printed)")
    parser.add_argument(
        "--database", help="profile an existing database kept by an earlier run (--keep) instead of building one"
    )
    args = parser.parse_args()

    name = args.database or f"bench_profile_{os.getpid()}"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["API_THROTTLE_USER"] = "100000000/minute"
    if args.cache_url != "file":
        os.environ["CACHE_URL"] = args.cache_url
    scratch = Path(tempfile.mkdtemp(prefix="bursar-bench-profile-"))
    os.environ["BURSAR_VAR_DIR"] = str(scratch / "var")
    print(
        f"API profile: {args.investors:,} investors, {args.postings:,} postings, {args.deposits:,} deposits, "
        f"{args.withdrawals:,} withdrawals; database {name} (load average {os.getloadavg()[0]:.2f} at start)"
    )
    if args.database:
        with step("migrating the existing database"):
            django_setup_on_database(name)
    else:
        with step("migrating a fresh database"):
            django_setup_on_fresh_database(name)
    try:
        if not args.database:
            with step("generating investors, ledger, deposits and withdrawals"):
                ledger_generate(postings=args.postings, users=args.investors, kinds=REALISTIC_MIX)
                requests_generate(deposits=args.deposits, withdrawals=args.withdrawals)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        clients = clients_for(args.tokens)
        for endpoint in args.endpoints.split(","):
            profile(endpoint, clients, args)
    finally:
        if args.keep or args.database:
            print(f"\nkept database {name}")
        else:
            drop_database(name)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
