"""Filters that no row can match (a status the type never has: a reward is never rejected) give an
empty list, never a server error (found by schemathesis on ``transactions/history/``)."""

import pytest

from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["status=rejected&type=reward", "status=pending&type=earning"])
def test_a_filter_no_row_can_match_is_an_empty_answer(investor_api, investor, staff, query):
    fund(investor, "10.00", approver=staff)
    history = investor_api.get(f"/api/transactions/history/?{query}")
    assert (history.status_code, history.json()) == (200, [])
    page = investor_api.get(f"/api/transactions/?{query}")
    assert page.status_code == 200
    assert (page.json()["count"], page.json()["results"]) == (0, [])
