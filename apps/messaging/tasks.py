from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from apps.messaging.models import Notification


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email_send_task(notification_id: int) -> None:
    """Send the email copy of a notice once; a re-delivered task finds it already sent."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return
    notice = Notification.objects.select_related("user").get(pk=notification_id)
    body = notice.body
    if notice.link:
        body = f"{body}\n\n{settings.SITE_URL}{notice.link}"
    try:
        send_mail(f"{settings.PLATFORM_NAME}: {notice.title}", body, settings.DEFAULT_FROM_EMAIL, [notice.user.email])
    except OSError:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
