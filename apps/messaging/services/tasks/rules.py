"""What the task services share: the permissions, the staff check, and moving a task thread's
activity time."""

from apps.accounts.models import User
from apps.common.errors import ApplicationError
from apps.messaging.models import (
    TaskAssignment,
    Thread,
)

CREATE_PERMISSION = "messaging.add_task"
REVIEW_PERMISSION = "messaging.review_task_proof"


def staff_permission_check(staff: User, permission: str, message: str) -> None:
    if not (staff.is_active and staff.is_staff and staff.has_perm(permission)):
        raise ApplicationError(message, code="permission_denied", status_code=403)


def thread_touch(assignment: TaskAssignment, now) -> None:
    """Every change of the task moves its thread's ``updated_at`` (its event is in the thread)."""
    Thread.objects.filter(pk=assignment.thread_id).update(updated_at=now)
