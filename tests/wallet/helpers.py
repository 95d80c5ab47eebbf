from decimal import Decimal

from apps.accounts.models import KycStatus
from apps.wallet.ledger_check import ledger_check
from apps.wallet.selectors import balances_for_user
from apps.wallet.services.deposits import deposit_approve, deposit_request_create


def fund(user, amount: str, *, approver) -> None:
    """Give ``user`` available money the real way: a deposit request approved by staff."""
    deposit = deposit_request_create(user=user, amount=amount)
    deposit_approve(deposit_id=deposit.pk, actor=approver)


def kyc_approve(user) -> None:
    type(user).objects.filter(pk=user.pk).update(kyc_status=KycStatus.APPROVED)
    user.kyc_status = KycStatus.APPROVED


def balances(user) -> tuple[Decimal, Decimal, Decimal]:
    b = balances_for_user(user=user)
    return b.available, b.held, b.invested


def assert_ledger_ok() -> None:
    report = ledger_check(deep=True)
    assert report.ok, report.problems
