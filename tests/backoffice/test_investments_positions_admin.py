"""The positions admin: read-only for everyone; the list shows each position's frozen terms and the
returns paid so far (exact, after the real accrual job), filters and search work, and the list and
the page of a position cost the same number of queries however many rows they show."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.investments.models import Position
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db

POSITIONS = "/admin/investments/position/"
DAY0 = date(2026, 3, 2)


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("UTC")), tick=False)


def open_position(plan, amount: str, *, approver, email: str | None = None) -> Position:
    investor = UserFactory(**({"email": email} if email else {}))
    with at(DAY0):
        fund(investor, amount, approver=approver)
        return investment_open(user=investor, plan_id=plan.pk, amount=amount, terms_accepted=True)


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def change_url(position: Position) -> str:
    return reverse("admin:investments_position_change", args=(position.pk,))


@pytest.fixture
def plans(superuser):
    daily = make_plan(actor=superuser, min_amount="100.00")
    at_maturity = make_plan(
        actor=superuser,
        name="Saver",
        min_amount="100.00",
        daily_rate="1.0000",
        term_days=10,
        payout_schedule="at_maturity",
    )
    return daily, at_maturity


def test_list_shows_terms_status_and_exact_returns_paid(plans, superuser, finance, admin_client_for):
    daily, at_maturity = plans
    first = open_position(daily, "10000.00", approver=superuser, email="ann@example.com")
    second = open_position(at_maturity, "5000.00", approver=superuser, email="bob@example.com")
    with at(DAY0 + timedelta(days=3)):
        accrue_returns()
    response = admin_client_for(finance).get(POSITIONS)
    rows = {row.pk: row for row in response.context["cl"].result_list}
    # Daily: 3 days × 500.00 paid. At maturity: 3 days recorded, nothing paid before maturity.
    assert (rows[first.pk].returns_paid, rows[second.pk].returns_paid) == (Decimal("1500.00"), Decimal("0.00"))
    text = response.text
    assert "1,500.00 USD" in text
    assert "10,000.00 USD" in text
    assert "ann@example.com" in text
    assert "5 % / day" in text
    assert "1 % / day" in text
    assert "2 Mar 2026" in text  # bought on
    assert "1 May 2026" in text  # matures on: DAY0 + 60
    assert "Active" in text


def test_at_maturity_returns_count_as_paid_once_matured(plans, superuser, admin_client_for):
    from apps.investments.services.maturity import mature_investments

    _daily, at_maturity = plans
    position = open_position(at_maturity, "5000.00", approver=superuser)
    with at(DAY0 + timedelta(days=10)):
        accrue_returns()
        mature_investments()
    response = admin_client_for(superuser).get(POSITIONS)
    [row] = response.context["cl"].result_list
    assert (row.pk, row.status, row.returns_paid) == (position.pk, "matured", Decimal("500.00"))
    assert "Matured" in response.text


def test_filters_and_search(plans, superuser, admin_client_for):
    daily, at_maturity = plans
    first = open_position(daily, "10000.00", approver=superuser, email="ann@example.com")
    second = open_position(at_maturity, "5000.00", approver=superuser, email="bob@example.com")
    client = admin_client_for(superuser)

    def listed(query: str) -> list[int]:
        response = client.get(f"{POSITIONS}?{query}")
        assert response.status_code == 200, query
        return sorted(row.pk for row in response.context["cl"].result_list)

    assert listed("") == [first.pk, second.pk]
    assert listed(f"plan__id__exact={daily.pk}") == [first.pk]
    assert listed("payout_schedule__exact=at_maturity") == [second.pk]
    assert listed("status__exact=active") == [first.pk, second.pk]
    assert listed("status__exact=matured") == []
    assert listed("maturity_date_from=2026-03-01&maturity_date_to=2026-03-31") == [second.pk]  # DAY0 + 10
    assert listed("maturity_date_from=2026-04-01") == [first.pk]
    assert listed("q=bob@") == [second.pk]
    assert listed(f"q=%23{first.pk}") == [first.pk]
    assert listed(f"q={second.pk}") == [second.pk]
    assert listed("q=nobody") == []


def test_list_costs_the_same_queries_for_3_and_30_positions(plans, superuser, finance, admin_client_for):
    daily, at_maturity = plans
    for index in range(3):
        open_position(daily if index % 2 else at_maturity, "1000.00", approver=superuser)
    with at(DAY0 + timedelta(days=2)):
        accrue_returns()
    client = admin_client_for(finance)
    client.get(POSITIONS)  # warm the session and content types
    few = query_count(client, POSITIONS)
    for index in range(27):
        open_position(daily if index % 2 else at_maturity, "1000.00", approver=superuser)
    with at(DAY0 + timedelta(days=4)):
        accrue_returns()
    assert Position.objects.count() == 30
    assert query_count(client, POSITIONS) == few
    assert len(client.get(POSITIONS).context["cl"].result_list) == 30


def test_position_page_shows_frozen_terms_and_the_schedule(plans, superuser, finance, admin_client_for):
    daily, _ = plans
    position = open_position(daily, "10000.00", approver=superuser)
    with at(DAY0 + timedelta(days=2)):
        accrue_returns()
    daily.daily_rate = Decimal("1.0000")  # editing the plan later never changes the position
    daily.save(update_fields=["daily_rate"])
    response = admin_client_for(finance).get(change_url(position))
    assert response.status_code == 200
    schedule = response.context["schedule"]
    assert len(schedule.rows) == 60
    assert [(row.day, row.business_date, row.amount, row.paid) for row in schedule.rows[:3]] == [
        (1, DAY0 + timedelta(days=1), Decimal("500.00"), True),
        (2, DAY0 + timedelta(days=2), Decimal("500.00"), True),
        (3, DAY0 + timedelta(days=3), Decimal("500.00"), False),
    ]
    assert (schedule.paid, schedule.paid_days, schedule.unpaid, schedule.total) == (
        Decimal("1000.00"),
        2,
        Decimal("29000.00"),
        Decimal("30000.00"),
    )
    text = response.text
    entry_ids = [row.entry_id for row in schedule.rows[:2]]
    for entry_id in entry_ids:
        assert f'href="{reverse("admin:wallet_entry_change", args=(entry_id,))}"' in text
    labels = re.findall(r"uppercase[^>]*>\s*(paid|not yet)\s*<", text)
    assert labels == ["paid"] * 2 + ["not yet"] * 58
    assert 'id="position-schedule"' in text
    assert "5.0000" in text  # the frozen rate, not the plan's new one
    assert "1,000.00 USD" in text  # returns paid (and the schedule's paid total)
    assert "Copied from the plan at purchase" in text
    assert response.context["has_change_permission"] is False


def test_position_page_costs_the_same_queries_whatever_its_schedule(plans, superuser, admin_client_for):
    daily, at_maturity = plans
    short = open_position(at_maturity, "1000.00", approver=superuser)
    long = open_position(daily, "1000.00", approver=superuser)
    with at(DAY0 + timedelta(days=5)):
        accrue_returns()
    client = admin_client_for(superuser)
    client.get(change_url(short))
    assert query_count(client, change_url(short)) == query_count(client, change_url(long))


def test_positions_are_read_only_even_for_a_superuser(plans, superuser, admin_client_for, unchanged_db):
    position = open_position(plans[0], "1000.00", approver=superuser)
    client = admin_client_for(superuser)
    page = client.get(POSITIONS)
    assert page.context["has_add_permission"] is False
    assert page.context["cl"].model_admin.get_actions(page.wsgi_request) == {}
    with unchanged_db():
        assert client.get(f"{POSITIONS}add/").status_code == 403
        assert client.post(change_url(position), {"principal": "1.00", "status": "matured"}).status_code == 403
        delete = reverse("admin:investments_position_delete", args=(position.pk,))
        assert client.post(delete, {"post": "yes"}).status_code == 403


def test_support_cannot_see_positions(support, admin_client_for):
    assert admin_client_for(support).get(POSITIONS).status_code == 403
