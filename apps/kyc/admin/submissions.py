"""The KYC queue and review page. Staff look at the typed data beside the documents and approve or
reject through ``apps.kyc.services``; nothing here is edited by hand, added or deleted. Documents
are served only by ``documents.document_view`` (permission-checked and logged)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import AutocompleteSelectFilter, ChoicesDropdownFilter, FieldTextFilter
from unfold.decorators import action, display
from unfold.enums import ActionVariant

from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.dialogs import dialog_service_call
from apps.backoffice.exports import CsvExportMixin
from apps.backoffice.filters import DateRangeFilter
from apps.common.dates import age_on
from apps.kyc.admin.documents import document_view
from apps.kyc.admin.forms import ApproveDialogForm, RejectDialogForm, RevokeDialogForm
from apps.kyc.models import Submission, SubmissionStatus
from apps.kyc.selectors import (
    KYC_QUEUE_ORDERING,
    kyc_counts,
    kyc_document_accesses,
    kyc_documents_for_submission,
    kyc_submission_history,
)
from apps.kyc.services import kyc_submission_approve, kyc_submission_reject, kyc_submission_revoke
from apps.wallet.admin.base import ReadOnlyAdminMixin, short_date, user_link

STATUS_LABELS = {
    SubmissionStatus.PENDING: "warning",
    SubmissionStatus.APPROVED: "success",
    SubmissionStatus.REJECTED: "danger",
}
ACCESS_LOG_SHOWN = 50

APPROVE_DIALOG = {
    "title": _("Approve this submission?"),
    "description": _("The investor's identity becomes verified and they are told so."),
    "form_class": ApproveDialogForm,
    "form_submit_text": _("Approve"),
}
REJECT_DIALOG = {
    "title": _("Reject this submission?"),
    "description": _("The investor is told the reason and can send new documents."),
    "form_class": RejectDialogForm,
    "form_submit_text": _("Reject"),
}


REVOKE_DIALOG = {
    "title": _("Revoke this approval?"),
    "description": _(
        "The investor's identity is no longer verified: withdrawals stop, pending payouts are refused until "
        "rejected, and the investor is told the reason and can send new documents."
    ),
    "form_class": RevokeDialogForm,
    "form_submit_text": _("Revoke approval"),
}
DETAIL_ACTIONS_BY_STATUS = {
    SubmissionStatus.PENDING: ("approve_detail", "reject_detail"),
    SubmissionStatus.APPROVED: ("revoke_detail",),
}


def status_label(submission: Submission) -> str:
    return render_to_string(
        "unfold/helpers/label.html",
        {"text": submission.get_status_display(), "variant": STATUS_LABELS.get(submission.status, "default")},
    )


@admin.register(Submission)
class SubmissionAdmin(CsvExportMixin, ReadOnlyAdminMixin, ModelAdmin):
    # The list's columns: no ID number or date of birth (the review page shows those).
    export_columns = (
        "id",
        ("investor_email", "user__email"),
        "full_name",
        "id_type",
        "country",
        "status",
        "is_current",
        "submitted_at",
        ("reviewed_by_email", "reviewed_by__email"),
        "reviewed_at",
        "rejection_reason",
        "revoked_at",
    )
    list_display = (
        "id",
        "display_investor",
        "full_name",
        "id_type",
        "country",
        "display_status",
        "display_submitted",
        "display_waiting",
        "display_reviewed_by",
        "display_reviewed_at",
    )
    list_display_links = ("id", "full_name")
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("id_type", ChoicesDropdownFilter),
        ("country", FieldTextFilter),
        ("submitted_at", DateRangeFilter),
        ("reviewed_by", AutocompleteSelectFilter),
        ("user", AutocompleteSelectFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("user__email", "full_name", "=id_number")
    search_help_text = _("Investor email, full name or exact ID number")
    ordering = KYC_QUEUE_ORDERING
    fieldsets = (
        (_("Investor"), {"fields": ("display_investor", "display_current")}),
        (
            _("Identity"),
            {"fields": ("full_name", "display_date_of_birth", "country", "id_type", "id_number")},
        ),
        (
            _("Review"),
            {
                "fields": (
                    "display_status_label",
                    "submitted_at",
                    "display_waiting",
                    "reviewed_by",
                    "reviewed_at",
                    "rejection_reason",
                    "admin_note",
                    "revoked_by",
                    "revoked_at",
                )
            },
        ),
    )
    readonly_fields = (
        "display_investor",
        "display_current",
        "full_name",
        "display_date_of_birth",
        "country",
        "id_type",
        "id_number",
        "display_status_label",
        "submitted_at",
        "display_waiting",
        "reviewed_by",
        "reviewed_at",
        "rejection_reason",
        "admin_note",
        "revoked_by",
        "revoked_at",
    )
    list_before_template = "backoffice/kyc/queue_counts.html"
    change_form_template = "backoffice/kyc/submission_review.html"
    actions = None
    actions_detail = ("approve_detail", "reject_detail", "revoke_detail")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "reviewed_by")

    def get_urls(self):
        view = self.admin_site.admin_view(document_view, cacheable=True)
        return [path("document/<int:document_id>/", view, name="kyc_document_view"), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        context = {"kyc_counts": kyc_counts(), "now": timezone.now(), **(extra_context or {})}
        return super().changelist_view(request, context)

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._review_context(request, obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _review_context(self, request: HttpRequest, submission: Submission) -> dict:
        """The documents (for staff who may see them), the investor's submissions, and who looked
        at this submission's documents (for staff who may read the access log)."""
        user = request.user
        can_view_documents = user.has_perm("kyc.view_document")
        can_view_accesses = user.has_perm("kyc.view_documentaccess")
        accesses = kyc_document_accesses(submission_id=submission.pk)
        return {
            "can_view_documents": can_view_documents,
            "documents": list(kyc_documents_for_submission(submission_id=submission.pk)) if can_view_documents else [],
            "history": [
                {"submission": item, "label": status_label(item)}
                for item in kyc_submission_history(user=submission.user).select_related("reviewed_by")
            ],
            "can_view_accesses": can_view_accesses,
            "accesses": list(accesses[:ACCESS_LOG_SHOWN]) if can_view_accesses else [],
            "accesses_url": (
                f"{reverse('admin:kyc_documentaccess_changelist')}?document__submission__id={submission.pk}"
            ),
        }

    # --- permissions ----------------------------------------------------------------------------

    def has_review_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("kyc.review_submission")

    def has_review_detail_permission(self, request: HttpRequest, object_id=None) -> bool:
        return self.has_review_permission(request)

    def get_actions_detail(self, request: HttpRequest, object_id):
        """Approve and reject are offered on pending submissions, revoke on approved ones. (One
        reviewed meanwhile by someone else is still refused by the service, with a message.)"""
        target = self._detail_target(request, object_id)
        offered = DETAIL_ACTIONS_BY_STATUS.get(target.status, ()) if target is not None else ()
        return [action for action in super().get_actions_detail(request, object_id) if action.path in offered]

    def _detail_target(self, request: HttpRequest, object_id) -> Submission | None:
        """The submission a detail action is about, fetched once per request."""
        cache = request.__dict__.setdefault("_kyc_admin_targets", {})
        key = str(object_id)
        if key not in cache:
            cache[key] = self.get_object(request, unquote(key)) if object_id else None
        return cache[key]

    # --- columns ----------------------------------------------------------------------------------

    @display(description=_("Investor"), ordering="user__email")
    def display_investor(self, obj: Submission) -> str:
        return user_link(obj.user)

    @display(description=_("Status"), label=STATUS_LABELS, ordering="status")
    def display_status(self, obj: Submission):
        return obj.status, obj.get_status_display()

    @display(description=_("Status"))
    def display_status_label(self, obj: Submission) -> str:
        """The status as a label on the review page (``label=`` columns render only in lists)."""
        return status_label(obj)

    @display(description=_("Submitted"), ordering="submitted_at")
    def display_submitted(self, obj: Submission) -> str:
        return format_html('<span class="whitespace-nowrap">{}</span>', short_date(obj.submitted_at))

    @display(description=_("Waiting"))
    def display_waiting(self, obj: Submission) -> str:
        if obj.status != SubmissionStatus.PENDING:
            return "-"
        return format_html('<span class="whitespace-nowrap">{}</span>', timesince(obj.submitted_at, depth=2))

    @display(description=_("Reviewed by"), ordering="reviewed_by__email")
    def display_reviewed_by(self, obj: Submission) -> str:
        return obj.reviewed_by.email if obj.reviewed_by else "-"

    @display(description=_("Reviewed at"), ordering="reviewed_at")
    def display_reviewed_at(self, obj: Submission) -> str:
        return format_html('<span class="whitespace-nowrap">{}</span>', short_date(obj.reviewed_at))

    @display(description=_("Current"))
    def display_current(self, obj: Submission) -> str:
        if obj.is_current:
            return _("Yes: the investor's KYC status follows this submission.")
        return _("No: the investor has sent a newer submission.")

    @display(description=_("Date of birth"))
    def display_date_of_birth(self, obj: Submission) -> str:
        age = age_on(obj.date_of_birth, timezone.localdate())
        return _("%(date)s (age %(age)d)") % {"date": formats.date_format(obj.date_of_birth, "j M Y"), "age": age}

    # --- detail actions ---------------------------------------------------------------------------

    @action(
        description=_("Approve"),
        permissions=["review_detail"],
        icon="check_circle",
        variant=ActionVariant.SUCCESS,
        dialog=APPROVE_DIALOG,
    )
    def approve_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        note = form.cleaned_data["note"]
        return self._review(
            request,
            object_id,
            form,
            APPROVE_DIALOG,
            lambda submission: kyc_submission_approve(submission_id=submission.pk, actor=request.user, note=note),
            _("The submission was approved: the investor's identity is verified."),
        )

    @action(
        description=_("Reject"),
        permissions=["review_detail"],
        icon="cancel",
        variant=ActionVariant.DANGER,
        dialog=REJECT_DIALOG,
    )
    def reject_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        reason, note = form.cleaned_data["reason"], form.cleaned_data["admin_note"]
        return self._review(
            request,
            object_id,
            form,
            REJECT_DIALOG,
            lambda submission: kyc_submission_reject(
                submission_id=submission.pk, actor=request.user, reason=reason, note=note
            ),
            _("The submission was rejected: the investor was told the reason."),
        )

    @action(
        description=_("Revoke approval"),
        permissions=["review_detail"],
        icon="remove_moderator",
        variant=ActionVariant.DANGER,
        dialog=REVOKE_DIALOG,
    )
    def revoke_detail(self, request: HttpRequest, form, object_id) -> HttpResponse:
        reason, note = form.cleaned_data["reason"], form.cleaned_data["admin_note"]
        return self._review(
            request,
            object_id,
            form,
            REVOKE_DIALOG,
            lambda submission: kyc_submission_revoke(
                submission_id=submission.pk, actor=request.user, reason=reason, note=note
            ),
            _("The approval was revoked: the investor was told the reason."),
        )

    def _review(self, request: HttpRequest, object_id, form, dialog: dict, call, done) -> HttpResponse:
        """Run the service on the submission (see ``dialog_service_call``)."""
        target = self._detail_target(request, object_id)
        if target is None:
            raise PermissionDenied
        return dialog_service_call(
            self,
            request,
            form=form,
            dialog=dialog,
            call=lambda: call(target),
            done=done,
            redirect_url=reverse("admin:kyc_submission_change", args=(target.pk,)),
        )
