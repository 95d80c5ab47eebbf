"""Rewarded tasks: staff create a task for one investor or a segment; each recipient accepts or
declines, submits a proof link, and staff approve (which pays the reward through the ledger) or
reject with a reason (the recipient may try again until the task expires).

Payment: exactly once per recipient (natural key ``task:<assignment id>``: the id of the task
recipient), from the platform's task reward expense account, never beyond the task's budget
(checked under the task's row lock, with ``paid_total`` moved in the same transaction), and above
``FOUR_EYES_THRESHOLD`` only once a second staff member approves.

``creating`` makes and delivers tasks, ``responding`` is the recipient's side, ``reviewing``
staff's; ``rules`` what they share."""

from apps.messaging.services.tasks.creating import (
    assignments_write,
    task_create,
    task_deliver,
    task_fields_clean,
    task_recipients,
)
from apps.messaging.services.tasks.responding import (
    assignment_accept,
    assignment_decline,
    assignment_proof_submit,
    proof_link_clean,
)
from apps.messaging.services.tasks.reviewing import (
    assignment_approve,
    assignment_lock_for_review,
    assignment_reject,
)
from apps.messaging.services.tasks.rules import CREATE_PERMISSION, REVIEW_PERMISSION

__all__ = [
    "CREATE_PERMISSION",
    "REVIEW_PERMISSION",
    "assignment_accept",
    "assignment_approve",
    "assignment_decline",
    "assignment_lock_for_review",
    "assignment_proof_submit",
    "assignment_reject",
    "assignments_write",
    "proof_link_clean",
    "task_create",
    "task_deliver",
    "task_fields_clean",
    "task_recipients",
]
