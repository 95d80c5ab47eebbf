"""Staff review of a proof: approve (which, for a paid task, pays the reward through the ledger,
once, within the budget, with four eyes above the threshold; for a task without a reward only
records the approval) or reject with a reason. Locks are always taken assignment → task →
accounts."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError, ConflictError
from apps.common.text import multi_line
from apps.controls.runtime import maintenance_check
from apps.messaging.models import (
    AssignmentStatus,
    Task,
    TaskAssignment,
    ThreadEventKind,
)
from apps.messaging.selectors.tasks import task_needs_two_approvals
from apps.messaging.services.notifications import notification_send
from apps.messaging.services.tasks.rules import (
    REVIEW_PERMISSION,
    staff_permission_check,
    thread_touch,
)
from apps.messaging.services.threads import event_record
from apps.wallet.models import AccountKind, EntryKind
from apps.wallet.services.ledger import entry_post, investor_account, platform_account, transfer_legs

# --- staff review --------------------------------------------------------------------------------------


def assignment_lock_for_review(*, assignment_id, staff: User) -> TaskAssignment:
    staff_permission_check(staff, REVIEW_PERMISSION, _("You may not review task proofs."))
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
    record the first approval and wait for a second staff member. A task without a reward is
    approved at once and pays nothing (no ledger entry, no four eyes)."""
    now = timezone.now()
    assignment = assignment_lock_for_review(assignment_id=assignment_id, staff=staff)
    task = Task.objects.select_for_update().get(pk=assignment.task_id)
    if not assignment.pays_reward:
        _approve_unpaid(assignment, task, staff=staff, now=now, note=multi_line(note))
        return assignment
    maintenance_check()  # paying a reward is a money command
    _budget_check(task)
    if task_needs_two_approvals(task):
        if assignment.first_approved_by_id is None:
            assignment.first_approved_by = staff
            assignment.first_approved_at = now
            assignment.updated_at = now
            assignment.save(update_fields=["first_approved_by", "first_approved_at", "updated_at"])
            event_record(
                assignment.thread, actor=staff, kind=ThreadEventKind.TASK_FIRST_APPROVAL, assignment=assignment.pk
            )
            thread_touch(assignment, now)
            return assignment
        if assignment.first_approved_by_id == staff.pk:
            raise ApplicationError(
                _("Another staff member must give the second approval."), code="four_eyes_required", status_code=403
            )
    _pay(assignment, task, staff=staff, now=now, note=multi_line(note))
    return assignment


def _approved_record(assignment: TaskAssignment, *, staff: User, now, note: str, fields: list[str], **data) -> None:
    assignment.status = AssignmentStatus.APPROVED
    assignment.reviewed_by = staff
    assignment.reviewed_at = now
    assignment.review_note = note
    assignment.updated_at = now
    assignment.save(update_fields=[*fields, "status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
    event_record(assignment.thread, actor=staff, kind=ThreadEventKind.TASK_APPROVED, assignment=assignment.pk, **data)
    thread_touch(assignment, now)


def _approve_unpaid(assignment: TaskAssignment, task: Task, *, staff: User, now, note: str) -> None:
    """A task without a reward: the approval is the whole outcome; nothing moves in the ledger."""
    _approved_record(assignment, staff=staff, now=now, note=note, fields=[])
    notification_send(
        user=assignment.user,
        kind="task_proof_approved",
        title=lambda: _("Task proof approved: %(title)s") % {"title": task.title},
        body=lambda: _("Your proof was approved."),
        link=f"/messages/{assignment.thread_id}/",
    )


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
    _approved_record(assignment, staff=staff, now=now, note=note, fields=["entry"], amount=str(task.reward))
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
    thread_touch(assignment, now)
    notification_send(
        user=assignment.user,
        kind="task_proof_rejected",
        title=lambda: _("Task proof rejected: %(title)s") % {"title": assignment.task.title},
        body=lambda: note,
        link=f"/messages/{assignment.thread_id}/",
    )
    return assignment
