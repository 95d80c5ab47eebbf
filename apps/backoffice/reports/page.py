"""What the daily close page shows, arranged from the figures (``figures.daily_close_figures``):
cards for the day's flows, the balances at close, investor money by kind of entry, the ledger
check after the close and the jobs' outcome. Every figure appears exactly once."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from apps.backoffice.reports.figures import Figure, daily_close_figures
from apps.backoffice.reports.selectors import DailyClose
from apps.wallet.models import AccountKind, EntryKind
from workers.models import JobStatus

JOB_LABELS = {
    "accrue_returns": _("Accrue returns"),
    "mature_investments": _("Mature investments"),
    "grant_milestones": _("Grant milestones"),
    "ledger_check": _("Ledger check"),
}
STATUS_LABELS = {
    JobStatus.SUCCEEDED: (_("Succeeded"), "success"),
    JobStatus.FAILED: (_("Failed"), "danger"),
    JobStatus.RUNNING: (_("Running"), "info"),
    "not_run": (_("Not run"), "default"),
}
BALANCE_TOTAL_LABELS = {
    "investor_total": _("Investor money (available + held + invested)"),
    "all_accounts": _("All accounts together (0 when money is conserved)"),
}


def daily_close_page(close: DailyClose, *, today: date) -> dict:
    figures = {figure.key: figure for figure in daily_close_figures(close)}
    day = close.business_date
    context = {
        "close": close,
        "business_date": figures["close.business_date.value"],
        "currency": figures["close.currency.value"],
        "is_over": figures["close.is_over.value"],
        "flow_cards": _flow_cards(figures),
        "balance_rows": _balance_rows(close, figures),
        "movement_rows": _movement_rows(close, figures),
        "movements_total": figures["movements.total.net"],
        "previous_url": _day_url(day - timedelta(days=1)),
        "next_url": _day_url(day + timedelta(days=1)) if day < today else None,
    }
    if close.jobs_included:
        context["ledger_check"] = {
            "status": _status(figures["ledger_check.after_close.status"]),
            "started_at": figures["ledger_check.after_close.started_at"],
            "postings_checked": figures["ledger_check.after_close.postings_checked"],
            "error": figures["ledger_check.after_close.error"],
        }
        context["job_rows"] = _job_rows(close, figures)
    return context


def _day_url(day: date) -> str:
    return f"{reverse('reports:daily_close')}?{urlencode({'date': day.isoformat()})}"


def _status(figure: Figure) -> dict:
    text, variant = STATUS_LABELS.get(figure.value, (figure.value, "default"))
    return {"figure": figure, "text": text, "variant": variant}


def _flow_cards(figures: dict[str, Figure]) -> list[dict]:
    def card(item: str, title, icon: str, count_label, amount: str = "amount", extras=()) -> dict:
        return {
            "id": f"close-{item.replace('_', '-')}",
            "title": title,
            "icon": icon,
            "amount": figures[f"flows.{item}.{amount}"],
            "count": figures[f"flows.{item}.count"],
            "count_label": count_label,
            "extras": [{"label": label, "figure": figures[key]} for label, key in extras],
        }

    return [
        card("deposits_in", _("Deposits in"), "south_west", _("deposits approved")),
        card(
            "withdrawals_out",
            _("Withdrawals out"),
            "north_east",
            _("withdrawals paid out"),
            extras=[(_("fees booked"), "flows.withdrawal_fees.amount")],
        ),
        card(
            "returns_paid",
            _("Returns paid"),
            "trending_up",
            _("positions paid"),
            extras=[
                (_("of which at maturity"), "flows.returns_paid_at_maturity.amount"),
                (_("positions paid at maturity"), "flows.returns_paid_at_maturity.count"),
            ],
        ),
        card("commissions_paid", _("Commissions paid"), "paid", _("commissions")),
        card("positions_opened", _("Positions opened"), "add_circle", _("positions"), amount="principal"),
        card("positions_matured", _("Positions matured"), "event_available", _("positions"), amount="principal"),
    ]


def _balance_rows(close: DailyClose, figures: dict[str, Figure]) -> list[dict]:
    def row(kind: str, label, *, strong: bool = False, group=None) -> dict:
        cells = [figures[f"balances.{kind}.{measure}"] for measure in ("opening", "change", "closing")]
        return {"label": label, "cells": cells, "strong": strong, "group": group}

    rows = [row(balance.kind, AccountKind(balance.kind).label) for balance in close.investor_balances]
    rows[0]["group"] = _("Investors")
    rows.append(row("investor_total", BALANCE_TOTAL_LABELS["investor_total"], strong=True))
    platform = [row(balance.kind, AccountKind(balance.kind).label) for balance in close.platform_balances]
    platform[0]["group"] = _("Platform")
    rows += platform
    rows.append(row("all_accounts", BALANCE_TOTAL_LABELS["all_accounts"], strong=True))
    return rows


def _movement_rows(close: DailyClose, figures: dict[str, Figure]) -> list[dict]:
    return [
        {
            "label": EntryKind(movement.kind).label,
            "entries": figures[f"movements.{movement.kind}.entries"],
            "net": figures[f"movements.{movement.kind}.net"],
        }
        for movement in close.movements
    ]


def _job_rows(close: DailyClose, figures: dict[str, Figure]) -> list[dict]:
    measures = ("runs", "succeeded", "failed", "last_started_at", "last_finished_at", "processed", "created", "amount")
    return [
        {
            "job": outcome.job,
            "label": JOB_LABELS.get(outcome.job, outcome.job),
            "status": _status(figures[f"jobs.{outcome.job}.status"]),
            "cells": [figures[f"jobs.{outcome.job}.{measure}"] for measure in measures],
            "error": figures[f"jobs.{outcome.job}.error"],
        }
        for outcome in close.jobs
    ]
