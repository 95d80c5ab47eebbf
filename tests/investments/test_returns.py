from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from apps.investments.returns import cumulative_return, return_for_day


def test_worked_example():
    assert return_for_day(principal=Decimal("10000.00"), daily_rate=Decimal("5"), day=1) == Decimal("500.00")
    assert cumulative_return(principal=Decimal("10000.00"), daily_rate=Decimal("5"), days=60) == Decimal("30000.00")


def test_fractions_are_carried_not_lost():
    # 0.333…/day: days pay 0.33, 0.34, 0.33 …; three days make exactly 1.00
    amounts = [return_for_day(principal=Decimal("100.00"), daily_rate=Decimal("0.3333"), day=d) for d in (1, 2, 3)]
    assert amounts == [Decimal("0.33"), Decimal("0.34"), Decimal("0.33")]
    assert sum(amounts) == Decimal("1.00")


@given(
    principal=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("10000000.00"), places=2),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("100"), places=4),
    term=st.integers(min_value=1, max_value=400),
)
def test_daily_postings_sum_to_the_rounded_exact_total(principal, rate, term):
    posted = [return_for_day(principal=principal, daily_rate=rate, day=day) for day in range(1, term + 1)]
    exact_total = principal * rate / Decimal(100) * term
    assert sum(posted) == exact_total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert all(amount >= 0 for amount in posted)
