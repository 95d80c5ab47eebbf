from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from apps.accounts import tokens
from apps.accounts.models import KycStatus, User

NEW_SIGNUP_WINDOW = timedelta(days=7)


def user_get_by_identifier(*, identifier: str) -> User | None:
    """The user whose email or username is ``identifier``, ignoring case."""
    identifier = identifier.strip()
    if not identifier:
        return None
    return User.objects.filter(Q(email__iexact=identifier) | Q(username__iexact=identifier)).first()


def user_get_by_referral_code(*, code: str) -> User | None:
    code = (code or "").strip().upper()
    if not code:
        return None
    return User.objects.filter(referral_code=code, is_active=True).first()


def user_email_taken(*, email: str, exclude_id: int | None = None) -> bool:
    return User.objects.filter(email__iexact=email.strip()).exclude(pk=exclude_id).exists()


def user_username_taken(*, username: str, exclude_id: int | None = None) -> bool:
    return User.objects.filter(username__iexact=username.strip()).exclude(pk=exclude_id).exists()


@dataclass(frozen=True)
class UserBalances:
    """What an investor holds: ``available`` to spend, ``held`` for pending withdrawals,
    ``invested`` in running positions."""

    available: Decimal
    held: Decimal
    invested: Decimal


def user_balances_get(*, user: User) -> UserBalances:
    """The user's balances, read from their ledger accounts."""
    from apps.wallet.selectors import balances_for_user

    balances = balances_for_user(user=user)
    return UserBalances(available=balances.available, held=balances.held, invested=balances.invested)


def user_get_by_password_reset_token(*, token: str) -> User | None:
    """The active user a password-reset link is still good for, or ``None`` (bad, stale or used)."""
    parsed = tokens.password_reset_token_read(token=token or "")
    user = User.objects.filter(pk=parsed[0], is_active=True).first() if parsed else None
    if user is None or not tokens.password_reset_token_check(user=user, inner_token=parsed[1]):
        return None
    return user


@dataclass(frozen=True)
class UserCounts:
    """Head counts for the staff dashboard. Everything but ``staff`` counts investors only."""

    investors: int
    active_investors: int
    staff: int
    new_investors: int
    email_verified: int
    kyc: dict[str, int]

    @property
    def email_verified_percent(self) -> int:
        return round(100 * self.email_verified / self.investors) if self.investors else 0

    @property
    def active_percent(self) -> int:
        return round(100 * self.active_investors / self.investors) if self.investors else 0


def user_counts_for_dashboard(*, now=None) -> UserCounts:
    """All the dashboard's user numbers in one aggregate query."""
    since = (now or timezone.now()) - NEW_SIGNUP_WINDOW
    investor = Q(is_staff=False)
    kyc = {status: Count("pk", filter=investor & Q(kyc_status=status)) for status in KycStatus.values}
    row = User.objects.aggregate(
        investors=Count("pk", filter=investor),
        active_investors=Count("pk", filter=investor & Q(is_active=True)),
        staff=Count("pk", filter=Q(is_staff=True)),
        new_investors=Count("pk", filter=investor & Q(date_joined__gte=since)),
        email_verified=Count("pk", filter=investor & Q(is_email_verified=True)),
        **{f"kyc_{status}": count for status, count in kyc.items()},
    )
    return UserCounts(
        investors=row["investors"],
        active_investors=row["active_investors"],
        staff=row["staff"],
        new_investors=row["new_investors"],
        email_verified=row["email_verified"],
        kyc={status: row[f"kyc_{status}"] for status in KycStatus.values},
    )


# --- staff: the users list of the staff API -------------------------------------------------------

# The longest id a search term is read as (beyond it, an integer column could not hold it).
_SEARCH_ID_DIGITS = 18


def _balance_of(kind: str):
    """For a queryset of users: their cached balance on one ledger account (0 without one)."""
    from django.conf import settings
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from apps.wallet.models import Account

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


def user_change_allowed_for_staff(*, actor: User, user: User) -> bool:
    """Staff change their own account and investors' accounts; another staff member's account
    is a superuser's to change (as in the users admin)."""
    return actor.is_superuser or not user.is_staff or user.pk == actor.pk
