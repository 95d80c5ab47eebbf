"""Creating a task and delivering it: to one investor at once, or to a segment in chunks (one
thread, one task message, one assignment and one notice per recipient)."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError
from apps.common.text import multi_line
from apps.controls.runtime import runtime_setting
from apps.messaging.models import (
    Message,
    MessageKind,
    Notification,
    Segment,
    Task,
    TaskAssignment,
    TaskPlatform,
    Thread,
    ThreadCategory,
    ThreadKind,
    ThreadStatus,
)
from apps.messaging.segments import segment_clean, segment_users
from apps.messaging.services.delivery import Chunk, delivery_run, delivery_start
from apps.messaging.services.notifications import notification_category_for
from apps.messaging.services.tasks.rules import (
    CREATE_PERMISSION,
    staff_permission_check,
)
from apps.messaging.services.threads import body_clean, investor_recipient_get, subject_clean
from apps.wallet.services.common import amount_clean

# --- creating and delivering ------------------------------------------------------------------


def task_fields_clean(
    *,
    title,
    instructions_en,
    platform,
    reward=None,
    expires_at=None,
    budget=None,
    instructions_ar="",
    recipient_id=None,
    segment=Segment.ALL,
    segment_value="",
) -> dict:
    """Every field checked at once (``budget`` defaults to one reward: a task for one person).
    No ``reward`` (None or empty) makes an unpaid task, whose budget is 0; a reward given is
    greater than zero."""
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
    check("reward", lambda: _reward_clean(reward))
    check("budget", lambda: amount_clean(budget, field="budget") if budget not in (None, "") else None)
    check("expires_at", lambda: _expires_at_clean(expires_at))
    if recipient_id not in (None, ""):
        check("recipient", lambda: investor_recipient_get(recipient_id))
    else:
        check("segment", lambda: segment_clean(segment=segment, value=segment_value))
    if not errors:
        _budget_check(cleaned["reward"], cleaned["budget"], errors)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        field_errors = {name: messages for error in errors for name, messages in error.field_errors.items()}
        raise ApplicationError(_("Correct the errors below."), code="invalid", field_errors=field_errors)
    if cleaned["budget"] is None:
        cleaned["budget"] = cleaned["reward"] if cleaned["reward"] is not None else Decimal("0.00")
    segment, value = cleaned.pop("segment", (Segment.ALL, ""))
    cleaned.update(segment=segment, segment_value=value, recipient=cleaned.get("recipient"))
    return cleaned


def _reward_clean(value) -> Decimal | None:
    """None for an unpaid task (no reward given); else an amount greater than zero (an explicit
    zero is refused: a task without a reward leaves it out)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, float | bool) and _is_zero(value):
        raise ApplicationError(
            _("A reward must be greater than zero: leave it out for a task without a reward."),
            code="invalid_amount",
            field="reward",
        )
    return amount_clean(value, field="reward")


def _is_zero(value) -> bool:
    try:
        return Decimal(str(value).strip()) == 0
    except (InvalidOperation, ValueError):
        return False


def _budget_check(reward: Decimal | None, budget: Decimal | None, errors: list) -> None:
    if budget is None:
        return
    if reward is None:
        errors.append(
            ApplicationError(
                _("A task without a reward has no budget: leave the budget empty."),
                code="budget_without_reward",
                field="budget",
            )
        )
    elif budget < reward:
        errors.append(
            ApplicationError(_("The budget must cover at least one reward."), code="budget_too_small", field="budget")
        )


def _platform_clean(value) -> str:
    if value not in TaskPlatform.values:
        raise ApplicationError(_("Choose a platform."), code="invalid_platform", field="platform")
    return value


def _expires_at_clean(value):
    if value in (None, ""):
        return timezone.now() + timedelta(days=runtime_setting("TASK_DEFAULT_EXPIRY_DAYS"))
    if not hasattr(value, "tzinfo") or timezone.is_naive(value):
        raise ApplicationError(_("Enter a date and time."), code="invalid_expiry", field="expires_at")
    if value <= timezone.now():
        raise ApplicationError(_("The expiry must be in the future."), code="invalid_expiry", field="expires_at")
    return value


def task_create(*, staff: User, **fields) -> Task:
    """Create a task and deliver it: at once to one investor (in this transaction), or to a
    segment by the delivery job after commit."""
    staff_permission_check(staff, CREATE_PERMISSION, _("You may not create tasks."))
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
            TaskAssignment(
                task=task,
                user=user,
                thread=thread,
                message=message,
                pays_reward=task.is_paid,
                created_at=now,
                updated_at=now,
            )
            for user, thread, message in zip(users, threads, messages, strict=True)
        ]
    )
    _offer_notices(task, users, threads)
    return len(users)


def _offer_notices(task: Task, users: list[User], threads: list[Thread]) -> None:
    from apps.messaging.tasks import notification_emails_send_task

    notices = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind="task_offered",
                category=notification_category_for("task_offered"),
                title=_task_offer_title(task, user.language),
                body=_task_offer_body(task, user.language),
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


def _task_offer_body(task: Task, language: str) -> str:
    """The reward; for a task without one, what to do (never a payment)."""
    if task.is_paid:
        return f"{task.reward:,.2f} {task.currency}"
    from django.utils import translation

    with translation.override(language or "en"):
        return _("Do it on %(platform)s and send the link to your proof.") % {"platform": task.get_platform_display()}


def _task_offer_title(task: Task, language: str) -> str:
    from django.utils import translation

    with translation.override(language or "en"):
        return (_("New task: %(title)s") % {"title": task.title})[:200]
