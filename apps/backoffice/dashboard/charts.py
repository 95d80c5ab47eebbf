"""The dashboard's charts, drawn by unfold's chart components (Chart.js underneath): each chart
is a family of series read in one query (``apps.backoffice.selectors.charts``), with only the
series the staff member may see. Money goes to Chart.js as decimal strings (never floats), which
it reads as numbers; withdrawals are drawn below the axis, as money going out."""

import json
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from apps.backoffice.selectors import (
    CHART_RANGES,
    SeriesFamily,
    chart_days,
    growth_by_day,
    money_flows_by_day,
    payouts_by_day,
)
from apps.common.money import money_text

# series -> (permission, label, colour, sign the chart draws it with)
SERIES = {
    "deposits": ("wallet.view_deposit", _("Deposits credited"), "var(--color-primary-600)", 1),
    "withdrawals": ("wallet.view_withdrawal", _("Withdrawals paid"), "var(--color-orange-500)", -1),
    "returns": ("investments.view_position", _("Returns paid"), "var(--color-primary-600)", 1),
    "commissions": ("referrals.view_commission", _("Commissions paid"), "var(--color-orange-500)", 1),
    "investors": ("accounts.view_user", _("New investors"), "var(--color-primary-600)", 1),
    "first_deposits": ("wallet.view_deposit", _("First deposits"), "var(--color-orange-500)", 1),
}


@dataclass(frozen=True)
class ChartSpec:
    id: str
    title: str
    kind: str  # "bar" or "line": the unfold component
    keys: tuple[str, ...]
    read: object  # (since, through, keys) -> SeriesFamily
    money: bool
    footer: str


CHARTS = (
    ChartSpec(
        "chart-money",
        _("Deposits and withdrawals"),
        "bar",
        ("deposits", "withdrawals"),
        money_flows_by_day,
        True,
        _("per business date; withdrawals below the line, fees apart"),
    ),
    ChartSpec(
        "chart-payouts",
        _("Returns and commissions paid"),
        "line",
        ("returns", "commissions"),
        payouts_by_day,
        True,
        _("per business date: daily returns, at-maturity returns, referral commissions"),
    ),
    ChartSpec(
        "chart-growth",
        _("New investors and first deposits"),
        "line",
        ("investors", "first_deposits"),
        growth_by_day,
        False,
        _("sign-ups, and investors whose first deposit was credited"),
    ),
)


def chart_panel(request, *, days: int, today: date) -> dict | None:
    """The charts this staff member may see, over ``days`` days up to ``today``; None if none."""
    since, through = chart_days(days=days, today=today)
    charts = []
    for spec in CHARTS:
        keys = tuple(key for key in spec.keys if request.user.has_perm(SERIES[key][0]))
        if keys:
            family = spec.read(since=since, through=through, keys=keys)
            charts.append(_chart(spec, family, keys))
    if not charts:
        return None
    return {"charts": charts, "days": days, "since": since, "through": through, "ranges": _ranges(request, days)}


def _chart(spec: ChartSpec, family: SeriesFamily, keys: tuple[str, ...]) -> dict:
    currency = settings.PLATFORM_CURRENCY
    labels = [formats.date_format(day, "j M") for day in family.days]
    datasets = []
    for key in keys:
        _permission, label, colour, sign = SERIES[key]
        values = [_number(sign * value if value else value) for value in family.values[key]]
        dataset = {"label": str(label), "data": values, "maxTicksXLimit": 8, "displayYAxis": True}
        if spec.kind == "bar":
            dataset["backgroundColor"] = colour
        else:
            dataset["borderColor"] = colour
            dataset["backgroundColor"] = colour
        datasets.append(dataset)
    legend = [
        {
            "key": key,
            "label": SERIES[key][1],
            "colour": "bg-primary-600" if SERIES[key][2].endswith("primary-600)") else "bg-orange-500",
            "total": money_text(family.total(key), currency) if spec.money else f"{family.total(key):,}",
        }
        for key in keys
    ]
    rows = [
        {"day": day, "values": [_cell(family.values[key][index], spec.money) for key in keys]}
        for index, day in enumerate(family.days)
    ]
    return {
        "id": spec.id,
        "title": spec.title,
        "kind": spec.kind,
        "footer": spec.footer,
        "data": json.dumps({"labels": labels, "datasets": datasets}),
        "legend": legend,
        "headers": [SERIES[key][1] for key in keys],
        "rows": rows,
    }


def _number(value) -> str | int:
    """A chart value: money as an exact decimal string, counts as integers."""
    return value if isinstance(value, int) else f"{value:.2f}"


def _cell(value, money: bool) -> str:
    return money_text(value) if money else f"{value:,}"


def _ranges(request, days: int) -> list[dict]:
    url = reverse("admin:index")
    return [
        {
            "days": option,
            "title": _("%(days)d days") % {"days": option},
            "link": f"{url}?{urlencode({'range': option})}",
            "active": option == days,
        }
        for option in CHART_RANGES
    ]
