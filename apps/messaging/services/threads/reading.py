"""Read state: each participant's read pointer per thread, and the notices a read settles."""

from django.utils import timezone

from apps.accounts.models import User
from apps.messaging.models import (
    Notification,
    Thread,
    ThreadReadState,
)
from apps.messaging.services.threads.rules import int_or_none

# --- read state ------------------------------------------------------------------------------------------


def read_mark(*, thread: Thread, user: User, through: int) -> bool:
    """Move the user's read pointer of the thread forward to message ``through`` (never back);
    True if it moved. A pointer already there costs an UPDATE matching nothing and a look-up."""
    now = timezone.now()
    pointer = ThreadReadState.objects.filter(thread=thread, user=user)
    if pointer.filter(last_read_message_id__lt=through).update(last_read_message_id=through, read_at=now):
        return True
    if pointer.exists():
        return False
    ThreadReadState.objects.bulk_create(
        [ThreadReadState(thread=thread, user=user, last_read_message_id=through, read_at=now)], ignore_conflicts=True
    )
    # Two first reads at once: the insert that lost must still not leave the pointer behind.
    pointer.filter(last_read_message_id__lt=through).update(last_read_message_id=through, read_at=now)
    return True


def thread_mark_read(*, thread_id, user: User, through_message_id=None) -> Thread:
    """The user has read the thread up to a message (default: all of it). Another investor's
    thread is a 404; staff need the view permission. Once the whole thread is read, the user's
    unread notices about it (a new reply, an assignment) are read too."""
    from apps.messaging.selectors import thread_get_for_user

    thread = thread_get_for_user(thread_id=thread_id, user=user)
    newest = thread_newest_visible_id(thread=thread, user=user)
    through = newest if through_message_id is None else min(int_or_none(through_message_id) or 0, newest or 0)
    if through and read_mark(thread=thread, user=user, through=through) and through == newest:
        Notification.objects.filter(user=user, is_read=False, link__in=thread_notice_links(thread)).update(is_read=True)
    return thread


def thread_notice_links(thread: Thread) -> tuple[str, str]:
    """The links notices about a thread carry: the investor's page and the staff page."""
    return (f"/messages/{thread.pk}/", f"/admin/messaging/thread/{thread.pk}/change/")


def thread_newest_visible_id(*, thread: Thread, user: User) -> int | None:
    if not user.is_staff:
        return max(filter(None, (thread.last_staff_message_id, thread.last_investor_message_id)), default=None)
    return thread.messages.order_by("-id").values_list("id", flat=True).first()
