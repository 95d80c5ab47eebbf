"""Deposits: the investor asks, staff approve (cash → available, exactly once) or reject."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.controls.runtime import maintenance_check, runtime_setting
from apps.messaging.services import notification_send
from apps.wallet.lock_objects import request_lock
from apps.wallet.models import AccountKind, Deposit, DepositAddress, EntryKind, RequestStatus, request_number_next
from apps.wallet.services.common import amount_clean, limits_check, pending_check, reviewer_check, text_required
from apps.wallet.services.ledger import entry_post, investor_account, platform_account, transfer_legs


def _hash_taken(transaction_hash: str) -> bool:
    return Deposit.objects.filter(transaction_hash__iexact=transaction_hash).exists()


@transaction.atomic(durable=True)
def deposit_request_create(
    *, user, amount, method: str = "", sender_address: str = "", transaction_hash: str = ""
) -> Deposit:
    maintenance_check()
    amount = amount_clean(amount)
    limits_check(amount=amount, minimum=runtime_setting("DEPOSIT_MIN"), maximum=runtime_setting("DEPOSIT_MAX"))
    transaction_hash = (transaction_hash or "").strip()
    if transaction_hash and _hash_taken(transaction_hash):
        raise _duplicate_hash()
    try:
        with transaction.atomic():
            return Deposit.objects.create(
                pk=request_number_next(),
                user=user,
                amount=amount,
                method=(method or "").strip()[:40],
                sender_address=(sender_address or "").strip()[:200],
                transaction_hash=transaction_hash[:200],
            )
    except IntegrityError:
        raise _duplicate_hash() from None


def _duplicate_hash() -> ApplicationError:
    return ApplicationError(
        _("This transaction hash was already used for a deposit."), code="duplicate_hash", field="transaction_hash"
    )


def _hash_confirm(deposit: Deposit, confirmed_hash: str) -> None:
    """Record the transfer hash staff confirmed: it must be the investor's (case aside), or, when
    the investor gave none, one no other deposit used; it then becomes the deposit's hash."""
    confirmed_hash = (confirmed_hash or "").strip()
    if not confirmed_hash:
        return
    if deposit.transaction_hash:
        if deposit.transaction_hash.lower() != confirmed_hash.lower():
            raise ApplicationError(
                _("This hash differs from the one the investor gave (%(hash)s): check the transfer.")
                % {"hash": deposit.transaction_hash},
                code="hash_mismatch",
                field="transaction_hash",
            )
        deposit.confirmed_hash = deposit.transaction_hash
        return
    if _hash_taken(confirmed_hash):
        raise _duplicate_hash()
    deposit.transaction_hash = deposit.confirmed_hash = confirmed_hash


@transaction.atomic(durable=True)
def deposit_approve(
    *, deposit_id: int, actor, note: str = "", confirmed_hash: str = "", business_date: date | None = None
) -> Deposit:
    """Credit the investor once, whoever clicks twice (the row lock + natural key). With
    ``confirmed_hash``, staff confirm the transfer: see ``_hash_confirm``. The entry is dated
    today, or ``business_date`` (an earlier date, never a future one: demo data and imports; no
    interface passes it)."""
    maintenance_check()
    if business_date is not None and business_date > business_date_today():
        raise ApplicationError(_("A deposit cannot be credited on a future date."), code="future_date")
    deposit = request_lock(Deposit.objects.select_related("user"), pk=deposit_id)
    if deposit is None:
        raise ApplicationError(_("No such deposit."), code="not_found", status_code=404)
    pending_check(deposit)
    reviewer_check(reviewer=actor, owner=deposit.user)
    _hash_confirm(deposit, confirmed_hash)
    entry = entry_post(
        kind=EntryKind.DEPOSIT,
        natural_key=f"deposit:{deposit.pk}",
        legs=transfer_legs(
            debit=platform_account(AccountKind.CASH),
            credit=investor_account(user=deposit.user, kind=AccountKind.AVAILABLE),
            amount=deposit.amount,
        ),
        actor=actor,
        memo=f"Deposit #{deposit.pk}",
        business_date=business_date,
    )
    try:
        with transaction.atomic():
            _close(deposit, status=RequestStatus.APPROVED, actor=actor, note=note, entry=entry)
    except IntegrityError:
        raise _duplicate_hash() from None  # another deposit took the hash meanwhile
    notification_send(
        user=deposit.user,
        kind="deposit_approved",
        title=lambda: _("Deposit approved"),
        body=lambda: (
            _("Your deposit of %(amount)s %(currency)s was credited to your balance.")
            % {"amount": deposit.amount, "currency": deposit.currency}
        ),
        link="/wallet/",
    )
    return deposit


@transaction.atomic(durable=True)
def deposit_reject(*, deposit_id: int, actor, note: str) -> Deposit:
    maintenance_check()
    note = text_required(note, field="admin_note", message=_("Give the investor a reason for the rejection."))
    deposit = request_lock(Deposit.objects.select_related("user"), pk=deposit_id)
    if deposit is None:
        raise ApplicationError(_("No such deposit."), code="not_found", status_code=404)
    pending_check(deposit)
    reviewer_check(reviewer=actor, owner=deposit.user)
    _close(deposit, status=RequestStatus.REJECTED, actor=actor, note=note, entry=None)
    notification_send(
        user=deposit.user,
        kind="deposit_rejected",
        title=lambda: _("Deposit rejected"),
        body=lambda: (
            _("Your deposit of %(amount)s %(currency)s was rejected: %(reason)s")
            % {"amount": deposit.amount, "currency": deposit.currency, "reason": note}
        ),
        link="/wallet/",
    )
    return deposit


@transaction.atomic(durable=True)
def deposit_cancel(*, deposit_id: int, user) -> Deposit:
    """The investor withdraws their own pending deposit request (another's is a 404). Nothing was
    posted yet, so nothing moves; its transaction hash stays taken."""
    maintenance_check()
    deposit = request_lock(Deposit.objects.filter(user=user).select_related("user"), pk=deposit_id)
    if deposit is None:
        raise ApplicationError(_("No such deposit."), code="not_found", status_code=404)
    pending_check(deposit)
    deposit.status = RequestStatus.CANCELLED
    deposit.reviewed_at = timezone.now()
    deposit.save(update_fields=["status", "reviewed_at", "updated_at"])
    return deposit


def _close(deposit: Deposit, *, status: str, actor, note: str, entry) -> None:
    deposit.status = status
    deposit.reviewed_by = actor
    deposit.reviewed_at = timezone.now()
    deposit.admin_note = (note or "").strip()
    deposit.entry = entry
    deposit.save(
        update_fields=[
            "status",
            "reviewed_by",
            "reviewed_at",
            "admin_note",
            "entry",
            "transaction_hash",
            "confirmed_hash",
            "updated_at",
        ]
    )


@transaction.atomic
def deposit_address_save(*, network: str, address: str, label: str = "", is_active: bool = True) -> DepositAddress:
    network = text_required(network, field="network", message=_("Name the network."))
    address = text_required(address, field="address", message=_("Enter the address."))
    deposit_address, _created = DepositAddress.objects.update_or_create(
        network=network.upper(), address=address, defaults={"label": label.strip(), "is_active": is_active}
    )
    return deposit_address
