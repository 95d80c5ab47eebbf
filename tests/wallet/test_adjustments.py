from decimal import Decimal

import pytest

from apps.common.errors import ApplicationError, ConflictError
from apps.wallet.models import AccountKind, Adjustment, RequestStatus
from apps.wallet.services.adjustments import adjustment_approve, adjustment_create, adjustment_reject
from apps.wallet.services.ledger import platform_account
from tests.factories import StaffFactory
from tests.wallet.helpers import assert_ledger_ok, balances

pytestmark = pytest.mark.django_db
D = Decimal


def test_small_credit_and_debit_apply_at_once(investor, staff):
    credit = adjustment_create(user_id=investor.pk, amount="120.00", direction="credit", reason="goodwill", maker=staff)
    assert (credit.status, credit.checker) == (RequestStatus.APPROVED, None)
    adjustment_create(user_id=investor.pk, amount="20.00", direction="debit", reason="fee correction", maker=staff)
    assert balances(investor) == (D("100.00"), D("0.00"), D("0.00"))
    assert platform_account(AccountKind.ADJUSTMENTS).balance == D("-100.00")
    assert_ledger_ok()


def test_debit_beyond_balance_is_refused(investor, staff, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        adjustment_create(user_id=investor.pk, amount="0.01", direction="debit", reason="x", maker=staff)
    assert error.value.code == "insufficient_balance"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"reason": ""}, "reason_required"),
        ({"direction": "sideways"}, "invalid_direction"),
        ({"amount": "-3"}, "invalid_amount"),
        ({"user_id": 0}, "not_found"),
    ],
)
def test_bad_input_changes_nothing(investor, staff, unchanged_db, overrides, code):
    data = {"user_id": investor.pk, "amount": "5", "direction": "credit", "reason": "r", "maker": staff, **overrides}
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        adjustment_create(**data)
    assert error.value.code == code


def test_large_adjustment_waits_for_a_different_checker(investor, staff, unchanged_db, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("1000.00"))
    adjustment = adjustment_create(
        user_id=investor.pk, amount="5000.00", direction="credit", reason="bonus", maker=staff
    )
    assert (adjustment.status, adjustment.entry) == (RequestStatus.PENDING, None)
    assert balances(investor)[0] == D("0.00")
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        adjustment_approve(adjustment_id=adjustment.pk, checker=staff)
    assert error.value.code == "four_eyes_required"
    checker = StaffFactory()
    adjustment_approve(adjustment_id=adjustment.pk, checker=checker, note="ok")
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.checker, adjustment.maker) == (RequestStatus.APPROVED, checker, staff)
    assert balances(investor)[0] == D("5000.00")
    with pytest.raises(ConflictError):
        adjustment_approve(adjustment_id=adjustment.pk, checker=StaffFactory())
    assert balances(investor)[0] == D("5000.00")


def test_rejected_large_adjustment_moves_nothing(investor, staff, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("1000.00"))
    adjustment = adjustment_create(
        user_id=investor.pk, amount="5000.00", direction="credit", reason="bonus", maker=staff
    )
    adjustment_reject(adjustment_id=adjustment.pk, checker=StaffFactory(), note="not agreed")
    assert Adjustment.objects.get(pk=adjustment.pk).status == RequestStatus.REJECTED
    assert balances(investor)[0] == D("0.00")


def test_staff_cannot_adjust_themselves(staff, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        adjustment_create(user_id=staff.pk, amount="5", direction="credit", reason="r", maker=staff)
    assert error.value.code == "own_request"
