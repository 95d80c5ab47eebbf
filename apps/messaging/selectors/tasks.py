"""Reads of rewarded tasks: a recipient's own assignments, the staff review queue, and a task's
figures."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.controls.runtime import runtime_setting
from apps.messaging.models import AssignmentStatus, Task, TaskAssignment


def assignment_list_for_user(*, user) -> QuerySet:
    """The investor's tasks: open ones (offered, accepted, rejected) first, newest first."""
    return TaskAssignment.objects.filter(user=user).select_related("task", "thread").order_by("-created_at", "-id")


def assignment_get_for_user(*, assignment_id, user) -> TaskAssignment:
    try:
        assignment_id = int(assignment_id)
    except (TypeError, ValueError):
        assignment_id = None
    assignment = (
        TaskAssignment.objects.select_related("task", "thread").filter(pk=assignment_id, user=user).first()
        if assignment_id
        else None
    )
    if assignment is None:
        raise ApplicationError(_("No such task."), code="not_found", status_code=404)
    return assignment


def assignment_review_queue() -> QuerySet:
    """Submitted proofs, the longest waiting first (what Finance works through)."""
    return (
        TaskAssignment.objects.filter(status=AssignmentStatus.SUBMITTED)
        .select_related("task", "user", "first_approved_by")
        .order_by("submitted_at", "id")
    )


def assignment_pending_count() -> int:
    return TaskAssignment.objects.filter(status=AssignmentStatus.SUBMITTED).count()


def assignment_id_for_message(*, message_id) -> int:
    """The assignment behind a task message (the original API names a task by its message)."""
    try:
        message_id = int(message_id)
    except (TypeError, ValueError):
        message_id = None
    # A foreign-key lookup is not guarded against ids beyond BIGINT like a primary key lookup is.
    in_range = message_id is not None and 0 < message_id < 2**63
    assignment_id = (
        TaskAssignment.objects.filter(message_id=message_id).values_list("pk", flat=True).first() if in_range else None
    )
    if assignment_id is None:
        raise ApplicationError(_("No such task message."), code="not_found", status_code=404)
    return assignment_id


def task_assignment_counts(*, task: Task) -> dict[str, int]:
    """How many recipients are in each status (one query)."""
    row = TaskAssignment.objects.filter(task=task).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in AssignmentStatus.values}
    )
    return row


def task_message_id(*, task: Task) -> int | None:
    """The task message of a task for one investor (the first recipient's, for a segment)."""
    return TaskAssignment.objects.filter(task=task).order_by("pk").values_list("message_id", flat=True).first()


def assignment_approvals_needed(assignment: TaskAssignment) -> int:
    """How many approvals a proof still needs before its reward is paid: none once approved;
    two above ``FOUR_EYES_THRESHOLD`` until a first staff member approved, else one (always one
    for a task without a reward)."""
    if assignment.status == AssignmentStatus.APPROVED:
        return 0
    if task_needs_two_approvals(assignment.task) and assignment.first_approved_by_id is None:
        return 2
    return 1


def task_needs_two_approvals(task: Task) -> bool:
    """A reward above ``FOUR_EYES_THRESHOLD`` is paid only on a second staff member's approval;
    a task without a reward never needs two."""
    return task.is_paid and task.reward > runtime_setting("FOUR_EYES_THRESHOLD")
