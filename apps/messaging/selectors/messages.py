"""The flat message lists of the original API (``messages/`` and ``admin/messages/``)."""

from django.db.models import BooleanField, Case, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

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
    pointer = ThreadReadState.objects.filter(thread=OuterRef("thread_id"), user=user).values("last_read_message_id")[:1]
    return (
        messages.select_related(*MESSAGE_RELATED)
        .annotate(
            is_read=Case(
                When(sender=user, then=Value(True)),
                When(id__lte=Coalesce(Subquery(pointer), Value(0), output_field=IntegerField()), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-created_at", "-id")
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
