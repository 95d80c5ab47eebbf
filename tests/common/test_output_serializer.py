"""``OutputSerializer`` renders exactly what DRF's ``Serializer`` renders with the same fields
(its fast reading of plain fields, and the time zone looked up once per serializer)."""

import datetime
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
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
