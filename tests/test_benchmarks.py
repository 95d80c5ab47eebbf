"""PostgreSQL only: every benchmark in ``bench/`` still runs to its end, at a tiny size.

A benchmark builds its data with bulk SQL and signs in the way the application expects, so a new
column, a renamed field or a new sign-in step (two-factor for staff) breaks it without any other
test noticing; these runs catch that. They time nothing (speed lives in the benchmarks' own
output, not here), and use the PostgreSQL server the suite runs on, each in its own throw-away
database as the benchmark always does."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parent.parent
# script → (arguments of a tiny run, a line its report always prints)
BENCHMARKS = {
    "accrual.py": ("--positions 400 --investors 200", "ratios: 2 workers / per-investor SQL"),
    # 20,000 postings: its pages include the 50th of the entries list.
    "admin_changelists.py": (
        "--postings 20000 --users 300 --deposits 300 --withdrawals 100 --runs 1",
        "P3 over 20,000 postings",
    ),
    "announcements.py": ("--investors 500 --repeats 1", "ratios: project/SQL"),
    "investor_dashboard.py": (
        "--positions 3 --movements 30 --others 200 --other-positions 20 --postings 2000 --runs 1",
        "dashboard page, all (project)",
    ),
    "ledger_check.py": ("--postings 4000 --users 200 --runs 1", "ledger_check (project)"),
    "api_read.py": (
        "--investors 100 --postings 2000 --deposits 100 --withdrawals 20 --tokens 4 --duration 1 --warmup 1"
        " --configs sync2 --no-naive",
        "P4 (16 clients), project [sync2]",
    ),
}


@pytest.mark.parametrize("script", sorted(BENCHMARKS))
def test_the_benchmark_runs_to_its_report(script):
    if script == "api_read.py" and not shutil.which("wrk"):
        pytest.skip("bench/api_read.py needs wrk (apt-get install -y wrk)")
    arguments, report_line = BENCHMARKS[script]
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "DJANGO_"))}
    env["BENCH_POSTGRES"] = server

    result = subprocess.run(
        [sys.executable, f"bench/{script}", *arguments.split()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert report_line in result.stdout, output[-3000:]
