"""Manual adjustments: a staff member credits or debits an investor with a reason. Never an
edit of a balance: an entry between the investor's available account and the platform's
adjustments account. Above ``FOUR_EYES_THRESHOLD`` a second staff member must approve (I8)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.errors import ApplicationError
from apps.controls.runtime import maintenance_check, runtime_setting
from apps.messaging.services import notification_send
from apps.wallet.lock_objects import accounts_lock, request_lock
from apps.wallet.models import AccountKind, Adjustment, AdjustmentDirection, EntryKind, RequestStatus
from apps.wallet.services.common import amount_clean, pending_check, reviewer_check, text_required
from apps.wallet.services.ledger import entry_post, investor_account, platform_account, transfer_legs


@transaction.atomic(durable=True)
def adjustment_create(*, user_id: int, amount, direction: str, reason: str, maker) -> Adjustment:
    """Record the adjustment; apply it at once unless it needs a second staff member."""
    maintenance_check()
    amount = amount_clean(amount)
    if direction not in AdjustmentDirection.values:
        raise ApplicationError(_("Choose credit or debit."), code="invalid_direction", field="direction")
    reason = text_required(reason, field="reason", message=_("Say why the balance is adjusted."))
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ApplicationError(_("No such user."), code="not_found", status_code=404)
    reviewer_check(reviewer=maker, owner=user)
    if direction == AdjustmentDirection.DEBIT:
        _debit_check(user=user, amount=amount)
    adjustment = Adjustment.objects.create(user=user, amount=amount, direction=direction, reason=reason, maker=maker)
    if amount <= runtime_setting("FOUR_EYES_THRESHOLD"):
        _apply(adjustment, checker=None)
    return adjustment


@transaction.atomic(durable=True)
def adjustment_approve(*, adjustment_id: int, checker, note: str = "") -> Adjustment:
    maintenance_check()
    adjustment = _locked(adjustment_id, checker=checker)
    adjustment.check_note = (note or "").strip()
    _apply(adjustment, checker=checker)
    return adjustment


@transaction.atomic(durable=True)
def adjustment_reject(*, adjustment_id: int, checker, note: str) -> Adjustment:
    maintenance_check()
    note = text_required(note, field="note", message=_("Say why the adjustment is rejected."))
    adjustment = _locked(adjustment_id, checker=checker)
    adjustment.status = RequestStatus.REJECTED
    adjustment.checker = checker
    adjustment.checked_at = timezone.now()
    adjustment.check_note = note
    adjustment.save(update_fields=["status", "checker", "checked_at", "check_note"])
    return adjustment


def _debit_check(*, user: User, amount) -> None:
    """A debit beyond the investor's available balance is refused when it is made, not only when
    it is posted (a pending one would otherwise wait for a checker who can only refuse it). The
    posting checks again: the balance may move before a second staff member approves."""
    account = investor_account(user=user, kind=AccountKind.AVAILABLE)
    account = accounts_lock(account_ids=[account.pk])[account.pk]
    if account.balance < amount:
        raise ApplicationError(
            _("Not enough funds: %(kind)s balance is %(balance)s.")
            % {"kind": account.get_kind_display().lower(), "balance": account.balance},
            code="insufficient_balance",
        )


def _locked(adjustment_id: int, *, checker) -> Adjustment:
    adjustment = request_lock(Adjustment.objects.select_related("user"), pk=adjustment_id)
    if adjustment is None:
        raise ApplicationError(_("No such adjustment."), code="not_found", status_code=404)
    pending_check(adjustment)
    reviewer_check(reviewer=checker, owner=adjustment.user)
    if checker.pk == adjustment.maker_id:
        raise ApplicationError(
            _("Another staff member must check an adjustment you made."), code="four_eyes_required", status_code=403
        )
    return adjustment


def _apply(adjustment: Adjustment, *, checker) -> None:
    available = investor_account(user=adjustment.user, kind=AccountKind.AVAILABLE)
    platform = platform_account(AccountKind.ADJUSTMENTS)
    debit, credit = (
        (platform, available) if adjustment.direction == AdjustmentDirection.CREDIT else (available, platform)
    )
    adjustment.entry = entry_post(
        kind=EntryKind.ADJUSTMENT,
        natural_key=f"adjustment:{adjustment.pk}",
        legs=transfer_legs(debit=debit, credit=credit, amount=adjustment.amount),
        actor=checker or adjustment.maker,
        memo=adjustment.reason,
    )
    adjustment.status = RequestStatus.APPROVED
    adjustment.checker = checker
    adjustment.checked_at = timezone.now() if checker else None
    adjustment.save(update_fields=["entry", "status", "checker", "checked_at", "check_note"])
    notification_send(
        user=adjustment.user,
        kind=f"adjustment_{adjustment.direction}",
        title=lambda: _("Balance adjusted"),
        body=lambda: (
            (
                _("%(amount)s %(currency)s was credited to your balance: %(reason)s")
                if adjustment.direction == AdjustmentDirection.CREDIT
                else _("%(amount)s %(currency)s was debited from your balance: %(reason)s")
            )
            % {"amount": adjustment.amount, "currency": adjustment.currency, "reason": adjustment.reason}
        ),
        link="/wallet/",
    )
