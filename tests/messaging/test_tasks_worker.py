"""A real Celery worker process delivers an announcement sent through the broker (the filesystem
transport on the embedded defaults, Redis when CELERY_BROKER_URL says so); a worker killed with
SIGKILL in the middle of a delivery leaves it resumable, and the every-minute dispatcher finishes
it: every investor gets the notice exactly once, none is missed, every copy is emailed."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from apps.messaging import tasks
from apps.messaging.models import Announcement, Notification
from apps.messaging.segments import segment_users
from tests.factories import StaffFactory, UserFactory
from tests.workers.test_worker import ROOT, database_url_for_subprocess
from workers import celery_app

pytestmark = [
    pytest.mark.worker,
    pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored"),
    pytest.mark.django_db(transaction=True),
]


def start_worker(queue: str, *, chunk_size: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_for_subprocess(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DELIVERY_CHUNK_SIZE": str(chunk_size),
    }
    command = [sys.executable, "-m", "celery", "-A", "workers", "worker", "-Q", queue, "--pool=solo"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel=INFO"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def announcement_sending() -> Announcement:
    return Announcement.objects.create(
        title_en="Hello", body_en="News", title_ar="مرحبا", body_ar="أخبار", created_by=StaffFactory(), status="sending"
    )


def wait_for(worker: subprocess.Popen, condition, *, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not condition():
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.05)


def send_through_broker(announcement: Announcement, queue: str) -> None:
    celery_app.send_task(
        "apps.messaging.tasks.announcement_deliver_task", args=[announcement.pk], queue=queue
    )  # never eager


def test_a_worker_delivers_an_announcement_sent_through_the_broker():
    people = [UserFactory(language="ar" if n % 4 == 0 else "en") for n in range(50)]
    announcement = announcement_sending()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    send_through_broker(announcement, queue)
    worker = start_worker(queue, chunk_size=7)
    try:
        wait_for(worker, lambda: Announcement.objects.get(pk=announcement.pk).status == "sent")
        wait_for(worker, lambda: Announcement.objects.get(pk=announcement.pk).emailed_count == 50, seconds=30)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    announcement.refresh_from_db()
    assert (announcement.status, announcement.delivered_count, announcement.emailed_count) == ("sent", 50, 50), output
    notices = Notification.objects.filter(announcement=announcement)
    assert sorted(notices.values_list("user", flat=True)) == sorted(user.pk for user in people)
    assert notices.filter(title="مرحبا").count() == 13
    assert notices.filter(emailed_at__isnull=True).count() == 0
    assert "announcement_deliver_task" in output


def test_a_worker_killed_in_the_middle_of_a_delivery_is_finished_by_the_dispatcher():
    people = [UserFactory() for _ in range(400)]
    announcement = announcement_sending()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    send_through_broker(announcement, queue)
    worker = start_worker(queue, chunk_size=1)  # one transaction per recipient: a long delivery
    try:
        wait_for(worker, lambda: Announcement.objects.get(pk=announcement.pk).delivered_count >= 40)
    finally:
        worker.kill()  # SIGKILL: no clean-up of any kind
        output, _ = worker.communicate(timeout=30)
    announcement.refresh_from_db()
    assert announcement.status == "sending", output
    done = announcement.delivered_count
    assert 40 <= done < 400
    assert Notification.objects.filter(announcement=announcement).count() == done  # committed chunks only

    tasks.deliveries_dispatch_task.delay()  # what beat runs every minute (eager here, in this process)

    announcement.refresh_from_db()
    notices = Notification.objects.filter(announcement=announcement)
    recipients = list(notices.values_list("user", flat=True))
    assert sorted(recipients) == sorted(segment_users(segment="all").values_list("pk", flat=True))
    assert sorted(recipients) == sorted(user.pk for user in people)  # each exactly once, none missed
    assert (announcement.status, announcement.delivered_count) == ("sent", 400)
    assert notices.filter(emailed_at__isnull=True).count() == 0
    # A kill between stamping a copy and counting it loses at most that one copy's count.
    assert announcement.emailed_count in (399, 400)
