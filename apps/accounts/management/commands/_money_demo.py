"""The money part of ``seed_demo``: an active deposit address, the demo investor's approved KYC,
about a month of history, and a withdrawal waiting for two approvals (four eyes).

The history is made by the real services and jobs, with explicit past business dates (there is no
time travel in a management command): the deposits are credited ``DEPOSIT_DAYS_AGO`` days ago
(``deposit_approve(business_date=…)``), the plans bought on past business dates
(``investment_open(start_date=…)``, which dates the investment entry and the referral commission
too), then ``accrue_returns``, ``mature_investments`` and ``grant_milestones`` run for each business
date up to yesterday, in order, as the hourly schedule would have (today's date is left to the
scheduler). Rows record when they were really written (``created_at``, ``date_joined``: today);
the ledger's business dates are the past ones. Each step is skipped when its rows exist."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from apps.investments.models import Plan, Position
from apps.investments.services.accrual import accrual_dates_pending, accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from apps.kyc.models import Submission
from apps.kyc.services import kyc_submission_approve, kyc_submission_create
from apps.referrals.services.grants import grant_milestones
from apps.wallet.models import Deposit, DepositAddress, RequestStatus, Withdrawal
from apps.wallet.selectors import balances_for_user
from apps.wallet.services.deposits import deposit_address_save, deposit_approve, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_request_create

TRIGGER = "seed_demo"
DEPOSIT_ADDRESS = {"network": "TRC20", "address": "TBursarDemoDepositAddress0000001", "label": "USDT (demo)"}
PAYOUT_ADDRESS = "TIvyDemoPayoutAddress00000000001"


@dataclass(frozen=True)
class Purchase:
    plan: str
    amount: str
    days_ago: int


@dataclass(frozen=True)
class History:
    """What one demo investor did: a deposit credited ``deposit_days_ago`` days ago, then plans."""

    deposit: str
    deposit_days_ago: int
    purchases: tuple[Purchase, ...]


# The demo investor: a Starter plan that matured 4 days ago, a Professional plan paying every day,
# a Horizon plan (returns paid at maturity) still running; 150.00 of commission from Omar's plan.
INVESTOR_HISTORY = History(
    deposit="30000.00",
    deposit_days_ago=35,
    purchases=(
        Purchase("Starter", "2000.00", 34),
        Purchase("Professional", "10000.00", 33),
        Purchase("Horizon", "5000.00", 20),
    ),
)
# The investor the demo investor referred: their purchase pays the demo investor a commission.
REFERRED_HISTORY = History(deposit="6000.00", deposit_days_ago=30, purchases=(Purchase("Professional", "5000.00", 29),))


def deposit_address_ensure() -> None:
    """One active address for deposits (the portal's deposit page and the API show it)."""
    if not DepositAddress.objects.filter(is_active=True).exists():
        deposit_address_save(**DEPOSIT_ADDRESS)


def kyc_approved_ensure(*, staff, investor, card) -> None:
    """The demo investor's identity, submitted and approved by staff (withdrawals need it)."""
    if Submission.objects.filter(user=investor).exists():
        return
    submission = kyc_submission_create(
        user=investor,
        full_name=investor.full_name,
        date_of_birth="1988-06-02",
        country="Jordan",
        id_type="passport",
        id_number="N0004321",
        id_front_image=card("DEMO PASSPORT"),
        selfie_image=card("DEMO SELFIE"),
    )
    kyc_submission_approve(submission_id=submission.pk, actor=staff, note="Demo: documents checked.")


def history_ensure(*, staff, investor, history: History, today: date) -> None:
    """The investor's deposit (credited on its past business date) and purchases (on theirs)."""
    if not Deposit.objects.filter(user=investor, status=RequestStatus.APPROVED).exists():
        deposit = deposit_request_create(
            user=investor,
            amount=history.deposit,
            method="USDT (TRC20)",
            transaction_hash=f"demo-deposit-{investor.pk}",
        )
        deposit_approve(
            deposit_id=deposit.pk,
            actor=staff,
            note="Demo: received.",
            business_date=today - timedelta(days=history.deposit_days_ago),
        )
    if Position.objects.filter(user=investor).exists():
        return
    for purchase in history.purchases:
        investment_open(
            user=investor,
            plan_id=Plan.objects.get(name=purchase.plan).pk,
            amount=purchase.amount,
            terms_accepted=True,
            start_date=today - timedelta(days=purchase.days_ago),
        )


def jobs_catch_up(*, today: date) -> list[date]:
    """Run the daily jobs for every business date not yet accrued, up to yesterday, one date at a
    time and in order (returns, then maturities, then milestones), as the schedule would have."""
    dates = accrual_dates_pending(through=today - timedelta(days=1))
    for day in dates:
        accrue_returns(through=day, trigger=TRIGGER)
        mature_investments(through=day, trigger=TRIGGER)
        grant_milestones(through=day, trigger=TRIGGER)
    return dates


def four_eyes_withdrawal_ensure(*, investor) -> Withdrawal | None:
    """A withdrawal above ``FOUR_EYES_THRESHOLD``, waiting: one staff member approves it first,
    another gives the final approval."""
    if Withdrawal.objects.filter(user=investor).exists():
        return None
    amount = settings.FOUR_EYES_THRESHOLD + Decimal("2000.00")
    if amount > min(settings.WITHDRAWAL_MAX, balances_for_user(user=investor).available):
        return None  # thresholds set beyond what the demo investor holds
    return withdrawal_request_create(user=investor, amount=amount, address=PAYOUT_ADDRESS)
