"""Building blocks for API serializers: strict input (unknown keys refused, text that really is
text), money as a 2-decimal string, and the documented error body."""

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class _TextOnlyMixin:
    """DRF turns ``123`` into ``"123"``; a number or a boolean where text belongs is an error."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(_TextOnlyMixin, serializers.CharField):
    pass


class StrictEmailField(_TextOnlyMixin, serializers.EmailField):
    default_error_messages = {"invalid": _("Enter a valid email address.")}


class MoneyField(serializers.DecimalField):
    """Money: a string with 2 decimals out; a string (or an integer) in, never a float."""

    default_error_messages = {"float": _('Send amounts as a string, e.g. "100.00".')}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        kwargs["coerce_to_string"] = True
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, float | bool):
            self.fail("float")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Fields not listed here are refused with a 400 on that field."""

    # Silently dropping an undeclared key (``is_staff``, a typo) hides both attacks and client bugs.
    unknown_field_message = _("This field is not allowed.")
    unknown_field_code = "unknown_field"

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(key) for key in data if key not in writable)
            if unknown:
                detail = ErrorDetail(str(self.unknown_field_message), code=self.unknown_field_code)
                raise serializers.ValidationError({name: [detail] for name in unknown})
        return super().to_internal_value(data)


class ErrorSerializer(serializers.Serializer):
    """An error: `detail` and a stable `code`. A business error about one field also carries that
    field's key (`{"detail": "…", "code": "…", "email": ["…"]}`); plain validation errors are a
    field-error object (`{"email": ["…"]}`)."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)
