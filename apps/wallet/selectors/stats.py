"""The investor's dashboard figures (API ``users/stats/``)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from apps.wallet.models import RequestStatus, Withdrawal
from apps.wallet.selectors.activity import transaction_list_for_user
from apps.wallet.selectors.balances import ZERO, balances_for_user

RECENT_ACTIVITY_COUNT = 10


@dataclass(frozen=True)
class UserStats:
    total_balance: Decimal
    active_investments: int
    total_earnings: Decimal
    total_referrals: int
    pending_withdrawals: Decimal
    recent_activities: list[dict]


def investment_active_count_for_user(*, user) -> int:
    """Running positions (status active)."""
    # Imported here, not at the top: the investments app imports the wallet.
    from apps.investments.selectors.api import position_active_count_for_user

    return position_active_count_for_user(user=user)


def earnings_total_for_user(*, user) -> Decimal:
    """Every return credited to the investor so far: the paid accruals of all their positions,
    i.e. each daily plan's ``return`` entries plus the return part of each at-maturity plan's
    ``maturity`` entry. Principal coming back, commissions and rewards are not returns."""
    from apps.investments.selectors.api import investment_returns_total_for_user

    return investment_returns_total_for_user(user=user)


def withdrawal_pending_total_for_user(*, user) -> Decimal:
    total = Withdrawal.objects.filter(user=user, status=RequestStatus.PENDING).aggregate(total=Sum("amount"))["total"]
    return total or ZERO


def user_stats_get(*, user) -> UserStats:
    """The investor's dashboard: total balance (available + held + invested), running
    investments, returns earned, referred users, pending withdrawals and the latest activity."""
    return UserStats(
        total_balance=balances_for_user(user=user).total,
        active_investments=investment_active_count_for_user(user=user),
        total_earnings=earnings_total_for_user(user=user),
        total_referrals=user.referrals.count(),
        pending_withdrawals=withdrawal_pending_total_for_user(user=user),
        recent_activities=list(transaction_list_for_user(user=user)[:RECENT_ACTIVITY_COUNT]),
    )
