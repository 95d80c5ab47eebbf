"""Daily returns (the ``accrue_returns`` job).

For one business date, every active position with ``start_date < date <= maturity_date`` gets
one ``Accrual`` row (I5) holding the amount due that day (drift-free, I10). Daily plans are
paid at once: one entry ``accrual:<position>:<date>`` (I6), return expense → the investor's
available balance. At-maturity plans only record the amount; maturity pays the sum.

Positions are processed in chunks by id, each chunk one transaction, with set-based SQL on
PostgreSQL (a handful of statements per chunk) and bulk ORM statements elsewhere; never one
save per row. A run killed after chunk k leaves chunks 1…k committed, and the next run skips
what exists, ending in exactly the state of an uninterrupted run.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.common.errors import ApplicationError
from apps.controls.runtime import maintenance_check
from apps.investments.models import Accrual, PayoutSchedule, Position, PositionStatus
from apps.investments.returns import return_for_day
from apps.wallet.models import AccountKind, EntryKind
from apps.wallet.services.ledger import EntrySpec, Leg, entries_post_many, investor_accounts_bulk, platform_account
from workers.jobs import (
    ChunkResult,
    business_date_check,
    dates_between,
    job_lock,
    last_succeeded_date,
    run_add_chunk,
    run_for_date,
)
from workers.models import JobRun

JOB = "accrue_returns"


def _after_chunk(index: int) -> None:
    """Called after each committed chunk; tests replace it to simulate a crash."""


def accrual_first_date() -> date | None:
    """The earliest date any position earns for: the day after the first purchase."""
    first = Position.objects.order_by("start_date").values_list("start_date", flat=True).first()
    return None if first is None else first + timedelta(days=1)


def accrual_dates_pending(*, through: date) -> list[date]:
    last = last_succeeded_date(JOB)
    first = accrual_first_date() if last is None else last + timedelta(days=1)
    if first is None or first > through:
        return []
    return dates_between(first, through)


def accrue_returns(
    *, through: date | None = None, only: date | None = None, trigger: str = "schedule", actor=None
) -> list[JobRun]:
    """Accrue every date not yet done, in order, up to ``through`` (default: today); or replay
    exactly ``only``. Future dates and dates before the first position are refused."""
    maintenance_check()  # the daily money jobs wait; the first run after catches up
    from apps.common.dates import business_date_today

    target = only or through or business_date_today()
    business_date_check(target)
    first = accrual_first_date()
    if only is not None and (first is None or only < first):
        raise ApplicationError(
            f"{only} is before the first date any position earns for ({first or 'no positions yet'}).",
            code="before_first_position",
        )
    if only is not None and accrual_date_complete(only):
        return []  # a finished date: verified in two counts, nothing written (P2)
    with job_lock(JOB):
        dates = [only] if only is not None else accrual_dates_pending(through=target)
        return [
            run_for_date(
                job=JOB,
                business_date=day,
                work=lambda run, day=day: _accrue_date(day, run),
                trigger=trigger,
                actor=actor,
            )
            for day in dates
        ]


def accrual_date_complete(day: date) -> bool:
    """True when a run for ``day`` succeeded and every position that earns on ``day`` has its
    accrual (positions that matured since still count: they earned that day)."""
    if not JobRun.objects.filter(job=JOB, business_date=day, status="succeeded").exists():
        return False
    earning = Position.objects.filter(start_date__lt=day, maturity_date__gte=day).count()
    return Accrual.objects.filter(business_date=day).count() == earning


def _accrue_date(day: date, run: JobRun) -> None:
    due = Position.objects.filter(status=PositionStatus.ACTIVE, start_date__lt=day, maturity_date__gte=day)
    chunk = _chunk_postgresql if connection.vendor == "postgresql" else _chunk_generic
    size = settings.ACCRUAL_CHUNK_SIZE
    last_id, index = 0, 0
    while True:
        ids = list(due.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:size])
        if not ids:
            return
        with transaction.atomic():
            result = chunk(day=day, low=ids[0], high=ids[-1])
            run_add_chunk(run, result)
        index += 1
        last_id = ids[-1]
        _after_chunk(index)


# --- Generic path (SQLite and any other backend): bulk ORM statements per chunk ----------------


def _chunk_generic(*, day: date, low: int, high: int) -> ChunkResult:
    rows = list(
        Position.objects.filter(
            pk__gte=low, pk__lte=high, status=PositionStatus.ACTIVE, start_date__lt=day, maturity_date__gte=day
        )
        .exclude(accruals__business_date=day)
        .values_list("pk", "user_id", "principal", "daily_rate", "start_date", "payout_schedule")
        .order_by("pk")
    )
    amounts = {
        pk: return_for_day(principal=principal, daily_rate=rate, day=(day - start).days)
        for pk, _user, principal, rate, start, _schedule in rows
    }
    paying = [row for row in rows if row[5] == PayoutSchedule.DAILY and amounts[row[0]] > 0]
    available = {
        user_id: pk for (user_id, _kind), pk in investor_accounts_bulk(user_ids={row[1] for row in paying}).items()
    }
    expense = platform_account(AccountKind.RETURN_EXPENSE)
    specs = [
        EntrySpec(
            kind=EntryKind.RETURN,
            natural_key=f"accrual:{pk}:{day.isoformat()}",
            legs=[Leg(expense.pk, -amounts[pk]), Leg(available[user_id], amounts[pk])],
        )
        for pk, user_id, *_rest in paying
    ]
    entries = entries_post_many(specs=specs, business_date=day)
    entry_of = {row[0]: entry.pk for row, entry in zip(paying, entries, strict=True)}
    Accrual.objects.bulk_create(
        [Accrual(position_id=pk, business_date=day, amount=amounts[pk], entry_id=entry_of.get(pk)) for pk, *_ in rows],
        batch_size=2000,
    )
    paid = sum((amounts[row[0]] for row in paying), Decimal("0.00"))
    return ChunkResult(processed=len(rows), created=len(rows), amount=paid)


# --- PostgreSQL path: the same chunk in a few set-based statements ------------------------------

_PG_DUE = """
CREATE TEMP TABLE accrual_due ON COMMIT DROP AS
SELECT p.id AS position_id, p.user_id, p.payout_schedule,
       ROUND((%(day)s::date - p.start_date) * p.principal * p.daily_rate / 100, 2)
     - ROUND(((%(day)s::date - p.start_date) - 1) * p.principal * p.daily_rate / 100, 2) AS amount
FROM investments_position p
WHERE p.id BETWEEN %(low)s AND %(high)s AND p.status = 'active'
  AND p.start_date < %(day)s::date AND p.maturity_date >= %(day)s::date
  AND NOT EXISTS (SELECT 1 FROM investments_accrual a WHERE a.position_id = p.id AND a.business_date = %(day)s::date)
"""

_PG_ACCOUNTS = """
INSERT INTO wallet_account (owner_id, kind, currency, balance, created_at)
SELECT DISTINCT user_id, 'available', %(currency)s, 0, %(now)s FROM accrual_due
WHERE payout_schedule = 'daily' AND amount > 0
ON CONFLICT (owner_id, kind, currency) WHERE owner_id IS NOT NULL DO NOTHING
"""

_PG_LOCK = """
SELECT id FROM wallet_account
WHERE id = %(expense)s
   OR (kind = 'available' AND currency = %(currency)s AND owner_id IN (
        SELECT user_id FROM accrual_due WHERE payout_schedule = 'daily' AND amount > 0))
ORDER BY id FOR UPDATE
"""

_PG_ENTRIES_TABLE = """
CREATE TEMP TABLE accrual_entries (entry_id bigint, position_id bigint, account_id bigint, amount numeric)
ON COMMIT DROP
"""

_PG_ENTRIES = """
WITH inserted AS (
    INSERT INTO wallet_entry (kind, natural_key, business_date, currency, memo, created_at)
    SELECT 'return', 'accrual:' || position_id || ':' || %(day_text)s, %(day)s::date, %(currency)s, '', %(now)s
    FROM accrual_due WHERE payout_schedule = 'daily' AND amount > 0
    ORDER BY position_id
    RETURNING id, natural_key
)
INSERT INTO accrual_entries
SELECT i.id, d.position_id, a.id, d.amount
FROM inserted i
JOIN accrual_due d ON d.position_id = split_part(i.natural_key, ':', 2)::bigint
JOIN wallet_account a ON a.owner_id = d.user_id AND a.kind = 'available' AND a.currency = %(currency)s
"""

_PG_POSTINGS = """
INSERT INTO wallet_posting (entry_id, account_id, amount, balance_after, currency)
SELECT entry_id, account_id, amount, balance_after, %(currency)s FROM (
    SELECT e.entry_id, 0 AS leg, %(expense)s::bigint AS account_id, -e.amount AS amount,
           x.balance - SUM(e.amount) OVER (ORDER BY e.entry_id) AS balance_after
    FROM accrual_entries e CROSS JOIN (SELECT balance FROM wallet_account WHERE id = %(expense)s) x
    UNION ALL
    SELECT e.entry_id, 1, e.account_id, e.amount,
           a.balance + SUM(e.amount) OVER (PARTITION BY e.account_id ORDER BY e.entry_id)
    FROM accrual_entries e JOIN wallet_account a ON a.id = e.account_id
) legs
ORDER BY entry_id, leg
"""

_PG_BALANCES = """
UPDATE wallet_account a SET balance = a.balance + s.total
FROM (SELECT account_id, SUM(amount) AS total FROM accrual_entries GROUP BY account_id) s
WHERE a.id = s.account_id
"""

_PG_EXPENSE_BALANCE = """
UPDATE wallet_account SET balance = balance - (SELECT COALESCE(SUM(amount), 0) FROM accrual_entries)
WHERE id = %(expense)s
"""

_PG_ACCRUALS = """
INSERT INTO investments_accrual (position_id, business_date, amount, entry_id)
SELECT d.position_id, %(day)s::date, d.amount, e.entry_id
FROM accrual_due d LEFT JOIN accrual_entries e ON e.position_id = d.position_id
ORDER BY d.position_id
"""

# Each entry written must have got its two postings (the database's per-entry check at commit
# skips daily-return entries for speed; this is that check, set-based, for this chunk).
_PG_VERIFY = """
SELECT (SELECT COUNT(*) FROM accrual_due WHERE payout_schedule = 'daily' AND amount > 0),
       (SELECT COUNT(*) FROM accrual_entries),
       (SELECT COUNT(*) FROM wallet_posting WHERE entry_id IN (SELECT entry_id FROM accrual_entries))
"""

_PG_TOTALS = """
SELECT (SELECT COUNT(*) FROM accrual_due), (SELECT COALESCE(SUM(amount), 0) FROM accrual_entries)
"""


PG_CHUNK_STATEMENTS = (
    _PG_DUE,
    _PG_ACCOUNTS,
    _PG_LOCK,
    _PG_ENTRIES_TABLE,
    _PG_ENTRIES,
    _PG_POSTINGS,
    _PG_BALANCES,
    _PG_EXPENSE_BALANCE,
    _PG_ACCRUALS,
)


def _chunk_postgresql(*, day: date, low: int, high: int) -> ChunkResult:
    params = {
        "day": day,
        "day_text": day.isoformat(),
        "low": low,
        "high": high,
        "currency": settings.PLATFORM_CURRENCY,
        "expense": platform_account(AccountKind.RETURN_EXPENSE).pk,
        # The application's clock, as every other row's created_at (the ORM's default), not the
        # database's now(): one clock for all timestamps, so the statement's order is the order.
        "now": timezone.now(),
    }
    with connection.cursor() as cursor:
        for statement in PG_CHUNK_STATEMENTS:
            cursor.execute(statement, params)
        cursor.execute(_PG_VERIFY)
        paying, entries, postings = cursor.fetchone()
        if not paying == entries == postings // 2 or postings != 2 * entries:
            raise RuntimeError(f"accrual chunk wrote {entries} entries and {postings} postings for {paying} returns")
        cursor.execute(_PG_TOTALS)
        count, paid = cursor.fetchone()
        cursor.execute("DROP TABLE IF EXISTS accrual_due, accrual_entries")
    return ChunkResult(processed=count, created=count, amount=paid)
