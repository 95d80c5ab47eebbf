"""The deposit queue: staff approve (the investor is credited exactly once) or reject (with a
reason) through ``services.deposits``. Amounts and statuses are never edited by hand."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter, RangeNumericFilter
from unfold.decorators import action, display
from unfold.enums import ActionVariant

from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.exports import CsvExportMixin
from apps.backoffice.filters import DateRangeFilter
from apps.wallet.admin.base import (
    QUEUE_ORDERING,
    STATUS_LABELS,
    ReadOnlyAdminMixin,
    ReviewActionsMixin,
    counted,
    money_cell,
    short_date,
    truncated,
    user_link,
)
from apps.wallet.admin.forms import ApproveDialogForm, ApproveForm, RejectDialogForm, RejectForm
from apps.wallet.admin.risk import risk_panel
from apps.wallet.models import Deposit
from apps.wallet.services.deposits import deposit_approve, deposit_reject


@admin.register(Deposit)
class DepositAdmin(CsvExportMixin, ReviewActionsMixin, ReadOnlyAdminMixin, ModelAdmin):
    export_columns = (
        "id",
        ("investor_email", "user__email"),
        "amount",
        "currency",
        "method",
        "sender_address",
        "transaction_hash",
        "status",
        "created_at",
        ("reviewed_by_email", "reviewed_by__email"),
        "reviewed_at",
        "admin_note",
        "entry_id",
    )
    list_display = (
        "id",
        "display_investor",
        "display_amount",
        "method",
        "display_sender",
        "display_hash",
        "display_status",
        "display_created",
        "display_reviewed_by",
    )
    list_display_links = ("id",)
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("created_at", DateRangeFilter),
        ("amount", RangeNumericFilter),
        ("user", AutocompleteSelectFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("user__email", "transaction_hash")
    search_help_text = _("Investor email or transaction hash")
    ordering = QUEUE_ORDERING
    fieldsets = (
        (
            _("Request"),
            {"fields": ("id", "user", ("amount", "currency"), "method", "sender_address", "transaction_hash")},
        ),
        (_("Review"), {"fields": ("status", "reviewed_by", "reviewed_at", "confirmed_hash", "admin_note", "entry")}),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "id",
        "user",
        "amount",
        "currency",
        "method",
        "sender_address",
        "transaction_hash",
        "status",
        "reviewed_by",
        "reviewed_at",
        "confirmed_hash",
        "admin_note",
        "entry",
        "created_at",
        "updated_at",
    )
    actions = ("approve_deposits", "reject_deposits")
    actions_detail = ("approve_detail", "reject_detail")
    review_permission = "wallet.change_deposit"
    review_noun = _("deposit")
    # The review page: the request beside the investor's context and risk signals (``risk.py``).
    change_form_template = "backoffice/wallet/review_change_form.html"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "reviewed_by")

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["risk"] = risk_panel(obj, viewer=request.user)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Investor"), ordering="user__email")
    def display_investor(self, obj: Deposit) -> str:
        return user_link(obj.user)

    @display(description=_("Amount"), ordering="amount")
    def display_amount(self, obj: Deposit) -> str:
        return money_cell(obj.amount, obj.currency)

    @display(description=_("Sender address"))
    def display_sender(self, obj: Deposit) -> str:
        return truncated(obj.sender_address)

    @display(description=_("Transaction hash"))
    def display_hash(self, obj: Deposit) -> str:
        return truncated(obj.transaction_hash)

    @display(description=_("Status"), label=STATUS_LABELS, ordering="status")
    def display_status(self, obj: Deposit):
        return obj.status, obj.get_status_display()

    @display(description=_("Created"), ordering="created_at")
    def display_created(self, obj: Deposit) -> str:
        return short_date(obj.created_at)

    @display(description=_("Reviewed by"))
    def display_reviewed_by(self, obj: Deposit) -> str:
        return obj.reviewed_by.email if obj.reviewed_by else "-"

    # --- bulk actions ---------------------------------------------------------------------------------

    @action(description=_("Approve selected deposits"), permissions=["review"], icon="check_circle")
    def approve_deposits(self, request: HttpRequest, queryset) -> TemplateResponse | None:
        deposits = self._selected(queryset)
        form = ApproveForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._review_page(
                request,
                deposits,
                form,
                action_name="approve_deposits",
                title=_("Approve deposits"),
                submit=_("Approve"),
            )
        note = form.cleaned_data["note"]
        self._review_each(
            request,
            deposits,
            lambda deposit: deposit_approve(deposit_id=deposit.pk, actor=request.user, note=note),
            counted(ngettext_lazy("Approved %(count)d deposit.", "Approved %(count)d deposits.", "count")),
        )
        return None

    @action(description=_("Reject selected deposits"), permissions=["review"], icon="cancel")
    def reject_deposits(self, request: HttpRequest, queryset) -> TemplateResponse | None:
        deposits = self._selected(queryset)
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._review_page(
                request,
                deposits,
                form,
                action_name="reject_deposits",
                title=_("Reject deposits"),
                submit=_("Reject"),
                variant="danger",
            )
        note = form.cleaned_data["note"]
        self._review_each(
            request,
            deposits,
            lambda deposit: deposit_reject(deposit_id=deposit.pk, actor=request.user, note=note),
            counted(ngettext_lazy("Rejected %(count)d deposit.", "Rejected %(count)d deposits.", "count")),
        )
        return None

    # --- detail actions -------------------------------------------------------------------------------

    @action(
        description=_("Approve"),
        permissions=["review_detail"],
        icon="check_circle",
        variant=ActionVariant.SUCCESS,
        dialog={
            "title": _("Approve this deposit?"),
            "description": _("The amount is credited to the investor's available balance, once."),
            "form_class": ApproveDialogForm,
            "form_submit_text": _("Approve and credit"),
        },
    )
    def approve_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        note = form.cleaned_data["note"]
        return self._detail_review(
            request,
            object_id,
            lambda deposit: deposit_approve(deposit_id=deposit.pk, actor=request.user, note=note),
            _("The deposit was approved and credited."),
        )

    @action(
        description=_("Reject"),
        permissions=["review_detail"],
        icon="cancel",
        variant=ActionVariant.DANGER,
        dialog={
            "title": _("Reject this deposit?"),
            "description": _("Nothing is credited. The investor is told the reason."),
            "form_class": RejectDialogForm,
            "form_submit_text": _("Reject"),
        },
    )
    def reject_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        note = form.cleaned_data["note"]
        return self._detail_review(
            request,
            object_id,
            lambda deposit: deposit_reject(deposit_id=deposit.pk, actor=request.user, note=note),
            _("The deposit was rejected."),
        )
