"""Row locks for money paths, always taken in one order so two transactions touching the same
accounts can never deadlock (I9): investors' accounts first, in ascending id order, then the
platform's accounts, in ascending id order.

Plain id order would take the platform's accounts (cash, the expenses, fee income; the lowest
ids) first. The daily-returns chunk cannot: it locks its investors first and the shared
return-expense account only for its last statements, so that chunks run side by side
(``apps.investments.services.accrual``); every other path takes the same order as that chunk. On
SQLite the IMMEDIATE transaction already serialises writers and ``select_for_update`` is a no-op."""

from collections.abc import Iterable

from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet

from apps.wallet.models import Account

# False (an investor's account) sorts before True (a platform account).
_PLATFORM_LAST = ExpressionWrapper(Q(owner__isnull=True), output_field=BooleanField())


def accounts_lock(*, account_ids: Iterable[int]) -> dict[int, Account]:
    """Lock the accounts (``SELECT … FOR UPDATE``, rows locked in the order they are sorted):
    investors' by id, then the platform's by id."""
    ids = sorted(set(account_ids))
    locked = Account.objects.select_for_update().filter(pk__in=ids).order_by(_PLATFORM_LAST, "pk")
    return {account.pk: account for account in locked}


def request_lock(queryset: QuerySet, *, pk: int) -> Model | None:
    """Lock one request row (deposit, withdrawal, adjustment) before changing its state."""
    return queryset.select_for_update(of=("self",)).filter(pk=pk).first()
