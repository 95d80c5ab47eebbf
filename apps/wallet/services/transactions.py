"""Actions on a ``transaction_id``. Deposits and withdrawals share one id space (``RequestNumber``),
so an id names exactly one request; these route it to the deposit or withdrawal service."""

from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.wallet.models import Deposit, Withdrawal
from apps.wallet.services.deposits import deposit_approve, deposit_cancel, deposit_reject
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_cancel, withdrawal_reject

DEPOSIT = "deposit"
WITHDRAWAL = "withdrawal"


def _kind(*, transaction_id: int, user=None) -> str:
    """``deposit`` or ``withdrawal``; unknown ids (and, with ``user``, another user's) are a 404."""
    for kind, model in ((DEPOSIT, Deposit), (WITHDRAWAL, Withdrawal)):
        requests = model.objects.filter(pk=transaction_id)
        if user is not None:
            requests = requests.filter(user=user)
        if requests.exists():
            return kind
    raise ApplicationError(_("No such transaction."), code="not_found", status_code=404)


def _review_permission_check(*, actor, kind: str) -> None:
    if not (actor.is_staff and actor.has_perm(f"wallet.change_{kind}")):
        message = (
            _("You are not allowed to review deposit requests.")
            if kind == DEPOSIT
            else _("You are not allowed to review withdrawal requests.")
        )
        raise ApplicationError(message, code="permission_denied", status_code=403)


def transaction_cancel(*, user, transaction_id: int) -> Deposit | Withdrawal:
    """The investor cancels their own pending deposit or withdrawal (a held withdrawal is released)."""
    if _kind(transaction_id=transaction_id, user=user) == DEPOSIT:
        return deposit_cancel(deposit_id=transaction_id, user=user)
    return withdrawal_cancel(withdrawal_id=transaction_id, user=user)


def transaction_approve(
    *, actor, transaction_id: int, note: str = "", transaction_hash: str = ""
) -> Deposit | Withdrawal:
    """Approve a deposit (credit it; a ``transaction_hash`` is the transfer hash staff confirm), or
    give a withdrawal its first or final approval (the final one needs the payout hash). Needs
    ``wallet.change_deposit`` / ``wallet.change_withdrawal``."""
    kind = _kind(transaction_id=transaction_id)
    _review_permission_check(actor=actor, kind=kind)
    if kind == DEPOSIT:
        return deposit_approve(deposit_id=transaction_id, actor=actor, note=note, confirmed_hash=transaction_hash)
    return withdrawal_approve(withdrawal_id=transaction_id, actor=actor, payout_hash=transaction_hash, note=note)


def transaction_reject(*, actor, transaction_id: int, note: str) -> Deposit | Withdrawal:
    """Reject a pending deposit, or a pending withdrawal (its held funds are released)."""
    kind = _kind(transaction_id=transaction_id)
    _review_permission_check(actor=actor, kind=kind)
    if kind == DEPOSIT:
        return deposit_reject(deposit_id=transaction_id, actor=actor, note=note)
    return withdrawal_reject(withdrawal_id=transaction_id, actor=actor, note=note)
