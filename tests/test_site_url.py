"""Links in emails and the referral link follow the address the server is started on in
development (``make run PORT=8203`` → links on 8203, in the web process and in the worker that
sends the emails), while a SITE_URL that is set always rules, and production never guesses."""

import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DJANGO_SECRET_KEY": "k3v$-not-a-real-secret-but-long-and-random-enough-9f8a7d6c5b4e3f2a1b0c9d8e7f6a",
    "DJANGO_ALLOWED_HOSTS": "bursar.example.com",
    "DATABASE_URL": "sqlite:////tmp/bursar-prod-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
}
# What a process of the app sees: its settings' SITE_URL and the links built from it.
SHOW_LINKS = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django.setup()
from types import SimpleNamespace
from django.conf import settings
from django.urls import reverse
from apps.referrals.selectors import referral_link_for_user
print("LINKS", os.environ.get("HONCHO_PROCESS_NAME", "-"), os.environ.get("PORT", "-"), settings.SITE_URL,
      referral_link_for_user(user=SimpleNamespace(referral_code="ABCDEFGH")),
      settings.SITE_URL + reverse("portal:verify_email", kwargs={"token": "TOKEN"}), sep="|", flush=True)
"""


def clean_env(tmp_path, **extra: str) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "HONCHO_")) and k not in ("SITE_URL", "PORT")
    }
    return {**env, "BURSAR_VAR_DIR": str(tmp_path), **extra}


def links(env: dict) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", SHOW_LINKS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split("|")[3:]


@pytest.mark.parametrize(
    ("extra", "site_url"),
    [
        ({"PORT": "8203"}, "http://127.0.0.1:8203"),
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": ""}, "http://127.0.0.1:8000"),
        ({"PORT": "8203", "SITE_URL": "https://bursar.example.com/"}, "https://bursar.example.com"),
        ({"PORT": "8203", "SITE_URL": "   "}, "http://127.0.0.1:8203"),
    ],
)
def test_development_links_follow_the_port_unless_site_url_is_set(tmp_path, extra, site_url):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.dev", **extra)

    assert links(env) == [site_url, f"{site_url}/r/ABCDEFGH/", f"{site_url}/verify-email/TOKEN/"]


def test_development_refuses_a_port_that_is_not_a_number(tmp_path):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.dev", PORT="eighty")
    result = subprocess.run(
        [sys.executable, "-c", SHOW_LINKS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "PORT must be a port number, not 'eighty'." in result.stderr


@pytest.mark.parametrize(
    ("extra", "site_url"),
    [
        ({"PORT": "8203"}, "http://127.0.0.1:8000"),
        ({"PORT": "8203", "SITE_URL": "https://bursar.example.com"}, "https://bursar.example.com"),
    ],
)
def test_production_never_follows_the_port(tmp_path, extra, site_url):
    env = clean_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.prod", **PROD_ENV, **extra)

    assert links(env)[0] == site_url


def make_run_command(port: str) -> str:
    """The line ``make run PORT=…`` starts the processes with (``make -n`` prints it)."""
    result = subprocess.run(["make", "-n", "run", f"PORT={port}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if "honcho start web worker beat" in line]
    return line


def test_make_run_gives_the_web_address_to_every_process(tmp_path):
    """honcho hands the worker and beat ports of their own (web+100, web+200): the worker, which
    renders the emails, must still link to the web server's port. Started as ``make run`` starts
    them, with honcho itself, on a Procfile whose processes print their links."""
    script = tmp_path / "show_links.py"
    script.write_text(SHOW_LINKS + "import time\ntime.sleep(60)\n")
    # One line per process (a Procfile has no multi-line commands); ``-c`` keeps the project importable.
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(f'exec(open({str(script)!r}).read())')}"
    procfile = tmp_path / "Procfile"
    procfile.write_text("".join(f"{name}: {command}\n" for name in ("web", "worker", "beat")))
    honcho = f"{shlex.quote(sys.executable)} -m honcho start -f {procfile} -e {tmp_path / 'none.env'} web worker beat"
    line = make_run_command("8203")
    line = line[: line.index(".venv/bin/honcho")] + honcho
    process = subprocess.Popen(
        ["bash", "-c", line],
        cwd=ROOT,
        env=clean_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = {}
    # Never hang: whatever happens, every process started here is gone after two minutes.
    timer = threading.Timer(120, os.killpg, (process.pid, signal.SIGKILL))
    timer.start()
    try:
        for output in process.stdout:
            match = re.search(r"LINKS\|(.*)$", output)
            if match:
                name, *rest = match.group(1).split("|")
                seen[name] = tuple(rest)
            if len(seen) == 3:
                break
    finally:
        timer.cancel()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    site = "http://127.0.0.1:8203"
    assert seen == {
        "web.1": ("8203", site, f"{site}/r/ABCDEFGH/", f"{site}/verify-email/TOKEN/"),
        "worker.1": ("8303", site, f"{site}/r/ABCDEFGH/", f"{site}/verify-email/TOKEN/"),
        "beat.1": ("8403", site, f"{site}/r/ABCDEFGH/", f"{site}/verify-email/TOKEN/"),
    }


def test_make_run_keeps_a_site_url_that_is_set(tmp_path):
    line = make_run_command("8203")
    line = line[: line.index(".venv/bin/honcho")] + "printenv PORT SITE_URL"

    result = subprocess.run(
        ["bash", "-c", line],
        cwd=ROOT,
        env=clean_env(tmp_path, SITE_URL="https://bursar.example.com"),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.stdout.split() == ["8203", "https://bursar.example.com"]
