"""Return arithmetic, drift-free (I10).

The exact daily return is ``principal × rate / 100`` (a Decimal with as many places as it
needs). The amount posted for day k (1 … term) is ``round(k × d) − round((k − 1) × d)`` with
2-place half-up rounding, so the postings of days 1 … k always add up to ``round(k × d)``: the
sum over the whole term equals the rounded exact total, whatever the daily fractions.
"""

from decimal import ROUND_HALF_UP, Decimal

from apps.common.money import CENT


def daily_exact(*, principal: Decimal, daily_rate: Decimal) -> Decimal:
    return principal * daily_rate / Decimal(100)


def cumulative_return(*, principal: Decimal, daily_rate: Decimal, days: int) -> Decimal:
    """What days 1 … ``days`` have paid in all, rounded to cents."""
    return (daily_exact(principal=principal, daily_rate=daily_rate) * days).quantize(CENT, rounding=ROUND_HALF_UP)


def return_for_day(*, principal: Decimal, daily_rate: Decimal, day: int) -> Decimal:
    """The amount posted on day ``day`` (1-based) of the term."""
    return cumulative_return(principal=principal, daily_rate=daily_rate, days=day) - cumulative_return(
        principal=principal, daily_rate=daily_rate, days=day - 1
    )
