"""The money part of ``seed_demo``: an active deposit address, the demo investor's approved KYC,
about a month of history, a withdrawal above ``FOUR_EYES_THRESHOLD`` waiting for its checker, and
the treasury balances the Finance member counted.

The history is made by the real services and jobs, day by day, as the platform would have lived
it (there is no time travel in a management command, so the services take explicit past business
dates): for each business date from ``HISTORY_DAYS`` days ago up to yesterday, that day's events
(``HISTORY``: deposits credited with ``deposit_approve(business_date=…)``, plans bought with
``investment_open(start_date=…)``, which dates the referral commission too, withdrawals requested
and paid with ``withdrawal_request_create`` / ``withdrawal_approve(business_date=…)``), then the
daily jobs for that date (``accrue_returns``, ``mature_investments``, ``grant_milestones``, in the
order the scheduled tasks run them), each recorded as a ``JobRun``. Today's date is left to the
scheduler. Ledger entries record when they were written (``created_at``: today) and the business
date they belong to; the requests' and investors' own timestamps (``created_at``, ``reviewed_at``,
``date_joined``) are set to the story's dates so the charts and risk signals read as they would.

Each event is skipped when its row exists and each job runs only for dates it has not done, so a
second run writes nothing; a run on a later day only catches the jobs up to yesterday."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from apps.accounts.models import User
from apps.common.dates import platform_time_zone
from apps.controls.runtime import runtime_setting
from apps.investments.models import Plan, Position
from apps.investments.services.accrual import JOB as ACCRUAL_JOB
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import JOB as MATURITY_JOB
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from apps.kyc.models import Submission
from apps.kyc.services import kyc_submission_approve, kyc_submission_create
from apps.referrals.services.grants import JOB as MILESTONES_JOB
from apps.referrals.services.grants import grant_milestones
from apps.wallet.models import Deposit, DepositAddress, RequestStatus, TreasuryBalance, Withdrawal
from apps.wallet.selectors import balances_for_user
from apps.wallet.services.deposits import deposit_address_save, deposit_approve, deposit_request_create
from apps.wallet.services.treasury import treasury_balance_record
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_fee_for, withdrawal_request_create
from workers.jobs import last_succeeded_date

TRIGGER = "seed_demo"
DEPOSIT_ADDRESS = {"network": "TRC20", "address": "TBursarDemoDepositAddress0000001", "label": "USDT (demo)"}
PAYOUT_ADDRESS = "TIvyDemoPayoutAddress00000000001"
FOUR_EYES_MARGIN = Decimal("2000.00")  # the waiting withdrawal: this much above the threshold


@dataclass(frozen=True)
class DepositMade:
    """``who`` sends ``amount``; staff credit it the same business date."""

    days_ago: int
    who: str
    amount: str


@dataclass(frozen=True)
class PlanBought:
    days_ago: int
    who: str
    plan: str
    amount: str


@dataclass(frozen=True)
class WithdrawalRequested:
    """``who`` asks for ``amount`` (held at once); ``by`` pays it ``paid_days_ago``."""

    days_ago: int
    who: str
    amount: str
    by: str
    paid_days_ago: int


@dataclass(frozen=True)
class WithdrawalPaid:
    days_ago: int
    who: str
    amount: str
    by: str


# When each demo investor signed up (days ago): before their first deposit.
JOINED = {"investor": 36, "referred": 31, "applicant": 6}
# The demo investor (Ivy) buys a Starter plan that matures 4 days ago, a Professional plan paying
# every day and a Horizon plan (returns at maturity); withdraws twice. Omar, whom she referred,
# buys two plans: each pays her a commission. Noor, whose KYC waits for review, has deposited.
_EVENTS = (
    DepositMade(35, "investor", "30000.00"),
    PlanBought(34, "investor", "Starter", "2000.00"),
    PlanBought(33, "investor", "Professional", "10000.00"),
    DepositMade(30, "referred", "6000.00"),
    PlanBought(29, "referred", "Professional", "5000.00"),
    WithdrawalRequested(24, "investor", "1000.00", by="staff", paid_days_ago=23),
    PlanBought(20, "investor", "Horizon", "5000.00"),
    DepositMade(14, "referred", "1500.00"),
    PlanBought(13, "referred", "Starter", "1000.00"),
    WithdrawalRequested(10, "investor", "2500.00", by="finance", paid_days_ago=9),
    DepositMade(7, "investor", "3000.00"),
    DepositMade(5, "applicant", "800.00"),
)
HISTORY = tuple(
    sorted(
        _EVENTS
        + tuple(
            WithdrawalPaid(event.paid_days_ago, event.who, event.amount, event.by)
            for event in _EVENTS
            if isinstance(event, WithdrawalRequested)
        ),
        key=lambda event: -event.days_ago,
    )
)
HISTORY_DAYS = max(event.days_ago for event in HISTORY)
# What the Finance member counted at the bank (days ago, amount): the coverage panel adds the latest
# to platform cash (enough for the next 30 days' obligations, not for the next 90 days').
TREASURY_COUNTS = ((15, "18000.00"), (2, "20000.00"))


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


def history_ensure(*, people: dict[str, User], today: date) -> None:
    """Each business date from ``HISTORY_DAYS`` ago to yesterday: its events, then its jobs."""
    _joined_backdate(people=people, today=today)
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        for event in HISTORY:
            if event.days_ago == days_ago:
                _EVENT_HANDLERS[type(event)](event, people=people, day=day)
        jobs_run_for(day)


def jobs_run_for(day: date) -> None:
    """The daily jobs for ``day``, through the functions the scheduled tasks call (returns, then
    maturities, then milestones), each only when it has not yet done ``day``."""
    if _not_done(ACCRUAL_JOB, day):
        accrue_returns(through=day, trigger=TRIGGER)  # nothing (no run) before a position earns
    if _not_done(MATURITY_JOB, day):
        mature_investments(through=day, trigger=TRIGGER)
    if _not_done(MILESTONES_JOB, day):
        grant_milestones(through=day, trigger=TRIGGER)


def _not_done(job: str, day: date) -> bool:
    last = last_succeeded_date(job)
    return last is None or last < day


def _deposit_made(event: DepositMade, *, people, day: date) -> None:
    user = people[event.who]
    transaction_hash = f"demo-deposit-{event.who}-{event.days_ago}"
    if Deposit.objects.filter(transaction_hash=transaction_hash).exists():
        return
    deposit = deposit_request_create(
        user=user, amount=event.amount, method="USDT (TRC20)", transaction_hash=transaction_hash
    )
    deposit_approve(deposit_id=deposit.pk, actor=people["staff"], note="Demo: received.", business_date=day)
    Deposit.objects.filter(pk=deposit.pk).update(created_at=_moment(day, 9), reviewed_at=_moment(day, 11))


def _plan_bought(event: PlanBought, *, people, day: date) -> None:
    user = people[event.who]
    plan = Plan.objects.get(name=event.plan)
    if Position.objects.filter(user=user, plan=plan).exists():
        return
    investment_open(user=user, plan_id=plan.pk, amount=event.amount, terms_accepted=True, start_date=day)


def _withdrawal_requested(event: WithdrawalRequested, *, people, day: date) -> None:
    user = people[event.who]
    if Withdrawal.objects.filter(user=user, amount=Decimal(event.amount)).exists():
        return
    withdrawal = withdrawal_request_create(user=user, amount=event.amount, address=PAYOUT_ADDRESS, business_date=day)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(created_at=_moment(day, 10))


def _withdrawal_paid(event: WithdrawalPaid, *, people, day: date) -> None:
    withdrawal = Withdrawal.objects.filter(
        user=people[event.who], amount=Decimal(event.amount), status=RequestStatus.PENDING
    ).first()
    if withdrawal is None:
        return
    withdrawal_approve(
        withdrawal_id=withdrawal.pk,
        actor=people[event.by],
        payout_hash=f"demo-payout-{event.who}-{event.days_ago}",
        note="Demo: sent.",
        business_date=day,
    )
    Withdrawal.objects.filter(pk=withdrawal.pk).update(reviewed_at=_moment(day, 15))


_EVENT_HANDLERS = {
    DepositMade: _deposit_made,
    PlanBought: _plan_bought,
    WithdrawalRequested: _withdrawal_requested,
    WithdrawalPaid: _withdrawal_paid,
}


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=platform_time_zone())


def _joined_backdate(*, people, today: date) -> None:
    """Each demo investor signed up before their first deposit (account age, the growth chart)."""
    for who, days_ago in JOINED.items():
        joined = _moment(today - timedelta(days=days_ago), 8)
        User.objects.filter(pk=people[who].pk, date_joined__gt=joined).update(date_joined=joined)


def treasury_balances_ensure(*, finance, today: date) -> None:
    """Two treasury balances recorded by the Finance member: a history, the latest current."""
    if TreasuryBalance.objects.exists():
        return
    for days_ago, amount in TREASURY_COUNTS:
        as_of = _moment(today - timedelta(days=days_ago), 17)
        treasury_balance_record(amount=amount, actor=finance, as_of=as_of, note="Bank account (demo)")


def four_eyes_withdrawal_ensure(*, staff, investor) -> Withdrawal | None:
    """A withdrawal above ``FOUR_EYES_THRESHOLD`` requested today and given its first approval by
    the superuser: it waits for a second staff member (the Finance login) to pay it."""
    amount = runtime_setting("FOUR_EYES_THRESHOLD") + FOUR_EYES_MARGIN
    if Withdrawal.objects.filter(user=investor, amount=amount).exists():
        return None
    available = balances_for_user(user=investor).available
    if amount > runtime_setting("WITHDRAWAL_MAX") or amount + withdrawal_fee_for(amount) > available:
        return None  # thresholds set beyond what the demo investor holds
    withdrawal = withdrawal_request_create(user=investor, amount=amount, address=PAYOUT_ADDRESS)
    return withdrawal_approve(withdrawal_id=withdrawal.pk, actor=staff, note="Demo: checked, over to Finance.")
