from decimal import Decimal

import pytest

from apps.common.errors import ApplicationError, ConflictError
from apps.wallet.models import AccountKind, RequestStatus, Withdrawal
from apps.wallet.services.ledger import platform_account
from apps.wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_cancel,
    withdrawal_reject,
    withdrawal_request_create,
)
from tests.factories import StaffFactory, UserFactory
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def funded(investor, staff):
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    return investor


def test_request_holds_then_approval_pays_out(funded, staff):
    withdrawal = withdrawal_request_create(user=funded, amount="300.00", address="TX1addr")
    assert balances(funded) == (D("700.00"), D("300.00"), D("0.00"))
    withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff, payout_hash="0xpay1", note="sent")
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_hash, withdrawal.reviewed_by) == (
        RequestStatus.APPROVED,
        "0xpay1",
        staff,
    )
    assert balances(funded) == (D("700.00"), D("0.00"), D("0.00"))
    assert platform_account(AccountKind.CASH).balance == D("-700.00")
    with pytest.raises(ConflictError):
        withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff, payout_hash="0xpay2")
    assert_ledger_ok()


def test_reject_and_cancel_release_the_hold(funded, staff):
    first = withdrawal_request_create(user=funded, amount="100.00", address="a")
    second = withdrawal_request_create(user=funded, amount="200.00", address="b")
    assert balances(funded) == (D("700.00"), D("300.00"), D("0.00"))
    withdrawal_reject(withdrawal_id=first.pk, actor=staff, note="address looks wrong")
    withdrawal_cancel(withdrawal_id=second.pk, user=funded)
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))
    assert Withdrawal.objects.get(pk=first.pk).status == RequestStatus.REJECTED
    assert Withdrawal.objects.get(pk=second.pk).status == RequestStatus.CANCELLED
    for call in (
        lambda: withdrawal_cancel(withdrawal_id=first.pk, user=funded),
        lambda: withdrawal_approve(withdrawal_id=second.pk, actor=staff, payout_hash="h"),
        lambda: withdrawal_reject(withdrawal_id=second.pk, actor=staff, note="x"),
    ):
        with pytest.raises(ConflictError):
            call()
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


def test_fee_is_charged_on_top_and_posted_to_fee_income(funded, staff, runtime_config):
    runtime_config(WITHDRAWAL_FEE_FIXED=D("1.50"), WITHDRAWAL_FEE_PERCENT=D("2.00"))
    withdrawal = withdrawal_request_create(user=funded, amount="100.00", address="a")
    assert withdrawal.fee == D("3.50")
    assert balances(funded) == (D("896.50"), D("103.50"), D("0.00"))
    withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff, payout_hash="h1")
    assert balances(funded) == (D("896.50"), D("0.00"), D("0.00"))
    assert platform_account(AccountKind.FEE_INCOME).balance == D("3.50")
    assert platform_account(AccountKind.CASH).balance == D("-900.00")
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("1000.01", "insufficient_balance"),
        ("9.99", "amount_below_minimum"),
        ("-1", "invalid_amount"),
        ("1.234", "invalid_amount"),
        ("x", "invalid_amount"),
    ],
)
def test_refusals_change_nothing(funded, unchanged_db, amount, code):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        withdrawal_request_create(user=funded, amount=amount, address="a")
    assert error.value.code == code


def test_maximum_and_daily_limit(funded, staff, unchanged_db, runtime_config):
    runtime_config(WITHDRAWAL_MAX=D("400.00"), WITHDRAWAL_DAILY_LIMIT=D("500.00"))
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        withdrawal_request_create(user=funded, amount="400.01", address="a")
    assert error.value.code == "amount_above_maximum"
    first = withdrawal_request_create(user=funded, amount="400.00", address="a")
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        withdrawal_request_create(user=funded, amount="100.01", address="a")
    assert error.value.code == "daily_limit_exceeded"
    withdrawal_cancel(withdrawal_id=first.pk, user=funded)  # cancelled ones do not count
    withdrawal_request_create(user=funded, amount="100.01", address="a")
    assert balances(funded) == (D("899.99"), D("100.01"), D("0.00"))


def test_kyc_gate(investor, staff, unchanged_db, runtime_config):
    fund(investor, "100.00", approver=staff)
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        withdrawal_request_create(user=investor, amount="50", address="a")
    assert error.value.code == "kyc_required"
    runtime_config(KYC_REQUIRED_FOR_WITHDRAWAL=False)
    withdrawal_request_create(user=investor, amount="50", address="a")
    assert balances(investor) == (D("50.00"), D("50.00"), D("0.00"))


def test_missing_address_is_refused(funded, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        withdrawal_request_create(user=funded, amount="50", address=" ")
    assert error.value.field == "wallet_address"


def test_another_investors_withdrawal_cannot_be_cancelled(funded, unchanged_db):
    withdrawal = withdrawal_request_create(user=funded, amount="50", address="a")
    stranger = UserFactory()
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        withdrawal_cancel(withdrawal_id=withdrawal.pk, user=stranger)
    assert error.value.status_code == 404


def test_large_withdrawal_needs_two_different_staff(funded, staff, unchanged_db, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("500.00"))
    withdrawal = withdrawal_request_create(user=funded, amount="600.00", address="a")
    assert withdrawal.needs_two_approvals is True
    withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff)
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.first_approved_by) == (RequestStatus.PENDING, staff)
    assert balances(funded) == (D("400.00"), D("600.00"), D("0.00"))
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff, payout_hash="h")
    assert error.value.code == "four_eyes_required"
    second = StaffFactory()
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        withdrawal_approve(withdrawal_id=withdrawal.pk, actor=second, payout_hash="")
    assert error.value.code == "reason_required"
    withdrawal_approve(withdrawal_id=withdrawal.pk, actor=second, payout_hash="0xbig")
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.reviewed_by) == (RequestStatus.APPROVED, second)
    assert balances(funded) == (D("400.00"), D("0.00"), D("0.00"))
    assert_ledger_ok()


def test_first_approver_may_still_reject(funded, staff, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("500.00"))
    withdrawal = withdrawal_request_create(user=funded, amount="600.00", address="a")
    withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff)
    withdrawal_reject(withdrawal_id=withdrawal.pk, actor=staff, note="changed my mind")
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))
