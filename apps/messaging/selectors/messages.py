"""The flat message lists of the original API (``messages/`` and ``admin/messages/``)."""

from django.db.models import BooleanField, Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError
from apps.messaging.models import Message, MessageKind, ThreadReadState

MESSAGE_RELATED = ("sender", "thread__investor", "thread__assignee", "task_assignment__task")


def message_list_for_user(*, user) -> QuerySet:
    """The caller's messages, newest first, with ``is_read`` from the caller's side (a message
    the caller sent counts as read). Never an internal note, not even the caller's own. An
    investor: every public message of their threads. Staff: what they sent, and the public
    messages of the threads assigned to them."""
    if user.is_staff:
        messages = Message.objects.filter(Q(sender=user) | Q(thread__assignee=user)).exclude(kind=MessageKind.NOTE)
    else:
        messages = Message.objects.filter(thread__investor=user).exclude(kind=MessageKind.NOTE)
    return message_read_state_annotate(messages.select_related(*MESSAGE_RELATED), user=user).order_by(
        "-created_at", "-id"
    )


def message_get_for_user(*, message_id, user) -> Message | None:
    """One message the caller may see (same rules as the list), or None."""
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        return None
    return message_list_for_user(user=user).filter(pk=message_id).first()


def message_list_for_staff(*, link_status: str | None = None, thread_id=None, kind: str | None = None) -> QuerySet:
    """Every message, newest first (internal notes included and marked), for staff who may read
    threads; ``link_status`` keeps task messages whose proof is in that state."""
    from apps.messaging.models.tasks import LINK_STATUS

    messages = Message.objects.select_related(*MESSAGE_RELATED).order_by("-created_at", "-id")
    if kind:
        messages = messages.filter(kind=kind)
    if thread_id is not None:
        messages = messages.filter(thread_id=thread_id)
    if link_status is not None:
        statuses = [status for status, value in LINK_STATUS.items() if value == link_status]
        messages = messages.filter(task_assignment__status__in=statuses)
    return messages


def message_read_state_annotate(messages: QuerySet, *, user) -> QuerySet:
    """``is_read`` from ``user``'s side: sent by them, or at or below their read pointer of the
    message's thread."""
    pointer = ThreadReadState.objects.filter(thread=OuterRef("thread_id"), user=user).values("last_read_message_id")[:1]
    return messages.annotate(
        is_read=Case(
            When(sender=user, then=Value(True)),
            When(id__lte=Coalesce(Subquery(pointer), Value(0), output_field=IntegerField()), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def message_list_for_staff_member(
    *, user, link_status: str | None = None, thread_id=None, kind: str | None = None
) -> QuerySet:
    """``admin/messages/`` for one staff member: every message (notes included) with
    ``messaging.view_thread``; only task messages for staff who may see tasks but not threads.
    ``is_read`` is from this staff member's side."""
    messages = message_list_for_staff(link_status=link_status, thread_id=thread_id, kind=kind)
    if not user.has_perm("messaging.view_thread"):
        messages = messages.filter(kind=MessageKind.TASK)
    return message_read_state_annotate(messages, user=user)


def message_get_for_review(*, message_id, user) -> Message | None:
    """A task message as the staff member who reviewed its proof sees it (with the first
    approver, ``is_read`` from their side)."""
    messages = message_list_for_staff().select_related("task_assignment__first_approved_by")
    return message_read_state_annotate(messages, user=user).filter(pk=message_id, kind=MessageKind.TASK).first()


def message_recipient_check_for_investor(*, user, recipient_id) -> None:
    """An investor writes only to support: a staff member's id (or none) means support; any
    other id, another investor's or their own, is refused (unknown ids alike, so nothing about
    who exists is told)."""
    if recipient_id is None:
        return
    if not User.objects.filter(pk=recipient_id, is_staff=True).exclude(pk=user.pk).exists():
        raise ApplicationError(_("You can write only to support."), code="recipient_not_allowed", field="recipient_id")
