"""Query-count guards of the API reads that issue 13 §2 made fast (django_assert_num_queries): the
activity list's first page and a filtered page are the user behind the token and the page with
its count (one query), however long the history; the profile is the user and the balances."""

import pytest

from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_request_create
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db

LIST = "/api/transactions/"
PROFILE = "/api/users/profile/"


def _more_activity(investor, staff, rounds: int) -> None:
    for _ in range(rounds):
        fund(investor, "100.00", approver=staff)
        adjustment_create(user_id=investor.pk, amount="1.00", direction="credit", reason="r", maker=staff)
        deposit_request_create(user=investor, amount="20.00")


@pytest.mark.parametrize("query", ["", "?type=deposit", "?status=completed&page_size=5"])
def test_the_activity_page_costs_two_queries_for_a_short_or_long_history(
    investor, staff, django_assert_num_queries, query
):
    client = api_for(investor)
    _more_activity(investor, staff, 1)
    client.get(LIST + query)  # the process's first time: the SQL is compiled here
    with django_assert_num_queries(2):  # the user behind the token, the page with its count
        assert client.get(LIST + query).status_code == 200

    _more_activity(investor, staff, 12)

    with django_assert_num_queries(2):
        response = client.get(LIST + query)
    assert response.status_code == 200
    assert response.json()["count"] >= 12


def test_the_profile_costs_two_queries(investor, staff, django_assert_num_queries):
    client = api_for(investor)
    with django_assert_num_queries(2):  # the user behind the token, the balances
        assert client.get(PROFILE).status_code == 200
    _more_activity(investor, staff, 3)
    with django_assert_num_queries(2):
        assert client.get(PROFILE).status_code == 200
