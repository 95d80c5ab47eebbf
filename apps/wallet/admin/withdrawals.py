"""The withdrawal queue: staff pay out (entering the payout transaction hash) or reject (the held
funds go back to the investor) through ``services.withdrawals``. Above the four-eyes threshold two
different staff members approve; the service enforces it and the admin shows its refusal."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from unfold.contrib.filters.admin import (
    AutocompleteSelectFilter,
    BooleanRadioFilter,
    ChoicesDropdownFilter,
    RangeNumericFilter,
)
from unfold.decorators import action, display
from unfold.enums import ActionVariant

from apps.accounts.mfa.step_up import step_up_form
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
from apps.wallet.admin.forms import (
    RejectDialogForm,
    RejectForm,
    WithdrawalApproveDialogForm,
    WithdrawalApproveForm,
    withdrawal_is_first_approval,
)
from apps.wallet.admin.risk import risk_panel
from apps.wallet.models import RequestStatus, Withdrawal
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_reject


@admin.register(Withdrawal)
class WithdrawalAdmin(CsvExportMixin, ReviewActionsMixin, ReadOnlyAdminMixin, ModelAdmin):
    export_columns = (
        "id",
        ("investor_email", "user__email"),
        "amount",
        "fee",
        "currency",
        "address",
        "status",
        "needs_two_approvals",
        ("first_approved_by_email", "first_approved_by__email"),
        "first_approved_at",
        ("reviewed_by_email", "reviewed_by__email"),
        "reviewed_at",
        "payout_hash",
        "admin_note",
        "created_at",
    )
    list_display = (
        "id",
        "display_investor",
        "display_amount",
        "display_fee",
        "display_address",
        "display_status",
        "display_approvals",
        "display_created",
        "display_reviewed_by",
    )
    list_display_links = ("id",)
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("needs_two_approvals", BooleanRadioFilter),
        ("created_at", DateRangeFilter),
        ("amount", RangeNumericFilter),
        ("user", AutocompleteSelectFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("user__email", "payout_hash", "address")
    search_help_text = _("Investor email, payout hash or destination address")
    ordering = QUEUE_ORDERING
    fieldsets = (
        (_("Request"), {"fields": ("id", "user", ("amount", "fee", "currency"), "address")}),
        (
            _("Review"),
            {
                "fields": (
                    "status",
                    "needs_two_approvals",
                    ("first_approved_by", "first_approved_at"),
                    ("reviewed_by", "reviewed_at"),
                    "payout_hash",
                    "admin_note",
                )
            },
        ),
        (_("Ledger"), {"fields": ("hold_entry", "close_entry")}),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "id",
        "user",
        "amount",
        "fee",
        "currency",
        "address",
        "status",
        "needs_two_approvals",
        "first_approved_by",
        "first_approved_at",
        "reviewed_by",
        "reviewed_at",
        "payout_hash",
        "admin_note",
        "hold_entry",
        "close_entry",
        "created_at",
        "updated_at",
    )
    actions = ("approve_withdrawals", "reject_withdrawals")
    actions_detail = ("approve_detail", "reject_detail")
    review_permission = "wallet.change_withdrawal"
    review_noun = _("withdrawal")
    # The review page: the request beside the investor's context and risk signals (``risk.py``).
    change_form_template = "backoffice/wallet/review_change_form.html"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "first_approved_by", "reviewed_by")

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["risk"] = risk_panel(obj, viewer=request.user)
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Investor"), ordering="user__email")
    def display_investor(self, obj: Withdrawal) -> str:
        return user_link(obj.user)

    @display(description=_("Amount"), ordering="amount")
    def display_amount(self, obj: Withdrawal) -> str:
        return money_cell(obj.amount, obj.currency)

    @display(description=_("Fee"))
    def display_fee(self, obj: Withdrawal) -> str:
        return money_cell(obj.fee, obj.currency)

    @display(description=_("Destination"))
    def display_address(self, obj: Withdrawal) -> str:
        return truncated(obj.address)

    @display(description=_("Status"), label=STATUS_LABELS, ordering="status")
    def display_status(self, obj: Withdrawal):
        return obj.status, obj.get_status_display()

    @display(description=_("Approvals"))
    def display_approvals(self, obj: Withdrawal) -> str:
        if not obj.needs_two_approvals:
            return _("one")
        if obj.first_approved_by is None:
            return _("two needed")
        return format_html(
            '{}<br><span class="text-base-500 dark:text-base-400">{}</span>',
            _("first by"),
            obj.first_approved_by.email,
        )

    @display(description=_("Created"), ordering="created_at")
    def display_created(self, obj: Withdrawal) -> str:
        return short_date(obj.created_at)

    @display(description=_("Reviewed by"))
    def display_reviewed_by(self, obj: Withdrawal) -> str:
        return obj.reviewed_by.email if obj.reviewed_by else "-"

    def review_row(self, item: Withdrawal) -> dict:
        row = super().review_row(item)
        if item.status == RequestStatus.PENDING and withdrawal_is_first_approval(item):
            row["note"] = _("first of two approvals")
        elif item.status == RequestStatus.PENDING and item.first_approved_by_id:
            row["note"] = _("second approval (first by %(email)s)") % {"email": item.first_approved_by.email}
        return row

    def _selected(self, queryset) -> list:
        return list(queryset.select_related("user", "first_approved_by").order_by("pk"))

    # --- bulk actions ---------------------------------------------------------------------------------

    @action(description=_("Approve selected withdrawals"), permissions=["review"], icon="check_circle")
    def approve_withdrawals(self, request: HttpRequest, queryset) -> TemplateResponse | None:
        """Asks for one payout hash per withdrawal (none for a first approval) and a note."""
        withdrawals = self._selected(queryset)
        form = step_up_form(WithdrawalApproveForm)(
            request.POST if "apply" in request.POST else None, withdrawals=withdrawals, step_up_request=request
        )
        if not form.is_valid():
            return self._review_page(
                request,
                withdrawals,
                form,
                action_name="approve_withdrawals",
                title=_("Approve withdrawals"),
                submit=_("Approve"),
            )
        note = form.cleaned_data["note"]
        self._review_each(
            request,
            withdrawals,
            lambda withdrawal: withdrawal_approve(
                withdrawal_id=withdrawal.pk, actor=request.user, payout_hash=form.payout_hash_for(withdrawal), note=note
            ),
            _bulk_approved_message,
        )
        return None

    @action(description=_("Reject selected withdrawals"), permissions=["review"], icon="cancel")
    def reject_withdrawals(self, request: HttpRequest, queryset) -> TemplateResponse | None:
        withdrawals = self._selected(queryset)
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._review_page(
                request,
                withdrawals,
                form,
                action_name="reject_withdrawals",
                title=_("Reject withdrawals"),
                submit=_("Reject"),
                variant="danger",
            )
        note = form.cleaned_data["note"]
        self._review_each(
            request,
            withdrawals,
            lambda withdrawal: withdrawal_reject(withdrawal_id=withdrawal.pk, actor=request.user, note=note),
            counted(ngettext_lazy("Rejected %(count)d withdrawal.", "Rejected %(count)d withdrawals.", "count")),
        )
        return None

    # --- detail actions -------------------------------------------------------------------------------

    @action(
        description=_("Approve"),
        permissions=["review_detail"],
        icon="check_circle",
        variant=ActionVariant.SUCCESS,
        dialog={
            "title": _("Approve this withdrawal?"),
            "description": _(
                "The held amount is paid out and the fee booked. Above the four-eyes threshold the first "
                "approval only records your approval; a second staff member pays out."
            ),
            "form_class": step_up_form(WithdrawalApproveDialogForm),  # asks for a fresh code when stale
            "form_submit_text": _("Approve"),
        },
    )
    def approve_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        payout_hash, note = form.cleaned_data["payout_hash"], form.cleaned_data["note"]
        return self._detail_review(
            request,
            object_id,
            lambda withdrawal: withdrawal_approve(
                withdrawal_id=withdrawal.pk, actor=request.user, payout_hash=payout_hash, note=note
            ),
            _approved_message,
        )

    @action(
        description=_("Reject"),
        permissions=["review_detail"],
        icon="cancel",
        variant=ActionVariant.DANGER,
        dialog={
            "title": _("Reject this withdrawal?"),
            "description": _("The held amount and fee go back to the investor's available balance."),
            "form_class": RejectDialogForm,
            "form_submit_text": _("Reject"),
        },
    )
    def reject_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        note = form.cleaned_data["note"]
        return self._detail_review(
            request,
            object_id,
            lambda withdrawal: withdrawal_reject(withdrawal_id=withdrawal.pk, actor=request.user, note=note),
            _("The withdrawal was rejected; the funds are available to the investor again."),
        )


def _approved_message(withdrawal: Withdrawal) -> str:
    if withdrawal.status == RequestStatus.APPROVED:
        return _("The withdrawal was paid out.")
    return _("First approval recorded. A second staff member must approve to pay out.")


def _bulk_approved_message(withdrawals: list[Withdrawal]) -> str:
    paid = sum(withdrawal.status == RequestStatus.APPROVED for withdrawal in withdrawals)
    first = len(withdrawals) - paid
    parts = []
    if paid:
        parts.append(
            ngettext("Paid out %(count)d withdrawal.", "Paid out %(count)d withdrawals.", paid) % {"count": paid}
        )
    if first:
        parts.append(
            ngettext(
                "Recorded the first approval of %(count)d withdrawal.",
                "Recorded the first approval of %(count)d withdrawals.",
                first,
            )
            % {"count": first}
        )
    return " ".join(parts)
