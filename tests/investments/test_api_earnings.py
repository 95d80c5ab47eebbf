"""``transactions/earnings/<id>/``: an ``earning`` row of ``transactions/`` (one a day, every
position's return of that date credited together) opened into the positions that earned it, as
the portal's statement line opens; nobody else's, and no other kind of row."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from tests.factories import UserFactory
from tests.investments.api_helpers import DAY0, at, get_at
from tests.investments.helpers import make_plan
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db
D = Decimal
DAY2 = DAY0 + timedelta(days=2)
NOT_FOUND = {"detail": "No such earning.", "code": "not_found"}


def url(transaction_id) -> str:
    return f"/api/transactions/earnings/{transaction_id}/"


@pytest.fixture
def earning_rows(investor, staff):
    """Two positions of 100.00 and 250.00 at 1 % a day, and a plan paid at maturity (accrues, pays
    nothing daily), two days accrued: the investor's two `earning` rows of 3.50, newest first."""
    with at(DAY0):
        fund(investor, "1000.00", approver=staff)
        steady = make_plan(actor=staff, name="Steady", min_amount="100.00", daily_rate=D("1.0000"))
        later = make_plan(
            actor=staff, name="Later", min_amount="100.00", daily_rate=D("1.0000"), payout_schedule="at_maturity"
        )
        positions = [
            investment_open(user=investor, plan_id=steady.pk, amount=amount, terms_accepted=True)
            for amount in ("100.00", "250.00")
        ]
        investment_open(user=investor, plan_id=later.pk, amount="300.00", terms_accepted=True)
    with at(DAY2):
        accrue_returns()
    rows = get_at(DAY2, investor, "/api/transactions/", data={"type": "earning"}).json()["results"]
    return positions, rows


def test_an_earning_row_opens_into_the_positions_that_earned_it(investor, earning_rows):
    (first, second), rows = earning_rows
    assert [(row["amount"], row["created_at"][:10]) for row in rows] == [("3.50", "2026-03-04")] * 2

    bodies = [get_at(DAY2, investor, url(row["id"])).json() for row in rows]

    assert bodies == [
        {
            "id": row["id"],
            "business_date": day,
            "amount": "3.50",
            "positions": [
                {"position_id": first.pk, "pack_name": "Steady", "amount": "1.00"},
                {"position_id": second.pk, "pack_name": "Steady", "amount": "2.50"},
            ],
        }
        for row, day in zip(rows, ["2026-03-04", "2026-03-03"], strict=True)
    ]


def test_it_costs_the_same_few_queries_whatever_the_number_of_positions(investor, earning_rows):
    _positions, rows = earning_rows
    with at(DAY2):
        api = api_for(investor)
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url(rows[0]["id"])).status_code == 200
    # the user, the posting with its entry, the accruals with their plan
    assert len(queries.captured_queries) == 3


def test_another_investor_s_earning_and_other_rows_are_not_found(investor, earning_rows):
    _positions, rows = earning_rows
    other = UserFactory()
    deposit_posting = next(
        row["id"] for row in get_at(DAY2, investor, "/api/transactions/", data={"type": "investment"}).json()["results"]
    )

    for user, transaction_id in ((other, rows[0]["id"]), (investor, deposit_posting), (investor, 2**63 - 1)):
        response = get_at(DAY2, user, url(transaction_id))
        assert (response.status_code, response.json()) == (404, NOT_FOUND), (user, transaction_id)


@pytest.mark.parametrize("transaction_id", ["abc", "0", "-1", "1.5", "%C2%B2"])
def test_a_bad_id_is_a_400_on_the_field(investor, transaction_id):
    response = get_at(DAY2, investor, url(transaction_id))

    assert response.status_code == 400
    assert response.json() == {"transaction_id": ["The id in the path must be a positive integer."]}


def test_it_needs_a_token(api_client):
    assert api_client.get(url(1)).status_code == 401
