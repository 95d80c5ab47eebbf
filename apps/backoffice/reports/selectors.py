"""The daily close of one business date, read from the ledger in a fixed number of queries.

Every figure belongs to the business date of the ledger entry that booked it (not to the clock
time of the request), so a date's close is the same whenever it is read, and a date caught up
later by a job (after downtime) gains that job's entries under its own date:

- deposits in: approved deposits whose credit entry is on the date (count, amount credited);
- withdrawals out: withdrawals paid out by an entry on the date (count, amount sent, fees);
- returns paid: accruals paid by an entry on the date (positions, amount), daily ones and the
  returns at-maturity plans pay with their principal; commissions paid likewise;
- positions opened (purchase entry on the date) and matured (maturity entry on the date), with
  their principal;
- balances at close: the sum of the postings of every entry up to and including the date, per
  account kind (investor available, held, invested; each platform account), with the same at
  the previous date's close; and the investor money moved on the date, by kind of entry;
- the ledger check after the close: the first ``ledger_check`` run started after the date ended
  and before the next one did (the nightly check runs in the early hours), else none;
- the jobs' outcome: the ``JobRun`` rows recorded for the date, one summary per job.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from apps.common.dates import business_date_today, business_day_bounds
from apps.common.money import to_money
from apps.investments.models import Accrual, Position
from apps.referrals.models import Commission
from apps.wallet.models import INVESTOR_KINDS, PLATFORM_KINDS, Deposit, EntryKind, Posting, RequestStatus, Withdrawal
from workers.models import JobRun, JobStatus

ZERO = Decimal("0.00")


def _money(value) -> Decimal:
    """An aggregate as money: 2 places (SQLite hands back ``90`` for 90.00), 0.00 for none."""
    return to_money(value) if value is not None else ZERO


LEDGER_CHECK_JOB = "ledger_check"
# The daily jobs, listed (as "not run") even on a date none of them recorded a run for.
DAILY_JOBS = ("accrue_returns", "mature_investments", "grant_milestones", LEDGER_CHECK_JOB)


@dataclass(frozen=True)
class Flow:
    count: int
    amount: Decimal


@dataclass(frozen=True)
class Balance:
    """One account kind's total at the previous close (``opening``) and at this close."""

    kind: str
    opening: Decimal
    closing: Decimal

    @property
    def change(self) -> Decimal:
        return self.closing - self.opening


@dataclass(frozen=True)
class Movement:
    """Investor money moved by the entries of one kind on the date (net over investor accounts)."""

    kind: str
    entries: int
    net: Decimal


@dataclass(frozen=True)
class JobOutcome:
    job: str
    runs: int
    succeeded: int
    failed: int
    last: JobRun | None  # the latest run started
    processed: int
    created: int
    amount: Decimal

    @property
    def status(self) -> str:
        return self.last.status if self.last is not None else "not_run"


@dataclass(frozen=True)
class DailyClose:
    business_date: date
    is_over: bool  # False for today: the figures are so far
    deposits: Flow
    withdrawals: Flow
    withdrawal_fees: Decimal
    returns: Flow
    returns_at_maturity: Flow
    commissions: Flow
    positions_opened: Flow
    positions_matured: Flow
    investor_balances: tuple[Balance, ...]
    platform_balances: tuple[Balance, ...]
    movements: tuple[Movement, ...]
    jobs_included: bool
    ledger_check: JobRun | None
    jobs: tuple[JobOutcome, ...]

    @property
    def investor_total(self) -> Balance:
        return _sum_balances("investor_total", self.investor_balances)

    @property
    def all_accounts_total(self) -> Balance:
        """Every account, investor and platform: zero when money is conserved (I11)."""
        return _sum_balances("all_accounts", self.investor_balances + self.platform_balances)

    @property
    def movements_total(self) -> Decimal:
        return sum((movement.net for movement in self.movements), ZERO)


def _sum_balances(kind: str, balances: tuple[Balance, ...]) -> Balance:
    return Balance(
        kind=kind,
        opening=sum((balance.opening for balance in balances), ZERO),
        closing=sum((balance.closing for balance in balances), ZERO),
    )


def daily_close_get(*, business_date: date, with_jobs: bool = True) -> DailyClose:
    """The close of ``business_date``: 8 queries (9 with the jobs), whatever the data."""
    withdrawals = _withdrawals_paid(business_date)
    returns, returns_at_maturity = _returns_paid(business_date)
    investor_balances, platform_balances = _balances_at_close(business_date)
    ledger_check, jobs = _jobs(business_date) if with_jobs else (None, ())
    return DailyClose(
        business_date=business_date,
        is_over=business_date < business_date_today(),
        deposits=_deposits_in(business_date),
        withdrawals=withdrawals[0],
        withdrawal_fees=withdrawals[1],
        returns=returns,
        returns_at_maturity=returns_at_maturity,
        commissions=_commissions_paid(business_date),
        positions_opened=_flow(Position.objects.filter(open_entry__business_date=business_date), "principal"),
        positions_matured=_flow(Position.objects.filter(maturity_entry__business_date=business_date), "principal"),
        investor_balances=investor_balances,
        platform_balances=platform_balances,
        movements=_investor_movements(business_date),
        jobs_included=with_jobs,
        ledger_check=ledger_check,
        jobs=jobs,
    )


def _flow(queryset, field: str) -> Flow:
    row = queryset.aggregate(count=Count("pk"), total=Sum(field))
    return Flow(count=row["count"], amount=_money(row["total"]))


def _deposits_in(day: date) -> Flow:
    return _flow(Deposit.objects.filter(status=RequestStatus.APPROVED, entry__business_date=day), "amount")


def _withdrawals_paid(day: date) -> tuple[Flow, Decimal]:
    row = Withdrawal.objects.filter(status=RequestStatus.APPROVED, close_entry__business_date=day).aggregate(
        count=Count("pk"), total=Sum("amount"), fees=Sum("fee")
    )
    return Flow(count=row["count"], amount=_money(row["total"])), _money(row["fees"])


def _returns_paid(day: date) -> tuple[Flow, Flow]:
    """All returns paid on the date, and the part at-maturity plans paid with their principal.
    Counts are positions paid (an at-maturity position pays every day of its term at once)."""
    at_maturity = Q(posting__entry__kind=EntryKind.MATURITY)
    row = Accrual.objects.filter(posting__entry__business_date=day).aggregate(
        positions=Count("position", distinct=True),
        total=Sum("amount"),
        maturity_positions=Count("position", distinct=True, filter=at_maturity),
        maturity_total=Sum("amount", filter=at_maturity),
    )
    return (
        Flow(count=row["positions"], amount=_money(row["total"])),
        Flow(count=row["maturity_positions"], amount=_money(row["maturity_total"])),
    )


def _commissions_paid(day: date) -> Flow:
    return _flow(Commission.objects.filter(entry__business_date=day), "amount")


def _balances_at_close(day: date) -> tuple[tuple[Balance, ...], tuple[Balance, ...]]:
    """Per account kind: the postings of every entry up to the date (closing) and up to the day
    before (opening). One pass over those postings; a kind without any shows zeros."""
    rows = (
        Posting.objects.filter(entry__business_date__lte=day)
        .values("account__kind")
        .annotate(closing=Sum("amount"), opening=Sum("amount", filter=Q(entry__business_date__lt=day)))
        .order_by()
    )
    totals = {row["account__kind"]: (_money(row["opening"]), _money(row["closing"])) for row in rows}

    def balances(kinds) -> tuple[Balance, ...]:
        return tuple(Balance(kind, *totals.get(kind, (ZERO, ZERO))) for kind in kinds)

    return balances(INVESTOR_KINDS), balances(PLATFORM_KINDS)


def _investor_movements(day: date) -> tuple[Movement, ...]:
    """The date's entries that touched investor accounts, by kind: how many, and the net change
    to investor money (a withdrawal request moves available to held: zero net)."""
    rows = (
        Posting.objects.filter(entry__business_date=day, account__kind__in=INVESTOR_KINDS)
        .values("entry__kind")
        .annotate(entries=Count("entry", distinct=True), net=Sum("amount"))
        .order_by()
    )
    found = {row["entry__kind"]: Movement(row["entry__kind"], row["entries"], _money(row["net"])) for row in rows}
    return tuple(found[kind] for kind in EntryKind.values if kind in found)


def _jobs(day: date) -> tuple[JobRun | None, tuple[JobOutcome, ...]]:
    """The ledger check after the close, and one outcome per job recorded for the date."""
    _start, end = business_day_bounds(day)
    _next_start, next_end = business_day_bounds(day + timedelta(days=1))
    after_close = Q(job=LEDGER_CHECK_JOB, started_at__gte=end, started_at__lt=next_end)
    runs = list(
        JobRun.objects.filter(Q(business_date=day) | after_close).select_related("actor").order_by("started_at", "id")
    )
    check = next((run for run in runs if run.job == LEDGER_CHECK_JOB and run.started_at >= end), None)
    by_job: dict[str, list[JobRun]] = defaultdict(list)
    for run in runs:
        if run.business_date == day:
            by_job[run.job].append(run)
    names = [*DAILY_JOBS, *sorted(set(by_job) - set(DAILY_JOBS))]
    return check, tuple(_outcome(name, by_job.get(name, [])) for name in names)


def _outcome(job: str, runs: list[JobRun]) -> JobOutcome:
    return JobOutcome(
        job=job,
        runs=len(runs),
        succeeded=sum(run.status == JobStatus.SUCCEEDED for run in runs),
        failed=sum(run.status == JobStatus.FAILED for run in runs),
        last=runs[-1] if runs else None,
        processed=sum(run.processed for run in runs),
        created=sum(run.created for run in runs),
        amount=sum((run.total_amount for run in runs), ZERO),
    )
