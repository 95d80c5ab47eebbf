"""Idempotency-Key on the money-moving POSTs: a replay returns the stored response and does
nothing again; a reused key with another body or endpoint is a 409; races never 500."""

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connections

from apps.common.errors import ConflictError
from apps.wallet.models import Adjustment, Deposit, Entry, IdempotencyRecord, Withdrawal
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.idempotency import (
    IN_PROGRESS,
    idempotency_begin,
    idempotency_finish,
    idempotency_request_hash,
)
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import StaffFactory, UserFactory
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
DEPOSIT = "/api/transactions/deposit/"
WITHDRAW = "/api/transactions/withdraw/"
CANCEL = "/api/transactions/cancel/"
APPROVE = "/api/admin/transactions/approve/"
REJECT = "/api/admin/transactions/reject/"
ADJUST = "/api/admin/users/adjust-balance/"
KEY = "3f1c9a2e-key"
REUSED = {
    "detail": "This Idempotency-Key was already used for a different request.",
    "code": "idempotency_key_reused",
}
IN_USE = {
    "detail": "A request with this Idempotency-Key is still being processed; retry shortly.",
    "code": "idempotency_in_progress",
}


def post(client, path, body, key=KEY):
    return client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.fixture
def funded(investor, staff):
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    return investor


def test_a_replayed_deposit_returns_the_first_response_and_creates_nothing(investor_api, investor, unchanged_db):
    body = {"amount": "250.00", "transaction_hash": "0xabc"}
    first = post(investor_api, DEPOSIT, body)

    with unchanged_db():
        replay = post(investor_api, DEPOSIT, dict(reversed(body.items())))  # key order does not matter

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Deposit.objects.count() == 1
    record = IdempotencyRecord.objects.get()
    assert (record.user, record.key, record.scope, record.response_status, record.response_body) == (
        investor,
        KEY,
        "transactions/deposit",
        201,
        first.json(),
    )


def test_a_replayed_withdrawal_holds_the_funds_once(funded, unchanged_db):
    client = api_for(funded)
    body = {"amount": "300.00", "wallet_address": "TDest"}
    first = post(client, WITHDRAW, body)

    with unchanged_db():
        replays = [post(client, WITHDRAW, body) for _ in range(3)]

    assert [r.status_code for r in replays] == [201, 201, 201]
    assert all(r.json() == first.json() for r in replays)
    assert Withdrawal.objects.count() == 1
    assert balances(funded) == (D("700.00"), D("300.00"), D("0.00"))
    assert_ledger_ok()


def test_the_same_key_with_another_body_or_endpoint_is_refused(funded, unchanged_db):
    client = api_for(funded)
    post(client, WITHDRAW, {"amount": "300.00", "wallet_address": "TDest"})

    with unchanged_db():
        other_amount = post(client, WITHDRAW, {"amount": "300.01", "wallet_address": "TDest"})
        number_not_string = post(client, WITHDRAW, {"amount": 300, "wallet_address": "TDest"})
        other_endpoint = post(client, DEPOSIT, {"amount": "300.00", "wallet_address": "TDest"})

    for response in (other_amount, number_not_string, other_endpoint):
        assert response.status_code == 409
        assert response.json() == REUSED
    assert balances(funded) == (D("700.00"), D("300.00"), D("0.00"))


def test_keys_belong_to_their_user(funded, staff):
    other = UserFactory()
    kyc_approve(other)
    fund(other, "500.00", approver=staff)
    body = {"amount": "100.00", "wallet_address": "TDest"}

    mine = post(api_for(funded), WITHDRAW, body)
    theirs = post(api_for(other), WITHDRAW, body)

    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["id"] != theirs.json()["id"]
    assert balances(funded)[0] == D("900.00")
    assert balances(other)[0] == D("400.00")
    assert IdempotencyRecord.objects.filter(key=KEY).count() == 2


def test_a_business_refusal_is_stored_and_replayed(investor, staff, unchanged_db):
    kyc_approve(investor)
    client = api_for(investor)
    body = {"amount": "100.00", "wallet_address": "TDest"}
    refused = post(client, WITHDRAW, body)
    fund(investor, "1000.00", approver=staff)

    with unchanged_db():
        replay = post(client, WITHDRAW, body)
    fresh = post(client, WITHDRAW, body, key="another-key")

    assert refused.status_code == replay.status_code == 400
    assert (
        replay.json()
        == refused.json()
        == {
            "detail": "Not enough funds: available balance is 0.00.",
            "code": "insufficient_balance",
        }
    )
    assert fresh.status_code == 201
    assert balances(investor) == (D("900.00"), D("100.00"), D("0.00"))


def test_invalid_input_is_not_stored(funded):
    client = api_for(funded)

    invalid = post(client, WITHDRAW, {"amount": 100.555, "wallet_address": "TDest"})
    valid = post(client, WITHDRAW, {"amount": "100.50", "wallet_address": "TDest"})

    assert (invalid.status_code, valid.status_code) == (400, 201)
    assert IdempotencyRecord.objects.get().response_status == 201


def test_a_conflict_is_replayed_as_it_was(staff_api, investor, unchanged_db):
    deposit = deposit_request_create(user=investor, amount="50.00")
    first = post(staff_api, APPROVE, {"transaction_id": deposit.pk})
    staff_api.post(APPROVE, {"transaction_id": deposit.pk}, format="json")  # no key: 409

    with unchanged_db():
        replay = post(staff_api, APPROVE, {"transaction_id": deposit.pk})

    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json() == first.json()
    assert Entry.objects.filter(natural_key=f"deposit:{deposit.pk}").count() == 1
    assert balances(investor)[0] == D("50.00")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (CANCEL, "cancel"),
        (REJECT, "reject"),
        (ADJUST, "adjust"),
    ],
)
def test_every_money_moving_post_replays(superuser, funded, path, body, unchanged_db):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="T")
    client = api_for(funded if path == CANCEL else superuser)
    body = {
        "cancel": {"transaction_id": withdrawal.pk},
        "reject": {"transaction_id": withdrawal.pk, "admin_note": "no"},
        "adjust": {"user_id": funded.pk, "amount": "10.00", "direction": "credit", "reason": "r"},
    }[body]
    first = post(client, path, body)

    with unchanged_db():
        replay = post(client, path, body)

    assert first.status_code in (200, 201)
    assert (replay.status_code, replay.json()) == (first.status_code, first.json())
    assert_ledger_ok()


def test_a_replayed_adjustment_posts_once(staff_api, funded):
    body = {"user_id": funded.pk, "amount": "10.00", "direction": "credit", "reason": "r"}

    responses = [post(staff_api, ADJUST, body) for _ in range(3)]

    assert {r.status_code for r in responses} == {201}
    assert Adjustment.objects.count() == 1
    assert balances(funded)[0] == D("1010.00")


@pytest.mark.parametrize("key", ["", "   ", "k" * 201, " " + "k" * 200, "\t" * 201])
def test_a_bad_key_is_refused(investor_api, unchanged_db, key):
    with unchanged_db():
        response = post(investor_api, DEPOSIT, {"amount": "20.00"}, key=key)

    assert response.status_code == 400
    message = "The Idempotency-Key header must have 1 to 200 characters."
    assert response.json() == {"detail": message, "code": "idempotency_key_invalid", "Idempotency-Key": [message]}


def test_the_longest_key_works(investor_api):
    assert post(investor_api, DEPOSIT, {"amount": "20.00"}, key="k" * 200).status_code == 201


def test_a_key_still_in_progress_is_a_409(investor_api, investor, unchanged_db):
    body = {"amount": "20.00"}
    IdempotencyRecord.objects.create(
        user=investor,
        key=KEY,
        scope="transactions/deposit",
        request_hash=idempotency_request_hash(scope="transactions/deposit", body=body),
        response_status=IN_PROGRESS,
        response_body={},
    )

    with unchanged_db():
        response = post(investor_api, DEPOSIT, body)

    assert response.status_code == 409
    assert response.json() == IN_USE


def test_an_unexpected_failure_gives_the_key_back(investor_api, investor):
    body = {"amount": "20.00"}
    with (
        mock.patch("apps.wallet.services.deposits.deposit_request_create", side_effect=RuntimeError("boom")),
        pytest.raises(RuntimeError),
    ):
        post(investor_api, DEPOSIT, body)
    assert not IdempotencyRecord.objects.exists()

    retry = post(investor_api, DEPOSIT, body)

    assert retry.status_code == 201
    assert Deposit.objects.count() == 1


def test_requests_without_a_key_are_not_recorded(investor_api):
    investor_api.post(DEPOSIT, {"amount": "20.00"}, format="json")
    investor_api.post(DEPOSIT, {"amount": "20.00"}, format="json")

    assert Deposit.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


# --- The storage services ----------------------------------------------------------------------


def test_the_loser_of_the_reservation_replays_or_waits(investor):
    digest = idempotency_request_hash(scope="s", body={"a": 1})
    assert idempotency_begin(user=investor, key="k", scope="s", request_hash=digest) is None

    with pytest.raises(ConflictError) as in_progress:
        idempotency_begin(user=investor, key="k", scope="s", request_hash=digest)
    with pytest.raises(ConflictError) as reused:
        idempotency_begin(user=investor, key="k", scope="other", request_hash=digest)
    idempotency_finish(user=investor, key="k", status=201, body={"id": 7})
    replayed = idempotency_begin(user=investor, key="k", scope="s", request_hash=digest)

    assert in_progress.value.code == "idempotency_in_progress"
    assert reused.value.code == "idempotency_key_reused"
    assert (replayed.response_status, replayed.response_body) == (201, {"id": 7})


def test_the_request_hash_is_canonical():
    one = idempotency_request_hash(scope="s", body={"a": "1", "b": [1, 2]})

    assert one == idempotency_request_hash(scope="s", body={"b": [1, 2], "a": "1"})
    assert one != idempotency_request_hash(scope="t", body={"a": "1", "b": [1, 2]})
    assert one != idempotency_request_hash(scope="s", body={"a": 1, "b": [1, 2]})


# --- Real races (PostgreSQL) -------------------------------------------------------------------


def _together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_identical_requests_racing_move_money_once():
    staff, investor = StaffFactory(), UserFactory()
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    clients = [api_for(investor) for _ in range(16)]
    body = {"amount": "300.00", "wallet_address": "TDest"}

    responses = _together(16, lambda i: post(clients[i], WITHDRAW, body))

    statuses = sorted(response.status_code for response in responses)
    created = [r for r in responses if r.status_code == 201]
    assert set(statuses) <= {201, 409}
    assert all(r.json() == created[0].json() for r in created)
    assert all(r.json() == IN_USE for r in responses if r.status_code == 409)
    assert Withdrawal.objects.count() == 1
    assert balances(investor) == (D("700.00"), D("300.00"), D("0.00"))
    assert post(clients[0], WITHDRAW, body).json() == created[0].json()
    assert_ledger_ok()
