"""Reads of conversations, with their rules: an investor sees only their own threads and only
public messages; staff need ``messaging.view_thread``. Unread counts come from each
participant's read pointer (``ThreadReadState``) and the thread's newest public message ids."""

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.common.errors import ApplicationError
from apps.messaging.models import (
    Attachment,
    Message,
    MessageKind,
    Thread,
    ThreadEvent,
    ThreadKind,
    ThreadReadState,
    ThreadStatus,
)
from apps.messaging.models.threads import STAFF_OWES

OPEN_STATES = (ThreadStatus.OPEN, ThreadStatus.WAITING_STAFF, ThreadStatus.WAITING_INVESTOR)

# The staff inbox's queues: key -> (label, filter given the staff member and now).
QUEUES = {
    # A task thread waiting on its recipient is nobody's work (a task to a segment opens thousands).
    "unassigned": (
        gettext_lazy("Unassigned"),
        lambda user, now: (
            Q(assignee__isnull=True, status__in=OPEN_STATES)
            & ~Q(kind=ThreadKind.TASK, status=ThreadStatus.WAITING_INVESTOR)
        ),
    ),
    "mine": (gettext_lazy("Mine"), lambda user, now: Q(assignee=user, status__in=OPEN_STATES)),
    "breached": (gettext_lazy("Breached SLA"), lambda user, now: Q(response_due_at__lt=now)),
    "waiting_staff": (gettext_lazy("Waiting on staff"), lambda user, now: Q(status__in=STAFF_OWES)),
    "all": (gettext_lazy("All"), lambda user, now: Q()),
}
DEFAULT_QUEUE = "waiting_staff"


def _read_pointer(user) -> Coalesce:
    pointer = ThreadReadState.objects.filter(thread=OuterRef("pk"), user=user).values("last_read_message_id")[:1]
    return Coalesce(Subquery(pointer), Value(0), output_field=IntegerField())


def thread_get_for_user(*, thread_id, user) -> Thread:
    """The thread if the user may see it: their own (investor), or any (staff with the view
    permission). Anything else, like a missing thread, is a 404."""
    try:
        thread_id = int(thread_id)
    except (TypeError, ValueError):
        thread_id = None
    queryset = Thread.objects.select_related("investor", "assignee", "opened_by")
    if not user.is_staff:
        queryset = queryset.filter(investor=user)
    elif not user.has_perm("messaging.view_thread"):
        queryset = queryset.none()
    thread = queryset.filter(pk=thread_id).first() if thread_id else None
    if thread is None:
        raise ApplicationError(_("No such conversation."), code="not_found", status_code=404)
    return thread


def thread_list_for_investor(*, user) -> QuerySet:
    """The investor's threads, unread first, then the most recent; each with ``unread`` (staff
    messages not read yet) and its task assignment, if it is a task thread."""
    unread = Count(
        "messages",
        filter=Q(messages__id__gt=_read_pointer(user))
        & ~Q(messages__sender=user)
        & ~Q(messages__kind=MessageKind.NOTE),
    )
    return (
        Thread.objects.filter(investor=user)
        .select_related("task_assignment__task")
        .annotate(unread=unread)
        .annotate(has_unread=Case(When(unread__gt=0, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-has_unread", "-last_message_at", "-id")
    )


def investor_unread_thread_count(*, user) -> int:
    """How many of the investor's threads have a staff message they have not read (one query)."""
    return Thread.objects.filter(investor=user, last_staff_message_id__gt=_read_pointer(user)).count()


def thread_messages_for_user(*, thread: Thread, user) -> QuerySet:
    """The thread's messages in order, with senders and files; internal notes only for staff."""
    messages = Message.objects.filter(thread=thread)
    if not user.is_staff:
        messages = messages.exclude(kind=MessageKind.NOTE)
    return (
        messages.select_related("sender")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("id")
    )


def thread_read_pointer(*, thread: Thread, user) -> int:
    return (
        ThreadReadState.objects.filter(thread=thread, user=user).values_list("last_read_message_id", flat=True).first()
        or 0
    )


def thread_events(*, thread: Thread) -> QuerySet:
    return ThreadEvent.objects.filter(thread=thread).select_related("actor").order_by("id")


# --- the staff inbox ------------------------------------------------------------------------------


def thread_queue(*, queue: str, user, now=None) -> QuerySet:
    """The threads of one inbox queue, with ``staff_unread`` (the investor wrote since this
    staff member last read) and ``breached``; the most urgent first."""
    now = now or timezone.now()
    _label, condition = QUEUES.get(queue, QUEUES[DEFAULT_QUEUE])
    return (
        Thread.objects.filter(condition(user, now))
        .select_related("investor", "assignee")
        .annotate(
            staff_unread=Case(
                When(last_investor_message_id__gt=_read_pointer(user), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            breached=Case(
                When(response_due_at__lt=now, then=Value(True)), default=Value(False), output_field=BooleanField()
            ),
        )
    )


def queue_counts(*, user, now=None) -> dict[str, dict[str, int]]:
    """Per queue: how many threads, and how many with investor messages this staff member has
    not read. One query whatever the number of threads."""
    now = now or timezone.now()
    unread = Q(last_investor_message_id__gt=_read_pointer(user))
    aggregates = {}
    for key, (_label, condition) in QUEUES.items():
        aggregates[f"{key}__total"] = Count("pk", filter=condition(user, now))
        aggregates[f"{key}__unread"] = Count("pk", filter=condition(user, now) & unread)
    row = Thread.objects.aggregate(**aggregates)
    return {key: {"total": row[f"{key}__total"], "unread": row[f"{key}__unread"]} for key in QUEUES}


def sla_breached_count(*, now=None) -> int:
    return Thread.objects.filter(response_due_at__lt=now or timezone.now()).count()


def threads_waiting_on_staff_count() -> int:
    return Thread.objects.filter(status__in=STAFF_OWES).count()


def thread_list_for_staff(
    *, user, queue: str | None = None, status=None, priority=None, category=None, search: str = ""
) -> QuerySet:
    """One inbox queue (default ``waiting_staff``) for staff who may read threads, narrowed by
    status, priority, category and a search (a ticket number ``#12`` or ``12``, part of the
    investor's email, or of the subject); answers due soonest first, then the most recent."""
    if not user.has_perm("messaging.view_thread"):
        raise ApplicationError(_("You may not read support threads."), code="permission_denied", status_code=403)
    threads = thread_queue(queue=queue or DEFAULT_QUEUE, user=user).select_related("task_assignment")
    filters = {"status": status, "priority": priority, "category": category}
    threads = threads.filter(**{name: value for name, value in filters.items() if value})
    search = (search or "").strip()
    if search:
        number = search.removeprefix("#")
        matches = Q(investor__email__icontains=search) | Q(subject__icontains=search)
        if number.isdigit() and len(number) <= 18:
            matches |= Q(pk=int(number))
        threads = threads.filter(matches)
    return threads.order_by(F("response_due_at").asc(nulls_last=True), "-last_message_at", "-id")


def thread_row_for_user(*, thread_id, user) -> Thread:
    """One thread as the caller's list shows it (with its unread annotations), if the caller
    may see it; anything else is a 404."""
    thread = thread_get_for_user(thread_id=thread_id, user=user)
    rows = thread_list_for_staff(user=user, queue="all") if user.is_staff else thread_list_for_investor(user=user)
    return rows.get(pk=thread.pk)


def threads_waiting_on_staff_summary() -> tuple[int, object]:
    """Threads owing the investor an answer: how many, and since when the one waiting longest has
    waited (``None`` when none waits). One query; the staff dashboard's queue health."""
    row = Thread.objects.filter(status__in=STAFF_OWES).aggregate(count=Count("pk"), oldest=Min("waiting_since"))
    return row["count"], row["oldest"]
