"""The investor's money requests through the API: deposit, withdraw, cancel. Exact amounts and
balances; every refusal is a clear 400/404/409 and changes nothing."""

from decimal import Decimal

import pytest

from apps.wallet.models import Deposit, RequestStatus, Withdrawal
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import UserFactory
from tests.wallet.api_helpers import api_for, iso
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
DEPOSIT = "/api/transactions/deposit/"
WITHDRAW = "/api/transactions/withdraw/"
CANCEL = "/api/transactions/cancel/"
PROFILE = "/api/users/profile/"

FORMAT = ['Send the amount as a number or a string such as "100.00" (digits, at most 2 decimals).']
PLACES = ["Ensure that there are no more than 2 decimal places."]


def business(message: str, code: str, field: str | None = None) -> dict:
    body = {"detail": message, "code": code}
    if field:
        body[field] = [message]
    return body


def request_row(request, *, balance_after=None, **overrides) -> dict:
    """The activity row the API shows for a deposit or withdrawal."""
    request.refresh_from_db()
    is_deposit = isinstance(request, Deposit)
    row = {
        "id": request.pk,
        "user": request.user_id,
        "type": "deposit" if is_deposit else "withdrawal",
        "direction": "credit" if is_deposit else "debit",
        "amount": f"{request.amount:.2f}",
        "fee": "0.00" if is_deposit else f"{request.fee:.2f}",
        "status": request.status,
        "balance_after": balance_after,
        "wallet_address": request.sender_address if is_deposit else request.address,
        "transaction_hash": request.transaction_hash if is_deposit else request.payout_hash,
        "admin_note": request.admin_note,
        "reference": f"{'deposit' if is_deposit else 'withdrawal'}:{request.pk}",
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
    }
    row.update(overrides)
    return row


@pytest.fixture
def funded(investor, staff):
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    return investor


# --- Deposit -----------------------------------------------------------------------------------


def test_deposit_request_is_pending_and_moves_no_money(investor_api, investor):
    response = investor_api.post(
        DEPOSIT,
        {"amount": "250.50", "wallet_address": " TSender1 ", "transaction_hash": "0xAbC", "method": "crypto"},
        format="json",
    )

    assert response.status_code == 201
    deposit = Deposit.objects.get()
    assert (deposit.user, deposit.amount, deposit.sender_address, deposit.transaction_hash, deposit.method) == (
        investor,
        D("250.50"),
        "TSender1",
        "0xAbC",
        "crypto",
    )
    assert response.json() == request_row(deposit, status="pending")
    assert balances(investor) == (D("0.00"), D("0.00"), D("0.00"))
    assert investor_api.get(PROFILE).json()["balance"] == "0.00"


@pytest.mark.parametrize(
    ("amount", "stored"),
    [(100, "100.00"), ("100", "100.00"), (" 12.5 ", "12.50"), (99.99, "99.99"), (0.1, "0.10"), (100.5, "100.50")],
)
def test_deposit_accepts_integers_plain_decimal_strings_and_json_numbers(investor_api, amount, stored, runtime_config):
    runtime_config(DEPOSIT_MIN=D("0.10"))
    response = investor_api.post(DEPOSIT, {"amount": amount}, format="json")

    assert response.status_code == 201
    assert response.json()["amount"] == stored
    assert str(Deposit.objects.get().amount) == stored


def test_a_json_number_is_read_from_its_text_not_through_a_float(investor_api):
    """0.1 + 0.2 as binary floats is 0.30000000000000004: the amount is read from the digits sent."""
    body = '{"amount": 1000000.00}'  # 1e6 with trailing zeros: exact, 2 decimals
    response = investor_api.post(DEPOSIT, body, content_type="application/json")
    too_precise = investor_api.post(DEPOSIT, '{"amount": 10.000000000000001}', content_type="application/json")

    assert response.status_code == 201
    assert response.json()["amount"] == "1000000.00"
    assert too_precise.status_code == 400
    assert too_precise.json() == {"amount": PLACES}
    assert Deposit.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"amount": "-5"}, business("The amount must be greater than zero.", "invalid_amount", "amount")),
        ({"amount": "0"}, business("The amount must be greater than zero.", "invalid_amount", "amount")),
        ({"amount": "0.00"}, business("The amount must be greater than zero.", "invalid_amount", "amount")),
        ({"amount": -5}, business("The amount must be greater than zero.", "invalid_amount", "amount")),
        ({"amount": "9.99"}, business("The minimum is 10.00.", "amount_below_minimum", "amount")),
        ({"amount": "1000000.01"}, business("The maximum is 1000000.00.", "amount_above_maximum", "amount")),
        ({"amount": "abc"}, {"amount": FORMAT}),
        ({"amount": "1e3"}, {"amount": FORMAT}),
        ({"amount": "1E+3"}, {"amount": FORMAT}),
        ({"amount": "NaN"}, {"amount": FORMAT}),
        ({"amount": "Infinity"}, {"amount": FORMAT}),
        ({"amount": "1,000.00"}, {"amount": FORMAT}),
        ({"amount": "+100"}, {"amount": FORMAT}),
        ({"amount": ""}, {"amount": FORMAT}),
        ({"amount": [100]}, {"amount": FORMAT}),
        ({"amount": {"value": "100"}}, {"amount": FORMAT}),
        ({"amount": 100.555}, {"amount": PLACES}),
        ({"amount": 1e22}, {"amount": FORMAT}),
        ({"amount": True}, {"amount": FORMAT}),
        ({"amount": None}, {"amount": ["This field may not be null."]}),
        ({"amount": "10.001"}, {"amount": ["Ensure that there are no more than 2 decimal places."]}),
        ({"amount": "1" * 19}, {"amount": ["Ensure that there are no more than 18 digits before the decimal point."]}),
        ({"amount": 10**30}, {"amount": ["Ensure that there are no more than 20 digits in total."]}),
        ({}, {"amount": ["This field is required."]}),
        ({"amount": "20", "status": "approved"}, {"status": ["This field is not allowed."]}),
        ({"amount": "20", "transaction_hash": 12345}, {"transaction_hash": ["Not a valid string."]}),
        (
            {"amount": "20", "wallet_address": "x" * 201},
            {"wallet_address": ["Ensure this field has no more than 200 characters."]},
        ),
        ({"amount": "20", "method": "m" * 41}, {"method": ["Ensure this field has no more than 40 characters."]}),
    ],
)
def test_bad_deposits_are_refused(investor_api, unchanged_db, body, errors):
    with unchanged_db():
        response = investor_api.post(DEPOSIT, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors


def test_a_body_that_is_not_an_object_or_not_json_is_refused(investor_api, unchanged_db):
    with unchanged_db():
        as_list = investor_api.post(DEPOSIT, [{"amount": "20"}], format="json")
        malformed = investor_api.post(DEPOSIT, '{"amount": "20"', content_type="application/json")
        as_form = investor_api.post(DEPOSIT, {"amount": "20"})

    assert as_list.status_code == 400
    assert as_list.json() == {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "parse_error"
    assert as_form.status_code == 415


def test_a_reused_transaction_hash_is_refused(investor_api, unchanged_db):
    deposit_request_create(user=UserFactory(), amount="20", transaction_hash="0xDEADbeef")

    with unchanged_db():
        response = investor_api.post(DEPOSIT, {"amount": "20", "transaction_hash": "0xdeadBEEF"}, format="json")

    assert response.status_code == 400
    assert response.json() == business(
        "This transaction hash was already used for a deposit.", "duplicate_hash", "transaction_hash"
    )


def test_anonymous_callers_are_refused(api_client, unchanged_db):
    with unchanged_db():
        for path in (DEPOSIT, WITHDRAW, CANCEL):
            response = api_client.post(path, {"amount": "20"}, format="json")
            assert response.status_code == 401
            assert response.json()["code"] == "not_authenticated"


# --- Withdraw ----------------------------------------------------------------------------------


def test_withdrawal_holds_the_funds_at_once(funded, staff):
    client = api_for(funded)

    response = client.post(WITHDRAW, {"amount": "300.00", "wallet_address": "TDest1"}, format="json")

    assert response.status_code == 201
    withdrawal = Withdrawal.objects.get()
    assert (withdrawal.amount, withdrawal.fee, withdrawal.address, withdrawal.status) == (
        D("300.00"),
        D("0.00"),
        "TDest1",
        RequestStatus.PENDING,
    )
    assert response.json() == request_row(withdrawal, balance_after="700.00")
    assert balances(funded) == (D("700.00"), D("300.00"), D("0.00"))
    profile = client.get(PROFILE).json()
    assert (profile["balance"], profile["balance_held"], profile["balance_invested"]) == ("700.00", "300.00", "0.00")
    assert_ledger_ok()


def test_withdrawal_fee_is_held_on_top(funded, runtime_config):
    runtime_config(WITHDRAWAL_FEE_FIXED=D("1.50"), WITHDRAWAL_FEE_PERCENT=D("2.00"))

    response = api_for(funded).post(WITHDRAW, {"amount": 100, "wallet_address": "TDest1"}, format="json")

    assert response.status_code == 201
    assert (response.json()["amount"], response.json()["fee"], response.json()["balance_after"]) == (
        "100.00",
        "3.50",
        "896.50",
    )
    assert balances(funded) == (D("896.50"), D("103.50"), D("0.00"))


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"amount": "1000.01", "wallet_address": "T"},
            business("Not enough funds: available balance is 1000.00.", "insufficient_balance"),
        ),
        (
            {"amount": "9.99", "wallet_address": "T"},
            business("The minimum is 10.00.", "amount_below_minimum", "amount"),
        ),
        (
            {"amount": "100000.01", "wallet_address": "T"},
            business("The maximum is 100000.00.", "amount_above_maximum", "amount"),
        ),
        (
            {"amount": "0", "wallet_address": "T"},
            business("The amount must be greater than zero.", "invalid_amount", "amount"),
        ),
        ({"amount": 50.555, "wallet_address": "T"}, {"amount": PLACES}),
        ({"amount": "1e2", "wallet_address": "T"}, {"amount": FORMAT}),
        ({"amount": "50"}, {"wallet_address": ["This field is required."]}),
        ({"amount": "50", "wallet_address": "   "}, {"wallet_address": ["This field may not be blank."]}),
        ({"amount": "50", "wallet_address": ["T"]}, {"wallet_address": ["Not a valid string."]}),
        ({"wallet_address": "T"}, {"amount": ["This field is required."]}),
        ({"amount": "50", "wallet_address": "T", "fee": "0"}, {"fee": ["This field is not allowed."]}),
    ],
)
def test_bad_withdrawals_are_refused(funded, unchanged_db, body, errors):
    client = api_for(funded)

    with unchanged_db():
        response = client.post(WITHDRAW, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))


def test_withdrawal_needs_approved_kyc(investor, staff, unchanged_db):
    fund(investor, "1000.00", approver=staff)
    client = api_for(investor)

    with unchanged_db():
        response = client.post(WITHDRAW, {"amount": "50", "wallet_address": "T"}, format="json")

    assert response.status_code == 400
    assert response.json() == business(
        "Your identity must be verified (KYC approved) before you can withdraw.", "kyc_required"
    )


def test_withdrawals_beyond_the_daily_limit_are_refused(funded, unchanged_db, runtime_config):
    runtime_config(WITHDRAWAL_DAILY_LIMIT=D("500.00"))
    client = api_for(funded)
    assert client.post(WITHDRAW, {"amount": "300", "wallet_address": "T"}, format="json").status_code == 201

    with unchanged_db():
        response = client.post(WITHDRAW, {"amount": "200.01", "wallet_address": "T"}, format="json")

    assert response.status_code == 400
    assert response.json() == business(
        "This would exceed your daily withdrawal limit of 500.00.", "daily_limit_exceeded", "amount"
    )
    assert balances(funded) == (D("700.00"), D("300.00"), D("0.00"))


# --- Cancel ------------------------------------------------------------------------------------


def test_cancelling_a_withdrawal_releases_the_hold(funded):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="TDest1")
    client = api_for(funded)

    response = client.post(CANCEL, {"transaction_id": withdrawal.pk}, format="json")

    assert response.status_code == 200
    assert response.json() == request_row(withdrawal, status="cancelled", balance_after="700.00")
    assert withdrawal.status == RequestStatus.CANCELLED
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))
    profile = client.get(PROFILE).json()
    assert (profile["balance"], profile["balance_held"]) == ("1000.00", "0.00")
    assert_ledger_ok()


def test_cancelling_a_deposit(investor_api, investor):
    deposit = deposit_request_create(user=investor, amount="75.00", transaction_hash="0x1")

    response = investor_api.post(CANCEL, {"transaction_id": deposit.pk}, format="json")

    assert response.status_code == 200
    assert response.json() == request_row(deposit, status="cancelled")
    assert (deposit.status, deposit.reviewed_by, deposit.entry) == (RequestStatus.CANCELLED, None, None)
    assert balances(investor) == (D("0.00"), D("0.00"), D("0.00"))


def test_a_closed_request_cannot_be_cancelled(funded, unchanged_db):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="T")
    client = api_for(funded)
    client.post(CANCEL, {"transaction_id": withdrawal.pk}, format="json")
    approved_deposit = Deposit.objects.get(user=funded)

    with unchanged_db():
        again = client.post(CANCEL, {"transaction_id": withdrawal.pk}, format="json")
        approved = client.post(CANCEL, {"transaction_id": approved_deposit.pk}, format="json")

    assert (again.status_code, approved.status_code) == (409, 409)
    assert again.json() == {"detail": "This request is already cancelled.", "code": "already_reviewed"}
    assert approved.json() == {"detail": "This request is already approved.", "code": "already_reviewed"}
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))


def test_another_investors_request_is_not_found(funded, unchanged_db):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="T")
    deposit = deposit_request_create(user=funded, amount="20.00")
    stranger = api_for(UserFactory())

    with unchanged_db():
        responses = [
            stranger.post(CANCEL, {"transaction_id": request_id}, format="json")
            for request_id in (withdrawal.pk, deposit.pk, 999_999, 2**63 - 1)
        ]

    for response in responses:
        assert response.status_code == 404
        assert response.json() == {"detail": "No such transaction.", "code": "not_found"}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"transaction_id": "1"}, {"transaction_id": ["A valid integer is required."]}),
        ({"transaction_id": "abc"}, {"transaction_id": ["A valid integer is required."]}),
        ({"transaction_id": 1.0}, {"transaction_id": ["A valid integer is required."]}),
        ({"transaction_id": 1.5}, {"transaction_id": ["A valid integer is required."]}),
        ({"transaction_id": True}, {"transaction_id": ["A valid integer is required."]}),
        ({"transaction_id": None}, {"transaction_id": ["This field may not be null."]}),
        ({"transaction_id": [1]}, {"transaction_id": ["A valid integer is required."]}),
        ({"transaction_id": 0}, {"transaction_id": ["Ensure this value is greater than or equal to 1."]}),
        ({"transaction_id": -1}, {"transaction_id": ["Ensure this value is greater than or equal to 1."]}),
        (
            {"transaction_id": 2**63},
            {"transaction_id": ["Ensure this value is less than or equal to 9223372036854775807."]},
        ),
        ({}, {"transaction_id": ["This field is required."]}),
        ({"transaction_id": 1, "user_id": 2}, {"user_id": ["This field is not allowed."]}),
    ],
)
def test_bad_transaction_ids_are_refused(funded, unchanged_db, body, errors):
    client = api_for(funded)

    with unchanged_db():
        response = client.post(CANCEL, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
