"""The delivery and housekeeping tasks of ``apps.messaging.tasks``: ``deliveries_dispatch_task``
(every minute) starts scheduled announcements that are due and re-dispatches every delivery left
half done; the delivery tasks take ids and are idempotent; ``support_auto_close_task``; the
beat entries."""

from datetime import timedelta

import pytest

from apps.messaging import tasks
from apps.messaging.models import Announcement, Notification, Task, TaskAssignment
from apps.messaging.services import announcements as announcement_services
from apps.messaging.services import tasks as task_services
from apps.messaging.services import threads as thread_services
from tests.factories import UserFactory
from tests.messaging.conftest import T0
from tests.messaging.helpers import ticket_open
from workers import celery_app
from workers.schedule import SCHEDULE, Cron, Every

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def announcement_in(status, staff, **fields):
    announcement = announcement_services.announcement_create(
        staff=staff, title_en=fields.pop("title", "Hello"), body_en="News", **fields
    )
    Announcement.objects.filter(pk=announcement.pk).update(status=status)
    return Announcement.objects.get(pk=announcement.pk)


def recipients(announcement) -> list[int]:
    return sorted(Notification.objects.filter(announcement=announcement).values_list("user", flat=True))


def test_the_dispatcher_finishes_half_done_deliveries_and_starts_due_ones(support, clock):
    clock(T0)
    people = sorted(UserFactory().pk for _ in range(7))
    half_done = announcement_in("sending", support, title="Half done")
    announcement_services.announcement_deliver(announcement_id=half_done.pk, chunk_size=3, max_chunks=1)
    due = announcement_services.announcement_create(staff=support, title_en="Due", body_en="News", send_at=T0 + H)
    announcement_services.announcement_send(announcement_id=due.pk, staff=support)
    later = announcement_services.announcement_create(
        staff=support, title_en="Later", body_en="News", send_at=T0 + 3 * H
    )
    announcement_services.announcement_send(announcement_id=later.pk, staff=support)
    draft = announcement_in("draft", support, title="Draft")
    task = Task.objects.create(
        title="Share",
        instructions_en="Share it.",
        platform="x",
        reward="1.00",
        budget="10.00",
        expires_at=T0 + 48 * H,
        created_by=support,
        status="sending",
    )
    task_services.task_deliver(task_id=task.pk, chunk_size=4, max_chunks=1)
    assert (recipients(half_done), TaskAssignment.objects.count()) == (people[:3], 4)

    clock(T0 + H)
    tasks.deliveries_dispatch_task.delay()

    statuses = dict(Announcement.objects.values_list("title_en", "status"))
    assert statuses == {"Half done": "sent", "Due": "sent", "Later": "scheduled", "Draft": "draft"}
    assert recipients(half_done) == recipients(due) == people
    assert (recipients(later), recipients(draft)) == ([], [])
    assert sorted(TaskAssignment.objects.filter(task=task).values_list("user", flat=True)) == people
    task.refresh_from_db()
    assert (task.status, task.delivered_count) == ("sent", 7)
    assert Announcement.objects.get(pk=half_done.pk).delivered_count == 7

    before = Notification.objects.count()
    tasks.deliveries_dispatch_task.delay()  # nothing left to do: writes nothing
    assert (Notification.objects.count(), TaskAssignment.objects.count()) == (before, 7)


def test_the_delivery_tasks_take_ids_and_are_idempotent(support):
    people = sorted(UserFactory().pk for _ in range(3))
    announcement = announcement_in("sending", support)
    assert tasks.announcement_deliver_task.delay(announcement.pk).get() == 3
    assert tasks.announcement_deliver_task.delay(announcement.pk).get() == 0
    assert tasks.announcement_deliver_task.delay(99999999).get() == 0
    assert recipients(announcement) == people
    assert tasks.task_deliver_task.delay(99999999).get() == 0


def test_the_auto_close_task_closes_quiet_threads(investor, support, clock, runtime_config):
    runtime_config(SUPPORT_AUTO_CLOSE_DAYS=3)
    clock(T0)
    thread = ticket_open(investor)
    thread_services.thread_status_set(thread_id=thread.pk, actor=support, status="resolved")
    clock(T0 + 3 * 24 * H)
    assert tasks.support_auto_close_task.delay().get() == 1
    assert tasks.support_auto_close_task.delay().get() == 0
    thread.refresh_from_db()
    assert (thread.status, thread.closed_at) == ("closed", T0 + 3 * 24 * H)


def test_the_messaging_jobs_are_scheduled_and_registered():
    jobs = {job.name: job for job in SCHEDULE}
    assert (jobs["messaging-deliveries"].task, jobs["messaging-deliveries"].when) == (
        "apps.messaging.tasks.deliveries_dispatch_task",
        Every(seconds=60),
    )
    assert (jobs["support-auto-close"].task, jobs["support-auto-close"].when) == (
        "apps.messaging.tasks.support_auto_close_task",
        Cron(minute="40"),
    )
    for name in (
        "deliveries_dispatch_task",
        "support_auto_close_task",
        "announcement_deliver_task",
        "task_deliver_task",
        "announcement_emails_send_task",
        "notification_email_send_task",
        "notification_emails_send_task",
    ):
        assert f"apps.messaging.tasks.{name}" in celery_app.tasks
    # Deliveries are acknowledged only once done, so a killed worker's message is redelivered.
    assert tasks.announcement_deliver_task.acks_late and tasks.task_deliver_task.acks_late
