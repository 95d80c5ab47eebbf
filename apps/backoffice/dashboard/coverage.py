"""The coverage panel (what the platform has against what it owes) and the queue health panel."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.backoffice.dashboard.figures import DashboardFigures
from apps.backoffice.selectors import QueueHealth, coverage_get, kyc_queue_health, support_queue_health
from apps.common.money import money_text

COVERAGE_PERMISSIONS = ("wallet.view_account", "investments.view_position", "wallet.view_treasurybalance")


def money(amount, currency: str | None = None) -> str:
    return money_text(amount, currency or settings.PLATFORM_CURRENCY)


def coverage_panel(user, figures: DashboardFigures) -> dict | None:
    """For staff who may see balances, positions and the treasury; None for others."""
    if not all(user.has_perm(permission) for permission in COVERAGE_PERMISSIONS):
        return None
    coverage = coverage_get(
        today=figures.today, paid_through=figures.investments.accrued_through, platform_cash=figures.platform_cash
    )
    treasury = coverage.treasury
    return {
        "coverage": coverage,
        "threshold": f"{coverage.threshold:.2f}",
        "warning": coverage.below_threshold,
        "platform_cash": money(coverage.platform_cash),
        "treasury": money(coverage.treasury_amount),
        "treasury_record": treasury,
        "treasury_stale": bool(treasury) and timezone.now() - treasury.as_of > timedelta(days=7),
        "has": money(coverage.has),
        "available": money(coverage.investor_available),
        "held": money(coverage.investor_held),
        "payable": money(coverage.payable_now),
        "horizons": [
            {
                "id": f"coverage-{horizon.days}",
                "title": _("Next %(days)d days") % {"days": horizon.days},
                "through": horizon.through,
                "due_returns": money(horizon.due_returns),
                "due_principal": money(horizon.due_principal),
                "owed": money(horizon.owed),
                "ratio": f"{horizon.ratio:.2f}" if horizon.ratio is not None else None,
                "warning": horizon.below_threshold,
            }
            for horizon in coverage.horizons
        ],
        "history_link": reverse("admin:wallet_treasurybalance_changelist"),
        "record_link": (
            reverse("admin:wallet_treasurybalance_add") if user.has_perm("wallet.add_treasurybalance") else None
        ),
        "cash_link": f"{reverse('admin:wallet_account_changelist')}?{urlencode({'kind__exact': 'cash'})}",
    }


# queue -> (permission, title, icon, changelist URL name, filter)
QUEUE_ROWS = {
    "deposits": (
        "wallet.view_deposit",
        _("Deposits"),
        "south_west",
        "admin:wallet_deposit_changelist",
        "status__exact=pending",
    ),
    "withdrawals": (
        "wallet.view_withdrawal",
        _("Withdrawals"),
        "north_east",
        "admin:wallet_withdrawal_changelist",
        "status__exact=pending",
    ),
    "kyc": (
        "kyc.view_submission",
        _("KYC reviews"),
        "verified_user",
        "admin:kyc_submission_changelist",
        "status__exact=pending",
    ),
    "support": (
        "messaging.view_thread",
        _("Support threads"),
        "support_agent",
        "admin:messaging_thread_changelist",
        "queue=waiting_staff",
    ),
}
# A queue whose oldest item has waited longer than this is shown as late.
QUEUE_LATE_AFTER = timedelta(hours=24)


def queue_panel(user, figures: DashboardFigures) -> list[dict]:
    """For each queue the staff member may see: how many wait, and how long the oldest has."""
    readers = {
        "deposits": lambda: figures.deposits,
        "withdrawals": lambda: figures.withdrawals,
        "kyc": kyc_queue_health,
        "support": support_queue_health,
    }
    now = timezone.now()
    rows = []
    for key, (permission, title, icon, url_name, query) in QUEUE_ROWS.items():
        if user.has_perm(permission):
            rows.append(
                _queue_row(readers[key](), title=title, icon=icon, link=f"{reverse(url_name)}?{query}", now=now)
            )
    return rows


def _queue_row(queue: QueueHealth, *, title, icon: str, link: str, now) -> dict:
    age = queue.age(now=now)
    return {
        "id": f"queue-{queue.key}",
        "title": title,
        "icon": icon,
        "count": queue.count,
        "total": money(queue.total) if queue.total is not None and queue.count else None,
        "oldest": queue.oldest,
        "age": age_text(age) if age is not None else None,
        "late": age is not None and age > QUEUE_LATE_AFTER,
        "link": link,
    }


def age_text(age: timedelta) -> str:
    """``3 days``, ``5 hours``, ``12 minutes``, ``under a minute``: the largest whole unit."""
    minutes = int(age.total_seconds() // 60)
    if minutes >= 60 * 24:
        days = minutes // (60 * 24)
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    if minutes >= 60:
        hours = minutes // 60
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    if minutes >= 1:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return str(_("under a minute"))
