"""Celery tasks of the messaging center. Each takes ids, re-reads the rows, and is idempotent: a
re-delivered task finds the work done (emails carry ``emailed_at``; deliveries move a cursor)."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.messaging.emails import notification_email_build
from apps.messaging.models import Announcement, Notification
from apps.messaging.models.notifications import OPTIONAL_EMAIL_CATEGORIES, PREFERENCE_FIELDS

logger = logging.getLogger(__name__)


def _email_allowed() -> Q:
    """Notices whose category emails its recipient: always for security and account notices,
    otherwise unless the recipient switched that category off."""
    allowed = ~Q(category__in=OPTIONAL_EMAIL_CATEGORIES)
    for category, field in PREFERENCE_FIELDS.items():
        switched_off = Q(**{f"user__notification_preference__{field}": False})
        allowed |= Q(category=category) & ~switched_off
    return allowed & Q(user__is_active=True)


def _claim(queryset, *, limit: int | None = None) -> list[Notification]:
    """Take the notices not emailed yet (rows another worker holds are skipped) and stamp them,
    so no copy is ever sent twice; the caller un-stamps what it failed to send."""
    with transaction.atomic():
        claimable = (
            queryset.filter(emailed_at__isnull=True)
            .filter(_email_allowed())
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .order_by("pk")
        )
        notices = list(claimable[:limit] if limit else claimable)
        Notification.objects.filter(pk__in=[notice.pk for notice in notices]).update(emailed_at=timezone.now())
    return notices


def _send(notices: list[Notification]) -> int:
    """Send the copies over one connection; on a mail server error, release them for a retry."""
    if not notices:
        return 0
    try:
        with get_connection() as connection:
            connection.send_messages([notification_email_build(notice) for notice in notices])
    except OSError:
        Notification.objects.filter(pk__in=[notice.pk for notice in notices]).update(emailed_at=None)
        raise
    return len(notices)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email_send_task(notification_id: int) -> None:
    """The email copy of one notice, if its recipient allows its category; sent once."""
    _send(_claim(Notification.objects.filter(pk=notification_id)))


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_emails_send_task(notification_ids: list[int]) -> int:
    """The email copies of several notices, over one connection."""
    return _send(_claim(Notification.objects.filter(pk__in=notification_ids)))


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def announcement_emails_send_task(announcement_id: int, after_user_id: int, through_user_id: int | None) -> int:
    """The email copies of one delivered chunk of an announcement, in batches of
    ``EMAIL_BATCH_SIZE``; the announcement's emailed count follows."""
    notices = Notification.objects.filter(announcement_id=announcement_id, user_id__gt=after_user_id)
    if through_user_id is not None:
        notices = notices.filter(user_id__lte=through_user_id)
    sent = 0
    while True:
        batch = _claim(notices, limit=settings.EMAIL_BATCH_SIZE)
        if not batch:
            return sent
        sent += _send(batch)
        Announcement.objects.filter(pk=announcement_id).update(emailed_count=F("emailed_count") + len(batch))


@shared_task(acks_late=True)
def announcement_deliver_task(announcement_id: int) -> int:
    from apps.messaging.services.announcements import announcement_deliver

    return announcement_deliver(announcement_id=announcement_id)


@shared_task(acks_late=True)
def task_deliver_task(task_id: int) -> int:
    from apps.messaging.services.tasks import task_deliver

    return task_deliver(task_id=task_id)


@shared_task
def deliveries_dispatch_task() -> None:
    """Every minute: start the scheduled announcements that are due, and (re)dispatch every
    delivery still running, so one a killed worker left half done is finished (a replayed chunk
    writes nothing)."""
    from apps.messaging.models import DeliveryStatus, Task
    from apps.messaging.services.announcements import announcements_due_start

    for announcement_id in announcements_due_start():
        announcement_deliver_task.delay(announcement_id)
    for task_id in Task.objects.filter(status=DeliveryStatus.SENDING).values_list("pk", flat=True):
        task_deliver_task.delay(task_id)


@shared_task
def support_auto_close_task() -> int:
    from apps.messaging.services.threads import threads_auto_close

    return threads_auto_close()
