from decimal import Decimal

from apps.accounts.models import KycStatus
from apps.wallet.ledger_check import ledger_check
from apps.wallet.selectors import balances_for_user
from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_approve, deposit_reject, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_cancel, withdrawal_request_create


def fund(user, amount: str, *, approver) -> None:
    """Give ``user`` available money the real way: a deposit request approved by staff."""
    deposit = deposit_request_create(user=user, amount=amount)
    deposit_approve(deposit_id=deposit.pk, actor=approver)


def kyc_approve(user) -> None:
    type(user).objects.filter(pk=user.pk).update(kyc_status=KycStatus.APPROVED)
    user.kyc_status = KycStatus.APPROVED


def activity_of_every_kind(investor, staff, *, rounds: int):
    """Six rows a round of every kind and status on ``investor``'s activity: deposits (approved,
    pending, rejected), adjustments, withdrawals (pending, cancelled); another investor's rows
    beside them."""
    from tests.factories import UserFactory

    kyc_approve(investor)
    for _ in range(rounds):
        fund(investor, "100.00", approver=staff)
        adjustment_create(user_id=investor.pk, amount="1.00", direction="credit", reason="r", maker=staff)
        withdrawal_request_create(user=investor, amount="10.00", address="T")
        cancelled = withdrawal_request_create(user=investor, amount="15.00", address="T")
        withdrawal_cancel(withdrawal_id=cancelled.pk, user=investor)
        deposit_request_create(user=investor, amount="20.00")
        rejected = deposit_request_create(user=investor, amount="30.00")
        deposit_reject(deposit_id=rejected.pk, actor=staff, note="no")
    other = UserFactory()
    fund(other, "500.00", approver=staff)
    adjustment_create(user_id=other.pk, amount="1.00", direction="credit", reason="x", maker=staff)
    return investor


def balances(user) -> tuple[Decimal, Decimal, Decimal]:
    b = balances_for_user(user=user)
    return b.available, b.held, b.invested


def assert_ledger_ok() -> None:
    report = ledger_check(deep=True)
    assert report.ok, report.problems
