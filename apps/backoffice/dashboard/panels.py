"""The dashboard's panels of figures: investor head counts and KYC, money cards, support cards,
the investment panel. Each is built for staff allowed to see what it summarises."""

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import KycStatus
from apps.accounts.selectors import NEW_SIGNUP_WINDOW, UserCounts
from apps.backoffice.badges import support_counts_for, task_proofs_submitted
from apps.backoffice.dashboard.figures import DashboardFigures
from apps.common.money import money_text
from apps.investments.models import PositionStatus
from apps.investments.selectors import InvestmentSummary
from apps.wallet.models import AccountKind, RequestStatus

# status -> (label variant, bar colour)
KYC_STYLES = {
    KycStatus.NOT_SUBMITTED: ("default", "bg-base-400"),
    KycStatus.PENDING: ("warning", "bg-orange-500"),
    KycStatus.APPROVED: ("success", "bg-green-600"),
    KycStatus.REJECTED: ("danger", "bg-red-600"),
}


def _users_url(**filters) -> str:
    url = reverse("admin:accounts_user_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def user_kpis(counts: UserCounts) -> list[dict]:
    since = timezone.localdate() - NEW_SIGNUP_WINDOW
    return [
        {
            "title": _("Investors"),
            "value": counts.investors,
            "icon": "groups",
            "link": _users_url(is_staff__exact=0),
            "footer": _("all investor accounts"),
        },
        {
            "title": _("Active investors"),
            "value": counts.active_investors,
            "icon": "how_to_reg",
            "link": _users_url(is_staff__exact=0, is_active__exact=1),
            "footer": _("%(percent)s%% of investors") % {"percent": counts.active_percent},
        },
        {
            "title": _("New sign-ups"),
            "value": counts.new_investors,
            "icon": "person_add",
            "link": _users_url(is_staff__exact=0, date_joined_from=since.isoformat()),
            "footer": _("in the last %(days)d days") % {"days": NEW_SIGNUP_WINDOW.days},
        },
        {
            "title": _("Staff"),
            "value": counts.staff,
            "icon": "badge",
            "link": _users_url(is_staff__exact=1),
            "footer": _("with back-office access"),
        },
    ]


# Pending investors are the KYC queue's work: that row opens the queue (for staff who may see it);
# the other rows list the investors with that status.
KYC_QUEUE_STATUSES = (KycStatus.PENDING,)


def kyc_rows(counts: UserCounts, user) -> list[dict]:
    can_see_queue = user.has_perm("kyc.view_submission")
    return [
        {
            "label": label,
            "count": counts.kyc[status],
            "variant": KYC_STYLES[status][0],
            "bar_class": KYC_STYLES[status][1],
            "percent": round(100 * counts.kyc[status] / counts.investors) if counts.investors else 0,
            "link": (
                changelist_url("kyc_submission", status__exact=status)
                if can_see_queue and status in KYC_QUEUE_STATUSES
                else _users_url(is_staff__exact=0, kyc_status__exact=status)
            ),
        }
        for status, label in KycStatus.choices
    ]


def money_cards(user, figures: DashboardFigures) -> list[dict]:
    """Pending deposits and withdrawals (count and amount) and the platform's cash, each for staff
    who may see it."""
    currency = settings.PLATFORM_CURRENCY
    cards = []
    if user.has_perm("wallet.view_deposit"):
        deposits = figures.deposits
        cards.append(
            {
                "title": _("Pending deposits"),
                "icon": "south_west",
                "count": deposits.count,
                "amount": money(deposits.total, currency),
                "link": changelist_url("wallet_deposit", status__exact=RequestStatus.PENDING),
                "footer": _("waiting to be credited"),
                "id": "pending-deposits",
            }
        )
    if user.has_perm("wallet.view_withdrawal"):
        withdrawals = figures.withdrawals
        cards.append(
            {
                "title": _("Pending withdrawals"),
                "icon": "north_east",
                "count": withdrawals.count,
                "amount": money(withdrawals.total, currency),
                "link": changelist_url("wallet_withdrawal", status__exact=RequestStatus.PENDING),
                "footer": _("waiting to be paid out, fees apart"),
                "id": "pending-withdrawals",
            }
        )
    if user.has_perm("wallet.view_account"):
        cards.append(
            {
                "title": _("Platform cash"),
                "icon": "account_balance",
                "count": None,
                "amount": money(figures.platform_cash, currency),
                "link": changelist_url("wallet_account", kind__exact=AccountKind.CASH),
                "footer": _("held: deposits received minus payouts sent"),
                "id": "platform-cash",
            }
        )
    return cards


def support_cards(request: HttpRequest) -> list[dict]:
    """Threads waiting on staff and past their SLA (staff who may read threads), and task proofs
    waiting for review (staff who may see them); each opens its queue. One query for the first
    two, shared with the sidebar's inbox badge."""
    user, cards = request.user, []
    if user.has_perm("messaging.view_thread"):
        counts = support_counts_for(request)
        inbox = reverse("admin:messaging_thread_changelist")
        cards += [
            {
                "id": "support-waiting",
                "title": _("Waiting on staff"),
                "icon": "support_agent",
                "count": counts["waiting_staff"],
                "link": f"{inbox}?{urlencode({'queue': 'waiting_staff'})}",
                "footer": _("support threads owing the investor an answer"),
                "danger": False,
            },
            {
                "id": "support-breached",
                "title": _("SLA breached"),
                "icon": "timer_off",
                "count": counts["breached"],
                "link": f"{inbox}?{urlencode({'queue': 'breached'})}",
                "footer": _("answers overdue"),
                "danger": counts["breached"] > 0,
            },
        ]
    if user.has_perm("messaging.view_taskassignment"):
        cards.append(
            {
                "id": "task-proofs",
                "title": _("Task proofs"),
                "icon": "fact_check",
                "count": task_proofs_submitted(request),
                "link": reverse("admin:messaging_taskassignment_changelist"),
                "footer": _("waiting for review"),
                "danger": False,
            }
        )
    return cards


JOB_STATUS_VARIANTS = {"running": "info", "succeeded": "success", "failed": "danger"}


def investment_panel(user, summary: InvestmentSummary) -> dict:
    """Exposure (open positions, their principal), returns paid so far, what is due in the next 7
    and 30 days (returns + principal), and how far the accrual job has got."""
    currency = settings.PLATFORM_CURRENCY
    positions_url = changelist_url("investments_position", status__exact=PositionStatus.ACTIVE)
    run = summary.last_accrual_run
    can_see_runs = user.has_perm("workers.view_jobrun")
    return {
        "cards": [
            {
                "id": "active-positions",
                "title": _("Active positions"),
                "icon": "trending_up",
                "value": f"{summary.active_positions:,}",
                "link": positions_url,
                "footer": _("open, earning every business date"),
            },
            {
                "id": "invested-principal",
                "title": _("Invested principal"),
                "icon": "savings",
                "value": money(summary.invested_principal, currency),
                "link": positions_url,
                "footer": _("in open positions"),
            },
            {
                "id": "returns-paid",
                "title": _("Returns paid"),
                "icon": "payments",
                "value": money(summary.returns_paid, currency),
                "link": None,
                "footer": _("since the first position, all plans"),
            },
        ],
        "obligations": [
            {
                "id": f"due-{obligation.days}",
                "title": _("Due in the next %(days)d days") % {"days": obligation.days},
                "total": money(obligation.total, currency),
                "returns": money(obligation.returns, currency),
                "principal": money(obligation.principal, currency),
                "through": obligation.through,
            }
            for obligation in summary.obligations
        ],
        "accrued_through": summary.accrued_through,
        "accrual_days_behind": (summary.today - summary.accrued_through).days if summary.accrued_through else None,
        "last_run": run,
        "last_run_variant": JOB_STATUS_VARIANTS.get(run.status, "default") if run else None,
        "runs_link": changelist_url("workers_jobrun", job__exact="accrue_returns") if can_see_runs else None,
        "run_link": reverse("admin:workers_jobrun_change", args=(run.pk,)) if run and can_see_runs else None,
    }


def money(amount, currency: str) -> str:
    return money_text(amount, currency)


def changelist_url(model: str, **filters) -> str:
    return f"{reverse(f'admin:{model}_changelist')}?{urlencode(filters)}"
