"""Staff changes to a thread: assignee, status, priority and category, each with its event."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError
from apps.messaging.models import (
    Thread,
    ThreadCategory,
    ThreadEventKind,
    ThreadPriority,
    ThreadStatus,
)
from apps.messaging.services.notifications import notification_send
from apps.messaging.services.threads.rules import (
    choice_clean,
    event_record,
    int_or_none,
    sla_start,
    status_move,
    thread_lock,
)

# --- staff changes -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def thread_assign(*, thread_id, actor: User, assignee_id=None) -> Thread:
    """Assign to a staff member who may handle threads (``assignee_id=None`` unassigns)."""
    thread = thread_lock(thread_id=thread_id, user=actor)
    assignee = None
    if assignee_id not in (None, ""):
        assignee = assignable_staff().filter(pk=int_or_none(assignee_id)).first()
        if assignee is None:
            raise ApplicationError(
                _("Choose a staff member who handles support threads."), code="invalid_assignee", field="assignee"
            )
    if thread.assignee_id == (assignee.pk if assignee else None):
        return thread
    event_record(
        thread,
        actor=actor,
        kind=ThreadEventKind.ASSIGNED,
        **{"from": thread.assignee_id, "to": assignee.pk if assignee else None},
    )
    thread.assignee = assignee
    thread.updated_at = timezone.now()
    thread.save(update_fields=["assignee", "updated_at"])
    if assignee is not None and assignee.pk != actor.pk:
        notification_send(
            user=assignee,
            kind="support_assigned",
            title=lambda: _("%(number)s was assigned to you") % {"number": thread.ticket_number},
            body=lambda: thread.subject,
            link=f"/admin/messaging/thread/{thread.pk}/change/",
            email=False,
        )
    return thread


def assignable_staff():
    """Active staff with the permission to handle threads (directly, by role, or superusers)."""
    permission = Q(user_permissions__codename="handle_thread", user_permissions__content_type__app_label="messaging")
    by_role = Q(groups__permissions__codename="handle_thread", groups__permissions__content_type__app_label="messaging")
    staff = User.objects.filter(is_active=True, is_staff=True)
    return staff.filter(Q(is_superuser=True) | permission | by_role).distinct().order_by("email")


@transaction.atomic(durable=True)
def thread_status_set(*, thread_id, actor: User, status) -> Thread:
    status = choice_clean(status, ThreadStatus, field="status", message=_("Choose a status."))
    thread = thread_lock(thread_id=thread_id, user=actor)
    if thread.status == status:
        return thread
    previous, now, fields = thread.status, timezone.now(), {"updated_at"}
    status_move(thread, status, now=now, fields=fields)
    thread.updated_at = now
    thread.save(update_fields=fields)
    event_record(thread, actor=actor, kind=ThreadEventKind.STATUS_CHANGED, **{"from": previous, "to": status})
    return thread


@transaction.atomic(durable=True)
def thread_priority_set(*, thread_id, actor: User, priority) -> Thread:
    """A new priority moves the answer due time (counted from when the investor started waiting)."""
    priority = choice_clean(priority, ThreadPriority, field="priority", message=_("Choose a priority."))
    thread = thread_lock(thread_id=thread_id, user=actor)
    if thread.priority == priority:
        return thread
    previous = thread.priority
    thread.priority = priority
    if thread.waiting_since is not None:
        sla_start(thread, since=thread.waiting_since)
    thread.updated_at = timezone.now()
    thread.save(update_fields=["priority", "response_due_at", "updated_at"])
    event_record(thread, actor=actor, kind=ThreadEventKind.PRIORITY_CHANGED, **{"from": previous, "to": priority})
    return thread


@transaction.atomic(durable=True)
def thread_category_set(*, thread_id, actor: User, category) -> Thread:
    category = choice_clean(category, ThreadCategory, field="category", message=_("Choose a category."))
    thread = thread_lock(thread_id=thread_id, user=actor)
    if thread.category == category:
        return thread
    event_record(
        thread, actor=actor, kind=ThreadEventKind.CATEGORY_CHANGED, **{"from": thread.category, "to": category}
    )
    thread.category = category
    thread.updated_at = timezone.now()
    thread.save(update_fields=["category", "updated_at"])
    return thread
