"""The admin index: unfold's ``DASHBOARD_CALLBACK`` and the ``ENVIRONMENT`` label.

Each panel shows only to staff allowed to see what it summarises; the figures panels share are
read once per request (``DashboardFigures``). ``?range=30`` or ``?range=90`` picks the charts'
days; anything else is the default (30)."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import user_counts_for_dashboard
from apps.backoffice.dashboard.charts import chart_panel
from apps.backoffice.dashboard.coverage import coverage_panel, queue_panel
from apps.backoffice.dashboard.figures import DashboardFigures
from apps.backoffice.dashboard.panels import (
    investment_panel,
    kyc_rows,
    money_cards,
    support_cards,
    user_kpis,
)
from apps.backoffice.selectors import chart_range_parse
from workers.selectors import scheduler_health_get

PANELS = ("user_counts", "scheduler", "money_cards", "investments", "support_cards", "charts", "coverage", "queues")


def dashboard_callback(request: HttpRequest, context: dict) -> dict:
    user, figures = request.user, DashboardFigures()
    if user.has_perm("accounts.view_user"):
        counts = user_counts_for_dashboard()
        context.update(user_counts=counts, kpis=user_kpis(counts), kyc_rows=kyc_rows(counts, user))
    if user.has_perm("workers.view_heartbeat"):
        context["scheduler"] = scheduler_health_get()
        context["scheduler_stale_seconds"] = settings.SCHEDULER_HEARTBEAT_STALE_SECONDS
    optional = {
        "money_cards": money_cards(user, figures),
        "support_cards": support_cards(request),
        "coverage": coverage_panel(user, figures),
        "queues": queue_panel(user, figures),
        "charts": chart_panel(request, days=chart_range_parse(request.GET.get("range")), today=figures.today),
    }
    context.update({key: value for key, value in optional.items() if value})
    if user.has_perm("investments.view_position"):
        context["investments"] = investment_panel(user, figures.investments)
    context["dashboard_empty"] = not set(PANELS) & set(context)
    return context


def environment_callback(request: HttpRequest) -> list[str] | None:
    """The label beside the user menu: only outside production."""
    if settings.DEBUG:
        return [str(_("Development")), "warning"]
    return None


def environment_title_prefix(request: HttpRequest) -> str | None:
    return "[dev]" if settings.DEBUG else None
