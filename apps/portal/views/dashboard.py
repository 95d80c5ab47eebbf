"""The portal's front page: the welcome page for visitors, the investor's dashboard once signed in
(where signing in lands). One selector reads every figure; the chart is drawn here as inline SVG,
beside a table of the same figures, so the page needs no JavaScript.

``?period=`` picks the chart's period (``7d``, ``30d``, ``90d``, ``all``); anything else is the
default period, never an error.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_safe

from apps.investments.selectors import CHART_PERIODS, chart_period_or_default
from apps.portal.charts import returns_chart_drawing, returns_day_texts
from apps.wallet.selectors import investor_dashboard_for_user


def _period_labels() -> dict[str, str]:
    """Each chart period in the page's language: "7 days" … "All"."""
    return {
        period: ngettext("%(days)d day", "%(days)d days", days) % {"days": days} if days else gettext("All")
        for period, days in CHART_PERIODS.items()
    }


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "portal/home.html")
    period = chart_period_or_default(request.GET.get("period"))
    dashboard = investor_dashboard_for_user(user=request.user, period=period)
    labels = _period_labels()
    texts = returns_day_texts(dashboard.chart, currency=dashboard.figures.currency) if dashboard.has_invested else []
    context = {
        "dashboard": dashboard,
        "figures": dashboard.figures,
        "outlook": dashboard.figures.outlook,
        "chart": dashboard.chart,
        "drawing": returns_chart_drawing(dashboard.chart, texts=texts) if dashboard.has_invested else None,
        "days": texts,
        "periods": list(labels.items()),
        "period": period,
        "period_label": labels[period],
    }
    return render(request, "portal/dashboard.html", context)
