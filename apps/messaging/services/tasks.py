"""Rewarded tasks: staff create a task for one investor or a segment; each recipient accepts or
declines, submits a proof link, and staff approve (which pays the reward through the ledger) or
reject with a reason (the recipient may try again until the task expires).

Payment: exactly once per recipient (natural key ``task:<assignment id>``), from the platform's
task reward expense account, never beyond the task's budget (checked under the task's row lock,
with ``paid_total`` moved in the same transaction), and above ``FOUR_EYES_THRESHOLD`` only once a
second staff member approves. Locks are always taken assignment → task → accounts."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError, ConflictError
from apps.common.text import multi_line, single_line
from apps.messaging.models import (
    AssignmentStatus,
    Message,
    MessageKind,
    Notification,
    Segment,
    Task,
    TaskAssignment,
    TaskPlatform,
    Thread,
    ThreadCategory,
    ThreadEventKind,
    ThreadKind,
    ThreadStatus,
)
from apps.messaging.models.tasks import PROOF_LINK_MAX_LENGTH
from apps.messaging.segments import segment_clean, segment_users
from apps.messaging.services.delivery import Chunk, delivery_run, delivery_start
from apps.messaging.services.notifications import notification_category_for, notification_send
from apps.messaging.services.threads import body_clean, event_record, investor_recipient_get, subject_clean
from apps.wallet.models import AccountKind, EntryKind
from apps.wallet.services.common import amount_clean
from apps.wallet.services.ledger import entry_post, investor_account, platform_account, transfer_legs

CREATE_PERMISSION = "messaging.add_task"
REVIEW_PERMISSION = "messaging.review_task_proof"


# --- creating and delivering ------------------------------------------------------------------


def task_fields_clean(
    *,
    title,
    instructions_en,
    platform,
    reward,
    expires_at=None,
    budget=None,
    instructions_ar="",
    recipient_id=None,
    segment=Segment.ALL,
    segment_value="",
) -> dict:
    """Every field checked at once (``budget`` defaults to one reward: a task for one person)."""
    cleaned, errors = {}, []

    def check(name, function):
        try:
            cleaned[name] = function()
        except ApplicationError as error:
            errors.append(error)

    check("title", lambda: subject_clean(title, field="title"))
    check("instructions_en", lambda: body_clean(instructions_en, field="instructions_en"))
    check(
        "instructions_ar",
        lambda: body_clean(instructions_ar, field="instructions_ar") if multi_line(instructions_ar) else "",
    )
    check("platform", lambda: _platform_clean(platform))
    check("reward", lambda: amount_clean(reward, field="reward"))
    check("budget", lambda: amount_clean(budget, field="budget") if budget not in (None, "") else None)
    check("expires_at", lambda: _expires_at_clean(expires_at))
    if recipient_id not in (None, ""):
        check("recipient", lambda: investor_recipient_get(recipient_id))
    else:
        check("segment", lambda: segment_clean(segment=segment, value=segment_value))
    if not errors and cleaned["budget"] is not None and cleaned["budget"] < cleaned["reward"]:
        errors.append(
            ApplicationError(_("The budget must cover at least one reward."), code="budget_too_small", field="budget")
        )
    if len(errors) == 1:
        raise errors[0]
    if errors:
        field_errors = {name: messages for error in errors for name, messages in error.field_errors.items()}
        raise ApplicationError(_("Correct the errors below."), code="invalid", field_errors=field_errors)
    if cleaned["budget"] is None:
        cleaned["budget"] = cleaned["reward"]
    segment, value = cleaned.pop("segment", (Segment.ALL, ""))
    cleaned.update(segment=segment, segment_value=value, recipient=cleaned.get("recipient"))
    return cleaned


def _platform_clean(value) -> str:
    if value not in TaskPlatform.values:
        raise ApplicationError(_("Choose a platform."), code="invalid_platform", field="platform")
    return value


def _expires_at_clean(value):
    if value in (None, ""):
        return timezone.now() + timedelta(days=settings.TASK_DEFAULT_EXPIRY_DAYS)
    if not hasattr(value, "tzinfo") or timezone.is_naive(value):
        raise ApplicationError(_("Enter a date and time."), code="invalid_expiry", field="expires_at")
    if value <= timezone.now():
        raise ApplicationError(_("The expiry must be in the future."), code="invalid_expiry", field="expires_at")
    return value


def _staff_check(staff: User, permission: str, message: str) -> None:
    if not (staff.is_active and staff.is_staff and staff.has_perm(permission)):
        raise ApplicationError(message, code="permission_denied", status_code=403)


def task_create(*, staff: User, **fields) -> Task:
    """Create a task and deliver it: at once to one investor (in this transaction), or to a
    segment by the delivery job after commit."""
    _staff_check(staff, CREATE_PERMISSION, _("You may not create tasks."))
    cleaned = task_fields_clean(**fields)
    with transaction.atomic(durable=True):
        task = Task.objects.create(created_by=staff, **cleaned)
        delivery_start(task)
    if task.recipient_id is not None:
        task_deliver(task_id=task.pk)
    else:
        from apps.messaging.tasks import task_deliver_task

        task_deliver_task.delay(task.pk)
    task.refresh_from_db()
    return task


def task_recipients(task: Task):
    if task.recipient_id is not None:
        return User.objects.filter(pk=task.recipient_id, is_staff=False, is_active=True)
    return segment_users(segment=task.segment, value=task.segment_value)


def task_deliver(*, task_id: int, chunk_size: int | None = None, max_chunks: int | None = None) -> int:
    return delivery_run(
        model=Task,
        pk=task_id,
        recipients=task_recipients,
        write=assignments_write,
        chunk_size=chunk_size,
        max_chunks=max_chunks,
    )


def assignments_write(task: Task, chunk: Chunk) -> int:
    """Per recipient of the chunk (not yet given the task): a task thread, the task as its first
    message, the assignment and a notice; each kind of row in one bulk insert."""
    users = list(chunk.users.exclude(task_assignments__task=task).order_by("pk").only("pk", "language"))
    if not users:
        return 0
    now = timezone.now()
    threads = Thread.objects.bulk_create(
        [
            Thread(
                investor=user,
                kind=ThreadKind.TASK,
                subject=task.title,
                category=ThreadCategory.OTHER,
                status=ThreadStatus.WAITING_INVESTOR,
                opened_by_id=task.created_by_id,
                created_at=now,
                updated_at=now,
                last_message_at=now,
                status_changed_at=now,
            )
            for user in users
        ]
    )
    messages = Message.objects.bulk_create(
        [
            Message(
                thread=thread,
                sender_id=task.created_by_id,
                kind=MessageKind.TASK,
                body=task.instructions_for(user.language),
                created_at=now,
            )
            for thread, user in zip(threads, users, strict=True)
        ]
    )
    for thread, message in zip(threads, messages, strict=True):
        thread.last_staff_message_id = message.pk
    Thread.objects.bulk_update(threads, ["last_staff_message_id"])
    TaskAssignment.objects.bulk_create(
        [
            TaskAssignment(task=task, user=user, thread=thread, message=message, created_at=now, updated_at=now)
            for user, thread, message in zip(users, threads, messages, strict=True)
        ]
    )
    _offer_notices(task, users, threads)
    return len(users)


def _offer_notices(task: Task, users: list[User], threads: list[Thread]) -> None:
    from apps.messaging.tasks import notification_emails_send_task

    reward = f"{task.reward:,.2f} {task.currency}"
    notices = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind="task_offered",
                category=notification_category_for("task_offered"),
                title=_task_offer_title(task, user.language),
                body=reward,
                link=f"/messages/{thread.pk}/",
            )
            for user, thread in zip(users, threads, strict=True)
        ]
    )
    ids = [notice.pk for notice in notices]
    size = settings.EMAIL_BATCH_SIZE
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        transaction.on_commit(lambda batch=batch: notification_emails_send_task.delay(batch))


def _task_offer_title(task: Task, language: str) -> str:
    from django.utils import translation

    with translation.override(language or "en"):
        return (_("New task: %(title)s") % {"title": task.title})[:200]


# --- the recipient -----------------------------------------------------------------------------------


def _assignment_lock_for_user(*, assignment_id, user: User) -> TaskAssignment:
    try:
        assignment_id = int(assignment_id)
    except (TypeError, ValueError):
        assignment_id = None
    assignment = (
        TaskAssignment.objects.select_for_update(of=("self",))
        .select_related("task", "thread")
        .filter(pk=assignment_id, user=user)
        .first()
        if assignment_id
        else None
    )
    if assignment is None:
        raise ApplicationError(_("No such task."), code="not_found", status_code=404)
    return assignment


def _not_expired(assignment: TaskAssignment, now) -> None:
    if assignment.task.is_expired(now):
        raise ConflictError(_("This task has expired."), code="task_expired")


def _respond(assignment: TaskAssignment, *, status: str, actor: User, now, event: str, **data) -> None:
    assignment.status = status
    assignment.updated_at = now
    fields = ["status", "updated_at"]
    if status in (AssignmentStatus.ACCEPTED, AssignmentStatus.DECLINED):
        assignment.responded_at = now
        fields.append("responded_at")
    assignment.save(update_fields=fields)
    event_record(assignment.thread, actor=actor, kind=event, assignment=assignment.pk, **data)
    _thread_touch(assignment, now)


def _thread_touch(assignment: TaskAssignment, now) -> None:
    """Every change of the task moves its thread's ``updated_at`` (its event is in the thread)."""
    Thread.objects.filter(pk=assignment.thread_id).update(updated_at=now)


@transaction.atomic(durable=True)
def assignment_accept(*, assignment_id, user: User) -> TaskAssignment:
    now = timezone.now()
    assignment = _assignment_lock_for_user(assignment_id=assignment_id, user=user)
    if assignment.status != AssignmentStatus.OFFERED:
        raise ConflictError(_("You already answered this task."), code="already_answered")
    _not_expired(assignment, now)
    _respond(assignment, status=AssignmentStatus.ACCEPTED, actor=user, now=now, event=ThreadEventKind.TASK_ACCEPTED)
    return assignment


@transaction.atomic(durable=True)
def assignment_decline(*, assignment_id, user: User) -> TaskAssignment:
    now = timezone.now()
    assignment = _assignment_lock_for_user(assignment_id=assignment_id, user=user)
    if assignment.status not in (AssignmentStatus.OFFERED, AssignmentStatus.ACCEPTED):
        raise ConflictError(_("A task with a submitted proof cannot be declined."), code="already_answered")
    _respond(assignment, status=AssignmentStatus.DECLINED, actor=user, now=now, event=ThreadEventKind.TASK_DECLINED)
    return assignment


def proof_link_clean(value, *, field: str = "submitted_link") -> str:
    link = single_line(value)
    if not link:
        raise ApplicationError(_("Paste the link to your proof."), code="link_required", field=field)
    if len(link) > PROOF_LINK_MAX_LENGTH:
        raise ApplicationError(
            _("The link is too long (at most %(max)s characters).") % {"max": PROOF_LINK_MAX_LENGTH},
            code="invalid_link",
            field=field,
        )
    try:
        URLValidator(schemes=["http", "https"])(link)
    except ValidationError:
        raise ApplicationError(
            _("Enter a web address starting with http:// or https://."), code="invalid_link", field=field
        ) from None
    return link


def assignment_proof_submit(*, assignment_id, user: User, link) -> TaskAssignment:
    """Submit (or, after a rejection, resubmit) the proof link before the task expires. An
    offered task is accepted by submitting (the original client has no accept step)."""
    from apps.messaging.services.threads import send_rate_check

    link = proof_link_clean(link)
    send_rate_check(user)
    with transaction.atomic(durable=True):
        now = timezone.now()
        assignment = _assignment_lock_for_user(assignment_id=assignment_id, user=user)
        _proof_submittable(assignment)
        _not_expired(assignment, now)
        if assignment.status == AssignmentStatus.OFFERED:
            _respond(
                assignment, status=AssignmentStatus.ACCEPTED, actor=user, now=now, event=ThreadEventKind.TASK_ACCEPTED
            )
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.proof_link = link
        assignment.submitted_at = now
        assignment.updated_at = now
        assignment.reviewed_by = assignment.reviewed_at = None
        assignment.first_approved_by = assignment.first_approved_at = None
        assignment.save(
            update_fields=[
                "status",
                "proof_link",
                "submitted_at",
                "updated_at",
                "reviewed_by",
                "reviewed_at",
                "first_approved_by",
                "first_approved_at",
            ]
        )
        event_record(
            assignment.thread, actor=user, kind=ThreadEventKind.TASK_SUBMITTED, assignment=assignment.pk, link=link
        )
        _thread_touch(assignment, now)
        return assignment


def _proof_submittable(assignment: TaskAssignment) -> None:
    refusals = {
        AssignmentStatus.DECLINED: (_("You declined this task."), "task_declined"),
        AssignmentStatus.SUBMITTED: (_("Your proof is waiting for review."), "proof_pending"),
        AssignmentStatus.APPROVED: (_("Your proof was approved and the reward paid."), "already_approved"),
    }
    if assignment.status in refusals:
        message, code = refusals[assignment.status]
        raise ConflictError(message, code=code)


# --- staff review --------------------------------------------------------------------------------------


def assignment_lock_for_review(*, assignment_id, staff: User) -> TaskAssignment:
    _staff_check(staff, REVIEW_PERMISSION, _("You may not review task proofs."))
    try:
        assignment_id = int(assignment_id)
    except (TypeError, ValueError):
        assignment_id = None
    assignment = (
        TaskAssignment.objects.select_for_update(of=("self",))
        .select_related("task", "thread", "user")
        .filter(pk=assignment_id)
        .first()
        if assignment_id
        else None
    )
    if assignment is None:
        raise ApplicationError(_("No such task proof."), code="not_found", status_code=404)
    if assignment.status != AssignmentStatus.SUBMITTED:
        message = (
            _("This proof was already reviewed.")
            if assignment.status in (AssignmentStatus.APPROVED, AssignmentStatus.REJECTED)
            else _("No proof was submitted for this task.")
        )
        code = (
            "already_reviewed"
            if assignment.status in (AssignmentStatus.APPROVED, AssignmentStatus.REJECTED)
            else "not_submitted"
        )
        raise ConflictError(message, code=code)
    if assignment.user_id == staff.pk:
        raise ApplicationError(_("You cannot review your own proof."), code="own_request", status_code=403)
    return assignment


def _budget_check(task: Task) -> None:
    if task.paid_total + task.reward > task.budget:
        raise ConflictError(
            _("The task's budget is spent: %(left)s %(currency)s left, the reward is %(reward)s.")
            % {"left": task.remaining_budget, "currency": task.currency, "reward": task.reward},
            code="budget_exhausted",
        )


@transaction.atomic(durable=True)
def assignment_approve(*, assignment_id, staff: User, note: str = "") -> TaskAssignment:
    """Approve a submitted proof: pay the reward (once), or, above the four-eyes threshold,
    record the first approval and wait for a second staff member."""
    now = timezone.now()
    assignment = assignment_lock_for_review(assignment_id=assignment_id, staff=staff)
    task = Task.objects.select_for_update().get(pk=assignment.task_id)
    _budget_check(task)
    if task.reward > settings.FOUR_EYES_THRESHOLD:
        if assignment.first_approved_by_id is None:
            assignment.first_approved_by = staff
            assignment.first_approved_at = now
            assignment.updated_at = now
            assignment.save(update_fields=["first_approved_by", "first_approved_at", "updated_at"])
            event_record(
                assignment.thread, actor=staff, kind=ThreadEventKind.TASK_FIRST_APPROVAL, assignment=assignment.pk
            )
            _thread_touch(assignment, now)
            return assignment
        if assignment.first_approved_by_id == staff.pk:
            raise ApplicationError(
                _("Another staff member must give the second approval."), code="four_eyes_required", status_code=403
            )
    _pay(assignment, task, staff=staff, now=now, note=multi_line(note))
    return assignment


def _pay(assignment: TaskAssignment, task: Task, *, staff: User, now, note: str) -> None:
    assignment.entry = entry_post(
        kind=EntryKind.TASK_REWARD,
        natural_key=f"task:{assignment.pk}",
        legs=transfer_legs(
            debit=platform_account(AccountKind.TASK_REWARD_EXPENSE),
            credit=investor_account(user=assignment.user, kind=AccountKind.AVAILABLE),
            amount=task.reward,
        ),
        actor=staff,
        memo=task.title,
    )
    Task.objects.filter(pk=task.pk).update(paid_total=F("paid_total") + task.reward)
    assignment.status = AssignmentStatus.APPROVED
    assignment.reviewed_by = staff
    assignment.reviewed_at = now
    assignment.review_note = note
    assignment.updated_at = now
    assignment.save(update_fields=["entry", "status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    event_record(
        assignment.thread,
        actor=staff,
        kind=ThreadEventKind.TASK_APPROVED,
        assignment=assignment.pk,
        amount=str(task.reward),
    )
    _thread_touch(assignment, now)
    notification_send(
        user=assignment.user,
        kind="task_reward_paid",
        title=lambda: _("Task reward paid"),
        body=lambda: (
            _("%(amount)s %(currency)s was credited to your balance for “%(title)s”.")
            % {"amount": f"{task.reward:,.2f}", "currency": task.currency, "title": task.title}
        ),
        link=f"/messages/{assignment.thread_id}/",
    )


@transaction.atomic(durable=True)
def assignment_reject(*, assignment_id, staff: User, note) -> TaskAssignment:
    """Reject a submitted proof with a reason the recipient sees; they may submit again until
    the task expires."""
    note = multi_line(note)
    if not note:
        raise ApplicationError(
            _("Tell the investor why the proof is rejected."), code="reason_required", field="admin_note"
        )
    now = timezone.now()
    assignment = assignment_lock_for_review(assignment_id=assignment_id, staff=staff)
    assignment.status = AssignmentStatus.REJECTED
    assignment.reviewed_by = staff
    assignment.reviewed_at = now
    assignment.review_note = note
    assignment.first_approved_by = assignment.first_approved_at = None
    assignment.updated_at = now
    assignment.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "first_approved_by",
            "first_approved_at",
            "updated_at",
        ]
    )
    event_record(
        assignment.thread, actor=staff, kind=ThreadEventKind.TASK_REJECTED, assignment=assignment.pk, note=note
    )
    _thread_touch(assignment, now)
    notification_send(
        user=assignment.user,
        kind="task_proof_rejected",
        title=lambda: _("Task proof rejected: %(title)s") % {"title": assignment.task.title},
        body=lambda: note,
        link=f"/messages/{assignment.thread_id}/",
    )
    return assignment
