"""Staff endpoints: the deposit and withdrawal queues, approve/reject (once, by someone else,
with the right permission), balance adjustments and their four-eyes check."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.wallet.models import AccountKind, Adjustment, Deposit, RequestStatus, Withdrawal
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.ledger import platform_account
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.wallet.api_helpers import api_for, iso, staff_with
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
DEPOSITS = "/api/admin/deposits/"
WITHDRAWALS = "/api/admin/withdrawals/"
APPROVE = "/api/admin/transactions/approve/"
REJECT = "/api/admin/transactions/reject/"
ADJUST = "/api/admin/users/adjust-balance/"
ADJUSTMENT_APPROVE = "/api/admin/adjustments/approve/"
ADJUSTMENT_REJECT = "/api/admin/adjustments/reject/"
PROFILE = "/api/users/profile/"
FORBIDDEN = {"detail": "Only staff with the matching permission can do this.", "code": "permission_denied"}


def admin_deposit(deposit: Deposit) -> dict:
    deposit.refresh_from_db()
    return {
        "id": deposit.pk,
        "type": "deposit",
        "user": deposit.user_id,
        "user_email": deposit.user.email,
        "amount": f"{deposit.amount:.2f}",
        "currency": "USD",
        "method": deposit.method,
        "wallet_address": deposit.sender_address,
        "transaction_hash": deposit.transaction_hash,
        "confirmed_hash": deposit.confirmed_hash,
        "status": deposit.status,
        "admin_note": deposit.admin_note,
        "reviewed_by": deposit.reviewed_by.email if deposit.reviewed_by else None,
        "reviewed_at": iso(deposit.reviewed_at) if deposit.reviewed_at else None,
        "created_at": iso(deposit.created_at),
        "updated_at": iso(deposit.updated_at),
    }


def admin_withdrawal(withdrawal: Withdrawal) -> dict:
    withdrawal.refresh_from_db()
    return {
        "id": withdrawal.pk,
        "type": "withdrawal",
        "user": withdrawal.user_id,
        "user_email": withdrawal.user.email,
        "amount": f"{withdrawal.amount:.2f}",
        "fee": f"{withdrawal.fee:.2f}",
        "total": f"{withdrawal.total:.2f}",
        "currency": "USD",
        "wallet_address": withdrawal.address,
        "transaction_hash": withdrawal.payout_hash,
        "status": withdrawal.status,
        "needs_two_approvals": withdrawal.needs_two_approvals,
        "first_approved_by": withdrawal.first_approved_by.email if withdrawal.first_approved_by else None,
        "first_approved_at": iso(withdrawal.first_approved_at) if withdrawal.first_approved_at else None,
        "reviewed_by": withdrawal.reviewed_by.email if withdrawal.reviewed_by else None,
        "reviewed_at": iso(withdrawal.reviewed_at) if withdrawal.reviewed_at else None,
        "admin_note": withdrawal.admin_note,
        "created_at": iso(withdrawal.created_at),
        "updated_at": iso(withdrawal.updated_at),
    }


def adjustment_body(adjustment: Adjustment) -> dict:
    adjustment.refresh_from_db()
    return {
        "id": adjustment.pk,
        "user": adjustment.user_id,
        "user_email": adjustment.user.email,
        "direction": adjustment.direction,
        "amount": f"{adjustment.amount:.2f}",
        "currency": "USD",
        "reason": adjustment.reason,
        "status": adjustment.status,
        "maker": adjustment.maker.email,
        "checker": adjustment.checker.email if adjustment.checker else None,
        "checked_at": iso(adjustment.checked_at) if adjustment.checked_at else None,
        "check_note": adjustment.check_note,
        "created_at": iso(adjustment.created_at),
    }


@pytest.fixture
def funded(investor, staff):
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    return investor


# --- Queues ------------------------------------------------------------------------------------


def test_deposit_queue_newest_first_with_a_status_filter(staff_api, investor, staff):
    fund(investor, "100.00", approver=staff)
    approved = Deposit.objects.get()
    pending = deposit_request_create(user=investor, amount="20.00", sender_address="TFrom", transaction_hash="0x1")

    everything = staff_api.get(DEPOSITS).json()
    pending_only = staff_api.get(f"{DEPOSITS}?status=pending").json()

    assert everything == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [admin_deposit(pending), admin_deposit(approved)],
    }
    assert everything["results"][1]["reviewed_by"] == staff.email
    assert pending_only["results"] == [admin_deposit(pending)]
    assert staff_api.get(f"{DEPOSITS}?status=rejected").json()["count"] == 0


def test_withdrawal_queue(staff_api, funded):
    first = withdrawal_request_create(user=funded, amount="100.00", address="T1")
    second = withdrawal_request_create(user=funded, amount="50.00", address="T2")

    response = staff_api.get(f"{WITHDRAWALS}?status=pending")

    assert response.status_code == 200
    assert response.json()["results"] == [admin_withdrawal(second), admin_withdrawal(first)]


@pytest.mark.parametrize("path", [DEPOSITS, WITHDRAWALS])
def test_queues_refuse_an_unknown_status(staff_api, path):
    response = staff_api.get(f"{path}?status=completed")

    assert response.status_code == 400
    assert response.json() == {"status": ['"completed" is not a valid choice.']}


@pytest.mark.parametrize("rows", [3, 20])
def test_queue_pages_cost_the_same_queries(funded, rows):
    for index in range(rows):
        withdrawal_request_create(user=funded, amount="10.00", address=f"T{index}")
    client = api_for(staff_with("view_withdrawal"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(WITHDRAWALS)

    assert response.json()["count"] == rows
    # The user, their permissions (user and group), the count, the page.
    assert len(queries) == 5, [query["sql"] for query in queries]


def test_queues_need_staff_with_the_view_or_change_permission(investor_api):
    viewer = api_for(staff_with("view_deposit"))
    changer = api_for(staff_with("change_withdrawal"))
    bare = api_for(staff_with())

    assert (viewer.get(DEPOSITS).status_code, viewer.get(WITHDRAWALS).status_code) == (200, 403)
    assert (changer.get(DEPOSITS).status_code, changer.get(WITHDRAWALS).status_code) == (403, 200)
    for client in (bare, investor_api):
        for path in (DEPOSITS, WITHDRAWALS):
            response = client.get(path)
            assert response.status_code == 403
            assert response.json() == FORBIDDEN


def test_an_investor_with_wallet_permissions_is_still_refused(investor, unchanged_db):
    """Permissions without ``is_staff`` are not enough."""
    from django.contrib.auth.models import Permission

    investor.user_permissions.add(*Permission.objects.filter(content_type__app_label="wallet"))
    client = api_for(investor)

    with unchanged_db():
        responses = [
            client.get(DEPOSITS),
            client.post(APPROVE, {"transaction_id": 1}, format="json"),
            client.post(ADJUST, {"user_id": investor.pk, "amount": "1", "direction": "credit", "reason": "r"}, "json"),
        ]

    assert [response.status_code for response in responses] == [403, 403, 403]


def test_anonymous_staff_calls_are_refused(api_client):
    assert api_client.get(DEPOSITS).status_code == 401
    assert api_client.post(APPROVE, {"transaction_id": 1}, format="json").status_code == 401


# --- Approve and reject ------------------------------------------------------------------------


def test_approving_a_deposit_credits_it_once(staff_api, superuser, investor, unchanged_db):
    deposit = deposit_request_create(user=investor, amount="250.00")

    response = staff_api.post(APPROVE, {"transaction_id": deposit.pk, "admin_note": "arrived"}, format="json")

    assert response.status_code == 200
    assert response.json() == admin_deposit(deposit)
    assert (deposit.status, deposit.reviewed_by, deposit.admin_note) == (RequestStatus.APPROVED, superuser, "arrived")
    assert balances(investor) == (D("250.00"), D("0.00"), D("0.00"))
    assert api_for(investor).get(PROFILE).json()["balance"] == "250.00"
    with unchanged_db():
        again = staff_api.post(APPROVE, {"transaction_id": deposit.pk}, format="json")
        reject = staff_api.post(REJECT, {"transaction_id": deposit.pk, "admin_note": "oops"}, format="json")
    assert (again.status_code, reject.status_code) == (409, 409)
    assert again.json() == {"detail": "This request is already approved.", "code": "already_reviewed"}
    assert balances(investor) == (D("250.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


def test_a_deposit_approval_confirms_the_investors_hash(staff_api, investor):
    deposit = deposit_request_create(user=investor, amount="250.00", transaction_hash="0xAbC1")

    response = staff_api.post(APPROVE, {"transaction_id": deposit.pk, "transaction_hash": "0xabc1"}, format="json")

    assert response.status_code == 200
    assert response.json() == admin_deposit(deposit)
    assert (deposit.status, deposit.transaction_hash, deposit.confirmed_hash) == ("approved", "0xAbC1", "0xAbC1")
    assert balances(investor) == (D("250.00"), D("0.00"), D("0.00"))


def test_a_deposit_without_a_hash_takes_the_one_staff_confirm(staff_api, investor):
    deposit = deposit_request_create(user=investor, amount="250.00")

    response = staff_api.post(APPROVE, {"transaction_id": deposit.pk, "transaction_hash": " 0xNEW "}, format="json")

    assert response.status_code == 200
    deposit.refresh_from_db()
    assert (deposit.transaction_hash, deposit.confirmed_hash) == ("0xNEW", "0xNEW")
    row = api_for(investor).get("/api/transactions/").json()["results"][0]
    assert (row["transaction_hash"], row["status"], row["balance_after"]) == ("0xNEW", "approved", "250.00")


def test_a_deposit_approval_with_another_hash_is_refused(staff_api, investor, unchanged_db):
    mismatched = deposit_request_create(user=investor, amount="250.00", transaction_hash="0xINVESTOR")
    without = deposit_request_create(user=investor, amount="60.00")

    with unchanged_db():
        wrong = staff_api.post(APPROVE, {"transaction_id": mismatched.pk, "transaction_hash": "0xOTHER"}, format="json")
        used = staff_api.post(APPROVE, {"transaction_id": without.pk, "transaction_hash": "0xinvestor"}, format="json")

    assert wrong.status_code == used.status_code == 400
    message = "This hash differs from the one the investor gave (0xINVESTOR): check the transfer."
    assert wrong.json() == {"detail": message, "code": "hash_mismatch", "transaction_hash": [message]}
    message = "This transaction hash was already used for a deposit."
    assert used.json() == {"detail": message, "code": "duplicate_hash", "transaction_hash": [message]}
    assert balances(investor) == (D("0.00"), D("0.00"), D("0.00"))


def test_approving_a_withdrawal_pays_it_out_with_the_payout_hash(staff_api, superuser, funded, unchanged_db):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="TDest1")

    with unchanged_db():
        missing = staff_api.post(APPROVE, {"transaction_id": withdrawal.pk}, format="json")
    response = staff_api.post(APPROVE, {"transaction_id": withdrawal.pk, "transaction_hash": "0xPAY"}, format="json")

    assert missing.status_code == 400
    message = "Enter the payout transaction hash."
    assert missing.json() == {"detail": message, "code": "reason_required", "transaction_hash": [message]}
    assert response.status_code == 200
    assert response.json() == admin_withdrawal(withdrawal)
    assert (withdrawal.status, withdrawal.payout_hash, withdrawal.reviewed_by) == ("approved", "0xPAY", superuser)
    assert balances(funded) == (D("700.00"), D("0.00"), D("0.00"))
    assert platform_account(AccountKind.CASH).balance == D("-700.00")
    profile = api_for(funded).get(PROFILE).json()
    assert (profile["balance"], profile["balance_held"]) == ("700.00", "0.00")
    assert_ledger_ok()


def test_a_used_payout_hash_is_refused(staff_api, funded, unchanged_db):
    first = withdrawal_request_create(user=funded, amount="100.00", address="T")
    second = withdrawal_request_create(user=funded, amount="100.00", address="T")
    staff_api.post(APPROVE, {"transaction_id": first.pk, "transaction_hash": "0xPAY"}, format="json")

    with unchanged_db():
        response = staff_api.post(APPROVE, {"transaction_id": second.pk, "transaction_hash": "0xpay"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "duplicate_hash"


def test_a_large_withdrawal_needs_two_different_approvers(funded, staff, superuser, unchanged_db, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("500.00"))
    withdrawal = withdrawal_request_create(user=funded, amount="600.00", address="T")
    first = api_for(superuser)
    second = api_for(staff_with("change_withdrawal"))

    response = first.post(APPROVE, {"transaction_id": withdrawal.pk, "admin_note": "looks fine"}, format="json")

    assert response.status_code == 200
    assert response.json() == admin_withdrawal(withdrawal)
    assert (withdrawal.status, withdrawal.first_approved_by, withdrawal.needs_two_approvals) == (
        "pending",
        superuser,
        True,
    )
    assert balances(funded) == (D("400.00"), D("600.00"), D("0.00"))
    with unchanged_db():
        again = first.post(APPROVE, {"transaction_id": withdrawal.pk, "transaction_hash": "0xP"}, format="json")
    assert again.status_code == 403
    assert again.json() == {
        "detail": "A second staff member must give the second approval.",
        "code": "four_eyes_required",
    }
    final = second.post(APPROVE, {"transaction_id": withdrawal.pk, "transaction_hash": "0xP"}, format="json")
    assert final.status_code == 200
    assert final.json() == admin_withdrawal(withdrawal)
    assert (withdrawal.status, withdrawal.reviewed_by) == ("approved", second.user)
    assert balances(funded) == (D("400.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


def test_rejecting_releases_a_withdrawal_and_closes_a_deposit(staff_api, funded):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="T")
    deposit = deposit_request_create(user=funded, amount="50.00")

    rejected_withdrawal = staff_api.post(REJECT, {"transaction_id": withdrawal.pk, "admin_note": "bad address"}, "json")
    rejected_deposit = staff_api.post(REJECT, {"transaction_id": deposit.pk, "admin_note": "never arrived"}, "json")

    assert rejected_withdrawal.status_code == rejected_deposit.status_code == 200
    assert rejected_withdrawal.json() == admin_withdrawal(withdrawal)
    assert rejected_deposit.json() == admin_deposit(deposit)
    assert (withdrawal.status, withdrawal.admin_note) == ("rejected", "bad address")
    assert (deposit.status, deposit.admin_note) == ("rejected", "never arrived")
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"transaction_id": ["This field is required."], "admin_note": ["This field is required."]}),
        (
            {"transaction_id": "PK", "admin_note": "x"},
            {"transaction_id": ["A valid integer is required."]},
        ),
        ("note", {"admin_note": ["This field may not be blank."]}),
        ("missing", {"admin_note": ["This field is required."]}),
        ("number", {"admin_note": ["Not a valid string."]}),
    ],
)
def test_bad_rejections_are_refused(staff_api, funded, unchanged_db, body, errors):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="T")
    body = (
        {
            "note": {"transaction_id": withdrawal.pk, "admin_note": "   "},
            "missing": {"transaction_id": withdrawal.pk},
            "number": {"transaction_id": withdrawal.pk, "admin_note": 5},
        }.get(body, body)
        if isinstance(body, str)
        else body
    )

    with unchanged_db():
        response = staff_api.post(REJECT, body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert balances(funded) == (D("700.00"), D("300.00"), D("0.00"))


def test_unknown_and_closed_requests(staff_api, funded, unchanged_db):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="T")
    staff_api.post(REJECT, {"transaction_id": withdrawal.pk, "admin_note": "no"}, format="json")

    with unchanged_db():
        unknown = staff_api.post(APPROVE, {"transaction_id": 999_999}, format="json")
        unknown_reject = staff_api.post(REJECT, {"transaction_id": 999_999, "admin_note": "x"}, format="json")
        closed = staff_api.post(APPROVE, {"transaction_id": withdrawal.pk, "transaction_hash": "0x"}, format="json")
        closed_reject = staff_api.post(REJECT, {"transaction_id": withdrawal.pk, "admin_note": "x"}, format="json")

    assert (unknown.status_code, unknown_reject.status_code) == (404, 404)
    assert unknown.json() == {"detail": "No such transaction.", "code": "not_found"}
    assert (closed.status_code, closed_reject.status_code) == (409, 409)
    assert closed.json() == {"detail": "This request is already rejected.", "code": "already_reviewed"}


def test_staff_cannot_review_their_own_requests(superuser, staff, unchanged_db):
    kyc_approve(superuser)
    fund(superuser, "500.00", approver=staff)
    deposit = deposit_request_create(user=superuser, amount="50.00")
    withdrawal = withdrawal_request_create(user=superuser, amount="50.00", address="T")
    client = api_for(superuser)

    with unchanged_db():
        responses = [
            client.post(APPROVE, {"transaction_id": deposit.pk}, format="json"),
            client.post(APPROVE, {"transaction_id": withdrawal.pk, "transaction_hash": "0x1"}, format="json"),
            client.post(REJECT, {"transaction_id": deposit.pk, "admin_note": "mine"}, format="json"),
        ]

    for response in responses:
        assert response.status_code == 403
        assert response.json() == {"detail": "You cannot review your own request.", "code": "own_request"}


def test_reviewing_needs_the_permission_for_that_kind(funded, investor, unchanged_db):
    deposit = deposit_request_create(user=funded, amount="50.00")
    withdrawal = withdrawal_request_create(user=funded, amount="50.00", address="T")
    deposits_only = api_for(staff_with("change_deposit"))
    viewer = api_for(staff_with("view_deposit", "view_withdrawal"))
    investor_client = api_for(investor)

    with unchanged_db():
        wrong_kind = deposits_only.post(APPROVE, {"transaction_id": withdrawal.pk, "transaction_hash": "0x"}, "json")
        wrong_kind_reject = deposits_only.post(REJECT, {"transaction_id": withdrawal.pk, "admin_note": "x"}, "json")
        view_only = viewer.post(APPROVE, {"transaction_id": deposit.pk}, format="json")
        investor_call = investor_client.post(APPROVE, {"transaction_id": deposit.pk}, format="json")

    assert wrong_kind.status_code == wrong_kind_reject.status_code == 403
    assert wrong_kind.json() == {
        "detail": "You are not allowed to review withdrawal requests.",
        "code": "permission_denied",
    }
    assert (view_only.status_code, view_only.json()) == (403, FORBIDDEN)
    assert (investor_call.status_code, investor_call.json()) == (403, FORBIDDEN)
    assert deposits_only.post(APPROVE, {"transaction_id": deposit.pk}, format="json").status_code == 200


# --- Adjustments -------------------------------------------------------------------------------


def test_a_small_adjustment_is_posted_at_once(staff_api, superuser, funded):
    response = staff_api.post(
        ADJUST, {"user_id": funded.pk, "amount": "25.50", "direction": "credit", "reason": "goodwill"}, format="json"
    )

    assert response.status_code == 201
    adjustment = Adjustment.objects.get()
    assert response.json() == adjustment_body(adjustment)
    assert (adjustment.status, adjustment.maker, adjustment.amount) == ("approved", superuser, D("25.50"))
    assert balances(funded) == (D("1025.50"), D("0.00"), D("0.00"))
    rows = api_for(funded).get("/api/transactions/?type=adjustment").json()["results"]
    assert [(r["direction"], r["amount"], r["balance_after"], r["admin_note"]) for r in rows] == [
        ("credit", "25.50", "1025.50", "goodwill")
    ]
    debit = staff_api.post(
        ADJUST, {"user_id": funded.pk, "amount": 100, "direction": "debit", "reason": "clawback"}, format="json"
    )
    assert debit.status_code == 201
    assert balances(funded) == (D("925.50"), D("0.00"), D("0.00"))
    assert api_for(funded).get(PROFILE).json()["balance"] == "925.50"
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        (
            {"amount": "1000.01", "direction": "debit", "reason": "r"},
            400,
            {"detail": "Not enough funds: available balance is 1000.00.", "code": "insufficient_balance"},
        ),
        (
            {"amount": "10", "direction": "sideways", "reason": "r"},
            400,
            {"direction": ['"sideways" is not a valid choice.']},
        ),
        ({"amount": "10", "direction": "credit"}, 400, {"reason": ["This field is required."]}),
        ({"amount": "10", "direction": "credit", "reason": "  "}, 400, {"reason": ["This field may not be blank."]}),
        (
            {"amount": 10.555, "direction": "credit", "reason": "r"},
            400,
            {"amount": ["Ensure that there are no more than 2 decimal places."]},
        ),
        (
            {"amount": "-10", "direction": "credit", "reason": "r"},
            400,
            {
                "detail": "The amount must be greater than zero.",
                "code": "invalid_amount",
                "amount": ["The amount must be greater than zero."],
            },
        ),
        (
            {"amount": "10", "direction": "credit", "reason": "r", "status": "approved"},
            400,
            {"status": ["This field is not allowed."]},
        ),
        (
            {"user_id": 999_999, "amount": "10", "direction": "credit", "reason": "r"},
            404,
            {"detail": "No such user.", "code": "not_found"},
        ),
        (
            {"user_id": "1", "amount": "10", "direction": "credit", "reason": "r"},
            400,
            {"user_id": ["A valid integer is required."]},
        ),
    ],
)
def test_bad_adjustments_are_refused(staff_api, funded, unchanged_db, body, status, errors):
    body = {"user_id": funded.pk, **body}

    with unchanged_db():
        response = staff_api.post(ADJUST, body, format="json")

    assert response.status_code == status
    assert response.json() == errors


def test_adjusting_needs_the_permission_and_another_users_balance(funded, superuser, investor_api, unchanged_db):
    body = {"user_id": funded.pk, "amount": "10", "direction": "credit", "reason": "r"}
    without_permission, as_superuser = api_for(staff_with("change_deposit")), api_for(superuser)

    with unchanged_db():
        without = without_permission.post(ADJUST, body, format="json")
        as_investor = investor_api.post(ADJUST, body, format="json")
        own = as_superuser.post(ADJUST, {**body, "user_id": superuser.pk}, format="json")

    assert (without.status_code, without.json()) == (403, FORBIDDEN)
    assert (as_investor.status_code, as_investor.json()) == (403, FORBIDDEN)
    assert (own.status_code, own.json()) == (
        403,
        {"detail": "You cannot review your own request.", "code": "own_request"},
    )
    assert api_for(staff_with("add_adjustment")).post(ADJUST, body, format="json").status_code == 201


def test_a_large_adjustment_waits_for_a_second_staff_member(funded, unchanged_db, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("100.00"))
    maker = api_for(staff_with("add_adjustment", "check_adjustment"))
    checker = api_for(staff_with("check_adjustment"))

    created = maker.post(
        ADJUST, {"user_id": funded.pk, "amount": "150.00", "direction": "credit", "reason": "promo"}, format="json"
    )

    assert created.status_code == 201
    adjustment = Adjustment.objects.get()
    assert created.json() == adjustment_body(adjustment)
    assert (created.json()["status"], created.json()["checker"]) == ("pending", None)
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))
    maker_only = api_for(staff_with("add_adjustment"))
    with unchanged_db():
        own = maker.post(ADJUSTMENT_APPROVE, {"adjustment_id": adjustment.pk}, format="json")
        no_permission = maker_only.post(ADJUSTMENT_APPROVE, {"adjustment_id": adjustment.pk}, format="json")
        unknown = checker.post(ADJUSTMENT_APPROVE, {"adjustment_id": 999_999}, format="json")
    assert (own.status_code, own.json()) == (
        403,
        {"detail": "Another staff member must check an adjustment you made.", "code": "four_eyes_required"},
    )
    assert (no_permission.status_code, no_permission.json()) == (403, FORBIDDEN)
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "No such adjustment.", "code": "not_found"})

    approved = checker.post(ADJUSTMENT_APPROVE, {"adjustment_id": adjustment.pk, "admin_note": "ok"}, format="json")

    assert approved.status_code == 200
    assert approved.json() == adjustment_body(adjustment)
    assert (adjustment.status, adjustment.checker, adjustment.check_note) == ("approved", checker.user, "ok")
    assert balances(funded) == (D("1150.00"), D("0.00"), D("0.00"))
    with unchanged_db():
        twice = checker.post(ADJUSTMENT_APPROVE, {"adjustment_id": adjustment.pk}, format="json")
        reject = checker.post(ADJUSTMENT_REJECT, {"adjustment_id": adjustment.pk, "admin_note": "no"}, format="json")
    assert (twice.status_code, reject.status_code) == (409, 409)
    assert twice.json() == {"detail": "This request is already approved.", "code": "already_reviewed"}
    assert_ledger_ok()


def test_a_pending_adjustment_can_be_rejected_with_a_note(funded, unchanged_db, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("100.00"))
    maker = api_for(staff_with("add_adjustment"))
    checker = api_for(staff_with("check_adjustment"))
    maker.post(ADJUST, {"user_id": funded.pk, "amount": "150.00", "direction": "debit", "reason": "r"}, format="json")
    adjustment = Adjustment.objects.get()

    with unchanged_db():
        no_note = checker.post(ADJUSTMENT_REJECT, {"adjustment_id": adjustment.pk}, format="json")
        blank = checker.post(ADJUSTMENT_REJECT, {"adjustment_id": adjustment.pk, "admin_note": " "}, format="json")
        bad_id = checker.post(ADJUSTMENT_REJECT, {"adjustment_id": 1.5, "admin_note": "x"}, format="json")
    rejected = checker.post(ADJUSTMENT_REJECT, {"adjustment_id": adjustment.pk, "admin_note": "wrong"}, format="json")

    assert (no_note.status_code, no_note.json()) == (400, {"admin_note": ["This field is required."]})
    assert (blank.status_code, blank.json()) == (400, {"admin_note": ["This field may not be blank."]})
    assert (bad_id.status_code, bad_id.json()) == (400, {"adjustment_id": ["A valid integer is required."]})
    assert rejected.status_code == 200
    assert rejected.json() == adjustment_body(adjustment)
    assert (adjustment.status, adjustment.checker, adjustment.check_note) == ("rejected", checker.user, "wrong")
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))


def test_a_pending_debit_fails_at_approval_when_funds_are_gone(funded, unchanged_db, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("100.00"))
    maker = api_for(staff_with("add_adjustment"))
    checker = api_for(staff_with("check_adjustment"))
    maker.post(ADJUST, {"user_id": funded.pk, "amount": "900.00", "direction": "debit", "reason": "r"}, format="json")
    withdrawal_request_create(user=funded, amount="200.00", address="T")
    adjustment = Adjustment.objects.get()

    with unchanged_db():
        response = checker.post(ADJUSTMENT_APPROVE, {"adjustment_id": adjustment.pk}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Not enough funds: available balance is 800.00.",
        "code": "insufficient_balance",
    }
    assert Adjustment.objects.get().status == "pending"


def test_a_filter_sent_empty_is_no_filter(staff_api, investor):
    """The original client sends its unset filters empty: `?page=&type=deposit&status=`."""
    pending = deposit_request_create(user=investor, amount="20.00")
    approved = deposit_request_create(user=investor, amount="30.00")
    staff_api.post(APPROVE, {"transaction_id": approved.pk}, format="json")

    response = staff_api.get("/api/admin/deposits/?page=&type=deposit&status=")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [approved.pk, pending.pk]
