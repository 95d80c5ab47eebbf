"""Form fields of the runtime settings page (named in ``CONSTANCE_ADDITIONAL_FIELDS``; this module
must not import ``constance.forms``, which imports it)."""

import re

from django import forms
from django.core.exceptions import ValidationError

# ASCII digits with one optional decimal point (and a minus sign, refused later with its own
# message), as amounts are read everywhere else: no "١٠٠", "１００" or "1e2".
DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)


class RuntimeDecimalField(forms.DecimalField):
    def to_python(self, value):
        if isinstance(value, str) and value.strip(" ") and not DECIMAL_TEXT.fullmatch(value.strip(" ")):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
