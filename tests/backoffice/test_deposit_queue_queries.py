"""Query-count guard of the admin's deposit queue (issue 13 §2, bench/api_read.py serves it under
load): the pending queue's first page costs the same exact number of queries for 3 or 30 deposits."""

import pytest

from apps.wallet.services.deposits import deposit_request_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/wallet/deposit/?status__exact=pending"
# The session, the user, their verified device, their own and their role's permissions, the group,
# the sidebar's badges (pending deposits, withdrawals, adjustments, task proofs, the jobs' state),
# the queue's count and its page: measured; a change is a regression or a deliberate new number.
QUEUE_QUERIES = 12


def test_the_pending_queue_costs_the_same_queries_for_3_or_30_deposits(
    finance, admin_client_for, django_assert_num_queries
):
    client = admin_client_for(finance)
    for _ in range(3):
        deposit_request_create(user=UserFactory(), amount="25.00")
    client.get(QUEUE)  # warm the caches (content types, runtime settings)

    with django_assert_num_queries(QUEUE_QUERIES):
        assert client.get(QUEUE).status_code == 200
    for _ in range(27):
        deposit_request_create(user=UserFactory(), amount="25.00")
    with django_assert_num_queries(QUEUE_QUERIES):
        assert client.get(QUEUE).status_code == 200
