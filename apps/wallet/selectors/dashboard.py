"""The investor's dashboard (the portal's signed-in ``/``) and the API's ``users/stats/``: one set
of figures, each computed once by ``investor_figures_for_user``, which both read.

Balances are the cached account balances; "returns credited" and the positions' next payouts come
from ``apps.investments.selectors.investor``; the activity is the newest rows of
``transaction_list_for_user`` (the API's ``transactions/``). Every read filters by the investor.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from apps.accounts.models import KycStatus
from apps.wallet.models import Deposit, DepositAddress, EntryKind, RequestStatus, Withdrawal
from apps.wallet.selectors.activity import (
    MOVEMENT_STATUS,
    TRANSACTION_DEPOSIT,
    TRANSACTION_WITHDRAWAL,
    transaction_list_for_user,
)
from apps.wallet.selectors.balances import ZERO, Balances, balances_for_user, deposit_address_list_active

if TYPE_CHECKING:  # the investments app imports the wallet: no import at run time
    from apps.investments.selectors.investor import InvestmentOutlook, PositionOutlook, ReturnsChart

__all__ = [
    "DASHBOARD_POSITIONS",
    "RECENT_ACTIVITY_COUNT",
    "Action",
    "ActivityRow",
    "DepositState",
    "InvestorDashboard",
    "InvestorFigures",
    "PendingWithdrawals",
    "ReferralSummary",
    "deposit_state_for_user",
    "investor_actions",
    "investor_dashboard_for_user",
    "investor_figures_for_user",
    "withdrawal_pending_for_user",
]

RECENT_ACTIVITY_COUNT = 10
#: Active positions the dashboard lists (the next to pay first); the investments page has them all.
DASHBOARD_POSITIONS = 10
ACTIVITY_LABELS = {
    TRANSACTION_DEPOSIT: _("Deposit"),
    TRANSACTION_WITHDRAWAL: _("Withdrawal"),
    **dict(EntryKind.choices),
}


# --- building blocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingWithdrawals:
    count: int
    total: Decimal  # their amounts, fees apart


def withdrawal_pending_for_user(*, user) -> PendingWithdrawals:
    """The investor's pending withdrawals: how many and their amounts' sum (one query)."""
    row = Withdrawal.objects.filter(user=user, status=RequestStatus.PENDING).aggregate(
        count=Count("id"), total=Sum("amount")
    )
    return PendingWithdrawals(count=row["count"], total=row["total"] or ZERO)


@dataclass(frozen=True)
class DepositState:
    approved: int
    pending: int


def deposit_state_for_user(*, user) -> DepositState:
    """How many of the investor's deposits were approved and how many wait for staff (one query)."""
    row = Deposit.objects.filter(user=user).aggregate(
        approved=Count("id", filter=Q(status=RequestStatus.APPROVED)),
        pending=Count("id", filter=Q(status=RequestStatus.PENDING)),
    )
    return DepositState(approved=row["approved"], pending=row["pending"])


# --- the figures users/stats/ and the dashboard share ---------------------------------------------


@dataclass(frozen=True)
class InvestorFigures:
    today: date
    currency: str
    balances: Balances
    outlook: "InvestmentOutlook"
    returns_by_date: dict[date, Decimal]  # returns credited per business date
    referrals: int  # users who signed up with the investor's code
    qualified_referrals: int  # of those, the ones who bought a plan
    pending_withdrawals: PendingWithdrawals
    recent_activity: list[dict]  # the newest rows of ``transaction_list_for_user``

    @property
    def returns_total(self) -> Decimal:
        """Every return credited so far (paid accruals; never principal, commissions or rewards)."""
        return sum(self.returns_by_date.values(), ZERO)

    @property
    def active_investments(self) -> int:
        return self.outlook.active_count


def investor_figures_for_user(*, user, today: date | None = None) -> InvestorFigures:
    """Balances, active positions with their next payout, returns credited per date, referral
    counts, pending withdrawals and the latest activity: six queries, whatever the number of
    positions, accruals and movements."""
    # Imported here, not at the top: the investments and referrals apps import the wallet.
    from apps.common.dates import business_date_today
    from apps.investments.selectors.investor import investment_outlook_for_user, returns_credited_by_date
    from apps.referrals.selectors import referral_counts_for_user

    today = today or business_date_today()
    referrals, qualified = referral_counts_for_user(user=user)
    return InvestorFigures(
        today=today,
        currency=settings.PLATFORM_CURRENCY,
        balances=balances_for_user(user=user),
        outlook=investment_outlook_for_user(user=user, today=today),
        returns_by_date=returns_credited_by_date(user=user),
        referrals=referrals,
        qualified_referrals=qualified,
        pending_withdrawals=withdrawal_pending_for_user(user=user),
        recent_activity=list(transaction_list_for_user(user=user)[:RECENT_ACTIVITY_COUNT]),
    )


# --- the dashboard ---------------------------------------------------------------------------------


class Action:
    """What the dashboard asks the investor to do next, when it applies (in this order)."""

    VERIFY_EMAIL = "verify_email"  # the email address is not confirmed
    KYC_START = "kyc_start"  # no identity check sent yet
    KYC_RESUBMIT = "kyc_resubmit"  # the last one was rejected
    KYC_PENDING = "kyc_pending"  # sent, waiting for staff (nothing to do: a note)
    FIRST_DEPOSIT = "first_deposit"  # no deposit approved or pending: where to send money
    DEPOSIT_PENDING = "deposit_pending"  # the first deposit waits for staff (a note)
    FIRST_INVESTMENT = "first_investment"  # money available and no active plan


def investor_actions(*, user, deposits: DepositState, available: Decimal, active_positions: int) -> list[str]:
    """The calls to action that apply to the investor (no query). Staff get no identity check."""
    actions = []
    if not user.is_email_verified:
        actions.append(Action.VERIFY_EMAIL)
    if not user.is_staff:
        kyc = {
            KycStatus.NOT_SUBMITTED: Action.KYC_START,
            KycStatus.REJECTED: Action.KYC_RESUBMIT,
            KycStatus.PENDING: Action.KYC_PENDING,
        }.get(user.kyc_status)
        actions += [kyc] if kyc else []
    if not deposits.approved:
        actions.append(Action.DEPOSIT_PENDING if deposits.pending else Action.FIRST_DEPOSIT)
    if available > ZERO and not active_positions:
        actions.append(Action.FIRST_INVESTMENT)
    return actions


@dataclass(frozen=True)
class ActivityRow:
    """One row of the latest activity: a deposit or withdrawal request, or a ledger movement."""

    kind: str
    direction: str  # credit or debit
    amount: Decimal
    fee: Decimal
    status: str  # a request's status, or "completed" for a movement
    created_at: datetime
    reference: str

    @classmethod
    def of(cls, row: dict) -> "ActivityRow":
        return cls(
            kind=row["row_type"],
            direction=row["row_direction"],
            amount=row["row_amount"],
            fee=row["row_fee"],
            status=row["row_status"],
            created_at=row["row_created_at"],
            reference=row["row_reference"],
        )

    @property
    def label(self) -> str:
        return str(ACTIVITY_LABELS.get(self.kind, self.kind))

    @property
    def is_request(self) -> bool:
        return self.status != MOVEMENT_STATUS

    @property
    def status_label(self) -> str:
        return RequestStatus(self.status).label if self.is_request else ""

    @property
    def is_credit(self) -> bool:
        return self.direction == "credit"


@dataclass(frozen=True)
class ReferralSummary:
    code: str
    link: str
    referred: int
    qualified: int
    commissions: Decimal


@dataclass(frozen=True)
class InvestorDashboard:
    figures: InvestorFigures
    chart: "ReturnsChart"
    actions: list[str]
    deposits: DepositState
    deposit_addresses: list[DepositAddress]  # read only when the first-deposit call applies
    referral: ReferralSummary
    activity: list[ActivityRow]
    positions_shown: int = DASHBOARD_POSITIONS

    @property
    def positions(self) -> list["PositionOutlook"]:
        return self.figures.outlook.positions[: self.positions_shown]

    @property
    def has_invested(self) -> bool:
        """Whether there is anything to chart: a return credited or a running plan."""
        return bool(self.figures.returns_by_date or self.figures.outlook.active_count)

    @property
    def more_positions(self) -> int:
        return max(self.figures.outlook.active_count - self.positions_shown, 0)


def investor_dashboard_for_user(*, user, period: str, today: date | None = None) -> InvestorDashboard:
    """Everything the dashboard shows, in nine queries (ten for the ``all`` period, ten when the
    first-deposit call shows the deposit addresses), whatever the number of positions and movements."""
    from apps.investments.selectors.investor import returns_chart_for_user
    from apps.referrals.selectors import commission_total_for_user, referral_link_for_user

    figures = investor_figures_for_user(user=user, today=today)
    deposits = deposit_state_for_user(user=user)
    actions = investor_actions(
        user=user, deposits=deposits, available=figures.balances.available, active_positions=figures.active_investments
    )
    addresses = list(deposit_address_list_active()) if Action.FIRST_DEPOSIT in actions else []
    return InvestorDashboard(
        figures=figures,
        chart=returns_chart_for_user(user=user, period=period, today=figures.today, credited=figures.returns_by_date),
        actions=actions,
        deposits=deposits,
        deposit_addresses=addresses,
        referral=ReferralSummary(
            code=user.referral_code,
            link=referral_link_for_user(user=user),
            referred=figures.referrals,
            qualified=figures.qualified_referrals,
            commissions=commission_total_for_user(user=user),
        ),
        activity=[ActivityRow.of(row) for row in figures.recent_activity],
    )
