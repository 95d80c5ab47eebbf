"""Sidebar badges (see ``navigation.py``): each takes the request and returns what to show, or
nothing. Pending-queue counts of later apps go here, each reading through a selector."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from apps.backoffice.selectors import job_run_failure_count, locked_out_account_count
from apps.kyc.selectors import kyc_pending_count
from apps.messaging.selectors import assignment_pending_count
from apps.messaging.selectors.backoffice import support_counts
from apps.wallet.selectors import adjustment_pending_count, pending_counts
from workers.selectors import scheduler_health_get


def scheduler_stale(request: HttpRequest) -> str | None:
    return None if scheduler_health_get().is_alive else _("stale")


def accounts_locked_out(request: HttpRequest) -> int:
    return locked_out_account_count()


def _wallet_pending(request: HttpRequest) -> dict[str, int]:
    """Deposit and withdrawal queue sizes, read once per request for both badges."""
    if not hasattr(request, "_wallet_pending_counts"):
        request._wallet_pending_counts = pending_counts()
    return request._wallet_pending_counts


def deposits_pending(request: HttpRequest) -> int:
    return _wallet_pending(request)["deposits"]


def withdrawals_pending(request: HttpRequest) -> int:
    return _wallet_pending(request)["withdrawals"]


def adjustments_waiting_for_checker(request: HttpRequest) -> int:
    return adjustment_pending_count()


def job_runs_failed(request: HttpRequest) -> int:
    """Failed job runs that no later run of the same job and date has put right."""
    return job_run_failure_count()


def kyc_pending(request: HttpRequest) -> int:
    """KYC submissions waiting for review."""
    return kyc_pending_count()


def support_counts_for(request: HttpRequest) -> dict[str, int]:
    """Threads waiting on staff and past their SLA, read once per request (sidebar, dashboard)."""
    if not hasattr(request, "_support_counts"):
        request._support_counts = support_counts()
    return request._support_counts


def support_inbox(request: HttpRequest) -> tuple[int, str]:
    """The threads past their SLA in red; else the threads waiting on staff."""
    counts = support_counts_for(request)
    if counts["breached"]:
        return counts["breached"], "danger"
    return counts["waiting_staff"], "warning"


def task_proofs_submitted(request: HttpRequest) -> int:
    """Task proofs waiting for review (read once per request: sidebar, dashboard)."""
    if not hasattr(request, "_task_proofs_submitted"):
        request._task_proofs_submitted = assignment_pending_count()
    return request._task_proofs_submitted
