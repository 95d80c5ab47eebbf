"""Risk disclosure acceptances, read-only: which investor accepted which version of a plan's
disclosure, when, from which IP address, and the SHA-256 of the text accepted. Only the purchase
(``investment_open``) writes them, and the database refuses any change (append-only). Staff see
them in their own list, searchable by the investor's email or IP address and filtered by plan
(the plan's page links to its acceptances)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import RelatedDropdownFilter
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.investments.admin.common import admin_link
from apps.investments.models import RiskDisclosureAcceptance
from apps.wallet.admin.base import ReadOnlyAdminMixin, short_date, user_link


def _sha(obj: RiskDisclosureAcceptance) -> str:
    """The hash shortened, the whole of it in the tooltip."""
    return format_html('<code title="{}">{}…</code>', obj.text_sha256, obj.text_sha256[:12])


@admin.register(RiskDisclosureAcceptance)
class RiskDisclosureAcceptanceAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ("display_when", "display_investor", "display_plan", "version", "display_sha", "display_ip")
    list_display_links = None
    list_filter = (("plan", RelatedDropdownFilter),)
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("user__email", "=ip_address")
    search_help_text = _("Investor email or exact IP address")
    ordering = ("-accepted_at", "-id")
    actions = None

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "plan")

    @display(description=_("Accepted at"), ordering="accepted_at")
    def display_when(self, obj: RiskDisclosureAcceptance) -> str:
        return short_date(obj.accepted_at)

    @display(description=_("Investor"), ordering="user__email")
    def display_investor(self, obj: RiskDisclosureAcceptance) -> str:
        return user_link(obj.user)

    @display(description=_("Plan"), ordering="plan__name")
    def display_plan(self, obj: RiskDisclosureAcceptance) -> str:
        return admin_link("admin:investments_plan_change", obj.plan_id, obj.plan.name)

    @display(description=_("Text (SHA-256)"))
    def display_sha(self, obj: RiskDisclosureAcceptance) -> str:
        return _sha(obj)

    @display(description=_("IP address"), ordering="ip_address")
    def display_ip(self, obj: RiskDisclosureAcceptance) -> str:
        return obj.ip_address or "-"
