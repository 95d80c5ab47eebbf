"""The posting engine. Every balance change in Bursar is an ``Entry`` posted here."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError, ConflictError
from apps.common.money import to_money
from apps.wallet.lock_objects import accounts_lock
from apps.wallet.models import INVESTOR_KINDS, PLATFORM_KINDS, Account, AccountKind, Entry, Posting


@dataclass(frozen=True)
class Leg:
    account_id: int
    amount: Decimal


def platform_account(kind: str) -> Account:
    """The platform account of ``kind`` (created by a migration; created here if missing)."""
    if kind not in PLATFORM_KINDS:
        raise ValueError(f"{kind} is not a platform account kind")
    account, _created = Account.objects.get_or_create(owner=None, kind=kind, currency=settings.PLATFORM_CURRENCY)
    return account


def investor_account(*, user, kind: str) -> Account:
    """The investor's account of ``kind``, created on first use (insert-or-get over the
    unique constraint, safe under concurrency)."""
    if kind not in INVESTOR_KINDS:
        raise ValueError(f"{kind} is not an investor account kind")
    account, _created = Account.objects.get_or_create(owner=user, kind=kind, currency=settings.PLATFORM_CURRENCY)
    return account


def investor_accounts_bulk(*, user_ids, kinds=(AccountKind.AVAILABLE,)) -> dict[tuple[int, str], int]:
    """(user id, kind) → account id for many investors at once, creating the missing accounts in
    one insert-or-skip statement (jobs; ``investor_account`` is the one-user form)."""
    currency = settings.PLATFORM_CURRENCY
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    Account.objects.bulk_create(
        [Account(owner_id=user_id, kind=kind, currency=currency) for user_id in user_ids for kind in kinds],
        ignore_conflicts=True,
    )
    rows = Account.objects.filter(owner_id__in=user_ids, kind__in=kinds, currency=currency)
    return {(owner_id, kind): pk for owner_id, kind, pk in rows.values_list("owner_id", "kind", "pk")}


def _legs_check(legs: Sequence[Leg]) -> None:
    if len(legs) < 2:
        raise ValueError("An entry needs at least two postings.")
    for leg in legs:
        if to_money(leg.amount) != leg.amount or leg.amount == 0:
            raise ValueError(f"Posting amounts are non-zero with 2 decimals, got {leg.amount!r}.")
    if sum(leg.amount for leg in legs) != 0:
        raise ValueError("The postings of an entry must sum to zero (I1).")


def entry_post(
    *,
    kind: str,
    natural_key: str,
    legs: Sequence[Leg],
    actor=None,
    memo: str = "",
    business_date: date | None = None,
    reverses: Entry | None = None,
) -> Entry:
    """Post one balanced entry: lock the accounts in id order, refuse an investor overdraft,
    write the entry and its postings with running balances, update the cached balances.

    Must run inside the caller's transaction. A natural key already posted raises
    ``ConflictError`` (the unique constraint backs this up under races).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entry_post must run inside a transaction")
    _legs_check(legs)
    accounts = accounts_lock(account_ids=[leg.account_id for leg in legs])
    if Entry.objects.filter(natural_key=natural_key).exists():
        raise ConflictError(_("This operation was already recorded."), code="already_posted")
    balances = {pk: account.balance for pk, account in accounts.items()}
    postings = []
    for leg in legs:
        account = accounts[leg.account_id]
        balances[account.pk] += leg.amount
        if account.kind in INVESTOR_KINDS and balances[account.pk] < 0:
            raise ApplicationError(
                _("Not enough funds: %(kind)s balance is %(balance)s.")
                % {"kind": account.get_kind_display().lower(), "balance": account.balance},
                code="insufficient_balance",
            )
        postings.append(Posting(account=account, amount=leg.amount, balance_after=balances[account.pk]))
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                kind=kind,
                natural_key=natural_key,
                business_date=business_date or business_date_today(),
                actor=actor,
                memo=memo[:255],
                reverses=reverses,
            )
    except IntegrityError:
        raise ConflictError(_("This operation was already recorded."), code="already_posted") from None
    for posting in postings:
        posting.entry = entry
    Posting.objects.bulk_create(postings)
    for pk, balance in balances.items():
        if balance != accounts[pk].balance:
            Account.objects.filter(pk=pk).update(balance=balance)
    return entry


@transaction.atomic
def entry_reverse(*, entry: Entry, actor, memo: str) -> Entry:
    """Correct a posted entry with a new entry of opposite legs that links to it (I2)."""
    if not memo.strip():
        raise ApplicationError(_("Say why the entry is reversed."), code="reason_required", field="memo")
    if entry.kind == "reversal":
        raise ApplicationError(_("A reversal cannot itself be reversed."), code="not_reversible")
    legs = [Leg(account_id=p.account_id, amount=-p.amount) for p in entry.postings.all()]
    return entry_post(
        kind="reversal",
        natural_key=f"reversal:{entry.pk}",
        legs=legs,
        actor=actor,
        memo=memo,
        reverses=entry,
    )


def transfer_legs(*, debit: Account, credit: Account, amount: Decimal) -> list[Leg]:
    """Two legs moving ``amount`` out of ``debit`` into ``credit``."""
    return [Leg(account_id=debit.pk, amount=-amount), Leg(account_id=credit.pk, amount=amount)]


@dataclass(frozen=True)
class EntrySpec:
    """One entry for ``entries_post_many``."""

    kind: str
    natural_key: str
    legs: Sequence[Leg]
    memo: str = ""


def entries_post_many(*, specs: Sequence[EntrySpec], business_date: date, actor=None) -> list[Entry]:
    """Post many balanced entries in a few statements (jobs): one lock of every account in id
    order, bulk inserts of entries and postings with running balances, one bulk update of the
    cached balances. Same rules as ``entry_post``; must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("entries_post_many must run inside a transaction")
    if not specs:
        return []
    for spec in specs:
        _legs_check(spec.legs)
    accounts = accounts_lock(account_ids=[leg.account_id for spec in specs for leg in spec.legs])
    balances = {pk: account.balance for pk, account in accounts.items()}
    entries = Entry.objects.bulk_create(
        [
            Entry(kind=s.kind, natural_key=s.natural_key, business_date=business_date, actor=actor, memo=s.memo[:255])
            for s in specs
        ]
    )
    postings = []
    for spec, entry in zip(specs, entries, strict=True):
        for leg in spec.legs:
            account = accounts[leg.account_id]
            balances[account.pk] += leg.amount
            if account.kind in INVESTOR_KINDS and balances[account.pk] < 0:
                raise ApplicationError(
                    _("Not enough funds on account %(id)s.") % {"id": account.pk}, code="insufficient_balance"
                )
            postings.append(
                Posting(entry=entry, account=account, amount=leg.amount, balance_after=balances[account.pk])
            )
    Posting.objects.bulk_create(postings)  # one statement: all legs of an entry together (PG check)
    changed = [account for pk, account in accounts.items() if balances[pk] != account.balance]
    for account in changed:
        account.balance = balances[account.pk]
    Account.objects.bulk_update(changed, ["balance"], batch_size=500)
    return entries


__all__ = [
    "AccountKind",
    "EntrySpec",
    "Leg",
    "entries_post_many",
    "entry_post",
    "entry_reverse",
    "investor_account",
    "investor_accounts_bulk",
    "platform_account",
    "transfer_legs",
]
