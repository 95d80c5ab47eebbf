"""Conversations: an investor opens a support ticket, staff open a direct conversation, both
reply; staff add internal notes, assign, and change status and priority.

Every write locks the thread row first, so concurrent replies leave one consistent status and
SLA; every change is a ``ThreadEvent`` with its actor in the same transaction. Investors reach
only their own threads (anything else is a 404) and only ever see public messages."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.models import User
from apps.common.errors import ApplicationError, ConflictError
from apps.common.text import multi_line, single_line
from apps.messaging.models import (
    Message,
    MessageKind,
    Notification,
    Thread,
    ThreadCategory,
    ThreadEvent,
    ThreadEventKind,
    ThreadKind,
    ThreadPriority,
    ThreadReadState,
    ThreadStatus,
)
from apps.messaging.models.threads import BODY_MAX_LENGTH, STAFF_OWES, SUBJECT_MAX_LENGTH
from apps.messaging.services.attachments import (
    CleanAttachment,
    attachments_clean,
    attachments_store,
    stored_files_delete,
)
from apps.messaging.services.notifications import notification_send
from apps.messaging.sla import response_due

HANDLE_PERMISSION = "messaging.handle_thread"
CLOSED_STATES = (ThreadStatus.RESOLVED, ThreadStatus.CLOSED)


# --- input ------------------------------------------------------------------------------------


def subject_clean(value, *, field: str = "subject") -> str:
    subject = single_line(value)
    if not subject:
        raise ApplicationError(_("Enter a subject."), code="subject_required", field=field)
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise ApplicationError(
            _("The subject is too long (at most %(max)s characters).") % {"max": SUBJECT_MAX_LENGTH},
            code="subject_too_long",
            field=field,
        )
    return subject


def body_clean(value, *, field: str = "message") -> str:
    body = multi_line(value)
    if not body:
        raise ApplicationError(_("Write a message."), code="message_required", field=field)
    if len(body) > BODY_MAX_LENGTH:
        raise ApplicationError(
            _("The message is too long (at most %(max)s characters).") % {"max": BODY_MAX_LENGTH},
            code="message_too_long",
            field=field,
        )
    return body


def _choice_clean(value, choices, *, field: str, message: str) -> str:
    if value not in choices.values:
        raise ApplicationError(message, code="invalid_choice", field=field)
    return value


def _message_input_clean(*, body, attachments, subject=None) -> tuple[str | None, str, list[CleanAttachment]]:
    """Subject, body and files checked together, so one answer names every wrong field."""
    cleaned, errors = {}, []
    checks = [("body", lambda: body_clean(body)), ("files", lambda: attachments_clean(attachments))]
    if subject is not None:
        checks.insert(0, ("subject", lambda: subject_clean(subject)))
    for name, check in checks:
        try:
            cleaned[name] = check()
        except ApplicationError as error:
            errors.append(error)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        field_errors = {name: messages for error in errors for name, messages in error.field_errors.items()}
        raise ApplicationError(_("Correct the errors below."), code="invalid", field_errors=field_errors)
    return cleaned.get("subject"), cleaned["body"], cleaned["files"]


def send_rate_check(user: User) -> None:
    """Investors may send ``MESSAGE_SEND_LIMIT_PER_HOUR`` messages an hour (portal and API)."""
    if user.is_staff:
        return
    since = timezone.now() - timedelta(hours=1)
    sent = Message.objects.filter(sender=user, created_at__gte=since).count()
    if sent >= settings.MESSAGE_SEND_LIMIT_PER_HOUR:
        raise ApplicationError(
            _("You have sent many messages in the last hour. Please wait a little before writing again."),
            code="throttled",
            status_code=429,
        )


def staff_handler_check(actor: User) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(HANDLE_PERMISSION)):
        raise ApplicationError(_("You may not handle support threads."), code="permission_denied", status_code=403)


# --- locking and events ---------------------------------------------------------------------------


def thread_lock(*, thread_id, user: User) -> Thread:
    """Lock a thread the user may write to: their own (investor) or any (staff who handle
    threads). Another investor's thread, like a missing one, is a 404."""
    try:
        thread_id = int(thread_id)
    except (TypeError, ValueError):
        thread_id = None
    queryset = Thread.objects.select_for_update(of=("self",)).select_related("investor")
    if not user.is_staff:
        queryset = queryset.filter(investor=user)
    thread = queryset.filter(pk=thread_id).first() if thread_id else None
    if thread is None:
        raise ApplicationError(_("No such conversation."), code="not_found", status_code=404)
    if user.is_staff:
        staff_handler_check(user)
    return thread


def event_record(thread: Thread, *, actor: User | None, kind: str, **data) -> ThreadEvent:
    return ThreadEvent.objects.create(thread=thread, actor=actor, kind=kind, data=data)


def _status_move(thread: Thread, status: str, *, now, fields: set[str]) -> None:
    """Set the status with its time stamps (the caller records the event and saves)."""
    if thread.status == status:
        return
    thread.status = status
    thread.status_changed_at = now
    thread.resolved_at = now if status == ThreadStatus.RESOLVED else thread.resolved_at
    thread.closed_at = now if status == ThreadStatus.CLOSED else None
    if status not in STAFF_OWES:
        thread.waiting_since = thread.response_due_at = None
    elif thread.waiting_since is None:
        _sla_start(thread, since=now)
    fields.update({"status", "status_changed_at", "resolved_at", "closed_at", "waiting_since", "response_due_at"})


def _sla_start(thread: Thread, *, since) -> None:
    thread.waiting_since = since
    thread.response_due_at = response_due(
        waiting_since=since, priority=thread.priority, first=thread.first_response_at is None
    )


# --- writing messages -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _NewMessage:
    thread: Thread
    sender: User
    kind: str
    body: str
    files: list[CleanAttachment]


def _message_write(new: _NewMessage, *, stored: list[str], now) -> Message:
    """The message, sent at ``now``: the time taken under the thread's lock, which the thread's
    activity time and SLA also use, so both follow the order in which messages are written."""
    message = Message.objects.create(thread=new.thread, sender=new.sender, kind=new.kind, body=new.body, created_at=now)
    if new.files:
        attachments_store(message=message, files=new.files, stored=stored)
    return message


def _with_files_cleanup(write):
    """Run ``write(stored)`` in one transaction; if it fails, delete the files it wrote."""
    stored: list[str] = []
    try:
        with transaction.atomic(durable=True):
            return write(stored)
    except BaseException:
        stored_files_delete(stored)
        raise


def _public_message_after(thread: Thread, message: Message, *, now, fields: set[str]) -> None:
    """A message the investor can see moves the thread's activity time and unread pointers."""
    thread.last_message_at = now
    thread.updated_at = now
    if message.sender_id == thread.investor_id:
        thread.last_investor_message_id = message.pk
    else:
        thread.last_staff_message_id = message.pk
    fields.update({"last_message_at", "updated_at", "last_investor_message_id", "last_staff_message_id"})
    read_mark(thread=thread, user=message.sender, through=message.pk)


def thread_open_by_investor(*, investor: User, subject, category, body, attachments=()) -> Thread:
    """A support ticket: the first message waits for staff (the first-response SLA starts)."""
    if investor.is_staff:
        raise ApplicationError(
            _("Staff open conversations with an investor from the admin."), code="permission_denied", status_code=403
        )
    category = _choice_clean(
        category or ThreadCategory.OTHER, ThreadCategory, field="category", message=_("Choose a category.")
    )
    subject, body, files = _message_input_clean(subject=subject, body=body, attachments=attachments)
    send_rate_check(investor)

    def write(stored):
        locked = User.objects.select_for_update().get(pk=investor.pk)  # serialises the investor's sends
        now = timezone.now()
        send_rate_check(locked)
        thread = Thread(investor=locked, kind=ThreadKind.SUPPORT, subject=subject, category=category, opened_by=locked)
        thread.created_at = thread.updated_at = thread.last_message_at = thread.status_changed_at = now
        _sla_start(thread, since=now)
        thread.save()
        event_record(thread, actor=locked, kind=ThreadEventKind.OPENED, category=category)
        message = _message_write(_NewMessage(thread, locked, MessageKind.REPLY, body, files), stored=stored, now=now)
        fields: set[str] = set()
        _public_message_after(thread, message, now=now, fields=fields)
        thread.save(update_fields=fields)
        return thread

    return _with_files_cleanup(write)


def thread_open_by_staff(
    *, staff: User, investor_id, subject, body, category=ThreadCategory.OTHER, attachments=(), kind=ThreadKind.DIRECT
) -> Thread:
    """A direct conversation with one investor: it waits on the investor; the investor is told."""
    staff_handler_check(staff)
    if not staff.has_perm("messaging.add_thread"):
        raise ApplicationError(
            _("You may not open conversations with investors."), code="permission_denied", status_code=403
        )
    investor = investor_recipient_get(investor_id)
    category = _choice_clean(category, ThreadCategory, field="category", message=_("Choose a category."))
    subject, body, files = _message_input_clean(subject=subject, body=body, attachments=attachments)

    def write(stored):
        now = timezone.now()
        thread = Thread.objects.create(
            investor=investor,
            kind=kind,
            subject=subject,
            category=category,
            opened_by=staff,
            assignee=staff,
            status=ThreadStatus.WAITING_INVESTOR,
            created_at=now,
            updated_at=now,
            last_message_at=now,
            status_changed_at=now,
        )
        event_record(thread, actor=staff, kind=ThreadEventKind.OPENED, category=category, assignee=staff.pk)
        message = _message_write(_NewMessage(thread, staff, MessageKind.REPLY, body, files), stored=stored, now=now)
        fields: set[str] = set()
        _public_message_after(thread, message, now=now, fields=fields)
        thread.save(update_fields=fields)
        _investor_told_of_reply(thread, message)
        return thread

    return _with_files_cleanup(write)


def investor_recipient_get(investor_id) -> User:
    """An active investor staff may write to; anything else is a clear refusal."""
    try:
        investor_id = int(investor_id)
    except (TypeError, ValueError):
        investor_id = None
    investor = User.objects.filter(pk=investor_id).first() if investor_id else None
    if investor is None:
        raise ApplicationError(_("No such investor."), code="recipient_not_found", field="recipient_id")
    if investor.is_staff:
        raise ApplicationError(
            _("Messages go to investors; write to staff colleagues elsewhere."),
            code="recipient_is_staff",
            field="recipient_id",
        )
    if not investor.is_active:
        raise ApplicationError(
            _("This investor's account is deactivated."), code="recipient_inactive", field="recipient_id"
        )
    return investor


def thread_reply(*, thread_id, author: User, body, attachments=()) -> Message:
    """A public reply. From the investor: staff owe an answer (a resolved thread reopens; a
    closed one must be followed by a new ticket). From staff: the thread waits on the investor,
    who is told."""
    _subject, text, files = _message_input_clean(body=body, attachments=attachments)
    send_rate_check(author)

    def write(stored):
        thread = thread_lock(thread_id=thread_id, user=author)
        now = timezone.now()  # after the lock: concurrent replies get times in the order they write
        if author.is_staff:
            return _staff_reply(thread, author, text, files, now=now, stored=stored)
        return _investor_reply(thread, author, text, files, now=now, stored=stored)

    return _with_files_cleanup(write)


def _investor_reply(thread: Thread, author: User, text: str, files, *, now, stored) -> Message:
    # The investor's row lock serialises their sends to all their threads, so a burst of
    # concurrent replies cannot slip past the hourly limit.
    send_rate_check(User.objects.select_for_update().get(pk=author.pk))
    if thread.status == ThreadStatus.CLOSED:
        raise ConflictError(
            _("This conversation is closed. Open a new one and mention %(number)s.") % {"number": thread.ticket_number},
            code="thread_closed",
        )
    message = _message_write(_NewMessage(thread, author, MessageKind.REPLY, text, files), stored=stored, now=now)
    fields: set[str] = set()
    if thread.status == ThreadStatus.RESOLVED:
        event_record(thread, actor=author, kind=ThreadEventKind.REOPENED, **{"from": thread.status})
    if thread.status not in STAFF_OWES:
        previous = thread.status
        target = ThreadStatus.OPEN if thread.first_response_at is None else ThreadStatus.WAITING_STAFF
        _status_move(thread, target, now=now, fields=fields)
        event_record(thread, actor=author, kind=ThreadEventKind.STATUS_CHANGED, **{"from": previous, "to": target})
    _public_message_after(thread, message, now=now, fields=fields)
    thread.save(update_fields=fields)
    if thread.assignee_id:
        notification_send(
            user=thread.assignee,
            kind="support_investor_reply",
            title=lambda: _("%(number)s: the investor replied") % {"number": thread.ticket_number},
            body=lambda: thread.subject,
            link=f"/admin/messaging/thread/{thread.pk}/change/",
            email=False,
        )
    return message


def _staff_reply(thread: Thread, author: User, text: str, files, *, now, stored) -> Message:
    message = _message_write(_NewMessage(thread, author, MessageKind.REPLY, text, files), stored=stored, now=now)
    fields: set[str] = set()
    # The first answer to the investor (a direct or task thread gets its first once they wrote).
    if thread.first_response_at is None and thread.last_investor_message_id is not None:
        thread.first_response_at = now
        fields.add("first_response_at")
    if thread.status != ThreadStatus.WAITING_INVESTOR:
        previous = thread.status
        _status_move(thread, ThreadStatus.WAITING_INVESTOR, now=now, fields=fields)
        event_record(
            thread, actor=author, kind=ThreadEventKind.STATUS_CHANGED, **{"from": previous, "to": thread.status}
        )
    if thread.assignee_id is None:  # who answers first takes the thread
        thread.assignee = author
        fields.add("assignee")
        event_record(thread, actor=author, kind=ThreadEventKind.ASSIGNED, **{"from": None, "to": author.pk})
    _public_message_after(thread, message, now=now, fields=fields)
    thread.save(update_fields=fields)
    _investor_told_of_reply(thread, message)
    return message


def _investor_told_of_reply(thread: Thread, message: Message) -> None:
    notification_send(
        user=thread.investor,
        kind="support_reply",
        title=lambda: _("New message: %(subject)s") % {"subject": thread.subject},
        body=lambda: message.body,
        link=f"/messages/{thread.pk}/",
    )


@transaction.atomic(durable=True)
def thread_note_add(*, thread_id, staff: User, body) -> Message:
    """An internal note: staff only, in every interface; it changes no status and no SLA."""
    if not staff.is_staff:
        raise ApplicationError(_("No such conversation."), code="not_found", status_code=404)
    text = body_clean(body, field="body")
    thread = thread_lock(thread_id=thread_id, user=staff)
    message = Message.objects.create(thread=thread, sender=staff, kind=MessageKind.NOTE, body=text)
    Thread.objects.filter(pk=thread.pk).update(updated_at=message.created_at)
    return message


# --- staff changes -------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def thread_assign(*, thread_id, actor: User, assignee_id=None) -> Thread:
    """Assign to a staff member who may handle threads (``assignee_id=None`` unassigns)."""
    thread = thread_lock(thread_id=thread_id, user=actor)
    assignee = None
    if assignee_id not in (None, ""):
        assignee = assignable_staff().filter(pk=_int_or_none(assignee_id)).first()
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
    status = _choice_clean(status, ThreadStatus, field="status", message=_("Choose a status."))
    thread = thread_lock(thread_id=thread_id, user=actor)
    if thread.status == status:
        return thread
    previous, now, fields = thread.status, timezone.now(), {"updated_at"}
    _status_move(thread, status, now=now, fields=fields)
    thread.updated_at = now
    thread.save(update_fields=fields)
    event_record(thread, actor=actor, kind=ThreadEventKind.STATUS_CHANGED, **{"from": previous, "to": status})
    return thread


@transaction.atomic(durable=True)
def thread_priority_set(*, thread_id, actor: User, priority) -> Thread:
    """A new priority moves the answer due time (counted from when the investor started waiting)."""
    priority = _choice_clean(priority, ThreadPriority, field="priority", message=_("Choose a priority."))
    thread = thread_lock(thread_id=thread_id, user=actor)
    if thread.priority == priority:
        return thread
    previous = thread.priority
    thread.priority = priority
    if thread.waiting_since is not None:
        _sla_start(thread, since=thread.waiting_since)
    thread.updated_at = timezone.now()
    thread.save(update_fields=["priority", "response_due_at", "updated_at"])
    event_record(thread, actor=actor, kind=ThreadEventKind.PRIORITY_CHANGED, **{"from": previous, "to": priority})
    return thread


@transaction.atomic(durable=True)
def thread_category_set(*, thread_id, actor: User, category) -> Thread:
    category = _choice_clean(category, ThreadCategory, field="category", message=_("Choose a category."))
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


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


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
    through = newest if through_message_id is None else min(_int_or_none(through_message_id) or 0, newest or 0)
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


# --- the auto-close job ------------------------------------------------------------------------------------

AUTO_CLOSE_BATCH = 500


def threads_auto_close(*, now=None) -> int:
    """Close the threads resolved, or waiting on the investor, for ``SUPPORT_AUTO_CLOSE_DAYS``,
    each with an event and a notice to the investor. Batches of rows locked with SKIP LOCKED, so
    two copies of the job share the work and a thread changed meanwhile is left alone."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SUPPORT_AUTO_CLOSE_DAYS)
    closed = 0
    while True:
        done = _auto_close_batch(now=now, cutoff=cutoff)
        closed += done
        if done < AUTO_CLOSE_BATCH:
            return closed


@transaction.atomic(durable=True)
def _auto_close_batch(*, now, cutoff) -> int:
    # Quiet for the whole period: in that status, and no message since (staff may remind an
    # investor without the thread changing status). Task threads are not conversations to close:
    # a task offered to a segment waits on each recipient until the task expires.
    due = Q(
        status__in=[ThreadStatus.RESOLVED, ThreadStatus.WAITING_INVESTOR],
        status_changed_at__lte=cutoff,
        last_message_at__lte=cutoff,
    ) & ~Q(kind=ThreadKind.TASK)
    threads = list(
        Thread.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("investor")
        .filter(due)
        .order_by("id")[:AUTO_CLOSE_BATCH]
    )
    if not threads:
        return 0
    Thread.objects.filter(pk__in=[thread.pk for thread in threads]).update(
        status=ThreadStatus.CLOSED,
        closed_at=now,
        status_changed_at=now,
        updated_at=now,
        waiting_since=None,
        response_due_at=None,
    )
    ThreadEvent.objects.bulk_create(
        [
            ThreadEvent(
                thread=thread,
                kind=ThreadEventKind.AUTO_CLOSED,
                data={"from": thread.status, "days": settings.SUPPORT_AUTO_CLOSE_DAYS},
                created_at=now,
            )
            for thread in threads
        ]
    )
    for thread in threads:
        notification_send(
            user=thread.investor,
            kind="support_closed",
            title=lambda thread=thread: _("Conversation closed: %(subject)s") % {"subject": thread.subject},
            body=lambda: (
                ngettext(
                    "We closed this conversation because it had no activity for %(days)d day. "
                    "If you still need help, open a new one.",
                    "We closed this conversation because it had no activity for %(days)d days. "
                    "If you still need help, open a new one.",
                    settings.SUPPORT_AUTO_CLOSE_DAYS,
                )
                % {"days": settings.SUPPORT_AUTO_CLOSE_DAYS}
            ),
            link=f"/messages/{thread.pk}/",
        )
    return len(threads)
