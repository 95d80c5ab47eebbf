"""Strict input: undeclared keys refused by name, text that is text, money as 2-decimal strings."""

from decimal import Decimal

import pytest
from rest_framework import serializers

from apps.common.api.parsers import JsonNumber
from apps.common.api.serializers import MoneyField, StrictCharField, StrictEmailField, StrictSerializer


class Example(StrictSerializer):
    name = StrictCharField()
    email = StrictEmailField(required=False)
    amount = MoneyField(required=False)
    created = serializers.DateTimeField(read_only=True)


def errors_for(data) -> dict:
    serializer = Example(data=data)
    assert serializer.is_valid() is False
    return serializer.errors


def test_declared_fields_pass():
    serializer = Example(data={"name": " Nour ", "email": "n@example.com", "amount": "12.5"})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"name": "Nour", "email": "n@example.com", "amount": Decimal("12.50")}


def test_undeclared_and_read_only_keys_are_refused_by_name():
    errors = errors_for({"name": "Nour", "is_staff": True, "created": "2026-01-01T00:00:00Z"})

    assert errors == {"created": ["This field is not allowed."], "is_staff": ["This field is not allowed."]}
    assert errors["is_staff"][0].code == "unknown_field"


def test_the_message_and_code_can_be_overridden():
    class Profile(StrictSerializer):
        unknown_field_message = "This field cannot be changed."
        unknown_field_code = "field_not_editable"
        name = StrictCharField()

    serializer = Profile(data={"name": "x", "email": "x@example.com"})

    assert serializer.is_valid() is False
    assert serializer.errors == {"email": ["This field cannot be changed."]}
    assert serializer.errors["email"][0].code == "field_not_editable"


@pytest.mark.parametrize("value", [12, 1.5, True, ["Nour"], {"n": 1}])
def test_text_fields_refuse_anything_but_text(value):
    assert errors_for({"name": value}) == {"name": ["Not a valid string."]}


@pytest.mark.parametrize("value", [12, True, ["n@example.com"]])
def test_email_field_refuses_anything_but_text(value):
    assert errors_for({"name": "x", "email": value}) == {"email": ["Enter a valid email address."]}


class Bounded(StrictSerializer):
    name = StrictCharField(max_length=5, allow_blank=True)


@pytest.mark.parametrize("value", ["\u00a0abcde", " abcde ", "abcde\n", " " * 6, "\u00a0" * 9])
def test_max_length_bounds_the_text_as_sent_not_as_trimmed(value):
    # The schema's maxLength is about the string in the request; schemathesis sent 101
    # characters, the first a no-break space, to a field of 100 and saw it accepted.
    serializer = Bounded(data={"name": value})

    assert serializer.is_valid() is False
    assert serializer.errors == {"name": ["Ensure this field has no more than 5 characters."]}
    assert serializer.errors["name"][0].code == "max_length"


@pytest.mark.parametrize(("value", "kept"), [(" abc ", "abc"), ("abcde", "abcde"), ("     ", "")])
def test_text_within_max_length_is_still_trimmed(value, kept):
    serializer = Bounded(data={"name": value})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {"name": kept}


FORMAT = 'Send the amount as a number or a string such as "100.00" (digits, at most 2 decimals).'


@pytest.mark.parametrize("value", [1.5, 10.0])
def test_money_refuses_binary_floats_from_python(value):
    """The JSON parser never makes floats (numbers arrive as JsonNumber): only Python code could."""
    assert errors_for({"name": "x", "amount": value}) == {"amount": ["A binary float is not an exact amount."]}


@pytest.mark.parametrize("value", [True, False, {"v": 1}, [1]])
def test_money_refuses_booleans_and_other_types(value):
    assert errors_for({"name": "x", "amount": value}) == {"amount": [FORMAT]}


@pytest.mark.parametrize(
    ("text", "expected"), [("99.99", Decimal("99.99")), ("0.1", Decimal("0.10")), ("100", Decimal("100.00"))]
)
def test_money_reads_a_json_number_from_its_text(text, expected):
    serializer = Example(data={"name": "x", "amount": JsonNumber(text)})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["amount"] == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("99.999", "Ensure that there are no more than 2 decimal places."),
        ("1e2", FORMAT),
        ("1.5E1", FORMAT),
        ("-0.5e-1", FORMAT),
    ],
)
def test_money_refuses_a_json_number_as_it_would_its_string(text, message):
    assert errors_for({"name": "x", "amount": JsonNumber(text)}) == {"amount": [message]}
    assert errors_for({"name": "x", "amount": text}) == {"amount": [message]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", FORMAT),
        ("NaN", FORMAT),
        ("١٠٠", FORMAT),
        ("１００", FORMAT),
        ("1.234", "Ensure that there are no more than 2 decimal places."),
        ("1" * 19, "Ensure that there are no more than 18 digits before the decimal point."),
    ],
)
def test_money_refuses_bad_amounts(value, message):
    assert errors_for({"name": "x", "amount": value}) == {"amount": [message]}


@pytest.mark.parametrize(("value", "expected"), [("100", Decimal("100.00")), (7, Decimal("7.00"))])
def test_money_accepts_strings_and_integers(value, expected):
    serializer = Example(data={"name": "x", "amount": value})

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["amount"] == expected


@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("0"), "0.00"), (Decimal("1234.5"), "1234.50"), (Decimal("-3.1"), "-3.10")]
)
def test_money_is_written_as_a_string_with_two_decimals(value, text):
    assert MoneyField().to_representation(value) == text
