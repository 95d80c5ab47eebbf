"""Benchmark: authenticated reads under gunicorn (DESIGN P4: ``users/profile/`` ≥ 1,000 req/s with
p99 ≤ 30 ms, ``transactions/`` first page ≥ 600 req/s with p99 ≤ 50 ms, at 16 concurrent clients),
driven by ``wrk`` over loopback.

A fresh PostgreSQL database gets a few thousand investors with ledger postings, deposits and
withdrawals (bulk SQL, ``bench/data.py``); gunicorn serves ``config.wsgi`` on 127.0.0.1 with
DEBUG off and the cache on Redis (production's: the throttle counters live there; ``--cache-url
file`` keeps the embedded file cache); ``wrk`` keeps 16 connections busy on each page in turn:

- ``GET /api/users/profile/`` and ``GET /api/transactions/`` (first page of 20), each request
  carrying one of 16 investors' JWT access tokens in turn (the P4 targets);
- the portal dashboard (``GET /``) with one of 16 investors' signed-in sessions (cookie), and the
  admin's pending deposit queue (``GET /admin/wallet/deposit/?status__exact=pending``) with a
  staff member's session that passed two-factor authentication (a confirmed TOTP device bound to
  the session by django-otp, made server-side as the code step does): reported, no target.

gunicorn runs with the Procfile's ``config/gunicorn.conf.py`` and each ``--configs`` worker count.
Beside it, in the same run and under the same gunicorn settings: the lower bound (a hello-world
WSGI app, ``bench/hello_wsgi.py``: what gunicorn and wrk alone reach on this machine) and naive
deployments (DEBUG on; no persistent database connections). wrk runs on the same cores as the
server and the database: its share of the CPU is printed.

    .venv/bin/python bench/api_read.py [--investors 5000] [--duration 15] [--connections 16]
        [--configs sync2,sync4,gthread2x4] [--rounds 1] [--cache-url redis://127.0.0.1:6379/13] [--keep]

With ``--rounds N`` every config is measured N times, interleaved, the lower bound beside the
project each time, and the P4 verdict is given per round. Each project row also shows its share
of the lower bound's req/s in the same round: a figure that the machine's speed of the moment
moves much less than the req/s themselves.

Needs ``wrk`` (``apt-get install -y wrk``) and, for the default cache, Redis on 127.0.0.1. The
per-user API throttle is raised for the run (``API_THROTTLE_USER``): 16 investors sending hundreds
of requests a second would otherwise be throttled; the throttle itself still runs on every request.
"""

import argparse
import http.client
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, django_setup_on_fresh_database, drop_database, step, table
from bench.data import REALISTIC_MIX, ledger_generate, requests_generate

DB_NAME = "bursar_bench_api"
PROFILE, TRANSACTIONS = "/api/users/profile/", "/api/transactions/"
PORTAL_HOME, DEPOSIT_QUEUE = "/", "/admin/wallet/deposit/?status__exact=pending"
# Each page and who asks for it: "token" (an investor's JWT), "investor" (an investor's portal
# session cookie) or "staff" (a staff session verified with a TOTP device).
ENDPOINTS = {PROFILE: "token", TRANSACTIONS: "token", PORTAL_HOME: "investor", DEPOSIT_QUEUE: "staff"}
# DESIGN P4: (req/s at least, p99 ms at most) at 16 clients; the two pages without one are reported.
TARGETS = {PROFILE: (1000, 30), TRANSACTIONS: (600, 50)}
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/13"
HELLO_APP = "bench.hello_wsgi:application"
# gunicorn worker settings to try on 2 cores: name → command-line options.
# Each on top of the Procfile's config/gunicorn.conf.py (the command line wins over the file).
GUNICORN_CONF = ["--config", "config/gunicorn.conf.py"]
WORKER_CONFIGS = {
    "sync2": [*GUNICORN_CONF, "--workers", "2"],
    "sync4": [*GUNICORN_CONF, "--workers", "4"],
    "sync8": [*GUNICORN_CONF, "--workers", "8"],
    "gthread2x4": [*GUNICORN_CONF, "--worker-class", "gthread", "--workers", "2", "--threads", "4"],
    "gthread4x4": [*GUNICORN_CONF, "--worker-class", "gthread", "--workers", "4", "--threads", "4"],
}
WRK_SCRIPT = """
local values = {%(values)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", nil, {["%(header)s"] = values[n %% #values + 1]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests": %%d, "duration_us": %%d, "non2xx": %%d, "socket_errors": %%d, '
    .. '"p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass
class Run:
    server: str
    round: int
    endpoint: str
    rps: float
    p50: float
    p95: float
    p99: float
    requests: int
    bad: int  # non-2xx responses and socket errors
    client_cpu: float  # wrk's CPU time over the run's wall time (1.0 = one core)
    machine_cpu: float  # all cores busy over the run, 0…1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class Gunicorn:
    """One gunicorn on 127.0.0.1 (a free port), stopped by its own pid."""

    def __init__(self, app: str, options: list[str], env: dict[str, str], log: Path):
        self.port = free_port()
        self.log = log.open("ab")
        command = [str(ROOT / ".venv/bin/gunicorn"), app, "--bind", f"127.0.0.1:{self.port}", *options]
        command += ["--log-level", "warning", "--graceful-timeout", "5"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}), see {log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/")
                connection.getresponse().read()
                connection.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not answer in 30 s, see {log}") from None
                time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.log.closed:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def wrk(url: str, script: Path, *, seconds: int, connections: int) -> tuple[dict, float, float]:
    """One bounded wrk run: its RESULT line, wrk's CPU share and the machine's busy share."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before, total_before = cpu_busy()
    start = time.perf_counter()
    completed = subprocess.run(
        ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_after, total_after = cpu_busy()
    line = next(line for line in completed.stdout.splitlines() if line.startswith("RESULT "))
    client = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / wall
    machine = (busy_after - busy_before) / max(1, total_after - total_before)
    return json.loads(line.removeprefix("RESULT ")), client, machine


def measure(server: str, round_: int, gunicorn: Gunicorn, endpoint: str, script: Path, args) -> Run:
    wrk(gunicorn.url + endpoint, script, seconds=args.warmup, connections=args.connections)
    result, client, machine = wrk(gunicorn.url + endpoint, script, seconds=args.duration, connections=args.connections)
    return Run(
        server=server,
        round=round_,
        endpoint=endpoint,
        rps=result["requests"] / (result["duration_us"] / 1e6),
        p50=result["p50"] / 1000,
        p95=result["p95"] / 1000,
        p99=result["p99"] / 1000,
        requests=result["requests"],
        bad=result["non2xx"] + result["socket_errors"],
        client_cpu=client,
        machine_cpu=machine,
    )


def bench_investors(count: int) -> list:
    """``count`` investors spread over the dataset."""
    from apps.accounts.models import User

    investors = list(User.objects.filter(email__startswith="bench").order_by("id"))
    stride = max(1, len(investors) // count)
    return investors[::stride][:count]


def tokens_for(count: int) -> list[str]:
    """JWT access tokens of ``count`` investors (minted as the login view does; gunicorn checks
    them with the same signing key)."""
    from rest_framework_simplejwt.tokens import RefreshToken

    return [str(RefreshToken.for_user(user).access_token) for user in bench_investors(count)]


def session_cookie(user, *, verified_device=None) -> str:
    """A signed-in session of ``user`` in the session store, as its ``Cookie`` header value; with
    ``verified_device``, bound to that TOTP device as a right code at the code step binds it
    (django-otp's login and ``mfa_verified_at``: what staff need for the admin)."""
    from django.conf import settings
    from django.http import HttpRequest
    from django.test import Client

    from apps.accounts.mfa.services import mfa_session_verified_mark

    client = Client()
    client.force_login(user)
    if verified_device is not None:
        session = client.session
        request = HttpRequest()
        request.session, request.user = session, user
        mfa_session_verified_mark(request=request, device=verified_device)
        session.save()
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def bench_staff():
    """A finance staff member with a confirmed TOTP device (made once per database)."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from apps.accounts import roles
    from apps.accounts.models import User
    from apps.accounts.services import user_create

    user = User.objects.filter(email="bench-finance@bench.example").first()
    if user is None:
        user = user_create(email="bench-finance@bench.example", password=None, is_staff=True)
        user.groups.add(Group.objects.get(name=roles.FINANCE))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user, device


def credentials(count: int) -> dict[str, tuple[str, list[str]]]:
    """Per kind of client (``ENDPOINTS``): the header each request carries and its values."""
    investors = bench_investors(count)
    staff, device = bench_staff()
    return {
        "token": ("Authorization", [f"Bearer {token}" for token in tokens_for(count)]),
        "investor": ("Cookie", [session_cookie(user) for user in investors]),
        "staff": ("Cookie", [session_cookie(staff, verified_device=device) for _ in range(4)]),
    }


@dataclass
class InProcess:
    queries: int
    size: int
    ms: float  # one request, in-process (test client, one thread): its CPU cost plus database round trips


def in_process(headers: dict[str, tuple[str, list[str]]], requests: int = 200) -> dict[str, InProcess]:
    """Per endpoint, through Django's test client (no HTTP server): SQL queries of one request,
    response size, and the mean time of ``requests`` requests in a row."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    found = {}
    for endpoint, kind in ENDPOINTS.items():
        name, values = headers[kind]
        meta = "HTTP_" + name.upper().replace("-", "_")
        clients = [Client(HTTP_HOST="127.0.0.1", **{meta: value}) for value in values]
        for client in clients:
            client.get(endpoint)
        with CaptureQueriesContext(connection) as captured:
            response = clients[0].get(endpoint)
        queries = len(captured.captured_queries)  # now: the next request resets the query log
        assert response.status_code == 200, (endpoint, response.status_code, response.content[:300])
        start = time.perf_counter()
        for n in range(requests):
            clients[n % len(clients)].get(endpoint)
        ms = (time.perf_counter() - start) / requests * 1000
        found[endpoint] = InProcess(queries, len(response.content), ms)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--investors", type=int, default=5000, help="investors in the dataset")
    parser.add_argument("--postings", type=int, default=400_000, help="ledger postings (half on investors)")
    parser.add_argument("--deposits", type=int, default=20_000, help="deposit requests")
    parser.add_argument("--withdrawals", type=int, default=5_000, help="withdrawal requests")
    parser.add_argument("--tokens", type=int, default=16, help="investors whose tokens the requests carry")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (wrk connections)")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up before each run")
    parser.add_argument(
        "--configs",
        default="sync2,sync4,gthread2x4",
        help=f"gunicorn worker settings to try, of {', '.join(WORKER_CONFIGS)}",
    )
    parser.add_argument(
        "--cache-url",
        default=DEFAULT_CACHE_URL,
        help="CACHE_URL of the served app (production: Redis); 'file' for the embedded file cache",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every config this many times, interleaved (the lower bound beside the project each time)",
    )
    parser.add_argument("--no-naive", action="store_true", help="skip the naive deployments")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()
    configs = args.configs.split(",")
    unknown = [name for name in configs if name not in WORKER_CONFIGS]
    if unknown:
        parser.error(f"unknown --configs {unknown}: choose from {list(WORKER_CONFIGS)}")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    started = time.perf_counter()
    print(
        f"API read benchmark: {args.investors:,} investors, {args.postings:,} postings, {args.deposits:,} deposits, "
        f"{args.withdrawals:,} withdrawals; {args.connections} connections, {args.duration:g} s per run "
        f"(PostgreSQL, gunicorn, wrk, {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start)"
    )
    os.environ["DJANGO_DEBUG"] = "false"
    if args.cache_url != "file":
        os.environ["CACHE_URL"] = args.cache_url
    print(f"cache: {args.cache_url if args.cache_url != 'file' else 'the embedded file cache'}")
    scratch = Path(tempfile.mkdtemp(prefix="bursar-bench-api-"))
    os.environ["BURSAR_VAR_DIR"] = str(scratch / "var")
    with step("migrating a fresh database"):
        url = django_setup_on_fresh_database(DB_NAME)
    servers: list[Gunicorn] = []
    try:
        with step("generating investors, ledger, deposits and withdrawals"):
            ledger_generate(postings=args.postings, users=args.investors, kinds=REALISTIC_MIX)
            requests_generate(deposits=args.deposits, withdrawals=args.withdrawals)
        if args.cache_url != "file":
            from django.core.cache import cache

            cache.clear()  # throttle counters of an earlier run
        with step("collecting static files (the pages need whitenoise's manifest with DEBUG off)"):
            from django.core.management import call_command

            call_command("collectstatic", "--noinput", verbosity=0)
        headers = credentials(args.tokens)
        with step("one request at a time, in-process"):
            queries = in_process(headers)
        from django.db import connections

        connections.close_all()
        scripts = {}
        for kind, (name, values) in headers.items():
            scripts[kind] = scratch / f"{kind}.lua"
            quoted = ", ".join(f'"{value}"' for value in values)
            scripts[kind].write_text(WRK_SCRIPT % {"header": name, "values": quoted})
        scripts["none"] = scratch / "none.lua"
        scripts["none"].write_text(WRK_SCRIPT % {"header": "X-Bench", "values": '"1"'})
        base_env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": url,
            "DJANGO_LOG_LEVEL": "WARNING",
            "API_THROTTLE_USER": "100000000/minute",
        }
        log = scratch / "gunicorn.log"

        def serve(label: str, app: str, config: str, endpoints, env=None, round_: int = 1) -> list[Run]:
            runs = []
            server = Gunicorn(app, WORKER_CONFIGS[config], {**base_env, **(env or {})}, log)
            servers.append(server)
            try:
                for endpoint in endpoints:
                    script = scripts[ENDPOINTS.get(endpoint, "none")]
                    name = f"{label} [{config}]"
                    with step(f"{name} {endpoint}" + (f" (round {round_})" if args.rounds > 1 else "")):
                        runs.append(measure(name, round_, server, endpoint, script, args))
            finally:
                server.stop()
            return runs

        runs: list[Run] = []
        project: dict[str, list[Run]] = {config: [] for config in configs}
        for round_ in range(1, args.rounds + 1):
            for config in configs:
                runs += serve("hello-world WSGI (lower bound)", HELLO_APP, config, ["/"], round_=round_)
                served = serve("project", "config.wsgi", config, ENDPOINTS, round_=round_)
                project[config] += served
                runs += served
        # The naive deployments, on the worker settings that served the project best: the nearest to
        # both targets of every page (throughput and p99 alike: the fastest config with a long tail
        # does not win).
        best = max(configs, key=lambda name: target_share(project[name]))
        if not args.no_naive:
            runs += serve("naive: DEBUG on", "config.wsgi", best, TARGETS, {"DJANGO_DEBUG": "true"})
            runs += serve(
                "naive: no persistent DB connections", "config.wsgi", best, TARGETS, {"DATABASE_CONN_MAX_AGE": "0"}
            )
        report(runs, queries, best, args)
    finally:
        for server in servers:
            server.stop()  # each gunicorn this run started, by its own pid (a no-op if stopped)
        if not args.keep:
            drop_database(DB_NAME)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")


def target_share(runs: list[Run]) -> float:
    """How near a config's runs come to the P4 targets: the worst page's worst share of its
    throughput and p99 targets (1.0 or more: both met)."""
    shares = []
    for run in runs:
        if run.endpoint in TARGETS:
            rps, p99 = TARGETS[run.endpoint]
            shares.append(min(run.rps / rps, p99 / max(run.p99, 0.001)))
    return min(shares, default=0.0)


def report(runs: list[Run], queries: dict[str, InProcess], best: str, args) -> None:
    rounds = args.rounds > 1
    # The hello-world's req/s on the same worker settings in the same round: what the machine gave
    # gunicorn and wrk alone just then (this machine's speed has varied up to twofold between runs).
    lower = {(run.round, run.server.rsplit("[", 1)[1]): run.rps for run in runs if run.server.startswith("hello")}
    rows = [
        (
            *("server [workers]", *(["round"] if rounds else []), "endpoint", "req/s", "of lower bound"),
            *("p50 ms", "p95 ms", "p99 ms", "errors", "wrk CPU", "all CPU"),
        )
    ]
    for run in runs:
        bound = lower.get((run.round, run.server.rsplit("[", 1)[1]))
        rows.append(
            (
                run.server,
                *([str(run.round)] if rounds else []),
                run.endpoint,
                f"{run.rps:,.0f}",
                f"{run.rps / bound * 100:.1f} %" if bound and not run.server.startswith("hello") else "",
                f"{run.p50:.1f}",
                f"{run.p95:.1f}",
                f"{run.p99:.1f}",
                f"{run.bad}/{run.requests:,}",
                f"{run.client_cpu * 100:.0f} %",
                f"{run.machine_cpu * 100:.0f} %",
            )
        )
    print()
    print(table(rows))
    print(
        "\n(of lower bound: the page's req/s over the hello-world's on the same workers in the same round; wrk CPU:"
        " the client's CPU time over the run, 100 % = one core; all CPU: the whole machine, both cores)"
    )
    for endpoint, found in queries.items():
        print(
            f"{endpoint}: {found.queries} SQL queries, {found.size:,} bytes; {found.ms:.1f} ms a request in-process "
            f"(test client, one at a time: at most ~{2000 / found.ms:,.0f} req/s on 2 cores if nothing else ran)"
        )
    print(f"\nP4 ({args.connections} clients), project [{best}]:")
    for endpoint, (rps, p99) in TARGETS.items():
        measured = [run for run in runs if run.server == f"project [{best}]" and run.endpoint == endpoint]
        met = [run.rps >= rps and run.p99 <= p99 and run.bad == 0 for run in measured]
        for run, ok in zip(measured, met, strict=True):
            print(
                f"  {endpoint}{f' round {run.round}' if rounds else ''}: {run.rps:,.0f} req/s, p99 {run.p99:.1f} ms"
                f" (target ≥ {rps:,} req/s, p99 ≤ {p99} ms) → {'met' if ok else 'NOT met'}"
            )
        if rounds:
            print(f"  {endpoint}: met in {sum(met)} of {len(met)} rounds")


if __name__ == "__main__":
    main()
