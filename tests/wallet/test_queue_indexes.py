"""PostgreSQL only: each request queue's admin ordering (pending first, then newest) is served by
its index (``models.queue_index``), so a queue's first page never sorts the whole table (P3)."""

import pytest
from django.db import connection, transaction

from apps.wallet.admin.base import QUEUE_ORDERING
from apps.wallet.models import Adjustment, Deposit, Withdrawal

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("model", "index"),
    [
        (Deposit, "wallet_deposit_queue"),
        (Withdrawal, "wallet_withdrawal_queue"),
        (Adjustment, "wallet_adjustment_queue"),
    ],
)
def test_the_queue_ordering_is_an_index_scan(model, index):
    page = model.objects.order_by(*QUEUE_ORDERING)[:50]
    with transaction.atomic(), connection.cursor() as cursor:
        # An empty test table is cheapest to sort: forbid sorting, so only a matching index can
        # give the order (a plan with a Sort node would mean the index no longer matches).
        cursor.execute("SET LOCAL enable_sort = off")
        plan = page.explain()
    assert index in plan, plan
    assert "Sort" not in plan, plan
