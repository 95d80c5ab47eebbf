"""The activity list's count and page in one query (issue 13 §2): the pagination hints the page's
window, and ``ActivityRows.count()`` reads the rows with the count. Same count and rows as the two
separate queries for every filter and window; a page past the last is still a 404 (the count
query then runs after all), an empty list still counts 0, ``page=last`` still counts first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.common.prepared import PREPARE_THRESHOLD
from apps.wallet.selectors import transaction_list_for_user, transaction_rows_for_user
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import activity_of_every_kind

pytestmark = pytest.mark.django_db

LIST = "/api/transactions/"
HISTORY = "/api/transactions/history/"
FILTERS = (
    {},
    {"transaction_type": "deposit"},
    {"transaction_type": "adjustment"},
    {"status": "pending"},
    {"status": "completed"},
    {"transaction_type": "withdrawal", "status": "cancelled"},
    {"transaction_type": "reward", "status": "rejected"},  # no row can match: no query at all
)
# (start, stop): first pages, a middle one, one the last row ends, one past the last row.
WINDOWS = ((0, 5), (5, 10), (15, 20), (0, 20), (0, 100), (18, 23), (40, 45))


@pytest.fixture
def activity(investor, staff):
    """Eighteen rows of every kind and status, another investor's beside them."""
    return activity_of_every_kind(investor, staff, rounds=3)


def _read_hinted(rows, start: int, stop: int) -> tuple[int, list[dict]]:
    """As the paginator reads them: the count, then the window cut at the count."""
    rows.window_hint(start, stop)
    count = rows.count()
    return count, rows[start : min(stop, count)]


@pytest.mark.parametrize("filters", FILTERS)
def test_the_combined_query_gives_the_count_and_rows_of_the_two(activity, filters):
    everything = list(transaction_list_for_user(user=activity, **filters))
    for start, stop in WINDOWS:
        plain = transaction_rows_for_user(user=activity, **filters)
        expected = (plain.count(), plain[start : min(stop, plain.count())])

        hinted = _read_hinted(transaction_rows_for_user(user=activity, **filters), start, stop)

        assert hinted == expected, (filters, start, stop)
        assert hinted == (len(everything), everything[start:stop]), (filters, start, stop)


def test_a_hinted_window_costs_one_query_unless_it_is_past_the_last_row(activity, django_assert_num_queries):
    rows = transaction_rows_for_user(user=activity)
    _read_hinted(rows, 0, 5)  # the process's first time: the SQL is compiled here
    for start, stop, queries in ((0, 5, 1), (15, 20, 1), (0, 100, 1), (18, 23, 2), (40, 45, 2)):
        with django_assert_num_queries(queries):
            count, page = _read_hinted(transaction_rows_for_user(user=activity), start, stop)
        assert (count, len(page)) == (18, max(0, min(stop, 18) - start)), (start, stop)


def test_the_combined_query_is_the_page_with_the_bare_count_beside_it(activity):
    with CaptureQueriesContext(connection) as plain:
        transaction_rows_for_user(user=activity).count()
    with CaptureQueriesContext(connection) as combined:
        _read_hinted(transaction_rows_for_user(user=activity), 0, 5)

    count_sql = plain[0]["sql"]
    assert count_sql.startswith("SELECT COUNT(*) FROM (")
    bare = count_sql.removeprefix("SELECT COUNT(*) FROM (").removesuffix(") subquery")
    assert "row_" not in bare
    assert "balance_after" not in bare
    assert len(combined) == 1
    assert f"(SELECT COUNT(*) FROM ({bare}) prepared_count)" in combined[0]["sql"]


def test_without_a_hint_the_count_and_the_page_are_two_queries(activity, django_assert_num_queries):
    rows = transaction_rows_for_user(user=activity)
    with django_assert_num_queries(2):
        assert rows.count() == 18
        assert len(rows[0:5]) == 5


def test_windows_no_database_integer_holds_are_not_hinted(activity, django_assert_num_queries):
    rows = transaction_rows_for_user(user=activity)
    rows.window_hint(2**40, 2**40 + 20)
    with django_assert_num_queries(1):
        assert rows.count() == 18


@pytest.mark.parametrize("query", ["", "?page=", "?page=1", "?page=2&page_size=5", "?type=deposit&page=2&page_size=4"])
def test_a_numbered_page_costs_two_queries(activity, query):
    client = api_for(activity)
    client.get(LIST + query)  # the process's first time: the SQL is compiled here

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST + query)

    assert response.status_code == 200
    # The user behind the token; the page with the count beside it.
    assert len(queries) == 2, [query["sql"] for query in queries]
    assert "prepared_count" in queries[1]["sql"]


def test_page_last_counts_first_and_gives_the_last_page(activity):
    client = api_for(activity)

    with CaptureQueriesContext(connection) as queries:
        last = client.get(LIST + "?page=last&page_size=5")

    assert last.status_code == 200
    assert len(queries) == 3  # the user, the count, the page
    assert queries[1]["sql"].startswith("SELECT COUNT(*)")
    assert last.json() == client.get(LIST + "?page=4&page_size=5").json()
    assert len(last.json()["results"]) == 3


def test_a_page_past_the_last_is_still_a_404(activity):
    client = api_for(activity)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST + "?page=5&page_size=5")

    assert response.status_code == 404
    assert len(queries) == 3  # the user, the empty page (no count beside it), the count
    for page in ("7", "99999999999999999999"):
        assert client.get(f"{LIST}?page={page}&page_size=5").status_code == 404


def test_an_empty_list_still_counts_zero_in_two_queries(investor):
    client = api_for(investor)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)

    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}
    assert len(queries) == 2
    assert client.get(LIST + "?page=2").status_code == 404


@pytest.mark.parametrize("query", ["", "type=deposit", "status=pending", "type=adjustment&status=completed"])
def test_the_pages_put_together_are_the_history(activity, query):
    client = api_for(activity)
    history = client.get(f"{HISTORY}?{query}").json()

    pages, page = [], 1
    while True:
        body = client.get(f"{LIST}?{query}&page={page}&page_size=4").json()
        assert body["count"] == len(history)
        pages += body["results"]
        if body["next"] is None:
            break
        page += 1

    assert history
    assert pages == history


@pytest.mark.postgres
def test_the_combined_query_is_prepared_on_the_server_and_stays_right(activity):
    """Past ``PREPARE_THRESHOLD`` runs psycopg prepares the statement (``user_id`` is bound twice,
    in the count and in the page): the prepared runs give the same count and rows."""
    expected = (18, list(transaction_list_for_user(user=activity))[5:10])

    for _ in range(PREPARE_THRESHOLD + 3):
        assert _read_hinted(transaction_rows_for_user(user=activity), 5, 10) == expected

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%prepared_count)%"])
        assert cursor.fetchone()[0] == 1
