"""Form fields shared by the admin's forms."""

from django import forms
from django.core.exceptions import ValidationError

from apps.wallet.services.common import ASCII_WHITESPACE, amount_text_is_plain


class AmountField(forms.DecimalField):
    """A decimal typed as ASCII digits with one optional decimal point, as the API and the portal
    read amounts: "١٠٠", "１００", "१००" or "1e2" are "Enter a number.", not 100."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip(ASCII_WHITESPACE) and not amount_text_is_plain(value):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
