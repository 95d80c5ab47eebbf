"""Milestone awards, read-only: written by the ``grant_milestones`` job, once per (user,
milestone), each with the ledger entry that paid it."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RelatedDropdownFilter
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.filters import DateRangeFilter
from apps.referrals.admin.common import tree_link
from apps.referrals.models import MilestoneAward
from apps.wallet.admin.base import ReadOnlyAdminMixin, money_cell, short_date


@admin.register(MilestoneAward)
class MilestoneAwardAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "id",
        "display_user",
        "milestone",
        "display_amount",
        "qualified_referrals",
        "display_business_date",
        "display_created",
    )
    list_display_links = ("id",)
    list_filter = (("milestone", RelatedDropdownFilter), ("business_date", DateRangeFilter))
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("user__email",)
    search_help_text = _("The referrer's email")
    ordering = ("-created_at", "-id")
    fields = (
        "id",
        "user",
        "milestone",
        "amount",
        "currency",
        "qualified_referrals",
        "business_date",
        "entry",
        "created_at",
    )
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "milestone")

    @display(description=_("Referrer"), ordering="user__email")
    def display_user(self, obj: MilestoneAward) -> str:
        return tree_link(obj.user)

    @display(description=_("Reward"), ordering="amount")
    def display_amount(self, obj: MilestoneAward) -> str:
        return money_cell(obj.amount, obj.currency)

    @display(description=_("Business date"), ordering="business_date")
    def display_business_date(self, obj: MilestoneAward) -> str:
        return formats.date_format(obj.business_date, "j M Y")

    @display(description=_("Granted"), ordering="created_at")
    def display_created(self, obj: MilestoneAward) -> str:
        return short_date(obj.created_at)
