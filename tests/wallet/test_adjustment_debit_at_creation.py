"""A debit larger than the investor's available balance is refused when it is made, also above
the four-eyes threshold (it used to wait as pending and fail only at the second approval); the
approval still checks, since the balance may move while the debit waits."""

from decimal import Decimal

import pytest

from apps.accounts import roles
from apps.common.errors import ApplicationError
from apps.wallet.models import Adjustment, RequestStatus
from apps.wallet.services.adjustments import adjustment_approve, adjustment_create
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.backoffice.conftest import staff_with_role
from tests.factories import StaffFactory
from tests.wallet.helpers import balances, fund, kyc_approve

pytestmark = pytest.mark.django_db
D = Decimal
ADJUST = "/api/admin/users/adjust-balance/"
REFUSAL = "Not enough funds: available balance is 1000.00."


@pytest.fixture
def funded(investor, superuser, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("100.00"))
    fund(investor, "1000.00", approver=superuser)
    return investor


def test_service_refuses_a_large_debit_beyond_the_balance(funded, staff, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        adjustment_create(user_id=funded.pk, amount="1000.01", direction="debit", reason="clawback", maker=staff)
    assert (error.value.code, error.value.message) == ("insufficient_balance", REFUSAL)


def test_service_accepts_a_large_debit_of_the_whole_balance_as_pending(funded, staff):
    adjustment = adjustment_create(
        user_id=funded.pk, amount="1000.00", direction="debit", reason="clawback", maker=staff
    )
    assert (adjustment.status, adjustment.entry) == (RequestStatus.PENDING, None)
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))


def test_approval_still_refuses_when_the_balance_moved(funded, staff, unchanged_db):
    adjustment = adjustment_create(
        user_id=funded.pk, amount="900.00", direction="debit", reason="clawback", maker=staff
    )
    kyc_approve(funded)
    checker = StaffFactory()
    withdrawal_request_create(user=funded, amount="200.00", address="0x" + "a" * 40)
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        adjustment_approve(adjustment_id=adjustment.pk, checker=checker)
    assert (error.value.code, error.value.message) == (
        "insufficient_balance",
        "Not enough funds: available balance is 800.00.",
    )
    assert Adjustment.objects.get(pk=adjustment.pk).status == RequestStatus.PENDING


def test_api_refuses_a_large_debit_beyond_the_balance(funded, staff_api, unchanged_db):
    with unchanged_db():
        response = staff_api.post(
            ADJUST, {"user_id": funded.pk, "amount": "1000.01", "direction": "debit", "reason": "r"}, format="json"
        )
    assert (response.status_code, response.json()) == (400, {"detail": REFUSAL, "code": "insufficient_balance"})


def test_admin_refuses_a_large_debit_beyond_the_balance(funded, client, unchanged_db):
    client.force_login(staff_with_role(roles.FINANCE))
    with unchanged_db():
        response = client.post(
            "/admin/wallet/adjustment/add/",
            {"user": str(funded.pk), "direction": "debit", "amount": "1000.01", "reason": "clawback", "_save": "Save"},
        )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"__all__": [REFUSAL]}
