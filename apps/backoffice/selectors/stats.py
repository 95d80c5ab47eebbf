"""The platform's figures in one read, for ``GET admin/stats/``: the same selectors as the staff
dashboard's panels (head counts, queues, exposure, coverage), in a constant number of queries."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.selectors import user_counts_for_dashboard
from apps.backoffice.selectors.coverage import Coverage, coverage_get
from apps.backoffice.selectors.queues import (
    QueueHealth,
    deposit_queue_health,
    kyc_queue_health,
    withdrawal_queue_health,
)
from apps.backoffice.selectors.users import user_list_for_staff
from apps.common.dates import business_date_today
from apps.investments.selectors import Obligation, investment_summary_for_dashboard
from apps.wallet.models import Account, AccountKind
from apps.wallet.selectors import (
    RequestTotals,
    account_balance_shown,
    deposit_approved_totals,
    withdrawal_approved_totals,
)

RECENT_INVESTORS = 5


@dataclass(frozen=True)
class PlatformStats:
    today: date  # the business date the figures are for (the obligations count from it)
    measured_at: datetime  # when they were read (the queues' ages are measured at it)
    investors: int
    active_investors: int
    active_positions: int
    invested_principal: Decimal
    returns_paid: Decimal
    obligations: list[Obligation]  # due in the next 7 and 30 days, as on the dashboard
    deposits: QueueHealth
    withdrawals: QueueHealth
    kyc: QueueHealth
    deposits_approved: RequestTotals
    withdrawals_approved: RequestTotals
    commissions_paid: Decimal
    coverage: Coverage
    recent_investors: list[User]  # with their balances (``user_list_for_staff``)

    @property
    def investor_available_total(self) -> Decimal:
        return self.coverage.investor_available


def investors_recent(*, count: int = RECENT_INVESTORS) -> list[User]:
    """The newest investors (staff are not investors), deactivated ones included, each with its
    available, held and invested balances as the staff users list shows them (one query)."""
    return list(user_list_for_staff(is_staff=False)[:count])


def commissions_paid_total() -> Decimal:
    """What the referral expense account has paid out (ledger), net of any reversal."""
    balance = (
        Account.objects.filter(owner__isnull=True, kind=AccountKind.REFERRAL_EXPENSE)
        .values_list("balance", flat=True)
        .first()
    )
    return account_balance_shown(
        kind=AccountKind.REFERRAL_EXPENSE, balance=balance or Decimal("0.00"), is_platform=True
    )


def platform_stats_get(*, today: date | None = None) -> PlatformStats:
    today = today or business_date_today()
    counts = user_counts_for_dashboard()
    investments = investment_summary_for_dashboard(today=today)
    return PlatformStats(
        today=today,
        measured_at=timezone.now(),
        investors=counts.investors,
        active_investors=counts.active_investors,
        active_positions=investments.active_positions,
        invested_principal=investments.invested_principal,
        returns_paid=investments.returns_paid,
        obligations=investments.obligations,
        deposits=deposit_queue_health(),
        withdrawals=withdrawal_queue_health(),
        kyc=kyc_queue_health(),
        deposits_approved=deposit_approved_totals(),
        withdrawals_approved=withdrawal_approved_totals(),
        commissions_paid=commissions_paid_total(),
        coverage=coverage_get(today=today, paid_through=investments.accrued_through),
        recent_investors=investors_recent(),
    )
