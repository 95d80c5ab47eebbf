"""Users as staff see them, with their balances: the users list of the staff API and the newest
investors of the dashboard. Here, above accounts and the wallet, because they join the two (accounts
sits below the wallet and does not import it)."""

from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.accounts.models import User
from apps.wallet.models import Account

__all__ = ["user_get_for_staff", "user_list_for_staff"]

# The longest id a search term is read as (beyond it, an integer column could not hold it).
_SEARCH_ID_DIGITS = 18


def _balance_of(kind: str):
    """For a queryset of users: their cached balance on one ledger account (0 without one)."""
    account = Account.objects.filter(owner=OuterRef("pk"), kind=kind, currency=settings.PLATFORM_CURRENCY)
    return Coalesce(Subquery(account.values("balance")[:1]), Value(Decimal("0.00")))


def user_list_for_staff(*, search: str = "", is_active: bool | None = None, is_staff: bool | None = None) -> QuerySet:
    """Every user (deactivated ones too), newest first, each with ``balance_available``,
    ``balance_held`` and ``balance_invested`` from their ledger accounts: one query per page (a
    correlated subquery per balance over the unique (owner, kind, currency) index).

    ``search`` matches part of the email, username, first or last name or phone (any case), the
    exact referral code, or the id."""
    queryset = User.objects.annotate(
        balance_available=_balance_of("available"),
        balance_held=_balance_of("held"),
        balance_invested=_balance_of("invested"),
    )
    search = (search or "").strip()
    if search:
        match = Q(referral_code=search.upper())
        for name in ("email", "username", "first_name", "last_name", "phone"):
            match |= Q(**{f"{name}__icontains": search})
        if search.isascii() and search.isdigit() and len(search) <= _SEARCH_ID_DIGITS:
            match |= Q(pk=int(search))
        queryset = queryset.filter(match)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    if is_staff is not None:
        queryset = queryset.filter(is_staff=is_staff)
    return queryset.order_by("-date_joined", "-id")


def user_get_for_staff(*, user_id: int) -> User | None:
    """One user as the staff list shows it (with balances), or ``None``."""
    return user_list_for_staff().filter(pk=user_id).first()
