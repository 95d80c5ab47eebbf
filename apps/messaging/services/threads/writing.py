"""Writing messages: a ticket opened by an investor, a direct conversation opened by staff,
replies from either side (with files), and staff-only internal notes."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError, ConflictError
from apps.messaging.models import (
    Message,
    MessageKind,
    Thread,
    ThreadCategory,
    ThreadEventKind,
    ThreadKind,
    ThreadStatus,
)
from apps.messaging.models.threads import STAFF_OWES
from apps.messaging.services.attachments import (
    CleanAttachment,
    attachments_store,
    stored_files_delete,
)
from apps.messaging.services.notifications import notification_send
from apps.messaging.services.threads.reading import read_mark
from apps.messaging.services.threads.rules import (
    body_clean,
    choice_clean,
    event_record,
    message_input_clean,
    send_rate_check,
    sla_start,
    staff_handler_check,
    status_move,
    thread_lock,
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
    category = choice_clean(
        category or ThreadCategory.OTHER, ThreadCategory, field="category", message=_("Choose a category.")
    )
    subject, body, files = message_input_clean(subject=subject, body=body, attachments=attachments)
    send_rate_check(investor)

    def write(stored):
        locked = User.objects.select_for_update().get(pk=investor.pk)  # serialises the investor's sends
        now = timezone.now()
        send_rate_check(locked)
        thread = Thread(investor=locked, kind=ThreadKind.SUPPORT, subject=subject, category=category, opened_by=locked)
        thread.created_at = thread.updated_at = thread.last_message_at = thread.status_changed_at = now
        sla_start(thread, since=now)
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
    category = choice_clean(category, ThreadCategory, field="category", message=_("Choose a category."))
    subject, body, files = message_input_clean(subject=subject, body=body, attachments=attachments)

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
    _subject, text, files = message_input_clean(body=body, attachments=attachments)
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
        status_move(thread, target, now=now, fields=fields)
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
        status_move(thread, ThreadStatus.WAITING_INVESTOR, now=now, fields=fields)
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
