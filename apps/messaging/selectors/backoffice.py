"""Reads the staff admin needs beyond the shared selectors: the support figures of the sidebar and
the dashboard, the inbox search, the people named in a thread's log, the canned replies offered
while answering, and an investor's context beside a conversation."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.investments.models import PositionStatus
from apps.investments.selectors import position_list_for_user
from apps.kyc.selectors import kyc_submission_current
from apps.messaging.models import AttachmentAccess, CannedReply, TaskAssignment, Thread
from apps.messaging.models.threads import STAFF_OWES
from apps.wallet.selectors import balances_for_user, request_list_for_user

# "#123" or "123": a ticket number (at most 18 digits, so it fits a 64-bit id everywhere).
TICKET_NUMBER = re.compile(r"#?(\d{1,18})")
CONTEXT_POSITIONS_SHOWN = 5
CONTEXT_REQUESTS_SHOWN = 3


def support_counts(*, now=None) -> dict[str, int]:
    """Threads waiting on staff and threads past their SLA, in one query (sidebar, dashboard)."""
    now = now or timezone.now()
    return Thread.objects.aggregate(
        waiting_staff=Count("pk", filter=Q(status__in=STAFF_OWES)),
        breached=Count("pk", filter=Q(response_due_at__lt=now)),
    )


def thread_search(queryset: QuerySet, term: str) -> QuerySet:
    """The inbox search: ``#123`` is that ticket only; ``123`` is that ticket or a subject or email
    containing it; anything else, part of the investor's email or of the subject."""
    term = (term or "").strip()
    if not term:
        return queryset
    number = TICKET_NUMBER.fullmatch(term)
    if number and term.startswith("#"):
        return queryset.filter(pk=int(number.group(1)))
    matches = Q(investor__email__icontains=term) | Q(subject__icontains=term)
    if number:
        matches |= Q(pk=int(number.group(1)))
    return queryset.filter(matches)


def thread_event_people(*, events) -> dict[int, str]:
    """The emails of the staff members an assignment event names (one query for the whole log)."""
    ids = {
        value
        for event in events
        for key in ("from", "to", "assignee")
        if isinstance(value := (event.data or {}).get(key), int) and event.kind in ("assigned", "opened")
    }
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "email")) if ids else {}


def canned_reply_list_active() -> QuerySet:
    return CannedReply.objects.filter(is_active=True).order_by("title", "id")


def canned_reply_get_active(*, canned_reply_id) -> CannedReply | None:
    try:
        canned_reply_id = int(canned_reply_id)
    except (TypeError, ValueError):
        return None
    return canned_reply_list_active().filter(pk=canned_reply_id).first()


def thread_task_assignment(*, thread: Thread) -> TaskAssignment | None:
    """The task behind a task thread, with who reviewed it."""
    return (
        TaskAssignment.objects.select_related("task", "first_approved_by", "reviewed_by").filter(thread=thread).first()
    )


@dataclass(frozen=True)
class InvestorContext:
    """What staff see of an investor beside a conversation."""

    kyc_submission_id: int | None
    available: Decimal
    held: Decimal
    invested: Decimal
    positions: list
    positions_open: int
    requests: list


def investor_context(*, investor: User) -> InvestorContext:
    """KYC, balances, open positions and the latest deposit and withdrawal requests: a fixed
    number of queries whatever the investor holds."""
    submission = kyc_submission_current(user=investor)
    balances = balances_for_user(user=investor)
    open_positions = position_list_for_user(user=investor).filter(status=PositionStatus.ACTIVE)
    return InvestorContext(
        kyc_submission_id=submission.pk if submission else None,
        available=balances.available,
        held=balances.held,
        invested=balances.invested,
        positions=list(open_positions[:CONTEXT_POSITIONS_SHOWN]),
        positions_open=open_positions.count(),
        requests=list(request_list_for_user(user=investor)[:CONTEXT_REQUESTS_SHOWN]),
    )


def attachment_access_list() -> QuerySet:
    """Every look at a message attachment, newest first, with what the log shows."""
    return AttachmentAccess.objects.select_related("user", "attachment__message__thread__investor").order_by(
        "-accessed_at", "-id"
    )


def assignment_get_for_staff(*, assignment_id) -> TaskAssignment | None:
    """One task recipient's assignment, with what the review shows (any status)."""
    try:
        assignment_id = int(assignment_id)
    except (TypeError, ValueError):
        return None
    return (
        TaskAssignment.objects.select_related("task", "user", "first_approved_by", "reviewed_by", "thread")
        .filter(pk=assignment_id)
        .first()
    )
