"""The staff dashboard's charts (unfold's Chart.js components): exact figures of every series per
business date over 30 and 90 days, on the history of ``dashboard_history`` built through the
services and jobs; what Chart.js is given (decimal strings, withdrawals below the axis); the
no-JavaScript table; ``?range=`` junk falls back to 30 days."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from apps.backoffice.selectors import (
    chart_days,
    chart_range_parse,
    growth_by_day,
    money_flows_by_day,
    payouts_by_day,
)
from tests.backoffice.dashboard_history import C_JOINED, DAY0, DAY1, DAY2, DAY3, TODAY, at, history_build

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def history(superuser, finance, settings, kyc_storage):
    return history_build(superuser=superuser, finance=finance)


def nonzero(family) -> dict:
    """``{key: {day: value}}`` of the days that are not zero."""
    return {
        key: {day: value for day, value in zip(family.days, values, strict=True) if value}
        for key, values in family.values.items()
    }


def test_the_days_of_a_range():
    assert chart_days(days=30, today=TODAY) == (TODAY - timedelta(days=29), TODAY)
    assert chart_days(days=90, today=TODAY) == (TODAY - timedelta(days=89), TODAY)


@pytest.mark.parametrize(
    ("value", "days"),
    [("30", 30), ("90", 90), (" 90 ", 90), (None, 30), ("", 30), ("abc", 30), ("7", 30), ("-90", 30),
     ("90.0", 30), ("1e3", 30), ("9" * 400, 30), ("٩٠", 90)],
)  # fmt: skip
def test_range_parse_falls_back_to_the_default(value, days):
    assert chart_range_parse(value) == days


def test_money_flows_over_30_days(history):
    since, through = chart_days(days=30, today=TODAY)
    family = money_flows_by_day(since=since, through=through)
    assert len(family.days) == 30
    assert (family.days[0], family.days[-1]) == (since, TODAY)
    assert nonzero(family) == {
        "deposits": {DAY0: D("12000.00"), DAY1: D("300.00")},  # C's 1,000.00 is older; 250.00 waits
        "withdrawals": {DAY1: D("500.00")},  # paid (fees apart); the rejected 100.00 and the waiting one are not
    }
    assert (family.total("deposits"), family.total("withdrawals")) == (D("12300.00"), D("500.00"))


def test_payouts_over_30_days(history):
    since, through = chart_days(days=30, today=TODAY)
    family = payouts_by_day(since=since, through=through)
    assert nonzero(family) == {
        # Daily: 50.00 (A) + 2.50 (C) each day; DAY2 adds Lump's 40.00 paid at maturity. Month's
        # at-maturity accruals are not paid yet.
        "returns": {DAY1: D("52.50"), DAY2: D("92.50"), DAY3: D("52.50")},
        "commissions": {DAY0: D("150.00")},  # 3 % of A's 5,000.00 to R
    }
    assert (family.total("returns"), family.total("commissions")) == (D("197.50"), D("150.00"))


def test_growth_over_30_and_90_days(history):
    since, through = chart_days(days=30, today=TODAY)
    family = growth_by_day(since=since, through=through)
    assert nonzero(family) == {"investors": {DAY0: 3}, "first_deposits": {DAY0: 2}}  # R, A, B; A and B
    since, through = chart_days(days=90, today=TODAY)
    family = growth_by_day(since=since, through=through)
    assert len(family.days) == 90
    assert nonzero(family) == {"investors": {C_JOINED: 1, DAY0: 3}, "first_deposits": {C_JOINED: 1, DAY0: 2}}
    assert (family.total("investors"), family.total("first_deposits")) == (4, 3)


def test_money_flows_over_90_days(history):
    since, through = chart_days(days=90, today=TODAY)
    family = money_flows_by_day(since=since, through=through)
    assert nonzero(family)["deposits"] == {C_JOINED: D("1000.00"), DAY0: D("12000.00"), DAY1: D("300.00")}


def test_only_the_series_asked_for_are_read(history, django_assert_num_queries):
    since, through = chart_days(days=30, today=TODAY)
    with django_assert_num_queries(1):
        family = payouts_by_day(since=since, through=through, keys=("commissions",))
    assert list(family.values) == ["commissions"]


def charts_of(response) -> dict:
    return {chart["id"]: chart for chart in response.context["charts"]["charts"]}


def test_what_chart_js_is_given(history, superuser, admin_client_for):
    with at(TODAY):
        response = admin_client_for(superuser).get("/admin/")
    assert response.status_code == 200
    charts = charts_of(response)
    assert list(charts) == ["chart-money", "chart-payouts", "chart-growth"]
    assert [charts[key]["kind"] for key in charts] == ["bar", "line", "line"]
    money = json.loads(charts["chart-money"]["data"])
    assert len(money["labels"]) == 30
    assert (money["labels"][0], money["labels"][-1]) == ("5 Feb", "6 Mar")
    deposits, withdrawals = money["datasets"]
    assert (deposits["label"], withdrawals["label"]) == ("Deposits credited", "Withdrawals paid")
    zeros = ["0.00"] * 30
    assert deposits["data"] == [*zeros[:25], "12000.00", "300.00", "0.00", "0.00", "0.00"]
    assert withdrawals["data"] == [*zeros[:26], "-500.00", "0.00", "0.00", "0.00"]  # below the axis
    payouts = json.loads(charts["chart-payouts"]["data"])
    assert [dataset["data"][25:] for dataset in payouts["datasets"]] == [
        ["0.00", "52.50", "92.50", "52.50", "0.00"],
        ["150.00", "0.00", "0.00", "0.00", "0.00"],
    ]
    growth = json.loads(charts["chart-growth"]["data"])
    assert [dataset["data"] for dataset in growth["datasets"]] == [
        [*[0] * 25, 3, 0, 0, 0, 0],
        [*[0] * 25, 2, 0, 0, 0, 0],
    ]
    assert {key: [(item["key"], item["total"]) for item in charts[key]["legend"]] for key in charts} == {
        "chart-money": [("deposits", "12,300.00 USD"), ("withdrawals", "500.00 USD")],
        "chart-payouts": [("returns", "197.50 USD"), ("commissions", "150.00 USD")],
        "chart-growth": [("investors", "3"), ("first_deposits", "2")],
    }
    # The canvases unfold's app.js draws, and the same figures as a table without JavaScript.
    assert response.text.count('class="chart"') == 3
    assert response.text.count('data-type="bar"') == 1
    assert response.text.count('data-type="line"') == 2
    assert charts["chart-payouts"]["rows"][26] == {"day": DAY1, "values": ["52.50", "0.00"]}
    assert charts["chart-money"]["rows"][25] == {"day": DAY0, "values": ["12,000.00", "0.00"]}
    assert "Business dates 5 Feb 2026 to 6 Mar 2026" in response.text


def test_the_90_day_range(history, superuser, admin_client_for):
    with at(TODAY):
        response = admin_client_for(superuser).get("/admin/", {"range": "90"})
    panel = response.context["charts"]
    assert (panel["days"], panel["since"]) == (90, TODAY - timedelta(days=89))
    assert [(option["days"], option["active"]) for option in panel["ranges"]] == [(30, False), (90, True)]
    assert [option["link"] for option in panel["ranges"]] == ["/admin/?range=30", "/admin/?range=90"]
    legend = {item["key"]: item["total"] for chart in panel["charts"] for item in chart["legend"]}
    assert legend == {
        "deposits": "13,300.00 USD",
        "withdrawals": "500.00 USD",
        "returns": "197.50 USD",
        "commissions": "150.00 USD",
        "investors": "4",
        "first_deposits": "3",
    }


@pytest.mark.parametrize("junk", ["abc", "-1", "0", "365", "90x", "", "%00", "30;DROP TABLE", "9" * 5000])
def test_range_junk_is_the_default_never_an_error(history, superuser, admin_client_for, junk):
    with at(TODAY):
        response = admin_client_for(superuser).get("/admin/", {"range": junk})
    assert response.status_code == 200
    assert response.context["charts"]["days"] == 30
    assert len(json.loads(response.context["charts"]["charts"][0]["data"])["labels"]) == 30


def test_a_repeated_range_takes_the_last(superuser, admin_client_for):
    response = admin_client_for(superuser).get("/admin/?range=abc&range=90")
    assert (response.status_code, response.context["charts"]["days"]) == (200, 90)


def test_an_empty_platform_draws_flat_charts(superuser, admin_client_for):
    response = admin_client_for(superuser).get("/admin/")
    charts = charts_of(response)
    assert json.loads(charts["chart-money"]["data"])["datasets"][0]["data"] == ["0.00"] * 30
    assert [item["total"] for item in charts["chart-growth"]["legend"]] == ["0", "0"]
