"""Forms of the money admin. They check input for display; every write is a service call, whose
refusal the admin shows as a message (or, on the adjustment form, as a form error)."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from unfold.forms import BaseDialogForm
from unfold.widgets import (
    UnfoldAdminDecimalFieldWidget,
    UnfoldAdminSingleDateWidget,
    UnfoldAdminTextareaWidget,
    UnfoldAdminTextInputWidget,
)

from apps.backoffice.fields import AmountField
from apps.wallet import selectors
from apps.wallet.models import Adjustment, DepositAddress, RequestStatus, Withdrawal

EXPORT_MAX_DAYS = 366


def _note_field(*, required: bool, label=None, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label or (_("Reason") if required else _("Note")),
        required=required,
        help_text=help_text,
        widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}),
    )


def _payout_hash_field(*, required: bool, label=None) -> forms.CharField:
    help_text = (
        _("The hash of the transaction that paid the investor.")
        if required
        else _("Optional for a first approval: the second approver pays out and enters the hash.")
    )
    return forms.CharField(
        label=label or _("Payout transaction hash"),
        required=required,
        max_length=200,
        help_text=help_text,
        widget=UnfoldAdminTextInputWidget,
    )


# --- bulk actions: the intermediate page -------------------------------------------------------


class ApproveForm(forms.Form):
    note = _note_field(required=False, help_text=_("Kept with each request; the investor may see it."))


class RejectForm(forms.Form):
    note = _note_field(required=True, help_text=_("Sent to the investor with each rejection."))


class AdjustmentRejectForm(forms.Form):
    note = _note_field(required=True, help_text=_("Recorded as the checker's note on each adjustment."))


def withdrawal_payout_field_name(withdrawal: Withdrawal) -> str:
    return f"payout_hash_{withdrawal.pk}"


def withdrawal_is_first_approval(withdrawal: Withdrawal) -> bool:
    """Approving this withdrawal now records a first approval (no payout yet)."""
    return withdrawal.needs_two_approvals and withdrawal.first_approved_by_id is None


class WithdrawalApproveForm(forms.Form):
    """One payout hash per selected pending withdrawal (required unless the approval is a first
    one), and one note for all."""

    def __init__(self, *args, withdrawals: list[Withdrawal], **kwargs):
        super().__init__(*args, **kwargs)
        for withdrawal in withdrawals:
            if withdrawal.status != RequestStatus.PENDING:
                continue
            label = _("Payout hash for #%(id)s (%(amount)s)") % {
                "id": withdrawal.pk,
                "amount": f"{withdrawal.amount:,.2f} {withdrawal.currency}",
            }
            self.fields[withdrawal_payout_field_name(withdrawal)] = _payout_hash_field(
                required=not withdrawal_is_first_approval(withdrawal), label=label
            )
        self.fields["note"] = _note_field(required=False)

    def payout_hash_for(self, withdrawal: Withdrawal) -> str:
        return self.cleaned_data.get(withdrawal_payout_field_name(withdrawal), "")


# --- detail actions: the dialogs of the change page ------------------------------------------------


class ApproveDialogForm(BaseDialogForm):
    note = _note_field(required=False, help_text=_("Kept with the request; the investor may see it."))


class RejectDialogForm(BaseDialogForm):
    note = _note_field(required=True, help_text=_("Sent to the investor with the rejection."))


class AdjustmentRejectDialogForm(BaseDialogForm):
    note = _note_field(required=True, help_text=_("Recorded as the checker's note."))


class WithdrawalApproveDialogForm(BaseDialogForm):
    """The payout hash is required for the approval that pays out; a first approval (of a
    withdrawal above the four-eyes threshold) pays nothing and needs none."""

    payout_hash = _payout_hash_field(required=True)
    note = _note_field(required=False)

    def __init__(self, request, object_id=None, *args, **kwargs):
        super().__init__(request, object_id, *args, **kwargs)
        withdrawal = selectors.withdrawal_get_for_staff(withdrawal_id=object_id)
        if withdrawal is not None and withdrawal_is_first_approval(withdrawal):
            self.fields["payout_hash"] = _payout_hash_field(required=False)


class ConfirmDialogForm(BaseDialogForm):
    """Nothing to fill in: the confirmation is the submit."""


# --- add and change forms ---------------------------------------------------------------------------


class AdjustmentCreateForm(forms.ModelForm):
    """The add form. Its save is ``services.adjustments.adjustment_create``, never ``form.save``."""

    amount = AmountField(
        label=_("Amount"),
        min_value=Decimal("0.01"),
        max_digits=20,
        decimal_places=2,
        widget=UnfoldAdminDecimalFieldWidget,
    )

    class Meta:
        model = Adjustment
        fields = ("user", "direction", "amount", "reason")


class DepositAddressForm(forms.ModelForm):
    """Networks are stored upper-case, so "trc20" and "TRC20" are one network."""

    class Meta:
        model = DepositAddress
        fields = ("network", "address", "label", "is_active")

    def clean_network(self) -> str:
        return (self.cleaned_data.get("network") or "").strip().upper()

    def clean_address(self) -> str:
        return (self.cleaned_data.get("address") or "").strip()


class LedgerExportForm(forms.Form):
    date_from = forms.DateField(label=_("From business date"), widget=UnfoldAdminSingleDateWidget)
    date_to = forms.DateField(label=_("To business date"), widget=UnfoldAdminSingleDateWidget)

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to:
            if date_to < date_from:
                raise ValidationError(_("The end date is before the start date."), code="reversed_range")
            if date_to - date_from >= timedelta(days=EXPORT_MAX_DAYS):
                raise ValidationError(
                    _("Export at most %(days)d days at a time.") % {"days": EXPORT_MAX_DAYS}, code="range_too_long"
                )
        return cleaned
