"""What the thread page shows beside the conversation: the investor (KYC status, balances, open
positions, latest requests, links to their admin pages) and, on a task thread, the task card.

The figures are read through the wallet, investments and KYC selectors
(``selectors.backoffice.investor_context``); each link is shown only to staff who may open it."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from apps.accounts.models import KycStatus
from apps.messaging.admin.common import ASSIGNMENT_LABELS, label, outside_link, reward_text
from apps.messaging.models import AssignmentStatus, Thread
from apps.messaging.selectors.backoffice import investor_context, thread_task_assignment
from apps.messaging.selectors.tasks import task_needs_two_approvals
from apps.wallet.admin.base import money
from apps.wallet.models import RequestStatus

KYC_LABELS = {
    KycStatus.NOT_SUBMITTED: "default",
    KycStatus.PENDING: "warning",
    KycStatus.APPROVED: "success",
    KycStatus.REJECTED: "danger",
}
REQUEST_LABELS = {
    RequestStatus.PENDING: "warning",
    RequestStatus.APPROVED: "success",
    RequestStatus.REJECTED: "danger",
    RequestStatus.CANCELLED: "default",
}


def _url(name: str, *args, **query) -> str:
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def investor_panel(investor, *, user) -> dict:
    context = investor_context(investor=investor)
    currency = settings.PLATFORM_CURRENCY
    can = user.has_perm
    links = [
        (can("accounts.view_user"), "person", _("Account"), _url("admin:accounts_user_change", investor.pk)),
        (
            can("messaging.view_thread"),
            "forum",
            _("Conversations"),
            _url("admin:messaging_thread_changelist", queue="all", investor__id__exact=investor.pk),
        ),
        (
            can("wallet.view_deposit"),
            "south_west",
            _("Deposits"),
            _url("admin:wallet_deposit_changelist", user__id__exact=investor.pk),
        ),
        (
            can("wallet.view_withdrawal"),
            "north_east",
            _("Withdrawals"),
            _url("admin:wallet_withdrawal_changelist", user__id__exact=investor.pk),
        ),
        (
            can("investments.view_position"),
            "trending_up",
            _("Positions"),
            _url("admin:investments_position_changelist", q=investor.email),
        ),
    ]
    kyc_url = ""
    if context.kyc_submission_id and can("kyc.view_submission"):
        kyc_url = _url("admin:kyc_submission_change", context.kyc_submission_id)
    return {
        "user": investor,
        "kyc": label(investor.get_kyc_status_display(), KYC_LABELS.get(investor.kyc_status, "default")),
        "kyc_url": kyc_url,
        "balances": [
            ("available", money(context.available, currency)),
            ("held", money(context.held, currency)),
            ("invested", money(context.invested, currency)),
        ],
        "positions": [
            {
                "position": position,
                "principal": money(position.principal, position.currency),
                "url": _url("admin:investments_position_change", position.pk)
                if can("investments.view_position")
                else "",
            }
            for position in context.positions
        ],
        "positions_open": context.positions_open,
        "requests": [_request_row(request, user=user) for request in context.requests],
        "links": [(icon, title, url) for allowed, icon, title, url in links if allowed],
    }


def _request_row(request, *, user) -> dict:
    admin_name = f"admin:wallet_{request.kind}_change"
    return {
        "request": request,
        "amount": money(request.amount, request.currency),
        "status": label(request.status_label, REQUEST_LABELS.get(request.status, "default")),
        "url": _url(admin_name, request.id) if user.has_perm(f"wallet.view_{request.kind}") else "",
    }


def task_card(thread: Thread, *, user) -> dict | None:
    """The task of a task thread: platform, reward, status, the proof link (as text, opened with
    ``rel="noopener noreferrer nofollow"``) and the review."""
    assignment = thread_task_assignment(thread=thread)
    if assignment is None:
        return None
    task = assignment.task
    return {
        "assignment": assignment,
        "task": task,
        "reward": reward_text(task),
        "unpaid": not task.is_paid,
        "status": label(assignment.status_text, ASSIGNMENT_LABELS.get(assignment.status, "default")),
        "proof": outside_link(assignment.proof_link) if assignment.proof_link else "",
        "needs_second": task_needs_two_approvals(task) and assignment.status == AssignmentStatus.SUBMITTED,
        "review_url": _url("admin:messaging_taskassignment_change", assignment.pk)
        if user.has_perm("messaging.view_taskassignment")
        else "",
        "task_url": _url("admin:messaging_task_change", task.pk) if user.has_perm("messaging.view_task") else "",
    }
