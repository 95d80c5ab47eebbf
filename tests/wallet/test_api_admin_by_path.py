"""The original client's forms of the staff reviews: the id in the path (`admin/transactions/
approve/<id>/`, `reject/<id>/`) and its field names (`note`, `reason`). Thin adapters: the same
rules, permissions, idempotency and errors as the body form; aliases never widen what is taken."""

from decimal import Decimal

import pytest

from apps.wallet.models import Entry
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.wallet.api_helpers import api_for, staff_with
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve
from tests.wallet.test_api_admin import admin_deposit, admin_withdrawal

pytestmark = pytest.mark.django_db

D = Decimal
APPROVE = "/api/admin/transactions/approve/"
REJECT = "/api/admin/transactions/reject/"


@pytest.fixture
def funded(investor, staff):
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    return investor


def test_approve_by_path_with_the_clients_body_credits_once(staff_api, investor):
    deposit = deposit_request_create(user=investor, amount="250.00", transaction_hash="0xT1")

    response = staff_api.post(f"{APPROVE}{deposit.pk}/", {"transaction_hash": "0xT1"}, format="json")
    again = staff_api.post(f"{APPROVE}{deposit.pk}/", {}, format="json")

    assert response.status_code == 200
    assert response.json() == admin_deposit(deposit)
    assert (deposit.status, deposit.confirmed_hash) == ("approved", "0xT1")
    assert again.status_code == 409
    assert again.json() == {"detail": "This request is already approved.", "code": "already_reviewed"}
    assert balances(investor) == (D("250.00"), D("0.00"), D("0.00"))
    assert Entry.objects.filter(natural_key=f"deposit:{deposit.pk}").count() == 1


def test_a_withdrawal_approved_by_path_takes_the_payout_hash(staff_api, funded):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="TDest1")

    response = staff_api.post(f"{APPROVE}{withdrawal.pk}/", {"transaction_hash": "0xPAY", "note": "sent"}, "json")

    assert response.status_code == 200
    assert response.json() == admin_withdrawal(withdrawal)
    assert (withdrawal.status, withdrawal.payout_hash, withdrawal.admin_note) == ("approved", "0xPAY", "sent")
    assert balances(funded) == (D("700.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


def test_reject_by_path_with_a_reason_releases_the_funds(staff_api, funded):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="TDest1")

    response = staff_api.post(f"{REJECT}{withdrawal.pk}/", {"reason": "bad address"}, format="json")

    assert response.status_code == 200
    assert response.json() == admin_withdrawal(withdrawal)
    assert (withdrawal.status, withdrawal.admin_note) == ("rejected", "bad address")
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))


@pytest.mark.parametrize("note_name", ["admin_note", "reason", "note"])
def test_every_name_of_the_note_is_the_note(staff_api, investor, note_name):
    deposit = deposit_request_create(user=investor, amount="40.00")

    response = staff_api.post(REJECT, {"transaction_id": deposit.pk, note_name: "never arrived"}, format="json")

    assert response.status_code == 200
    deposit.refresh_from_db()
    assert (deposit.status, deposit.admin_note) == ("rejected", "never arrived")


@pytest.mark.parametrize(
    ("path", "body", "errors"),
    [
        ("abc/", {"reason": "x"}, {"transaction_id": ["The id in the path must be a positive integer."]}),
        ("0/", {"reason": "x"}, {"transaction_id": ["The id in the path must be a positive integer."]}),
        ("-1/", {"reason": "x"}, {"transaction_id": ["The id in the path must be a positive integer."]}),
        ("1.5/", {"reason": "x"}, {"transaction_id": ["The id in the path must be a positive integer."]}),
        (
            "9223372036854775808/",
            {"reason": "x"},
            {"transaction_id": ["Ensure this value is less than or equal to 9223372036854775807."]},
        ),
        ("١/", {"reason": "x"}, {"transaction_id": ["The id in the path must be a positive integer."]}),
        ("OTHER/", {"reason": "x"}, {"transaction_id": ["The id in the body differs from the id in the path."]}),
        ("SAME/", {"reason": "x", "admin_note": "y"}, {"admin_note": ["Sent twice with different values."]}),
        ("SAME/", {"reason": "x", "note": "y"}, {"admin_note": ["Sent twice with different values."]}),
        ("SAME/", {}, {"admin_note": ["This field is required."]}),
        ("SAME/", {"reason": "  "}, {"admin_note": ["This field may not be blank."]}),
        ("SAME/", {"reason": 5}, {"admin_note": ["Not a valid string."]}),
        ("SAME/", {"reason": "x", "user_id": 1}, {"user_id": ["This field is not allowed."]}),
        ("SAME/", ["reason"], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    ],
)
def test_bad_rejections_by_path_are_refused_and_change_nothing(staff_api, investor, unchanged_db, path, body, errors):
    deposit = deposit_request_create(user=investor, amount="40.00")
    path = path.replace("SAME", str(deposit.pk)).replace("OTHER", str(deposit.pk + 1))
    if isinstance(body, dict) and body.get("transaction_id") == "SAME":
        body = {**body, "transaction_id": str(deposit.pk)}
    if path.startswith(str(deposit.pk + 1)):
        body = {**body, "transaction_id": deposit.pk}

    with unchanged_db():
        response = staff_api.post(f"{REJECT}{path}", body, format="json")

    assert response.status_code == 400
    assert response.json() == errors


def test_the_same_id_in_the_path_and_the_body_is_one_request(staff_api, investor):
    deposit = deposit_request_create(user=investor, amount="40.00")

    response = staff_api.post(f"{APPROVE}{deposit.pk}/", {"transaction_id": deposit.pk, "admin_note": "ok"}, "json")

    assert response.status_code == 200
    assert response.json()["admin_note"] == "ok"


def test_the_same_note_under_two_names_is_one_note(staff_api, investor):
    deposit = deposit_request_create(user=investor, amount="40.00")

    response = staff_api.post(f"{REJECT}{deposit.pk}/", {"reason": "late", "admin_note": "late"}, format="json")

    assert response.status_code == 200
    assert response.json()["admin_note"] == "late"


def test_unknown_and_other_kinds_of_ids_by_path_are_404(staff_api, investor, unchanged_db):
    with unchanged_db():
        response = staff_api.post(f"{APPROVE}999999/", {}, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "No such transaction.", "code": "not_found"}


def test_by_path_needs_the_same_permission(investor, unchanged_db):
    deposit = deposit_request_create(user=investor, amount="40.00")
    withdrawals_only = api_for(staff_with("change_withdrawal"))
    investor_api = api_for(investor)

    with unchanged_db():
        as_investor = investor_api.post(f"{APPROVE}{deposit.pk}/", {}, format="json")
        as_other_staff = withdrawals_only.post(f"{APPROVE}{deposit.pk}/", {}, format="json")

    assert as_investor.status_code == as_other_staff.status_code == 403


def test_a_key_replays_across_the_path_and_body_forms(staff_api, investor):
    deposit = deposit_request_create(user=investor, amount="40.00")
    headers = {"HTTP_IDEMPOTENCY_KEY": "k-1"}

    by_path = staff_api.post(f"{APPROVE}{deposit.pk}/", {}, format="json", **headers)
    by_body = staff_api.post(APPROVE, {"transaction_id": deposit.pk}, format="json", **headers)
    other = deposit_request_create(user=investor, amount="41.00")
    reused = staff_api.post(f"{APPROVE}{other.pk}/", {}, format="json", **headers)

    assert (by_path.status_code, by_body.status_code) == (200, 200)
    assert by_body.json() == by_path.json()
    assert by_body.headers["Idempotent-Replayed"] == "true"
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert balances(investor) == (D("40.00"), D("0.00"), D("0.00"))
