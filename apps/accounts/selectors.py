from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.accounts import tokens
from apps.accounts.models import KycStatus, User
from apps.common.prepared import PreparedQuery

NEW_SIGNUP_WINDOW = timedelta(days=7)

# The whole row by primary key, compiled once per process: read on every API request.
_USER_BY_ID = PreparedQuery(lambda user_id: User.objects.filter(pk=user_id), "user_id")


def user_get_for_token(*, user_id: int) -> User | None:
    """The user an API token names, active or not (the caller checks ``is_active``): one query,
    the same as ``User.objects.filter(pk=user_id).first()`` without building it each time."""
    users = _USER_BY_ID.instances(user_id=user_id)
    return users[0] if users else None


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
    """The user's balances, read from their ledger accounts by the reader that
    ``settings.USER_BALANCES_READER`` names (the wallet's: accounts sits below the wallet and does
    not import it)."""
    balances = import_string(settings.USER_BALANCES_READER)(user=user)
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


def user_change_allowed_for_staff(*, actor: User, user: User) -> bool:
    """Staff change their own account and investors' accounts; another staff member's account
    is a superuser's to change (as in the users admin)."""
    return actor.is_superuser or not user.is_staff or user.pk == actor.pk
