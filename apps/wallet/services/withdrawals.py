"""Withdrawals, two-phase (I7): the request moves amount + fee available → held at once;
approval pays held → cash (and the fee → fee income); rejection or cancellation releases
held → available. Each exactly once, under the row lock. Above ``FOUR_EYES_THRESHOLD`` two
different staff members approve (I8)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import KycStatus, User
from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.common.money import CENT
from apps.controls.runtime import maintenance_check, runtime_setting
from apps.messaging.services import notification_send
from apps.wallet.lock_objects import accounts_lock, request_lock
from apps.wallet.models import AccountKind, EntryKind, RequestStatus, Withdrawal, request_number_next
from apps.wallet.selectors.balances import withdrawal_total_today_for_user
from apps.wallet.services.common import amount_clean, limits_check, pending_check, reviewer_check, text_required
from apps.wallet.services.ledger import Leg, entry_post, investor_account, platform_account, transfer_legs


def withdrawal_fee_for(amount: Decimal) -> Decimal:
    percent = (amount * runtime_setting("WITHDRAWAL_FEE_PERCENT") / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
    return runtime_setting("WITHDRAWAL_FEE_FIXED") + percent


def _kyc_check(user) -> None:
    if runtime_setting("KYC_REQUIRED_FOR_WITHDRAWAL") and user.kyc_status != KycStatus.APPROVED:
        raise ApplicationError(
            _("Your identity must be verified (KYC approved) before you can withdraw."), code="kyc_required"
        )


def _payout_kyc_check(user) -> None:
    """A verification withdrawn after the request (``kyc_submission_revoke``) stops the payout."""
    if runtime_setting("KYC_REQUIRED_FOR_WITHDRAWAL") and user.kyc_status != KycStatus.APPROVED:
        raise ApplicationError(
            _("This investor's identity is no longer verified: reject the withdrawal to release the funds."),
            code="kyc_required",
        )


@transaction.atomic(durable=True)
def withdrawal_request_create(*, user, amount, address: str, business_date: date | None = None) -> Withdrawal:
    """Hold amount + fee. The hold entry is dated today, or ``business_date`` (an earlier date, never
    a future one: demo data and imports; no interface passes it)."""
    maintenance_check()
    _business_date_check(business_date)
    amount = amount_clean(amount)
    address = text_required(address, field="wallet_address", message=_("Enter the address to pay to."))[:200]
    user = User.objects.get(pk=user.pk)  # fresh KYC status
    _kyc_check(user)
    limits_check(amount=amount, minimum=runtime_setting("WITHDRAWAL_MIN"), maximum=runtime_setting("WITHDRAWAL_MAX"))
    available = investor_account(user=user, kind=AccountKind.AVAILABLE)
    held = investor_account(user=user, kind=AccountKind.HELD)
    accounts_lock(account_ids=[available.pk, held.pk])  # serialises this user's withdrawals
    if withdrawal_total_today_for_user(user=user) + amount > runtime_setting("WITHDRAWAL_DAILY_LIMIT"):
        raise ApplicationError(
            _("This would exceed your daily withdrawal limit of %(limit)s.")
            % {"limit": runtime_setting("WITHDRAWAL_DAILY_LIMIT")},
            code="daily_limit_exceeded",
            field="amount",
        )
    fee = withdrawal_fee_for(amount)
    withdrawal = Withdrawal.objects.create(
        pk=request_number_next(),
        user=user,
        amount=amount,
        fee=fee,
        address=address,
        needs_two_approvals=amount > runtime_setting("FOUR_EYES_THRESHOLD"),
    )
    withdrawal.hold_entry = entry_post(
        kind=EntryKind.WITHDRAWAL_HOLD,
        natural_key=f"withdrawal:{withdrawal.pk}:hold",
        legs=transfer_legs(debit=available, credit=held, amount=amount + fee),
        actor=user,
        memo=f"Withdrawal #{withdrawal.pk} requested",
        business_date=business_date,
    )
    withdrawal.save(update_fields=["hold_entry", "updated_at"])
    return withdrawal


def _business_date_check(business_date: date | None) -> None:
    if business_date is not None and business_date > business_date_today():
        raise ApplicationError(_("A withdrawal cannot be dated in the future."), code="future_date")


def _locked(withdrawal_id: int) -> Withdrawal:
    withdrawal = request_lock(Withdrawal.objects.select_related("user"), pk=withdrawal_id)
    if withdrawal is None:
        raise ApplicationError(_("No such withdrawal."), code="not_found", status_code=404)
    pending_check(withdrawal)
    return withdrawal


@transaction.atomic(durable=True)
def withdrawal_approve(
    *, withdrawal_id: int, actor, payout_hash: str = "", note: str = "", business_date: date | None = None
) -> Withdrawal:
    """Pay out, or, for a withdrawal that needs two approvals and has none yet, record the first.
    The payout entry is dated today, or ``business_date`` (as for the request: demo data, imports)."""
    maintenance_check()
    _business_date_check(business_date)
    withdrawal = _locked(withdrawal_id)
    reviewer_check(reviewer=actor, owner=withdrawal.user)
    _payout_kyc_check(withdrawal.user)
    if withdrawal.needs_two_approvals and withdrawal.first_approved_by_id is None:
        withdrawal.first_approved_by = actor
        withdrawal.first_approved_at = timezone.now()
        withdrawal.admin_note = (note or "").strip()
        withdrawal.save(update_fields=["first_approved_by", "first_approved_at", "admin_note", "updated_at"])
        return withdrawal
    if withdrawal.first_approved_by_id == actor.pk:
        raise ApplicationError(
            _("A second staff member must give the second approval."), code="four_eyes_required", status_code=403
        )
    payout_hash = text_required(payout_hash, field="transaction_hash", message=_("Enter the payout transaction hash."))
    if Withdrawal.objects.filter(payout_hash__iexact=payout_hash).exists():
        raise ApplicationError(_("This payout hash was already used."), code="duplicate_hash", field="transaction_hash")
    held = investor_account(user=withdrawal.user, kind=AccountKind.HELD)
    legs = [
        Leg(account_id=held.pk, amount=-withdrawal.total),
        Leg(account_id=platform_account(AccountKind.CASH).pk, amount=withdrawal.amount),
    ]
    if withdrawal.fee:
        legs.append(Leg(account_id=platform_account(AccountKind.FEE_INCOME).pk, amount=withdrawal.fee))
    entry = entry_post(
        kind=EntryKind.WITHDRAWAL_PAYOUT,
        natural_key=f"withdrawal:{withdrawal.pk}:close",
        legs=legs,
        actor=actor,
        memo=f"Withdrawal #{withdrawal.pk} paid",
        business_date=business_date,
    )
    withdrawal.payout_hash = payout_hash[:200]
    _close(withdrawal, status=RequestStatus.APPROVED, actor=actor, note=note, entry=entry)
    notification_send(
        user=withdrawal.user,
        kind="withdrawal_paid",
        title=lambda: _("Withdrawal paid"),
        body=lambda: (
            _("Your withdrawal of %(amount)s %(currency)s was sent to %(address)s.")
            % {"amount": withdrawal.amount, "currency": withdrawal.currency, "address": withdrawal.address}
        ),
        link="/wallet/",
    )
    return withdrawal


@transaction.atomic(durable=True)
def withdrawal_reject(*, withdrawal_id: int, actor, note: str) -> Withdrawal:
    maintenance_check()
    note = text_required(note, field="admin_note", message=_("Give the investor a reason for the rejection."))
    withdrawal = _locked(withdrawal_id)
    reviewer_check(reviewer=actor, owner=withdrawal.user)
    _release(withdrawal, status=RequestStatus.REJECTED, actor=actor, note=note)
    notification_send(
        user=withdrawal.user,
        kind="withdrawal_rejected",
        title=lambda: _("Withdrawal rejected"),
        body=lambda: (
            _("Your withdrawal of %(amount)s %(currency)s was rejected and the funds are available again: %(reason)s")
            % {"amount": withdrawal.amount, "currency": withdrawal.currency, "reason": note}
        ),
        link="/wallet/",
    )
    return withdrawal


@transaction.atomic(durable=True)
def withdrawal_cancel(*, withdrawal_id: int, user) -> Withdrawal:
    """The investor cancels their own pending withdrawal (another's is a 404)."""
    maintenance_check()
    withdrawal = request_lock(Withdrawal.objects.filter(user=user).select_related("user"), pk=withdrawal_id)
    if withdrawal is None:
        raise ApplicationError(_("No such withdrawal."), code="not_found", status_code=404)
    pending_check(withdrawal)
    _release(withdrawal, status=RequestStatus.CANCELLED, actor=user, note="")
    return withdrawal


def _release(withdrawal: Withdrawal, *, status: str, actor, note: str) -> None:
    entry = entry_post(
        kind=EntryKind.WITHDRAWAL_RELEASE,
        natural_key=f"withdrawal:{withdrawal.pk}:close",
        legs=transfer_legs(
            debit=investor_account(user=withdrawal.user, kind=AccountKind.HELD),
            credit=investor_account(user=withdrawal.user, kind=AccountKind.AVAILABLE),
            amount=withdrawal.total,
        ),
        actor=actor,
        memo=f"Withdrawal #{withdrawal.pk} {status}",
    )
    _close(withdrawal, status=status, actor=actor, note=note, entry=entry)


def _close(withdrawal: Withdrawal, *, status: str, actor, note: str, entry) -> None:
    withdrawal.status = status
    withdrawal.reviewed_by = actor if actor.pk != withdrawal.user_id else None
    withdrawal.reviewed_at = timezone.now()
    withdrawal.admin_note = (note or withdrawal.admin_note or "").strip()
    withdrawal.close_entry = entry
    withdrawal.save(
        update_fields=["status", "reviewed_by", "reviewed_at", "admin_note", "close_entry", "payout_hash", "updated_at"]
    )
