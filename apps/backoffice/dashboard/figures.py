"""The figures several panels of one dashboard page share, each read at most once per request
(the pending queues feed the money cards and queue health; platform cash the money card and the
coverage panel; the investment summary its panel and coverage's accrual date)."""

from decimal import Decimal
from functools import cached_property

from apps.backoffice.selectors import QueueHealth, deposit_queue_health, withdrawal_queue_health
from apps.common.dates import business_date_today
from apps.investments.selectors import InvestmentSummary, investment_summary_for_dashboard
from apps.wallet.selectors import platform_cash_position


class DashboardFigures:
    def __init__(self, today=None) -> None:
        self.today = today or business_date_today()

    @cached_property
    def deposits(self) -> QueueHealth:
        return deposit_queue_health()

    @cached_property
    def withdrawals(self) -> QueueHealth:
        return withdrawal_queue_health()

    @cached_property
    def platform_cash(self) -> Decimal:
        return platform_cash_position()

    @cached_property
    def investments(self) -> InvestmentSummary:
        return investment_summary_for_dashboard(today=self.today)
