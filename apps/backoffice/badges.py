"""Sidebar badges (see ``navigation.py``): each takes the request and returns what to show, or
nothing. Pending-queue counts of later apps go here, each reading through a selector."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from apps.backoffice.selectors import job_run_failure_count, locked_out_account_count
from apps.kyc.selectors import kyc_pending_count
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
