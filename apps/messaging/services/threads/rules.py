"""The rules every thread write shares: input checks, who may write, the thread row lock,
the event log and the status/SLA moves."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError
from apps.common.text import multi_line, single_line
from apps.controls.runtime import runtime_setting
from apps.messaging.models import (
    Message,
    Thread,
    ThreadEvent,
    ThreadStatus,
)
from apps.messaging.models.threads import BODY_MAX_LENGTH, STAFF_OWES, SUBJECT_MAX_LENGTH
from apps.messaging.services.attachments import (
    CleanAttachment,
    attachments_clean,
)
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


def choice_clean(value, choices, *, field: str, message: str) -> str:
    if value not in choices.values:
        raise ApplicationError(message, code="invalid_choice", field=field)
    return value


def message_input_clean(*, body, attachments, subject=None) -> tuple[str | None, str, list[CleanAttachment]]:
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
    if sent >= runtime_setting("MESSAGE_SEND_LIMIT_PER_HOUR"):
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


def status_move(thread: Thread, status: str, *, now, fields: set[str]) -> None:
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
        sla_start(thread, since=now)
    fields.update({"status", "status_changed_at", "resolved_at", "closed_at", "waiting_since", "response_due_at"})


def sla_start(thread: Thread, *, since) -> None:
    thread.waiting_since = since
    thread.response_due_at = response_due(
        waiting_since=since, priority=thread.priority, first=thread.first_response_at is None
    )


def int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
