"""``OutputSerializer`` renders exactly what DRF's ``Serializer`` renders with the same fields
(its fast reading of plain fields, and the time zone looked up once per serializer)."""

import datetime
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from django.utils.functional import lazy
from rest_framework import serializers

from apps.common.api.serializers import MoneyField, OutputSerializer

pytestmark = pytest.mark.django_db


def declared():
    return {
        "id": serializers.IntegerField(source="row_id"),
        "amount": MoneyField(source="row_amount", allow_null=True),
        "note": serializers.CharField(),
        "when": serializers.DateTimeField(),
        "day": serializers.DateField(required=False),
        "label": serializers.CharField(default="none given"),
        "optional": serializers.CharField(required=False),
        "double": serializers.SerializerMethodField(),
        "deep": serializers.CharField(source="inner.name", required=False),
        "called": serializers.CharField(source="shout", required=False),
    }


def get_double(self, instance):
    value = instance["row_id"] if isinstance(instance, dict) else instance.row_id
    return value * 2


Drf = type("Drf", (serializers.Serializer,), {**declared(), "get_double": get_double})
Ours = type("Ours", (OutputSerializer,), {**declared(), "get_double": get_double})

WHEN = datetime.datetime(2026, 3, 29, 0, 30, 15, 123456, tzinfo=datetime.UTC)
ROWS = [
    {"row_id": 1, "row_amount": Decimal("10.5"), "note": "a", "when": WHEN, "day": datetime.date(2026, 1, 2)},
    {"row_id": 2, "row_amount": None, "note": None, "when": None, "label": "given", "optional": ""},
    {"row_id": 3, "row_amount": Decimal("0"), "note": "c", "when": WHEN, "inner": {"name": "nested"}},
    {"row_id": 4, "row_amount": Decimal("1"), "note": "d", "when": WHEN, "shout": lambda: "called!"},
]


def objects():
    return [
        SimpleNamespace(**{key: value for key, value in row.items() if key != "inner"}, inner=SimpleNamespace(name="n"))
        for row in ROWS
    ]


@pytest.mark.parametrize("make", [lambda: ROWS, objects], ids=["dict rows", "objects"])
@pytest.mark.parametrize("zone", [None, "Asia/Riyadh"])
def test_the_output_is_drfs(make, zone):
    if zone:
        timezone.activate(zoneinfo.ZoneInfo(zone))
    try:
        ours = Ours(make(), many=True).data
        theirs = Drf(make(), many=True).data
        one = Ours(make()[0]).data, Drf(make()[0]).data
    finally:
        timezone.deactivate()

    assert ours == theirs
    assert one[0] == one[1]
    assert [list(row) for row in ours] == [list(row) for row in theirs]  # same keys, same order
    if zone:
        assert ours[0]["when"] == "2026-03-29T03:30:15.123456+03:00"
    else:
        assert ours[0]["when"] == "2026-03-29T00:30:15.123456Z"


def test_a_missing_required_value_fails_as_in_drf():
    row = {"row_id": 1, "row_amount": Decimal("1"), "when": WHEN}  # no "note"

    with pytest.raises(KeyError) as ours:
        _ = Ours(row).data
    with pytest.raises(KeyError) as theirs:
        _ = Drf(row).data

    assert str(ours.value).replace("`Ours`", "`Drf`") == str(theirs.value)


class _Shouting(serializers.CharField):
    def to_representation(self, value):
        return str(value).upper()


class _Dated(serializers.DateTimeField):
    def enforce_timezone(self, value):
        return value.replace(tzinfo=None)


def kinds():
    """Fields of each kind rows are made of, and subclasses that change how they render."""
    return {
        "text": serializers.CharField(),
        "email": serializers.EmailField(),
        "shout": _Shouting(),
        "number": serializers.IntegerField(),
        "when": serializers.DateTimeField(),
        "fixed": serializers.DateTimeField(default_timezone=zoneinfo.ZoneInfo("America/New_York")),
        "plain": serializers.DateTimeField(format="%Y-%m-%d %H:%M"),
        "raw": serializers.DateTimeField(format=None),
        "dated": _Dated(),
    }


DrfKinds = type("DrfKinds", (serializers.Serializer,), kinds())
OurKinds = type("OurKinds", (OutputSerializer,), kinds())
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
AWARE = [
    WHEN,
    datetime.datetime(2026, 7, 1, 12, 0, tzinfo=BERLIN),
    datetime.datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))),
    datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.UTC),
]
VALUES = [
    *AWARE,
    datetime.datetime(2026, 10, 25, 2, 30),  # naive (and ambiguous in Berlin)
    "2026-01-01T00:00:00Z",  # a string is passed through
    timezone.localtime(WHEN, BERLIN),
]


@pytest.mark.parametrize("zone", [None, "Asia/Kolkata", "Europe/Berlin"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_each_kind_of_field_renders_as_in_drf(zone, value):
    row = {
        "text": value if isinstance(value, str) else 12,
        "email": lazy(lambda: "lazy text", str)() if zone else "a@b.example",
        "shout": "quiet",
        "number": True if zone else Decimal("7"),
        "when": value,
        "fixed": value,
        "plain": value,
        "raw": value,
        "dated": value,
    }
    if zone:
        timezone.activate(zoneinfo.ZoneInfo(zone))
    try:
        ours, theirs = (
            outcome(lambda: OurKinds([row], many=True).data),
            outcome(lambda: DrfKinds([row], many=True).data),
        )
    finally:
        timezone.deactivate()

    assert ours == theirs
    if isinstance(ours, list):
        assert [type(item) for item in ours[0].values()] == [type(item) for item in theirs[0].values()]


def render_both(rows) -> tuple:
    return outcome(lambda: OurKinds(rows, many=True).data), outcome(lambda: DrfKinds(rows, many=True).data)


def outcome(render):
    """The rendered rows, or the error's class and text (a naive date-time in a gap, an overflow)."""
    try:
        return [dict(row) for row in render()]
    except Exception as error:  # compared, both ways
        return type(error).__name__, str(error)


def test_an_overflowing_date_time_fails_as_in_drf():
    row = {name: "x" for name in kinds()} | {
        "number": 1,
        "fixed": datetime.datetime(1, 1, 1, 0, 0, tzinfo=datetime.UTC),
    }

    ours, theirs = outcome(lambda: OurKinds([row], many=True).data), outcome(lambda: DrfKinds([row], many=True).data)

    assert ours == theirs
    assert ours[0] == "ValidationError"
