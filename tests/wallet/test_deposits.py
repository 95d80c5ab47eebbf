from decimal import Decimal

import pytest
from django.core import mail

from apps.common.errors import ApplicationError, ConflictError
from apps.messaging.models import Notification
from apps.wallet.models import Deposit, Entry, RequestStatus
from apps.wallet.services.deposits import deposit_approve, deposit_reject, deposit_request_create
from tests.factories import UserFactory
from tests.wallet.helpers import assert_ledger_ok, balances

pytestmark = pytest.mark.django_db


def test_request_then_approve_credits_exactly_once(investor, staff, django_capture_on_commit_callbacks):
    deposit = deposit_request_create(user=investor, amount="1500.25", method="usdt", transaction_hash="0xAbC")
    assert (deposit.status, deposit.amount) == (RequestStatus.PENDING, Decimal("1500.25"))
    assert balances(investor) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    with django_capture_on_commit_callbacks(execute=True):
        deposit_approve(deposit_id=deposit.pk, actor=staff, note="seen on chain")
    deposit.refresh_from_db()
    assert (deposit.status, deposit.reviewed_by, deposit.admin_note) == (RequestStatus.APPROVED, staff, "seen on chain")
    assert deposit.entry.natural_key == f"deposit:{deposit.pk}"
    assert balances(investor) == (Decimal("1500.25"), Decimal("0.00"), Decimal("0.00"))
    assert Notification.objects.get(user=investor).kind == "deposit_approved"
    assert [m.to for m in mail.outbox] == [[investor.email]]
    with pytest.raises(ConflictError) as error:
        deposit_approve(deposit_id=deposit.pk, actor=staff)
    assert error.value.code == "already_reviewed"
    assert balances(investor)[0] == Decimal("1500.25")
    assert Entry.objects.count() == 1
    assert_ledger_ok()


def test_reject_requires_reason_and_moves_no_money(investor, staff, unchanged_db):
    deposit = deposit_request_create(user=investor, amount="100")
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        deposit_reject(deposit_id=deposit.pk, actor=staff, note="  ")
    assert error.value.code == "reason_required"
    deposit_reject(deposit_id=deposit.pk, actor=staff, note="no funds arrived")
    deposit.refresh_from_db()
    assert (deposit.status, deposit.entry) == (RequestStatus.REJECTED, None)
    assert balances(investor)[0] == Decimal("0.00")
    with unchanged_db(), pytest.raises(ConflictError):
        deposit_approve(deposit_id=deposit.pk, actor=staff)


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-5", "invalid_amount"),
        ("0", "invalid_amount"),
        ("abc", "invalid_amount"),
        ("10.001", "invalid_amount"),
        ("1e30", "invalid_amount"),
        ("NaN", "invalid_amount"),
        ("Infinity", "invalid_amount"),
        (10.5, "invalid_amount"),
        ("9.99", "amount_below_minimum"),
        ("1000000.01", "amount_above_maximum"),
    ],
)
def test_bad_amounts_are_refused(investor, unchanged_db, amount, code):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        deposit_request_create(user=investor, amount=amount)
    assert error.value.code == code


def test_reused_hash_is_refused_in_any_case(investor, unchanged_db):
    deposit_request_create(user=UserFactory(), amount="20", transaction_hash="0xDEADbeef")
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        deposit_request_create(user=investor, amount="20", transaction_hash="0xdeadBEEF")
    assert error.value.code == "duplicate_hash"


def test_unknown_deposit_and_own_deposit(staff, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        deposit_approve(deposit_id=999999, actor=staff)
    assert error.value.status_code == 404
    own = deposit_request_create(user=staff, amount="20")
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        deposit_approve(deposit_id=own.pk, actor=staff)
    assert error.value.code == "own_request"
    assert Deposit.objects.get(pk=own.pk).status == RequestStatus.PENDING


def test_investor_cannot_approve(investor, unchanged_db):
    deposit = deposit_request_create(user=UserFactory(), amount="20")
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        deposit_approve(deposit_id=deposit.pk, actor=investor)
    assert error.value.code == "permission_denied"
