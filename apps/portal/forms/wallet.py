"""Wallet forms of the portal. Amounts are read by the services' own ``amount_clean``, so a
refusal (not a number, 3 decimals, too large, zero, …) reads the same here and in the API;
limits, balance, KYC and duplicates are the services' call."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.common.errors import ApplicationError
from apps.portal.forms.common import ServiceErrorFormMixin, ltr
from apps.portal.templatetags.money import money_text
from apps.wallet.models import INVESTOR_KINDS, Deposit, EntryKind, RequestStatus, Withdrawal
from apps.wallet.selectors import REQUEST_KIND_LABELS, DepositTerms, WithdrawalTerms
from apps.wallet.services.common import amount_clean

AMOUNT_MAX_LENGTH = 32  # far more than any valid amount; the service says what is wrong with it


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _amount_field(help_text="") -> forms.CharField:
    return forms.CharField(
        label=_("Amount"),
        max_length=AMOUNT_MAX_LENGTH,
        help_text=help_text,
        widget=forms.TextInput(attrs=ltr(inputmode="decimal", autocomplete="off", placeholder="0.00")),
    )


def _limits_help(minimum: Decimal, maximum: Decimal, currency: str) -> str:
    values = {"minimum": money_text(minimum, currency), "maximum": money_text(maximum, currency)}
    return _("From %(minimum)s to %(maximum)s.") % values


def _code_field(label, model, name: str, *, required: bool, help_text="") -> forms.CharField:
    """Addresses and hashes: left to right, no spell checking or capitalising."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=_max_length(model, name),
        help_text=help_text,
        widget=forms.TextInput(attrs=ltr(autocomplete="off", autocapitalize="none", spellcheck="false")),
    )


class AmountFormMixin:
    """Reads the amount the way the services do, so that its error shows at once, even when
    another field is missing (the service checks it again, with the limits and the balance)."""

    def clean_amount(self) -> Decimal:
        try:
            return amount_clean(self.cleaned_data["amount"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class DepositForm(AmountFormMixin, ServiceErrorFormMixin, forms.Form):
    amount = _amount_field()
    method = forms.CharField(
        label=_("Network"),
        max_length=_max_length(Deposit, "method"),
        help_text=_("The network or method you sent the funds with."),
    )
    sender_address = _code_field(
        _("Your sending address"),
        Deposit,
        "sender_address",
        required=False,
        help_text=_("The address the funds come from."),
    )
    transaction_hash = _code_field(
        _("Transaction hash"),
        Deposit,
        "transaction_hash",
        required=False,
        help_text=_("The transaction ID of your transfer: it lets staff find and approve it faster."),
    )

    def __init__(self, *args, terms: DepositTerms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _limits_help(terms.minimum, terms.maximum, terms.currency)
        if terms.networks:  # a choice of the platform's active networks rather than free text
            choices = [("", _("Choose the network")), *((network, network) for network in terms.networks)]
            self.fields["method"] = forms.ChoiceField(
                label=self.fields["method"].label, help_text=self.fields["method"].help_text, choices=choices
            )

    def service_arguments(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("amount", "method", "sender_address", "transaction_hash")}


class WithdrawalForm(AmountFormMixin, ServiceErrorFormMixin, forms.Form):
    service_field_names = {"wallet_address": "address"}
    service_code_fields = {"insufficient_balance": "amount"}

    amount = _amount_field()
    address = _code_field(
        _("Destination address"),
        Withdrawal,
        "address",
        required=True,
        help_text=_("Your own wallet address. Check it twice: a payment sent to a wrong address cannot be undone."),
    )

    def __init__(self, *args, terms: WithdrawalTerms, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _limits_help(terms.minimum, terms.maximum, terms.currency)

    def service_arguments(self) -> dict:
        return {"amount": self.cleaned_data["amount"], "address": self.cleaned_data["address"]}


class _FilterForm(forms.Form):
    """A GET filter form: unbound fields are simply not filtered on."""

    use_required_attribute = False


def _all_choice(label, choices) -> list:
    return [("", label), *choices]


class RequestFilterForm(_FilterForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_all_choice(_("All statuses"), RequestStatus.choices)
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=_all_choice(_("Deposits and withdrawals"), REQUEST_KIND_LABELS.items())
    )

    def selector_arguments(self) -> dict:
        return {"status": self.cleaned_data["status"] or None, "kind": self.cleaned_data["kind"] or None}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=ltr(**(attrs or {})), format="%Y-%m-%d")


_ACCOUNT_CHOICES = [(kind.value, kind.label) for kind in INVESTOR_KINDS]


class StatementFilterForm(_FilterForm):
    account = forms.ChoiceField(label=_("Balance"), required=False, choices=_ACCOUNT_CHOICES)
    kind = forms.ChoiceField(
        label=_("Entry type"), required=False, choices=_all_choice(_("All entry types"), EntryKind.choices)
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def clean(self):
        cleaned_data = super().clean()
        date_from, date_to = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned_data

    def selector_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "account_kind": data["account"] or INVESTOR_KINDS[0].value,
            "entry_kind": data["kind"] or None,
            "date_from": data["date_from"],
            "date_to": data["date_to"],
        }

    def csv_filename(self, *, today: date) -> str:
        """``statement-available-2026-01-01-to-2026-01-31.csv``: the account and the date range."""
        data = self.cleaned_data
        start = data["date_from"].isoformat() if data["date_from"] else "start"
        end = (data["date_to"] or today).isoformat()
        return f"statement-{data['account'] or INVESTOR_KINDS[0].value}-{start}-to-{end}.csv"
