"""The messaging center's writes, by concern: ``notifications`` (notices, email preferences),
``threads`` (tickets, direct messages, notes, SLA, read state), ``attachments``, ``canned``,
``tasks`` (rewarded tasks and their payment) and ``announcements``.

The notification functions are re-exported here: every app sends notices through them. The
other modules are imported by name (they use the ledger, which itself sends notices)."""

from apps.messaging.services.notifications import (
    notification_category_for,
    notification_dismiss,
    notification_mark_read,
    notification_preferences_update,
    notification_send,
    notification_send_to_staff,
    notifications_mark_read,
)

__all__ = [
    "notification_category_for",
    "notification_dismiss",
    "notification_mark_read",
    "notification_preferences_update",
    "notification_send",
    "notification_send_to_staff",
    "notifications_mark_read",
]
