"""The messaging center's reads with rules, by concern (``notifications``, ``threads``,
``tasks``, ``messages``)."""

from apps.messaging.selectors.notifications import (
    announcement_counts,
    notification_banner_for_user,
    notification_list_for_user,
    notification_preferences_get,
    notification_unread_count,
)
from apps.messaging.selectors.tasks import (
    assignment_get_for_user,
    assignment_id_for_message,
    assignment_list_for_user,
    assignment_pending_count,
    assignment_review_queue,
    task_assignment_counts,
)
from apps.messaging.selectors.threads import (
    QUEUES,
    investor_unread_thread_count,
    queue_counts,
    sla_breached_count,
    thread_events,
    thread_get_for_user,
    thread_list_for_investor,
    thread_messages_for_user,
    thread_queue,
    thread_read_pointer,
    threads_waiting_on_staff_count,
)

__all__ = [
    "QUEUES",
    "announcement_counts",
    "assignment_get_for_user",
    "assignment_id_for_message",
    "assignment_list_for_user",
    "assignment_pending_count",
    "assignment_review_queue",
    "investor_unread_thread_count",
    "notification_banner_for_user",
    "notification_list_for_user",
    "notification_preferences_get",
    "notification_unread_count",
    "queue_counts",
    "sla_breached_count",
    "task_assignment_counts",
    "thread_events",
    "thread_get_for_user",
    "thread_list_for_investor",
    "thread_messages_for_user",
    "thread_queue",
    "thread_read_pointer",
    "threads_waiting_on_staff_count",
]
