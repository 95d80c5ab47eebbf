"""Building blocks for API serializers: strict input (unknown keys refused, text that really is
text), money as a 2-decimal string, and the documented error body."""

import copy
import decimal
import functools
import re
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import Field, SkipField
from rest_framework.relations import PKOnlyObject

from apps.common.api.parsers import JsonNumber
from apps.common.api.paths import MAX_ID
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


class _TextOnlyMixin:
    """DRF turns ``123`` into ``"123"``; a number or a boolean where text belongs is an error.

    ``max_length`` bounds the text as sent, as the schema's ``maxLength`` says, not the text left
    once DRF has trimmed its whitespace: 101 characters of which the first is a space are refused
    by a field of 100, not accepted as 100."""

    def run_validation(self, data=serializers.empty):
        # Before DRF's own steps: a blank text (spaces only) never reaches to_internal_value.
        max_length = getattr(self, "max_length", None)
        if isinstance(data, str) and max_length is not None and len(data) > max_length:
            self.fail("max_length", max_length=max_length)
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(_TextOnlyMixin, serializers.CharField):
    pass


class StrictEmailField(_TextOnlyMixin, serializers.EmailField):
    default_error_messages = {"invalid": _("Enter a valid email address.")}


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false`` (not ``"yes"``, ``1`` or ``"true"``)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class IdField(serializers.IntegerField):
    """An id: a JSON integer (not a string, float or boolean)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, int) or isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


ASCII_WHITESPACE = " \t\r\n"


class ExactDecimalInputMixin:
    """A decimal in a request: a string of ASCII digits with one optional decimal point (and an
    optional leading minus, which the service refuses where it makes no sense), a JSON integer, or
    a JSON number read exactly from its text (``JsonNumber``). One reading for every form: the
    text of a JSON number goes through the same pattern as a string, so ``99.99`` and ``"99.99"``
    are one amount and ``99.999``, ``1e2`` or ``"1e2"`` are refused alike. Booleans are refused,
    and so are binary floats (only Python code can pass one; the JSON parser never makes them)."""

    plain_decimal = re.compile(r"-?[0-9]+(\.[0-9]+)?", re.ASCII)  # ASCII spaces around it are stripped

    def to_internal_value(self, data):
        if isinstance(data, float):
            self.fail("float")  # only Python code can pass one: our JSON parser never makes floats
        if isinstance(data, JsonNumber):
            data = data.text
        if isinstance(data, str) and not self.plain_decimal.fullmatch(data.strip(ASCII_WHITESPACE)):
            self.fail("format")
        if not isinstance(data, str | int) or isinstance(data, bool):
            self.fail("format")
        return super().to_internal_value(data)


@functools.cache
def _money_context(digits: int) -> decimal.Context:
    """DRF's quantize context (the default context with ``digits`` of precision), made once."""
    context = decimal.Context()
    context.prec = digits
    return context


class MoneyField(ExactDecimalInputMixin, serializers.DecimalField):
    """Money: a string with 2 decimals out; in, a string, a JSON integer or a JSON number, each
    read exactly (at most 2 decimals)."""

    default_error_messages = {
        "float": _("A binary float is not an exact amount."),
        "format": _('Send the amount as a number or a string such as "100.00" (digits, at most 2 decimals).'),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", MONEY_DECIMAL_PLACES)
        kwargs["coerce_to_string"] = True
        super().__init__(**kwargs)
        self._quantum = Decimal(1).scaleb(-self.decimal_places)

    def to_representation(self, value):
        # DRF's own steps (quantize in the default context with ``max_digits`` digits, then
        # ``{:f}``) without building the context and the quantum on every call; anything unusual
        # (None, not a Decimal, localized or normalized output) takes DRF's path.
        if (
            type(value) is not Decimal
            or self.max_digits is None
            or self.localize
            or self.normalize_output
            or not value.is_finite()
        ):
            return super().to_representation(value)
        context = _money_context(self.max_digits)
        return f"{value.quantize(self._quantum, rounding=self.rounding, context=context):f}"


class AmountField(MoneyField):
    """An amount in a request (see ``ExactDecimalInputMixin``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", 'A string such as "100.00", or a JSON number (read exactly); at most 2 decimals.'
        )
        super().__init__(**kwargs)


class OutputSerializer(serializers.Serializer):
    """A serializer that only renders: its fields are shallow copies of the declared ones.

    DRF deep-copies every declared field for every serializer it makes (a field's deep copy is a
    new field built from its arguments again): for the profile, most of the serializer's time. A
    field that only renders keeps nothing per request but what ``bind`` sets on it (its name, its
    parent), which a shallow copy gets on its own; fields that hold other fields (nested
    serializers, list and dict fields) are still deep-copied."""

    def get_fields(self):
        return {
            name: copy.deepcopy(field) if _holds_fields(field) else copy.copy(field)
            for name, field in self._declared_fields.items()
        }

    @property
    def _readable_fields(self):
        # DRF walks its fields again for every row of a list; the list's one child keeps them.
        readable = self.__dict__.get("_readable_list")
        if readable is None:
            readable = [field for field in self.fields.values() if not field.write_only]
            for field in readable:
                # DRF looks the current time zone up again for every date of every row; it cannot
                # change while one serializer renders.
                if isinstance(field, serializers.DateTimeField) and not hasattr(field, "timezone"):
                    field.timezone = field.default_timezone()
            self.__dict__["_readable_list"] = readable
        return readable

    @property
    def _plan(self) -> list[tuple[Field, str | None]]:
        """Per readable field, the one key or attribute it reads when DRF's reading of it comes to
        no more than that (a plain ``source``, no ``get_attribute`` of its own), else None."""
        plan = self.__dict__.get("_plan_list")
        if plan is None:
            plan = [(field, field.source_attrs[0] if _plain_source(field) else None) for field in self._readable_fields]
            self.__dict__["_plan_list"] = plan
        return plan

    def to_representation(self, instance):
        """DRF's, with a field's value read straight from the row (a dict item or an attribute)
        where that is all DRF would do; anything else (a missing key, a callable, an error) goes
        DRF's own way, so the output is DRF's (tests compare)."""
        represented = {}
        row = type(instance) is dict
        for field, key in self._plan:
            attribute = _read(instance, key, row) if key is not None else _UNREAD
            if attribute is _UNREAD:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
                if isinstance(attribute, PKOnlyObject):
                    represented[field.field_name] = None if attribute.pk is None else field.to_representation(attribute)
                    continue
            represented[field.field_name] = None if attribute is None else field.to_representation(attribute)
        return represented


_UNREAD = object()


def _plain_source(field) -> bool:
    return len(field.source_attrs) == 1 and type(field).get_attribute is Field.get_attribute


def _read(instance, key: str, row: bool):
    """``instance[key]`` (a dict row) or ``getattr(instance, key)``, or ``_UNREAD`` when DRF would
    have to do more than that (no such key or attribute, an error, a callable to call)."""
    try:
        value = instance[key] if row else getattr(instance, key)
    except Exception:  # DRF's own reading (below) raises the right error, or handles it
        return _UNREAD
    return _UNREAD if callable(value) else value


def _holds_fields(field) -> bool:
    return isinstance(field, serializers.BaseSerializer) or hasattr(field, "child") or hasattr(field, "child_relation")


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


class AliasedSerializer(StrictSerializer):
    """A serializer that also takes the original client's names for some fields, declared as
    ``aliases = {"admin_note": ("reason", "note")}`` (declare the alias fields too, for the
    schema). Before any field is validated, a value sent under an alias moves to the field's own
    name, so every rule of the field (required, blank, type, length) applies unchanged; the same
    value under two names is one value, different values are a 400 on the field. A field named in
    ``aliases_required`` is declared optional (the schema cannot say "this or its alias") and is
    required here, under any of its names."""

    aliases: dict[str, tuple[str, ...]] = {}
    aliases_required: tuple[str, ...] = ()

    def to_internal_value(self, data):
        missing = {}
        if isinstance(data, Mapping) and self.aliases:
            data = self._aliases_merge(data)
            required = ErrorDetail(str(serializers.Field.default_error_messages["required"]), code="required")
            missing = {name: [required] for name in self.aliases_required if name not in data}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**missing, **exc.detail}) from None
        if missing:
            raise serializers.ValidationError(missing)
        return value

    def _aliases_merge(self, data: Mapping) -> dict:
        data = dict(data)
        for name, others in self.aliases.items():
            values = [data.pop(key) for key in (name, *others) if key in data]
            if any(value != values[0] for value in values[1:]):
                raise serializers.ValidationError({name: [gettext("Sent twice with different values.")]})
            if values:
                data[name] = values[0]
        return data


def alias(attrs: dict, name: str, *others: str):
    """A field sent under its name or under the original client's names for it (``admin_note``
    as ``note`` or ``reason``): the names are removed from ``attrs`` and the one value returned.
    Sent under two names with different values is a 400 on ``name``; nothing is widened."""
    present = [value for value in (attrs.pop(key, None) for key in (name, *others)) if value not in (None, "")]
    if any(value != present[0] for value in present[1:]):
        raise serializers.ValidationError({name: [gettext("Sent twice with different values.")]})
    return present[0] if present else None


class ErrorSerializer(serializers.Serializer):
    """An error: `detail` and a stable `code`. A business error about one field also carries that
    field's key (`{"detail": "…", "code": "…", "email": ["…"]}`); plain validation errors are a
    field-error object (`{"email": ["…"]}`)."""

    detail = serializers.CharField(required=False)
    code = serializers.CharField(required=False)


class _ExactDecimalSchema(OpenApiSerializerFieldExtension):
    """In a request, a money or rate field is a decimal string (at least one digit) or a JSON
    number; in a response, always the string."""

    target_class = ExactDecimalInputMixin
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        places = self.target.decimal_places
        whole = self.target.max_digits - places
        schema["pattern"] = rf"^-?[0-9]{{1,{whole}}}(\.[0-9]{{1,{places}}})?$"
        if direction != "request":
            return schema
        number = {"type": "number", "description": f"Read exactly from its text; at most {places} decimals."}
        return {
            "oneOf": [schema, number],
            **({"description": schema["description"]} if "description" in schema else {}),
        }
