"""Maturity (the ``mature_investments`` job).

On its maturity date a position pays what it still owes and closes, once (I6:
``maturity:<position>``): the principal goes invested → available when capital comes back
(otherwise invested → return expense: the platform keeps it), and an at-maturity plan's
recorded returns go return expense → available. Positions whose maturity date has passed are
caught up. Maturity for a date needs that date's accrual to be done first.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Case, Sum, Value, When
from django.utils import timezone

from apps.common.dates import business_date_today
from apps.common.errors import ApplicationError
from apps.controls.runtime import maintenance_check
from apps.investments.models import Accrual, PayoutSchedule, Position, PositionStatus
from apps.investments.services.accrual import JOB as ACCRUAL_JOB
from apps.wallet.models import AccountKind, EntryKind, Posting
from apps.wallet.services.ledger import EntrySpec, Leg, entries_post_many, investor_accounts_bulk, platform_account
from workers.chunks import chunks_run, investor_bounds
from workers.jobs import ChunkResult, business_date_check, job_lock, last_succeeded_date, run_for_date
from workers.models import JobRun

JOB = "mature_investments"


def _after_chunk(index: int) -> None:
    """Called after each committed chunk; tests replace it to simulate a crash."""


def mature_investments(*, through: date | None = None, trigger: str = "schedule", actor=None) -> JobRun:
    """Close every active position that matures on or before ``through`` (default: today)."""
    maintenance_check()  # the daily money jobs wait; the first run after catches up
    day = through or business_date_today()
    business_date_check(day)
    due = positions_maturing(day)
    accrued_through = last_succeeded_date(ACCRUAL_JOB)
    if due.exists() and (accrued_through is None or accrued_through < day):
        raise ApplicationError(
            f"Returns are accrued through {accrued_through or 'no date yet'}: run accrue_returns through {day} first.",
            code="accrual_behind",
        )
    with job_lock(JOB):
        return run_for_date(
            job=JOB, business_date=day, work=lambda run: _mature(day, run), trigger=trigger, actor=actor
        )


def positions_maturing(day: date):
    """The active positions due to mature on or before ``day``."""
    return Position.objects.filter(status=PositionStatus.ACTIVE, maturity_date__lte=day)


def _mature(day: date, run: JobRun) -> None:
    bounds = investor_bounds(positions_maturing(day), size=settings.ACCRUAL_CHUNK_SIZE)
    chunks_run(run=run, bounds=bounds, after_chunk=lambda index: _after_chunk(index))


def maturity_chunk(*, day: date, low: int, high: int) -> ChunkResult:
    """Mature the due positions of the investors with ids in [low, high] (one chunk, in the
    caller's transaction); positions matured already are skipped."""
    positions = list(
        positions_maturing(day)
        .filter(user_id__gte=low, user_id__lte=high)
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    owed = dict(
        Accrual.objects.filter(
            position__in=positions,
            position__payout_schedule=PayoutSchedule.AT_MATURITY,
            posting__isnull=True,
            amount__gt=0,
        )
        .values("position_id")
        .annotate(total=Sum("amount"))
        .values_list("position_id", "total")
    )
    accounts = investor_accounts_bulk(
        user_ids={position.user_id for position in positions}, kinds=(AccountKind.AVAILABLE, AccountKind.INVESTED)
    )
    expense = platform_account(AccountKind.RETURN_EXPENSE).pk
    specs, paid = [], Decimal("0.00")
    for position in positions:
        legs = _legs(position, accounts=accounts, expense=expense, returns=owed.get(position.pk, Decimal("0.00")))
        paid += sum(
            (leg.amount for leg in legs if leg.account_id == accounts[(position.user_id, "available")]), Decimal(0)
        )
        specs.append(EntrySpec(kind=EntryKind.MATURITY, natural_key=f"maturity:{position.pk}", legs=legs))
    entries = entries_post_many(specs=specs, business_date=day)
    entry_of = {position.pk: entry.pk for position, entry in zip(positions, entries, strict=True)}
    now = timezone.now()
    for position in positions:
        position.status, position.maturity_entry_id, position.matured_at = (
            PositionStatus.MATURED,
            entry_of[position.pk],
            now,
        )
    Position.objects.bulk_update(positions, ["status", "maturity_entry", "matured_at"], batch_size=500)
    if owed:
        _accruals_link(positions=[position for position in positions if position.pk in owed], accounts=accounts)
    return ChunkResult(processed=len(positions), created=len(positions), amount=paid)


def _accruals_link(*, positions: list[Position], accounts: dict) -> None:
    """Point the at-maturity accruals just paid to the maturity entry's posting on the investor's
    available balance (I5)."""
    available = {accounts[(position.user_id, "available")] for position in positions}
    posting_of = {
        entry_id: pk
        for entry_id, pk in Posting.objects.filter(
            entry_id__in=[position.maturity_entry_id for position in positions], account_id__in=available
        ).values_list("entry_id", "pk")
    }
    pairs = [(position.pk, posting_of[position.maturity_entry_id]) for position in positions]
    if connection.vendor == "postgresql":
        # One join against the pairs: a CASE with a branch per position is tried branch after branch
        # for every accrual row (a chunk of 20,000 positions of 100 accruals each: minutes).
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE investments_accrual a SET posting_id = paid.posting_id"
                " FROM unnest(%s::bigint[], %s::bigint[]) AS paid(position_id, posting_id)"
                " WHERE a.position_id = paid.position_id AND a.posting_id IS NULL",
                [[position for position, _posting in pairs], [posting for _position, posting in pairs]],
            )
        return
    Accrual.objects.filter(position_id__in=[position for position, _posting in pairs], posting__isnull=True).update(
        posting_id=Case(*[When(position_id=position, then=Value(posting)) for position, posting in pairs])
    )


def _legs(position: Position, *, accounts: dict, expense: int, returns: Decimal) -> list[Leg]:
    available = accounts[(position.user_id, "available")]
    invested = accounts[(position.user_id, "invested")]
    legs = [Leg(invested, -position.principal)]
    legs.append(Leg(available if position.capital_back else expense, position.principal))
    if position.payout_schedule == PayoutSchedule.AT_MATURITY and returns > 0:
        legs += [Leg(expense, -returns), Leg(available, returns)]
    return _merged(legs)


def _merged(legs: list[Leg]) -> list[Leg]:
    """One leg per account (an account both debited and credited nets out)."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for leg in legs:
        totals[leg.account_id] += leg.amount
    return [Leg(account_id, amount) for account_id, amount in totals.items() if amount != 0]
