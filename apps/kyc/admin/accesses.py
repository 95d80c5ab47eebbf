"""The log of staff looks at KYC documents: one row per view, written by the service before the
document is served. Read-only for everyone."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter, SingleNumericFilter
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.filters import DateRangeFilter
from apps.kyc.models import DocumentAccess
from apps.kyc.selectors import kyc_document_accesses
from apps.wallet.admin.base import ReadOnlyAdminMixin, short_date, user_link


class SubmissionNumberFilter(SingleNumericFilter):
    title = _("submission #")


@admin.register(DocumentAccess)
class DocumentAccessAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "id",
        "display_accessed",
        "display_staff",
        "display_document",
        "display_submission",
        "display_investor",
        "display_ip",
        "display_via",
    )
    list_display_links = ("id",)
    list_filter = (
        ("via", ChoicesDropdownFilter),
        ("accessed_at", DateRangeFilter),
        ("staff", AutocompleteSelectFilter),
        ("document__submission__id", SubmissionNumberFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    date_hierarchy = "accessed_at"
    search_fields = ("staff__email", "document__submission__user__email", "=ip_address")
    search_help_text = _("Staff email, investor email or exact IP address")
    ordering = ("-accessed_at", "-id")
    fields = (
        "display_accessed",
        "display_staff",
        "display_document",
        "display_submission",
        "display_investor",
        "display_ip",
        "display_user_agent",
        "display_via",
    )
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest):
        return kyc_document_accesses()

    @display(description=_("When"), ordering="accessed_at")
    def display_accessed(self, obj: DocumentAccess) -> str:
        return format_html('<span class="whitespace-nowrap">{}</span>', short_date(obj.accessed_at))

    @display(description=_("Staff"), ordering="staff__email")
    def display_staff(self, obj: DocumentAccess) -> str:
        return user_link(obj.staff)

    @display(description=_("Document"))
    def display_document(self, obj: DocumentAccess) -> str:
        return obj.document.get_side_display()

    @display(description=_("Submission"), ordering="document__submission_id")
    def display_submission(self, obj: DocumentAccess) -> str:
        url = reverse("admin:kyc_submission_change", args=(obj.document.submission_id,))
        return format_html(
            '<a href="{}" class="text-primary-600 dark:text-primary-500">#{}</a>', url, obj.document.submission_id
        )

    @display(description=_("Investor"), ordering="document__submission__user__email")
    def display_investor(self, obj: DocumentAccess) -> str:
        return user_link(obj.document.submission.user)

    @display(description=_("IP address"), ordering="ip_address")
    def display_ip(self, obj: DocumentAccess) -> str:
        return obj.ip_address or "-"

    @display(description=_("Browser"))
    def display_user_agent(self, obj: DocumentAccess) -> str:
        return obj.user_agent or "-"

    @display(description=_("Via"), ordering="via")
    def display_via(self, obj: DocumentAccess) -> str:
        return _("API") if obj.via == "api" else _("admin")
