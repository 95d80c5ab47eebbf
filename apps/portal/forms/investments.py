"""Investment forms of the portal. The amount is read by the wallet services' ``amount_clean``
(the same refusals as everywhere); the plan's limits, the balance and whether the risk
disclosure must be accepted are ``investment_quote``'s and ``investment_open``'s call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.common.errors import ApplicationError
from apps.investments.models import Plan
from apps.portal.forms.common import ServiceErrorFormMixin, ltr
from apps.portal.forms.wallet import AMOUNT_MAX_LENGTH, AmountFormMixin, _limits_help


class InvestAmountForm(AmountFormMixin, ServiceErrorFormMixin, forms.Form):
    """Step 1 (and the preview): how much. Sent with GET, so a preview changes nothing."""

    amount = forms.CharField(
        label=_("Amount to invest"),
        max_length=AMOUNT_MAX_LENGTH,
        widget=forms.TextInput(attrs=ltr(inputmode="decimal", autocomplete="off", placeholder="0.00")),
    )

    def __init__(self, *args, plan: Plan, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].help_text = _limits_help(plan.min_amount, plan.max_amount, currency)


class InvestConfirmForm(InvestAmountForm):
    """Step 2: the previewed amount and the terms' fingerprint (hidden inputs the page writes
    from the preview it shows), and the acceptance of the risk disclosure: a box shown only while
    the investor has not accepted the plan's current disclosure. Every refusal but the missing
    tick is about the whole confirmation (the amount is not editable here), so it is shown above
    the button."""

    terms_version = forms.CharField(max_length=64, widget=forms.HiddenInput)
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the terms and risks"),
        required=False,  # investment_open refuses without it when it is needed, with its own message
    )

    def add_service_error(self, error: ApplicationError) -> None:
        self.add_error("accept_terms" if error.field == "accept_terms" else None, error.message)

    def service_arguments(self) -> dict:
        # An unticked (or absent) box is not a refusal: it leaves it to an earlier acceptance.
        return {"amount": self.cleaned_data["amount"], "terms_accepted": self.cleaned_data["accept_terms"] or None}
