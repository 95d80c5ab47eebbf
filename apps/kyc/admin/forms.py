"""The dialogs of the review page. They check what is typed for display; the decision is the
service's (``kyc_submission_approve`` / ``kyc_submission_reject``), whose refusals on a field come
back to the dialog as errors on that field."""

from django import forms
from django.utils.translation import gettext_lazy as _
from unfold.forms import BaseDialogForm
from unfold.widgets import UnfoldAdminSelectWidget, UnfoldAdminTextareaWidget

from apps.kyc.models import RejectionReason


class ApproveDialogForm(BaseDialogForm):
    note = forms.CharField(
        label=_("Note to the investor"),
        required=False,
        help_text=_("Optional. Kept with the submission; the investor sees it."),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )


class RejectDialogForm(BaseDialogForm):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "---------"), *RejectionReason.choices],
        widget=UnfoldAdminSelectWidget,
    )
    admin_note = forms.CharField(
        label=_("Note to the investor"),
        required=False,
        help_text=_('What to correct. Required with "Other".'),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )


class RevokeDialogForm(RejectDialogForm):
    admin_note = forms.CharField(
        label=_("Note to the investor"),
        help_text=_("Why the verification is withdrawn. Required."),
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )
