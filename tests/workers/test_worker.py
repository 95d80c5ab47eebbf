"""A real Celery worker process consumes a task from the configured broker: the filesystem
transport on the embedded defaults, Redis when CELERY_BROKER_URL says so."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from workers import celery_app
from workers.models import Heartbeat
from workers.services import SCHEDULER_HEARTBEAT

ROOT = Path(settings.BASE_DIR)


def database_url_for_subprocess() -> str:
    """The URL of the test database this process is using, for a child process to share."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def start_worker(queue: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_subprocess(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    }
    command = [sys.executable, "-m", "celery", "-A", "workers", "worker", "-Q", queue, "--pool=solo"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel=INFO"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_worker_process_consumes_a_task_from_the_broker():
    queue = f"test-{uuid.uuid4().hex[:12]}"
    celery_app.send_task("workers.tasks.scheduler_heartbeat_task", queue=queue)  # never eager
    worker = start_worker(queue)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Heartbeat.objects.filter(name=SCHEDULER_HEARTBEAT).exists():
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.3)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    heartbeat = Heartbeat.objects.get(name=SCHEDULER_HEARTBEAT)
    assert heartbeat.beats == 1, output
    transport = settings.CELERY_BROKER_URL.split("://")[0]
    assert f"Connected to {transport}://" in output


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_worker_runs_the_accrual_job_sent_through_the_broker():
    from datetime import timedelta
    from decimal import Decimal

    from apps.common.dates import business_date_today
    from apps.investments.models import Accrual, Position
    from apps.investments.services.positions import investment_open
    from tests.factories import StaffFactory, UserFactory
    from tests.investments.helpers import make_plan
    from tests.wallet.helpers import balances, fund

    staff, investor = StaffFactory(), UserFactory()
    fund(investor, "1000.00", approver=staff)
    plan = make_plan(actor=staff, min_amount="100.00", daily_rate=Decimal("2"))
    investment_open(user=investor, plan_id=plan.pk, amount="500.00", terms_accepted=True)
    today = business_date_today()
    Position.objects.update(start_date=today - timedelta(days=2), maturity_date=today + timedelta(days=58))

    queue = f"test-{uuid.uuid4().hex[:12]}"
    celery_app.send_task("workers.tasks.daily_investment_jobs_task", queue=queue)
    worker = start_worker(queue)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and Accrual.objects.count() < 2:
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.3)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert Accrual.objects.count() == 2, output
    assert balances(investor) == (Decimal("520.00"), Decimal("0.00"), Decimal("500.00"))
