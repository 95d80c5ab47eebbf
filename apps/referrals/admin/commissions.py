"""Commissions, read-only: one per (position, level), written when a referred investor buys a
plan. Filter by level and date; search by the referrer's or the referred investor's email."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.exports import CsvExportMixin
from apps.backoffice.filters import DateRangeFilter
from apps.referrals.admin.common import level_label, tree_link
from apps.referrals.models import Commission
from apps.referrals.services.rules import LEVEL_MAX
from apps.wallet.admin.base import ReadOnlyAdminMixin, money_cell, short_date


class LevelFilter(DropdownFilter):
    title = _("level")
    parameter_name = "level"

    def lookups(self, request: HttpRequest, model_admin):
        return [(str(level), level_label(level)) for level in range(1, LEVEL_MAX + 1)]

    def queryset(self, request: HttpRequest, queryset):
        value = self.value()
        return queryset.filter(level=int(value)) if value and value.isdigit() else queryset


@admin.register(Commission)
class CommissionAdmin(CsvExportMixin, ReadOnlyAdminMixin, ModelAdmin):
    export_columns = (
        "id",
        ("referrer_email", "referrer__email"),
        ("referred_email", "referred_user__email"),
        "level",
        "rate",
        "amount",
        ("currency", "position__currency"),
        "position_id",
        ("plan", "position__plan__name"),
        "entry_id",
        "created_at",
    )
    list_display = (
        "id",
        "display_referrer",
        "display_referred_user",
        "display_level",
        "display_rate",
        "display_amount",
        "display_position",
        "display_created",
    )
    list_display_links = ("id",)
    list_filter = (LevelFilter, ("created_at", DateRangeFilter))
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("referrer__email", "referred_user__email")
    search_help_text = _("The referrer's or the referred investor's email")
    ordering = ("-created_at", "-id")
    fields = ("id", "referrer", "referred_user", "level", "rate", "amount", "position", "entry", "created_at")
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("referrer", "referred_user", "position__plan")

    @display(description=_("Referrer"), ordering="referrer__email")
    def display_referrer(self, obj: Commission) -> str:
        return tree_link(obj.referrer)

    @display(description=_("Referred investor"), ordering="referred_user__email")
    def display_referred_user(self, obj: Commission) -> str:
        return tree_link(obj.referred_user)

    @display(description=_("Level"), ordering="level")
    def display_level(self, obj: Commission) -> str:
        return level_label(obj.level)

    @display(description=_("Rate"))
    def display_rate(self, obj: Commission) -> str:
        return f"{obj.rate.normalize():f}%"

    @display(description=_("Amount"), ordering="amount")
    def display_amount(self, obj: Commission) -> str:
        return money_cell(obj.amount, obj.position.currency)

    @display(description=_("Position"))
    def display_position(self, obj: Commission) -> str:
        label = f"#{obj.position_id} · {obj.position.plan.name}"
        try:
            url = reverse("admin:investments_position_change", args=(obj.position_id,))
        except NoReverseMatch:
            return label
        return format_html('<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>', url, label)

    @display(description=_("Created"), ordering="created_at")
    def display_created(self, obj: Commission) -> str:
        return short_date(obj.created_at)
