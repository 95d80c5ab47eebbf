"""Reads of notices, the announcement banner and email preferences."""

from django.db.models import QuerySet

from apps.messaging.models import Announcement, Notification, NotificationPreference


def notification_list_for_user(*, user) -> QuerySet:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, is_read=False).count()


def notification_banner_for_user(*, user) -> Notification | None:
    """The newest pinned announcement the user has not dismissed (shown on every portal page)."""
    return (
        Notification.objects.filter(
            user=user, announcement__isnull=False, announcement__pinned=True, dismissed_at__isnull=True
        )
        .order_by("-id")
        .first()
    )


def notification_preferences_get(*, user) -> NotificationPreference:
    """The user's preferences; an unsaved default (every email on) when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


def announcement_counts(*, announcement: Announcement) -> dict[str, int]:
    """Delivered, emailed and read, for the announcement's page."""
    return {
        "delivered": announcement.delivered_count,
        "emailed": announcement.emailed_count,
        "read": Notification.objects.filter(announcement=announcement, is_read=True).count(),
    }


def notification_unread_list_for_user(*, user) -> QuerySet:
    return notification_list_for_user(user=user).filter(is_read=False)
