"""Coverage: what the platform has against what it owes, for the next 7, 30 and 90 days.

- It **has** its cash (deposits received minus payouts sent: the platform cash account, shown on
  its normal side, see ``apps.wallet.selectors.PLATFORM_KINDS_SHOWN_NEGATED``) plus the treasury
  balance finance staff recorded last (reserves outside the clearing account).
- It **owes** every investor's available and held balances (payable on request) plus the returns
  and principal open positions are due by the horizon (``obligations_due``).

The ratio is has ÷ owes, rounded down to 2 places (so a ratio shown as 1.10 is at least 1.10); it
is below the ``COVERAGE_WARNING_RATIO`` threshold when has < threshold × owes, exactly."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

from apps.common.dates import business_date_today
from apps.controls.runtime import runtime_setting
from apps.investments.selectors import Obligation, obligations_due_at_once
from apps.wallet.models import TreasuryBalance
from apps.wallet.selectors import investor_balance_totals, platform_cash_position, treasury_balance_current

COVERAGE_WINDOWS = (7, 30, 90)
RATIO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class CoverageHorizon:
    days: int
    through: date
    due_returns: Decimal
    due_principal: Decimal
    owed: Decimal  # investors' available + held + what falls due by ``through``
    ratio: Decimal | None  # has ÷ owed, rounded down; None when nothing is owed
    below_threshold: bool


@dataclass(frozen=True)
class Coverage:
    investor_available: Decimal
    investor_held: Decimal
    platform_cash: Decimal
    treasury: TreasuryBalance | None
    threshold: Decimal
    horizons: list[CoverageHorizon]

    @property
    def treasury_amount(self) -> Decimal:
        return self.treasury.amount if self.treasury else Decimal("0.00")

    @property
    def has(self) -> Decimal:
        return self.platform_cash + self.treasury_amount

    @property
    def payable_now(self) -> Decimal:
        return self.investor_available + self.investor_held

    @property
    def below_threshold(self) -> bool:
        return any(horizon.below_threshold for horizon in self.horizons)


def coverage_get(
    *,
    today: date | None = None,
    paid_through: date | None,
    windows=COVERAGE_WINDOWS,
    platform_cash: Decimal | None = None,
) -> Coverage:
    """``paid_through``: the last business date the accrual job finished (returns are owed after
    it). Four queries: balances, platform cash, treasury, obligations (one pass for all windows);
    three when the caller read ``platform_cash`` already."""
    today = today or business_date_today()
    balances = investor_balance_totals()
    cash = platform_cash_position() if platform_cash is None else platform_cash
    treasury = treasury_balance_current()
    obligations = obligations_due_at_once(today=today, paid_through=paid_through, windows=windows)
    threshold = runtime_setting("COVERAGE_WARNING_RATIO")
    has = cash + (treasury.amount if treasury else Decimal("0.00"))
    payable = balances.available + balances.held
    return Coverage(
        investor_available=balances.available,
        investor_held=balances.held,
        platform_cash=cash,
        treasury=treasury,
        threshold=threshold,
        horizons=[_horizon(obligation, has=has, payable=payable, threshold=threshold) for obligation in obligations],
    )


def _horizon(obligation: Obligation, *, has: Decimal, payable: Decimal, threshold: Decimal) -> CoverageHorizon:
    owed = payable + obligation.total
    ratio = (has / owed).quantize(RATIO_PLACES, rounding=ROUND_DOWN) if owed > 0 else None
    return CoverageHorizon(
        days=obligation.days,
        through=obligation.through,
        due_returns=obligation.returns,
        due_principal=obligation.principal,
        owed=owed,
        ratio=ratio,
        below_threshold=owed > 0 and has < threshold * owed,
    )
