"""The statement shows one "returns" line per day, whatever the number of positions, and the line
opens into the positions it paid, each with its own amount (one more query per page)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from tests.investments.helpers import make_plan
from tests.portal.conftest import HEADER_QUERIES
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db
D = Decimal
DAY0 = date(2026, 3, 2)


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("UTC")), tick=False)


@pytest.fixture
def two_positions(investor, staff):
    with at(DAY0):
        fund(investor, "1000.00", approver=staff)
        plan = make_plan(actor=staff, name="Steady", min_amount="100.00", daily_rate=D("1.0000"))
        positions = [
            investment_open(user=investor, plan_id=plan.pk, amount=amount, terms_accepted=True)
            for amount in ("100.00", "250.00")
        ]
    with at(DAY0 + timedelta(days=2)):
        accrue_returns()
    return positions


def test_one_returns_line_per_day_opens_into_its_positions(client, investor, two_positions):
    first, second = two_positions
    client.force_login(investor)
    with at(DAY0 + timedelta(days=2)):
        response = client.get(reverse("portal:wallet_statement"), {"kind": "return"})
    rows = response.context["page"].object_list
    assert [(row.entry.business_date, row.amount) for row in rows] == [
        (date(2026, 3, 4), D("3.50")),
        (date(2026, 3, 3), D("3.50")),
    ]
    assert [[(line.position_id, line.amount) for line in row.position_returns] for row in rows] == [
        [(first.pk, D("1.00")), (second.pk, D("2.50"))]
    ] * 2
    html = response.content.decode()
    assert html.count('<details class="position-returns">') == 2
    assert html.count("<summary>2 positions</summary>") == 2
    link = reverse("portal:investment", args=[second.pk])
    assert (
        f'<li><a href="{link}"><bdi>Steady</bdi> <bdi>#{second.pk}</bdi></a> <span class="amount">2.50 USD</span></li>'
        in html
    )


def test_the_breakdown_costs_one_query_per_page(client, investor, two_positions):
    client.force_login(investor)
    with at(DAY0 + timedelta(days=2)), CaptureQueriesContext(connection) as queries:
        client.get(reverse("portal:wallet_statement"))
    # session, user, count, page, the positions behind the page's returns lines; the header
    assert len(queries.captured_queries) == 5 + HEADER_QUERIES
