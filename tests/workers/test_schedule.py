import pytest
from django_celery_beat.models import PeriodicTask

from workers import celery_app
from workers.schedule import MANAGED_PREFIX, SCHEDULE, Every, Job, schedule_sync
from workers.selectors import scheduler_health_get
from workers.services import heartbeat_record

pytestmark = pytest.mark.django_db


def test_every_scheduled_task_is_registered():
    celery_app.loader.import_default_modules()
    assert {job.task for job in SCHEDULE} <= set(celery_app.tasks)


def test_sync_creates_entries_idempotently():
    schedule_sync()
    schedule_sync()
    rows = PeriodicTask.objects.filter(name__startswith=MANAGED_PREFIX)
    assert sorted(rows.values_list("name", flat=True)) == sorted(MANAGED_PREFIX + job.name for job in SCHEDULE)
    heartbeat = rows.get(name=MANAGED_PREFIX + "scheduler-heartbeat")
    assert rows.get(name=MANAGED_PREFIX + "ledger-check").crontab.hour == "2"
    assert (heartbeat.interval.every, heartbeat.interval.period, heartbeat.enabled) == (60, "seconds", True)


def test_sync_keeps_a_paused_entry_paused_and_disables_removed_ones():
    schedule_sync()
    PeriodicTask.objects.filter(name=MANAGED_PREFIX + "scheduler-heartbeat").update(enabled=False)
    schedule_sync()
    assert PeriodicTask.objects.get(name=MANAGED_PREFIX + "scheduler-heartbeat").enabled is False
    schedule_sync((Job(name="other", task="workers.tasks.scheduler_heartbeat_task", when=Every(seconds=5)),))
    assert list(
        PeriodicTask.objects.filter(name__startswith=MANAGED_PREFIX, enabled=True).values_list("name", flat=True)
    ) == [MANAGED_PREFIX + "other"]


def test_heartbeat_counts_and_health():
    assert scheduler_health_get().is_alive is False
    heartbeat_record()
    heartbeat_record()
    health = scheduler_health_get()
    assert (health.beats, health.is_alive) == (2, True)
