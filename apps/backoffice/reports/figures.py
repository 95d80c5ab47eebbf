"""The daily close as a flat list of figures: ``(section, item, measure, value)``.

The CSV is these rows as they are; the page shows the same ``Figure`` objects in its cards and
tables (each cell carries its key and raw value), so the download is always what is on screen.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone

from apps.backoffice.reports.selectors import Balance, DailyClose, Flow, JobOutcome
from apps.common.admin.exports import csv_cell, csv_lines
from apps.common.money import bidi_isolated

CSV_HEADER = ("business_date", "section", "item", "measure", "value")


@dataclass(frozen=True)
class Figure:
    section: str
    item: str
    measure: str
    value: object  # Decimal, int, bool, str, date, datetime or None

    @property
    def key(self) -> str:
        return f"{self.section}.{self.item}.{self.measure}"

    @property
    def raw(self) -> str:
        """As in the CSV: exact decimals, ISO dates."""
        return csv_cell(self.value)

    @property
    def display(self) -> str:
        """As on the page: thousands separators, dates in words."""
        value = self.value
        if value is None or value == "":
            return "-"
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, Decimal):
            return bidi_isolated(f"{value:,.2f}")  # a negative keeps its minus in front in Arabic
        if isinstance(value, int):
            return f"{value:,}"
        if isinstance(value, datetime):
            return formats.date_format(timezone.localtime(value), "j M Y, H:i")
        if isinstance(value, date):
            return formats.date_format(value, "j M Y")
        return str(value)

    @property
    def is_negative(self) -> bool:
        return isinstance(self.value, Decimal) and self.value < 0


def daily_close_figures(close: DailyClose) -> list[Figure]:
    figures = [
        Figure("close", "business_date", "value", close.business_date),
        Figure("close", "currency", "value", settings.PLATFORM_CURRENCY),
        Figure("close", "is_over", "value", close.is_over),
    ]
    figures += _flow_figures(close)
    figures += _balance_figures(close)
    figures += [
        figure
        for movement in close.movements
        for figure in (
            Figure("movements", movement.kind, "entries", movement.entries),
            Figure("movements", movement.kind, "net", movement.net),
        )
    ]
    figures.append(Figure("movements", "total", "net", close.movements_total))
    if close.jobs_included:
        figures += _ledger_check_figures(close)
        figures += [figure for outcome in close.jobs for figure in _job_figures(outcome)]
    return figures


def _flow_figures(close: DailyClose) -> list[Figure]:
    flows: tuple[tuple[str, Flow, str], ...] = (
        ("deposits_in", close.deposits, "amount"),
        ("withdrawals_out", close.withdrawals, "amount"),
        ("returns_paid", close.returns, "amount"),
        ("returns_paid_at_maturity", close.returns_at_maturity, "amount"),
        ("commissions_paid", close.commissions, "amount"),
        ("positions_opened", close.positions_opened, "principal"),
        ("positions_matured", close.positions_matured, "principal"),
    )
    figures = []
    for item, flow, amount_name in flows:
        figures += [Figure("flows", item, "count", flow.count), Figure("flows", item, amount_name, flow.amount)]
    figures.append(Figure("flows", "withdrawal_fees", "amount", close.withdrawal_fees))
    return figures


def _balance_figures(close: DailyClose) -> list[Figure]:
    balances: list[Balance] = [
        *close.investor_balances,
        close.investor_total,
        *close.platform_balances,
        close.all_accounts_total,
    ]
    return [
        Figure("balances", balance.kind, measure, value)
        for balance in balances
        for measure, value in (("opening", balance.opening), ("change", balance.change), ("closing", balance.closing))
    ]


def _ledger_check_figures(close: DailyClose) -> list[Figure]:
    run = close.ledger_check
    return [
        Figure("ledger_check", "after_close", "status", run.status if run else "not_run"),
        Figure("ledger_check", "after_close", "started_at", run.started_at if run else None),
        Figure("ledger_check", "after_close", "postings_checked", run.processed if run else None),
        Figure("ledger_check", "after_close", "error", error_summary(run.error) if run else ""),
    ]


def _job_figures(outcome: JobOutcome) -> list[Figure]:
    last = outcome.last
    measures = (
        ("status", outcome.status),
        ("runs", outcome.runs),
        ("succeeded", outcome.succeeded),
        ("failed", outcome.failed),
        ("last_started_at", last.started_at if last else None),
        ("last_finished_at", last.finished_at if last else None),
        ("processed", outcome.processed),
        ("created", outcome.created),
        ("amount", outcome.amount),
        ("error", error_summary(last.error) if last else ""),
    )
    return [Figure("jobs", outcome.job, measure, value) for measure, value in measures]


def error_summary(error: str) -> str:
    """A run's error is a traceback: its last line says what went wrong."""
    lines = [line.strip() for line in (error or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def daily_close_csv_lines(close: DailyClose) -> Iterator[str]:
    day = close.business_date
    rows = ((day, figure.section, figure.item, figure.measure, figure.value) for figure in daily_close_figures(close))
    return csv_lines(CSV_HEADER, rows)
