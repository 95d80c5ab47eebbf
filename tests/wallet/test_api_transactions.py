"""The investor's reads: activity list (requests + ledger movements, running balances, filters,
pagination, constant query count), deposit addresses, dashboard stats, profile balances."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.wallet.models import Adjustment, Deposit, Posting, Withdrawal
from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_address_save, deposit_reject, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_cancel, withdrawal_request_create
from tests.factories import UserFactory
from tests.wallet.api_helpers import api_for, iso
from tests.wallet.helpers import fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
LIST = "/api/transactions/"
HISTORY = "/api/transactions/history/"
ADDRESSES = "/api/transactions/deposit-address/"
STATS = "/api/users/stats/"
PROFILE = "/api/users/profile/"


def deposit_row(deposit: Deposit, balance_after: str | None) -> dict:
    deposit.refresh_from_db()
    return {
        "id": deposit.pk,
        "user": deposit.user_id,
        "type": "deposit",
        "direction": "credit",
        "amount": f"{deposit.amount:.2f}",
        "fee": "0.00",
        "status": deposit.status,
        "balance_after": balance_after,
        "wallet_address": deposit.sender_address,
        "transaction_hash": deposit.transaction_hash,
        "admin_note": deposit.admin_note,
        "reference": f"deposit:{deposit.pk}",
        "created_at": iso(deposit.created_at),
        "updated_at": iso(deposit.updated_at),
    }


def withdrawal_row(withdrawal: Withdrawal, balance_after: str) -> dict:
    withdrawal.refresh_from_db()
    return {
        "id": withdrawal.pk,
        "user": withdrawal.user_id,
        "type": "withdrawal",
        "direction": "debit",
        "amount": f"{withdrawal.amount:.2f}",
        "fee": f"{withdrawal.fee:.2f}",
        "status": withdrawal.status,
        "balance_after": balance_after,
        "wallet_address": withdrawal.address,
        "transaction_hash": withdrawal.payout_hash,
        "admin_note": withdrawal.admin_note,
        "reference": f"withdrawal:{withdrawal.pk}",
        "created_at": iso(withdrawal.created_at),
        "updated_at": iso(withdrawal.updated_at),
    }


def adjustment_row(adjustment: Adjustment, balance_after: str) -> dict:
    posting = Posting.objects.get(entry=adjustment.entry, account__owner=adjustment.user)
    return {
        "id": posting.pk,
        "user": adjustment.user_id,
        "type": "adjustment",
        "direction": adjustment.direction,
        "amount": f"{adjustment.amount:.2f}",
        "fee": "0.00",
        "status": "completed",
        "balance_after": balance_after,
        "wallet_address": "",
        "transaction_hash": "",
        "admin_note": adjustment.reason,
        "reference": f"adjustment:{adjustment.pk}",
        "created_at": iso(adjustment.entry.created_at),
        "updated_at": iso(adjustment.entry.created_at),
    }


@pytest.fixture
def history(investor, staff):
    """Six rows, oldest first: approved deposit 1000, adjustment credit 25.50, pending withdrawal 300
    (fee 0), rejected deposit 40, adjustment debit 5.25, cancelled withdrawal 100, pending deposit 60."""
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    approved = Deposit.objects.get(user=investor)
    credit = adjustment_create(user_id=investor.pk, amount="25.50", direction="credit", reason="goodwill", maker=staff)
    pending_withdrawal = withdrawal_request_create(user=investor, amount="300.00", address="TDest1")
    rejected = deposit_request_create(user=investor, amount="40.00", transaction_hash="0xr")
    deposit_reject(deposit_id=rejected.pk, actor=staff, note="never arrived")
    debit = adjustment_create(user_id=investor.pk, amount="5.25", direction="debit", reason="bank fee", maker=staff)
    cancelled = withdrawal_request_create(user=investor, amount="100.00", address="TDest2")
    withdrawal_cancel(withdrawal_id=cancelled.pk, user=investor)
    pending_deposit = deposit_request_create(user=investor, amount="60.00", sender_address="TFrom")
    # Someone else's activity never shows.
    other = UserFactory()
    fund(other, "500.00", approver=staff)
    adjustment_create(user_id=other.pk, amount="1.00", direction="credit", reason="x", maker=staff)
    return [
        deposit_row(pending_deposit, None),
        withdrawal_row(cancelled, "620.25"),
        adjustment_row(debit, "720.25"),
        deposit_row(rejected, None),
        withdrawal_row(pending_withdrawal, "725.50"),
        adjustment_row(credit, "1025.50"),
        deposit_row(approved, "1000.00"),
    ]


def test_activity_lists_requests_and_movements_newest_first(investor, history):
    client = api_for(investor)

    response = client.get(LIST)

    assert response.status_code == 200
    assert response.json() == {"count": 7, "next": None, "previous": None, "results": history}
    assert client.get(HISTORY).json() == history  # the original's form: a plain array
    profile = client.get(PROFILE).json()
    assert (profile["balance"], profile["balance_held"], profile["balance_invested"]) == ("720.25", "300.00", "0.00")


@pytest.mark.parametrize(
    ("query", "indexes"),
    [
        ("type=deposit", [0, 3, 6]),
        ("type=withdrawal", [1, 4]),
        ("type=adjustment", [2, 5]),
        ("type=earning", []),
        ("status=pending", [0, 4]),
        ("status=completed", [2, 5]),
        ("status=approved", [6]),
        ("status=cancelled", [1]),
        ("type=deposit&status=rejected", [3]),
        ("type=adjustment&status=pending", []),
        ("type=withdrawal&status=completed", []),
    ],
)
def test_activity_filters(investor, history, query, indexes):
    response = api_for(investor).get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert response.json()["results"] == [history[i] for i in indexes]
    assert response.json()["count"] == len(indexes)


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("type=return", {"type": ['"return" is not a valid choice.']}),
        ("status=done", {"status": ['"done" is not a valid choice.']}),
    ],
)
def test_activity_refuses_unknown_filters(investor_api, query, errors):
    response = investor_api.get(f"{LIST}?{query}")

    assert response.status_code == 400
    assert response.json() == errors


def test_empty_filters_mean_no_filter(investor, history):
    response = api_for(investor).get(f"{LIST}?type=&status=")

    assert response.json()["results"] == history


def test_activity_pagination(investor, history):
    client = api_for(investor)

    first = client.get(f"{LIST}?page_size=3").json()
    last = client.get(f"{LIST}?page_size=3&page=3").json()

    assert first == {
        "count": 7,
        "next": "http://testserver/api/transactions/?page=2&page_size=3",
        "previous": None,
        "results": history[:3],
    }
    assert last == {
        "count": 7,
        "next": None,
        "previous": "http://testserver/api/transactions/?page=2&page_size=3",
        "results": history[6:],
    }
    assert client.get(f"{LIST}?page=4&page_size=3").status_code == 404


def _activity(investor, staff, rows: int) -> None:
    """``rows`` rows of every kind: deposits (approved or pending), adjustments and withdrawals."""
    kyc_approve(investor)
    for index in range(rows):
        match index % 4:
            case 0:
                fund(investor, "100.00", approver=staff)
            case 1:
                adjustment_create(user_id=investor.pk, amount="1.00", direction="credit", reason="r", maker=staff)
            case 2:
                withdrawal_request_create(user=investor, amount="10.00", address="T")
            case 3:
                deposit_request_create(user=investor, amount="20.00")


@pytest.mark.parametrize("rows", [3, 20])
def test_activity_page_costs_the_same_queries_for_3_or_20_rows(investor, staff, rows):
    _activity(investor, staff, rows)
    client = api_for(investor)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)

    assert response.json()["count"] == rows
    assert len(response.json()["results"]) == rows
    # The user behind the token, the page with its count beside it.
    assert len(queries) == 2, [query["sql"] for query in queries]


def test_anonymous_reads_are_refused(api_client):
    for path in (LIST, HISTORY, ADDRESSES, STATS):
        response = api_client.get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"


def test_a_new_investor_has_no_activity(investor_api):
    assert investor_api.get(LIST).json() == {"count": 0, "next": None, "previous": None, "results": []}


# --- Deposit addresses -------------------------------------------------------------------------


def test_deposit_addresses_are_the_active_ones(investor_api):
    deposit_address_save(network="trc20", address="TPlatform1")
    deposit_address_save(network="BTC", address="bc1platform")
    deposit_address_save(network="ERC20", address="0xOld", is_active=False)

    response = investor_api.get(ADDRESSES)

    assert response.status_code == 200
    assert response.json() == [
        {"address": "bc1platform", "network": "BTC"},
        {"address": "TPlatform1", "network": "TRC20"},
    ]


# --- Stats -------------------------------------------------------------------------------------


def test_stats_of_a_new_investor(investor_api):
    assert investor_api.get(STATS).json() == {
        "total_balance": "0.00",
        "active_investments": 0,
        "total_earnings": "0.00",
        "total_referrals": 0,
        "pending_withdrawals": 0,
        "pending_withdrawals_amount": "0.00",
        "recent_activities": [],
    }


def test_stats_sum_balances_referrals_and_pending_withdrawals(investor, staff, history, runtime_config):
    runtime_config(WITHDRAWAL_FEE_FIXED=D("2.00"))
    withdrawal_request_create(user=investor, amount="19.99", address="T")  # 21.99 leaves available
    UserFactory(referred_by=investor)
    UserFactory(referred_by=investor)
    UserFactory(referred_by=UserFactory())

    response = api_for(investor).get(STATS)

    assert response.status_code == 200
    body = response.json()
    newest = Withdrawal.objects.filter(user=investor).latest("id")
    assert body == {
        # available 698.26 + held 321.99 (300 + 19.99 + 2.00 fee)
        "total_balance": "1020.25",
        "active_investments": 0,
        "total_earnings": "0.00",
        "total_referrals": 2,
        # two pending withdrawals (history's 300.00 and this one): a count, then their amounts' sum
        "pending_withdrawals": 2,
        "pending_withdrawals_amount": "319.99",
        "recent_activities": [
            {
                "action": "Withdrawal",
                "type": "withdrawal",
                "direction": "debit",
                "amount": "19.99",
                "status": "pending",
                "created_at": iso(newest.created_at),
            },
            *[
                {
                    "action": {"deposit": "Deposit", "withdrawal": "Withdrawal", "adjustment": "Adjustment"}[
                        row["type"]
                    ],
                    "type": row["type"],
                    "direction": row["direction"],
                    "amount": row["amount"],
                    "status": row["status"],
                    "created_at": row["created_at"],
                }
                for row in history
            ],
        ],
    }


def test_stats_show_the_ten_latest_activities(investor, staff):
    _activity(investor, staff, 12)

    activities = api_for(investor).get(STATS).json()["recent_activities"]

    assert len(activities) == 10
    assert [a["amount"] for a in activities] == ["20.00", "10.00", "1.00", "100.00"] * 2 + ["20.00", "10.00"]
