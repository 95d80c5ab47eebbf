"""Notifications: an in-app notice written in the caller's transaction, and an email copy sent
by a Celery task after commit (the task takes the notice's id and is idempotent)."""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import translation

from apps.messaging.models import Notification


def notification_send(
    *,
    user,
    kind: str,
    title: Callable[[], str] | str,
    body: Callable[[], str] | str = "",
    link: str = "",
    email: bool = True,
) -> Notification:
    """``title``/``body`` may be callables so they are rendered in the recipient's language."""
    with translation.override(getattr(user, "language", None) or "en"):
        title_text = title() if callable(title) else str(title)
        body_text = body() if callable(body) else str(body)
    notice = Notification.objects.create(user=user, kind=kind, title=title_text[:200], body=body_text, link=link)
    if email:
        from apps.messaging.tasks import notification_email_send_task

        transaction.on_commit(lambda: notification_email_send_task.delay(notice.pk))
    return notice


def notification_send_to_staff(
    *, users: Iterable, kind: str, title: Callable[[], str] | str, body: Callable[[], str] | str = "", link: str = ""
) -> list[Notification]:
    return [notification_send(user=user, kind=kind, title=title, body=body, link=link) for user in users]


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    queryset = Notification.objects.filter(user=user, is_read=False)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(is_read=True)
