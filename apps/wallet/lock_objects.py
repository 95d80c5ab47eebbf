"""Row locks for money paths, always taken in ascending id order so two transactions touching
the same accounts can never deadlock (I9). On SQLite the IMMEDIATE transaction already
serialises writers and ``select_for_update`` is a no-op."""

from collections.abc import Iterable

from django.db.models import Model, QuerySet

from apps.wallet.models import Account


def accounts_lock(*, account_ids: Iterable[int]) -> dict[int, Account]:
    ids = sorted(set(account_ids))
    return {account.pk: account for account in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def request_lock(queryset: QuerySet, *, pk: int) -> Model | None:
    """Lock one request row (deposit, withdrawal, adjustment) before changing its state."""
    return queryset.select_for_update(of=("self",)).filter(pk=pk).first()
