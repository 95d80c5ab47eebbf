"""Conversations: an investor opens a support ticket, staff open a direct conversation, both
reply; staff add internal notes, assign, and change status and priority.

Every write locks the thread row first, so concurrent replies leave one consistent status and
SLA; every change is a ``ThreadEvent`` with its actor in the same transaction. Investors reach
only their own threads (anything else is a 404) and only ever see public messages.

``rules`` holds what every write shares (input checks, the lock, events, status and SLA moves);
``writing`` the messages, ``changes`` the staff changes, ``reading`` the read state and
``closing`` the auto-close job."""

from apps.messaging.services.threads.changes import (
    assignable_staff,
    thread_assign,
    thread_category_set,
    thread_priority_set,
    thread_status_set,
)
from apps.messaging.services.threads.closing import AUTO_CLOSE_BATCH, threads_auto_close
from apps.messaging.services.threads.reading import (
    read_mark,
    thread_mark_read,
    thread_newest_visible_id,
    thread_notice_links,
)
from apps.messaging.services.threads.rules import (
    CLOSED_STATES,
    HANDLE_PERMISSION,
    body_clean,
    event_record,
    send_rate_check,
    staff_handler_check,
    subject_clean,
    thread_lock,
)
from apps.messaging.services.threads.writing import (
    investor_recipient_get,
    thread_note_add,
    thread_open_by_investor,
    thread_open_by_staff,
    thread_reply,
)

__all__ = [
    "AUTO_CLOSE_BATCH",
    "CLOSED_STATES",
    "HANDLE_PERMISSION",
    "assignable_staff",
    "body_clean",
    "event_record",
    "investor_recipient_get",
    "read_mark",
    "send_rate_check",
    "staff_handler_check",
    "subject_clean",
    "thread_assign",
    "thread_category_set",
    "thread_lock",
    "thread_mark_read",
    "thread_newest_visible_id",
    "thread_note_add",
    "thread_notice_links",
    "thread_open_by_investor",
    "thread_open_by_staff",
    "thread_priority_set",
    "thread_reply",
    "thread_status_set",
    "threads_auto_close",
]
