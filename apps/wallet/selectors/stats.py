"""The investor's figures for the API's ``users/stats/``: the dashboard's figures
(``dashboard.investor_figures_for_user``), so that the API and the portal always agree."""

from dataclasses import dataclass
from decimal import Decimal

from apps.wallet.selectors.dashboard import RECENT_ACTIVITY_COUNT, investor_figures_for_user

__all__ = ["RECENT_ACTIVITY_COUNT", "UserStats", "user_stats_get"]


@dataclass(frozen=True)
class UserStats:
    total_balance: Decimal
    active_investments: int
    total_earnings: Decimal
    total_referrals: int
    pending_withdrawals: int  # how many (a count, as in the original system)
    pending_withdrawals_amount: Decimal  # their amounts' sum, fees apart
    recent_activities: list[dict]


def user_stats_get(*, user) -> UserStats:
    """Total balance (available + held + invested), running investments, returns credited,
    referred users, pending withdrawals (count and sum) and the latest activity."""
    figures = investor_figures_for_user(user=user)
    return UserStats(
        total_balance=figures.balances.total,
        active_investments=figures.active_investments,
        total_earnings=figures.returns_total,
        total_referrals=figures.referrals,
        pending_withdrawals=figures.pending_withdrawals.count,
        pending_withdrawals_amount=figures.pending_withdrawals.total,
        recent_activities=figures.recent_activity,
    )
