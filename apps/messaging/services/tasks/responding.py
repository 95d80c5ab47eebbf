"""The recipient's side: accept, decline, and submit (or, after a rejection, resubmit) a proof
link before the task expires."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError, ConflictError
from apps.common.text import single_line
from apps.messaging.models import (
    AssignmentStatus,
    TaskAssignment,
    ThreadEventKind,
)
from apps.messaging.models.tasks import PROOF_LINK_MAX_LENGTH
from apps.messaging.services.tasks.rules import (
    thread_touch,
)
from apps.messaging.services.threads import event_record

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
    thread_touch(assignment, now)


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
        thread_touch(assignment, now)
        return assignment


def _proof_submittable(assignment: TaskAssignment) -> None:
    refusals = {
        AssignmentStatus.DECLINED: (_("You declined this task."), "task_declined"),
        AssignmentStatus.SUBMITTED: (_("Your proof is waiting for review."), "proof_pending"),
        AssignmentStatus.APPROVED: (
            _("Your proof was approved and the reward paid.")
            if assignment.pays_reward
            else _("Your proof was approved."),
            "already_approved",
        ),
    }
    if assignment.status in refusals:
        message, code = refusals[assignment.status]
        raise ConflictError(message, code=code)
