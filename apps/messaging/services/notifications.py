"""Notifications: an in-app notice written in the caller's transaction, and an email copy sent
by a Celery task after commit (the task takes the notice's id, re-checks the recipient's email
preferences, and is idempotent)."""

from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.messaging.models import Notification, NotificationCategory, NotificationPreference
from apps.messaging.models.notifications import PREFERENCE_FIELDS

# The category of a notice, by the start of its kind; the first match wins.
CATEGORY_BY_KIND_PREFIX: tuple[tuple[str, str], ...] = (
    ("support_", NotificationCategory.SUPPORT),
    ("task_", NotificationCategory.TASKS),
    ("announcement", NotificationCategory.ANNOUNCEMENTS),
    ("password_", NotificationCategory.SECURITY),
    ("security_", NotificationCategory.SECURITY),
    ("kyc_", NotificationCategory.ACCOUNT),
    ("ledger_", NotificationCategory.ACCOUNT),
    ("deposit_", NotificationCategory.MONEY),
    ("withdrawal_", NotificationCategory.MONEY),
    ("adjustment_", NotificationCategory.MONEY),
    ("commission_", NotificationCategory.MONEY),
    ("milestone_", NotificationCategory.MONEY),
    ("reversal", NotificationCategory.MONEY),
    ("investment_", NotificationCategory.MONEY),
)


def notification_category_for(kind: str) -> str:
    for prefix, category in CATEGORY_BY_KIND_PREFIX:
        if kind.startswith(prefix):
            return category
    return NotificationCategory.ACCOUNT


def notification_send(
    *,
    user,
    kind: str,
    title: Callable[[], str] | str,
    body: Callable[[], str] | str = "",
    link: str = "",
    email: bool = True,
    category: str | None = None,
) -> Notification:
    """``title``/``body`` may be callables so they are rendered in the recipient's language. The
    email copy is queued after commit and sent only if the recipient allows its category."""
    with translation.override(getattr(user, "language", None) or "en"):
        title_text = title() if callable(title) else str(title)
        body_text = body() if callable(body) else str(body)
    notice = Notification.objects.create(
        user=user,
        kind=kind,
        category=category or notification_category_for(kind),
        title=title_text[:200],
        body=body_text,
        link=link,
    )
    if email:
        from apps.messaging.tasks import notification_email_send_task

        transaction.on_commit(lambda: notification_email_send_task.delay(notice.pk))
    return notice


def notification_send_to_staff(
    *, users: Iterable, kind: str, title: Callable[[], str] | str, body: Callable[[], str] | str = "", link: str = ""
) -> list[Notification]:
    return [notification_send(user=user, kind=kind, title=title, body=body, link=link) for user in users]


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read: the ones named (others' ids are ignored), or all."""
    queryset = Notification.objects.filter(user=user, is_read=False)
    if ids is not None:
        try:
            ids = [int(pk) for pk in ids]
        except (TypeError, ValueError):
            raise ApplicationError(_("Send notification ids as whole numbers."), code="invalid", field="ids") from None
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(is_read=True)


def notification_mark_read(*, user, notification_id) -> Notification:
    notice = _own_notice(user=user, notification_id=notification_id)
    if not notice.is_read:
        notice.is_read = True
        notice.save(update_fields=["is_read"])
    return notice


def notification_dismiss(*, user, notification_id) -> Notification:
    """Hide an announcement's banner for this user (the notice itself stays, read)."""
    notice = _own_notice(user=user, notification_id=notification_id)
    if notice.announcement_id is None:
        raise ApplicationError(_("Only announcements can be dismissed."), code="not_dismissible")
    if notice.dismissed_at is None:
        notice.dismissed_at = timezone.now()
        notice.is_read = True
        notice.save(update_fields=["dismissed_at", "is_read"])
    return notice


def _own_notice(*, user, notification_id) -> Notification:
    """The user's notice, or a 404 (another user's notice does not exist for them)."""
    try:
        notification_id = int(notification_id)
    except (TypeError, ValueError):
        notification_id = None
    notice = Notification.objects.filter(user=user, pk=notification_id).first() if notification_id else None
    if notice is None:
        raise ApplicationError(_("No such notification."), code="not_found", status_code=404)
    return notice


def notification_preferences_update(*, user, **choices: bool) -> NotificationPreference:
    """Switch the email copies of the optional categories on or off (``email_support=False``…);
    security and account emails always go and cannot be switched off."""
    allowed = set(PREFERENCE_FIELDS.values())
    unknown = set(choices) - allowed
    if unknown:
        raise ApplicationError(
            _("These emails cannot be switched off: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            code="invalid",
            field=sorted(unknown)[0],
        )
    for name, value in choices.items():
        if not isinstance(value, bool):
            raise ApplicationError(_("Choose on or off."), code="invalid", field=name)
    preference, _created = NotificationPreference.objects.get_or_create(user=user)
    for name, value in choices.items():
        setattr(preference, name, value)
    if choices:
        preference.save(update_fields=[*choices, "updated_at"])
    return preference
