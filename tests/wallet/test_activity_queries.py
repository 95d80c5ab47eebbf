"""The activity read path (``transactions/``): a fixed number of queries, a count over the bare
tables that matches the rows, and pages read from each kind's newest rows that are the same rows
as the full list's."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.wallet.selectors import (
    TRANSACTION_STATUSES,
    TRANSACTION_TYPES,
    transaction_count_for_user,
    transaction_list_for_user,
    transaction_rows_for_user,
)
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import activity_of_every_kind

pytestmark = pytest.mark.django_db

LIST = "/api/transactions/"


@pytest.fixture
def activity(investor, staff):
    """Twelve rows of every kind and status, another investor's beside them."""
    return activity_of_every_kind(investor, staff, rounds=2)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 2),
        ("?page=2&page_size=5", 2),
        ("?page=last&page_size=5", 3),  # the last page's number needs the count first
        ("?type=deposit", 2),
        ("?status=completed", 2),
    ],
)
def test_a_page_costs_two_queries_and_its_count_reads_no_row_columns(activity, query, expected):
    client = api_for(activity)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST + query)

    assert response.status_code == 200
    # The user behind the token, then the page with its count beside it (``last``: the count, the page).
    assert len(queries) == expected, [query["sql"] for query in queries]
    count_sql = queries[1]["sql"]
    if expected == 2:
        count_sql = count_sql.partition("(SELECT COUNT(*) FROM (")[2].partition(") prepared_count)")[0]
    else:
        assert count_sql.startswith("SELECT COUNT(*)")
    assert count_sql
    assert "balance_after" not in count_sql
    assert "row_" not in count_sql


def test_the_count_is_the_number_of_rows_for_every_filter(activity):
    for transaction_type, status in itertools.product((None, *TRANSACTION_TYPES), (None, *TRANSACTION_STATUSES)):
        filters = {"user": activity, "transaction_type": transaction_type, "status": status}

        rows = list(transaction_list_for_user(**filters))

        assert transaction_count_for_user(**filters) == len(rows), filters
        assert transaction_rows_for_user(**filters).count() == len(rows), filters


def test_the_newest_rows_are_the_head_of_the_full_list(activity):
    everything = list(transaction_list_for_user(user=activity))
    assert len(everything) == 12

    for newest in (1, 2, 3, 5, 11, 12, 13):
        assert list(transaction_list_for_user(user=activity, newest=newest)[:newest]) == everything[:newest]
    rows = transaction_rows_for_user(user=activity)
    for start, stop in ((0, 5), (5, 10), (10, 15), (2, 3)):
        assert list(rows[start:stop]) == everything[start:stop]


def test_filtered_pages_are_the_filtered_list(activity):
    for filters in ({"transaction_type": "deposit"}, {"status": "pending"}, {"status": "completed"}):
        everything = list(transaction_list_for_user(user=activity, **filters))
        rows = transaction_rows_for_user(user=activity, **filters)

        assert everything
        assert list(rows[0:2]) == everything[0:2]
        assert list(rows[1:3]) == everything[1:3]


def test_an_investor_without_activity_has_an_empty_first_page(investor):
    rows = transaction_rows_for_user(user=investor)

    assert rows.count() == 0
    assert list(rows[0:0]) == []
    assert list(rows[0:20]) == []
    assert list(transaction_list_for_user(user=investor, newest=0)) == []


def test_activity_rows_take_only_a_bounded_slice(investor):
    rows = transaction_rows_for_user(user=investor)

    for key in (0, slice(0, None), slice(0, 10, 2)):
        with pytest.raises(TypeError):
            rows[key]
