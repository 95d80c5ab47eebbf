"""Manual adjustments: a staff member credits or debits an investor with a reason, through
``services.adjustments``. Up to the four-eyes threshold it applies at once; above it a second staff
member (with ``wallet.check_adjustment``, never the maker) approves or rejects it. Existing
adjustments are never edited or deleted."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter, RangeNumericFilter
from unfold.decorators import action, display
from unfold.enums import ActionVariant

from apps.accounts.mfa.step_up import STEP_UP_FIELD, step_up_form, step_up_needed
from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.filters import DateRangeFilter
from apps.common.errors import ApplicationError
from apps.controls.runtime import runtime_setting
from apps.wallet.admin.base import (
    QUEUE_ORDERING,
    STATUS_LABELS,
    ReviewActionsMixin,
    ServiceAddFormMixin,
    counted,
    money,
    money_cell,
    short_date,
    user_link,
)
from apps.wallet.admin.forms import (
    AdjustmentCreateForm,
    AdjustmentRejectDialogForm,
    AdjustmentRejectForm,
    ApproveDialogForm,
    ApproveForm,
)
from apps.wallet.models import Adjustment, AdjustmentDirection, RequestStatus
from apps.wallet.services.adjustments import adjustment_approve, adjustment_create, adjustment_reject

DIRECTION_LABELS = {AdjustmentDirection.CREDIT: "success", AdjustmentDirection.DEBIT: "danger"}
ADJUSTMENT_FIELDS = ("user", "direction", "amount", "reason")
MAX_ID = 2**63 - 1  # the largest primary key the database takes


@admin.register(Adjustment)
class AdjustmentAdmin(ServiceAddFormMixin, ReviewActionsMixin, ModelAdmin):
    form = AdjustmentCreateForm
    list_display = (
        "id",
        "display_investor",
        "display_direction",
        "display_amount",
        "display_reason",
        "display_status",
        "display_maker",
        "display_checker",
        "display_created",
    )
    list_display_links = ("id",)
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("direction", ChoicesDropdownFilter),
        ("created_at", DateRangeFilter),
        ("amount", RangeNumericFilter),
        ("user", AutocompleteSelectFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("user__email", "reason")
    search_help_text = _("Investor email or reason")
    ordering = QUEUE_ORDERING
    autocomplete_fields = ("user",)
    add_fieldsets = ((None, {"fields": ADJUSTMENT_FIELDS}),)
    fieldsets = (
        (_("Adjustment"), {"fields": ("id", "user", "direction", ("amount", "currency"), "reason")}),
        (_("Four eyes"), {"fields": ("status", "maker", ("checker", "checked_at"), "check_note", "entry")}),
        (_("Dates"), {"fields": ("created_at",)}),
    )
    readonly_fields = (
        "id",
        "user",
        "direction",
        "amount",
        "currency",
        "reason",
        "status",
        "maker",
        "checker",
        "checked_at",
        "check_note",
        "entry",
        "created_at",
    )
    actions = ("approve_adjustments", "reject_adjustments")
    actions_detail = ("approve_detail", "reject_detail")
    review_permission = "wallet.check_adjustment"
    review_noun = _("adjustment")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "maker", "checker")

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    # --- the add form: its save is the service ------------------------------------------------------

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """``?user=<id>`` fills the investor in (the Investor 360's Adjust balance links here); a
        malformed id is left out instead of breaking the page (the user widget looks it up)."""
        initial = super().get_changeform_initial_data(request)
        user_id = str(initial.get("user", ""))
        if "user" in initial and not (user_id.isdigit() and int(user_id) <= MAX_ID):
            del initial["user"]
        return initial

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        """The money service opens its own (durable) transaction, so a posted form is handled
        here rather than inside the admin's atomic save; a refusal becomes a form error. An
        adjustment at or under the four-eyes threshold is posted at once, so making one is an
        approval: while the session's last code is stale, the form asks for a fresh one."""
        if request.method != "POST" and not step_up_needed(request=request):
            return super().add_view(request, form_url, extra_context)
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = self._add_form(request, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                adjustment = adjustment_create(
                    user_id=form.cleaned_data["user"].pk,
                    amount=form.cleaned_data["amount"],
                    direction=form.cleaned_data["direction"],
                    reason=form.cleaned_data["reason"],
                    maker=request.user,
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return self._created(request, adjustment)
        return self._add_page(request, form, form_url, extra_context)

    def _add_form(self, request: HttpRequest, data=None):
        """The add form with step-up: its ``otp`` field appears while the last code is stale and is
        checked only once the rest is valid (a code is never spent on a refused form)."""
        form_class = step_up_form(self.get_form(request, None, fields=ADJUSTMENT_FIELDS))
        initial = None if data is not None else self.get_changeform_initial_data(request)
        return form_class(data, initial=initial, step_up_request=request)

    def add_page_fieldsets(self, request: HttpRequest, form) -> list:
        """The add page's fieldsets, with the step-up code last when the form asks for it."""
        fieldsets = list(self.get_fieldsets(request, None))
        if STEP_UP_FIELD in form.fields:
            fieldsets.append((None, {"fields": [STEP_UP_FIELD]}))
        return fieldsets

    def _created(self, request: HttpRequest, adjustment: Adjustment) -> HttpResponseRedirect:
        self.log_addition(request, adjustment, [{"added": {}}])
        if adjustment.status == RequestStatus.APPROVED:
            message = _("Adjustment #%(id)s applied: %(amount)s %(direction)s.")
        else:
            message = _(
                "Adjustment #%(id)s (%(amount)s %(direction)s) is above %(threshold)s and waits for a second "
                "staff member to approve it."
            )
        self.message_user(
            request,
            message
            % {
                "id": adjustment.pk,
                "amount": money(adjustment.amount, adjustment.currency),
                "direction": adjustment.get_direction_display().lower(),
                "threshold": money(runtime_setting("FOUR_EYES_THRESHOLD"), adjustment.currency),
            },
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:wallet_adjustment_change", args=(adjustment.pk,)))

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Investor"), ordering="user__email")
    def display_investor(self, obj: Adjustment) -> str:
        return user_link(obj.user)

    @display(description=_("Direction"), label=DIRECTION_LABELS, ordering="direction")
    def display_direction(self, obj: Adjustment):
        return obj.direction, obj.get_direction_display()

    @display(description=_("Amount"), ordering="amount")
    def display_amount(self, obj: Adjustment) -> str:
        return money_cell(obj.amount, obj.currency)

    @display(description=_("Reason"))
    def display_reason(self, obj: Adjustment) -> str:
        return Truncator(obj.reason).chars(60)

    @display(description=_("Status"), label=STATUS_LABELS, ordering="status")
    def display_status(self, obj: Adjustment):
        return obj.status, obj.get_status_display()

    @display(description=_("Maker"))
    def display_maker(self, obj: Adjustment) -> str:
        return obj.maker.email

    @display(description=_("Checker"))
    def display_checker(self, obj: Adjustment) -> str:
        if obj.checker is not None:
            return obj.checker.email
        return _("waiting") if obj.status == RequestStatus.PENDING else "-"

    @display(description=_("Created"), ordering="created_at")
    def display_created(self, obj: Adjustment) -> str:
        return short_date(obj.created_at)

    def review_row(self, item: Adjustment) -> dict:
        row = super().review_row(item)
        row["detail"] = f"{item.get_direction_display()} {row['detail']}"
        row["note"] = _("made by %(email)s") % {"email": item.maker.email}
        return row

    def _selected(self, queryset) -> list:
        return list(queryset.select_related("user", "maker").order_by("pk"))

    # --- bulk actions (the checker) ----------------------------------------------------------------

    @action(description=_("Approve selected adjustments"), permissions=["review"], icon="check_circle")
    def approve_adjustments(self, request: HttpRequest, queryset) -> TemplateResponse | None:
        adjustments = self._selected(queryset)
        form = step_up_form(ApproveForm)(request.POST if "apply" in request.POST else None, step_up_request=request)
        if not form.is_valid():
            return self._review_page(
                request,
                adjustments,
                form,
                action_name="approve_adjustments",
                title=_("Approve adjustments"),
                submit=_("Approve"),
            )
        note = form.cleaned_data["note"]
        self._review_each(
            request,
            adjustments,
            lambda adjustment: adjustment_approve(adjustment_id=adjustment.pk, checker=request.user, note=note),
            counted(ngettext_lazy("Approved %(count)d adjustment.", "Approved %(count)d adjustments.", "count")),
        )
        return None

    @action(description=_("Reject selected adjustments"), permissions=["review"], icon="cancel")
    def reject_adjustments(self, request: HttpRequest, queryset) -> TemplateResponse | None:
        adjustments = self._selected(queryset)
        form = AdjustmentRejectForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._review_page(
                request,
                adjustments,
                form,
                action_name="reject_adjustments",
                title=_("Reject adjustments"),
                submit=_("Reject"),
                variant="danger",
            )
        note = form.cleaned_data["note"]
        self._review_each(
            request,
            adjustments,
            lambda adjustment: adjustment_reject(adjustment_id=adjustment.pk, checker=request.user, note=note),
            counted(ngettext_lazy("Rejected %(count)d adjustment.", "Rejected %(count)d adjustments.", "count")),
        )
        return None

    # --- detail actions ---------------------------------------------------------------------------

    @action(
        description=_("Approve"),
        permissions=["review_detail"],
        icon="check_circle",
        variant=ActionVariant.SUCCESS,
        dialog={
            "title": _("Approve this adjustment?"),
            "description": _("It is posted to the investor's available balance. You cannot check your own."),
            "form_class": step_up_form(ApproveDialogForm),  # asks for a fresh code when stale
            "form_submit_text": _("Approve and post"),
        },
    )
    def approve_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        note = form.cleaned_data["note"]
        return self._detail_review(
            request,
            object_id,
            lambda adjustment: adjustment_approve(adjustment_id=adjustment.pk, checker=request.user, note=note),
            _("The adjustment was approved and posted."),
        )

    @action(
        description=_("Reject"),
        permissions=["review_detail"],
        icon="cancel",
        variant=ActionVariant.DANGER,
        dialog={
            "title": _("Reject this adjustment?"),
            "description": _("Nothing is posted."),
            "form_class": AdjustmentRejectDialogForm,
            "form_submit_text": _("Reject"),
        },
    )
    def reject_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        note = form.cleaned_data["note"]
        return self._detail_review(
            request,
            object_id,
            lambda adjustment: adjustment_reject(adjustment_id=adjustment.pk, checker=request.user, note=note),
            _("The adjustment was rejected."),
        )
