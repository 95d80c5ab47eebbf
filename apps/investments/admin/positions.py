"""Positions, read-only for everyone: only ``investment_open`` and the jobs write them. The list
shows each position's frozen terms and the returns paid so far (one subquery per row, no N+1);
the page of a position adds its whole schedule: every business date of the term, the amount due,
and the entry that paid it."""

from django.contrib import admin
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RangeDateFilter, RelatedDropdownFilter
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.exports import CsvExportMixin
from apps.investments.admin.common import admin_link, rate_text, term_text
from apps.investments.models import Position, PositionStatus
from apps.investments.selectors import position_list_for_admin, position_schedule_for_admin
from apps.wallet.admin.base import ReadOnlyAdminMixin, money_cell, short_date, user_link
from apps.wallet.admin.paginator import CappedCountPaginator

STATUS_LABELS = {PositionStatus.ACTIVE: "info", PositionStatus.MATURED: "success"}
SCHEDULE_HEIGHT = 560  # px: longer schedules scroll inside their card


def short_day(value) -> str:
    return formats.date_format(value, "j M Y") if value else "-"


@admin.register(Position)
class PositionAdmin(CsvExportMixin, ReadOnlyAdminMixin, ModelAdmin):
    export_columns = (
        "id",
        ("investor_email", "user__email"),
        ("plan", "plan__name"),
        "principal",
        "currency",
        "daily_rate",
        "term_days",
        "payout_schedule",
        "capital_back",
        "start_date",
        "maturity_date",
        "status",
        "returns_paid",
        "matured_at",
        "created_at",
    )
    list_display = (
        "id",
        "display_investor",
        "display_plan",
        "display_principal",
        "display_rate",
        "display_term",
        "display_start",
        "display_maturity",
        "display_status",
        "display_returns_paid",
    )
    list_display_links = ("id",)
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("plan", RelatedDropdownFilter),
        ("maturity_date", RangeDateFilter),
        ("payout_schedule", ChoicesDropdownFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("user__email",)
    search_help_text = _("A position number, or the investor's email (or part of it)")
    actions = None
    fieldsets = (
        (_("Position"), {"fields": ("id", "user", "plan", "display_status_label", "display_returns_paid")}),
        (
            _("Frozen terms"),
            {
                "fields": (
                    "display_principal",
                    ("daily_rate", "term_days"),
                    ("payout_schedule", "capital_back"),
                    ("start_date", "maturity_date"),
                ),
                "description": _("Copied from the plan at purchase: later changes to the plan never change them."),
            },
        ),
        (_("Accepted terms"), {"fields": ("terms_accepted_at", "display_terms_snapshot")}),
        (_("Ledger"), {"fields": ("open_entry", "maturity_entry", "matured_at", "created_at")}),
    )
    readonly_fields = (
        "id",
        "user",
        "plan",
        "display_status_label",
        "display_returns_paid",
        "display_principal",
        "daily_rate",
        "term_days",
        "payout_schedule",
        "capital_back",
        "start_date",
        "maturity_date",
        "terms_accepted_at",
        "display_terms_snapshot",
        "open_entry",
        "maturity_entry",
        "matured_at",
        "created_at",
    )
    change_form_after_template = "admin/investments/position_schedule.html"

    def get_queryset(self, request: HttpRequest):
        return position_list_for_admin(queryset=super().get_queryset(request)).select_related(
            "open_entry", "maturity_entry"
        )

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        """A number (``#12`` or ``12``) is the position id; anything else part of the email."""
        term = search_term.strip()
        number = term.removeprefix("#")
        if number.isdigit():
            return queryset.filter(pk=int(number)), False
        return super().get_search_results(request, queryset, term)

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["schedule"] = position_schedule_for_admin(position=obj)
            context["schedule_table"] = self._schedule_table(context["schedule"].rows, obj.currency)
            context["schedule_height"] = SCHEDULE_HEIGHT
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _schedule_table(self, rows, currency: str) -> dict:
        return {
            "headers": [_("Day"), _("Business date"), _("Amount"), _("Paid"), _("Entry")],
            "rows": [
                [
                    row.day,
                    short_day(row.business_date),
                    money_cell(row.amount, currency),
                    self._paid_label(row.paid),
                    admin_link("admin:wallet_entry_change", row.entry_id, f"#{row.entry_id}") if row.entry_id else "-",
                ]
                for row in rows
            ],
        }

    @staticmethod
    def _paid_label(paid: bool) -> str:
        return render_to_string(
            "unfold/helpers/label.html",
            {"text": _("paid") if paid else _("not yet"), "variant": "success" if paid else "default"},
        )

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Investor"), ordering="user__email")
    def display_investor(self, obj: Position) -> str:
        return user_link(obj.user)

    @display(description=_("Plan"), ordering="plan__name")
    def display_plan(self, obj: Position) -> str:
        return admin_link("admin:investments_plan_change", obj.plan_id, obj.plan.name)

    @display(description=_("Principal"), ordering="principal")
    def display_principal(self, obj: Position) -> str:
        return money_cell(obj.principal, obj.currency)

    @display(description=_("Daily rate"))
    def display_rate(self, obj: Position) -> str:
        return format_html('<span class="whitespace-nowrap">{}</span>', rate_text(obj.daily_rate))

    @display(description=_("Term"))
    def display_term(self, obj: Position) -> str:
        return format_html('<span class="whitespace-nowrap">{}</span>', term_text(obj.term_days))

    @display(description=_("Bought on"), ordering="start_date")
    def display_start(self, obj: Position) -> str:
        return format_html('<span class="whitespace-nowrap">{}</span>', short_day(obj.start_date))

    @display(description=_("Matures on"), ordering="maturity_date")
    def display_maturity(self, obj: Position) -> str:
        return format_html('<span class="whitespace-nowrap">{}</span>', short_day(obj.maturity_date))

    @display(description=_("Status"), label=STATUS_LABELS, ordering="status")
    def display_status(self, obj: Position):
        return obj.status, obj.get_status_display()

    @display(description=_("Status"))
    def display_status_label(self, obj: Position) -> str:
        """The status as a label on the position's page (``label=`` columns render only in lists)."""
        return render_to_string(
            "unfold/helpers/label.html",
            {"text": obj.get_status_display(), "variant": STATUS_LABELS.get(obj.status, "default")},
        )

    @display(description=_("Returns paid"))
    def display_returns_paid(self, obj: Position) -> str:
        return money_cell(obj.returns_paid, obj.currency)

    @display(description=_("Accepted terms"))
    def display_terms_snapshot(self, obj: Position) -> str:
        labels = {
            "plan": _("plan"),
            "daily_rate": _("daily rate (% per day)"),
            "term_days": _("term (days)"),
            "payout_schedule": _("payout schedule"),
            "capital_back": _("principal returned at maturity"),
            "total_return": _("total return"),
            "risk_disclosure": _("risk disclosure"),
        }
        rows = [(labels.get(key, key), value) for key, value in obj.terms_snapshot.items()]
        if not rows:
            return "-"
        accepted = short_date(obj.terms_accepted_at)
        return format_html(
            '<dl class="flex flex-col gap-1">{}</dl><p class="mt-2 text-base-500">{}</p>',
            format_html_join("", '<div><dt class="inline font-medium">{}:</dt> <dd class="inline">{}</dd></div>', rows),
            _("As shown to the investor and accepted on %(when)s.") % {"when": accepted},
        )
