from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from apps.accounts import tokens
from apps.accounts.models import User


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


def user_event_list(*, user: User) -> QuerySet:
    return user.events.select_related("actor").order_by("-created_at", "-id")


@dataclass(frozen=True)
class UserBalances:
    """What an investor holds: ``available`` to spend, ``held`` for pending withdrawals,
    ``invested`` in running positions."""

    available: Decimal
    held: Decimal
    invested: Decimal


def user_balances_get(*, user: User) -> UserBalances:
    """The user's balances. Placeholder until the ledger exists: every figure is zero."""
    zero = Decimal("0.00")
    return UserBalances(available=zero, held=zero, invested=zero)


def user_get_by_password_reset_token(*, token: str) -> User | None:
    """The active user a password-reset link is still good for, or ``None`` (bad, stale or used)."""
    parsed = tokens.password_reset_token_read(token=token or "")
    user = User.objects.filter(pk=parsed[0], is_active=True).first() if parsed else None
    if user is None or not tokens.password_reset_token_check(user=user, inner_token=parsed[1]):
        return None
    return user
