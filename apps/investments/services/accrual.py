"""Daily returns (the ``accrue_returns`` job).

For one business date, every active position with ``start_date < date <= maturity_date`` gets
one ``Accrual`` row (I5) holding the amount due that day, exact to the cent (drift-free, I10).
Daily plans are paid at once, per investor and not per position: each investor gets one posting
on their available balance carrying the sum of that day's accruals of their positions, and every
accrual points to that posting. A chunk of investors is one entry (natural key
``returns:<date>:<first investor>-<last investor>``, I6) with one return-expense leg for the
chunk's total. At-maturity plans only record the amount; maturity pays the sum.

The date is split into chunks of whole investors (``workers.chunks``), each one transaction,
spread over the worker processes; set-based SQL on PostgreSQL (a handful of statements per
chunk) and bulk ORM statements elsewhere, never one save per row. A run killed after any chunk
leaves the chunks done committed, and the next run skips what exists, ending in exactly the
state of an uninterrupted run.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.common.errors import ApplicationError
from apps.controls.runtime import maintenance_check
from apps.investments.models import Accrual, PayoutSchedule, Position, PositionStatus
from apps.investments.returns import return_for_day
from apps.wallet.models import AccountKind, EntryKind, Posting
from apps.wallet.services.ledger import EntrySpec, Leg, entries_post_many, investor_accounts_bulk, platform_account
from workers.chunks import chunks_run, investor_bounds
from workers.jobs import ChunkResult, business_date_check, dates_between, job_lock, last_succeeded_date, run_for_date
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


def positions_earning(day: date):
    """The active positions that earn on ``day``."""
    return Position.objects.filter(status=PositionStatus.ACTIVE, start_date__lt=day, maturity_date__gte=day)


def _accrue_date(day: date, run: JobRun) -> None:
    bounds = investor_bounds(positions_earning(day), size=settings.ACCRUAL_CHUNK_SIZE)
    chunks_run(run=run, bounds=bounds, after_chunk=lambda index: _after_chunk(index))


def accrual_chunk(*, day: date, low: int, high: int) -> ChunkResult:
    """Accrue ``day`` for the positions of the investors with ids in [low, high] (one chunk, in
    the caller's transaction): what exists already is skipped."""
    chunk = _chunk_postgresql if connection.vendor == "postgresql" else _chunk_generic
    return chunk(day=day, low=low, high=high)


def _entry_key(day: date, user_ids) -> str:
    return f"returns:{day.isoformat()}:{min(user_ids)}-{max(user_ids)}"


# --- Generic path (SQLite and any other backend): bulk ORM statements per chunk ----------------


def _chunk_generic(*, day: date, low: int, high: int) -> ChunkResult:
    due = positions_earning(day).filter(user_id__gte=low, user_id__lte=high)
    payers = set(due.filter(payout_schedule=PayoutSchedule.DAILY).values_list("user_id", flat=True).distinct())
    available = {user_id: pk for (user_id, _kind), pk in investor_accounts_bulk(user_ids=payers).items()}
    rows = list(
        due.exclude(accruals__business_date=day)
        .values_list("pk", "user_id", "principal", "daily_rate", "start_date", "payout_schedule")
        .order_by("pk")
    )
    amounts = {
        pk: return_for_day(principal=principal, daily_rate=rate, day=(day - start).days)
        for pk, _user, principal, rate, start, _schedule in rows
    }
    paid_by_user: dict[int, Decimal] = {}
    for pk, user_id, *_rest, schedule in rows:
        if schedule == PayoutSchedule.DAILY and amounts[pk] > 0:
            paid_by_user[user_id] = paid_by_user.get(user_id, Decimal("0.00")) + amounts[pk]
    posting_of: dict[int, int] = {}
    if paid_by_user:
        total = sum(paid_by_user.values(), Decimal("0.00"))
        legs = [Leg(platform_account(AccountKind.RETURN_EXPENSE).pk, -total)]
        legs += [Leg(available[user_id], amount) for user_id, amount in sorted(paid_by_user.items())]
        [entry] = entries_post_many(
            specs=[EntrySpec(kind=EntryKind.RETURN, natural_key=_entry_key(day, paid_by_user), legs=legs)],
            business_date=day,
        )
        by_account = dict(Posting.objects.filter(entry=entry).values_list("account_id", "pk"))
        posting_of = {user_id: by_account[available[user_id]] for user_id in paid_by_user}
    Accrual.objects.bulk_create(
        [
            Accrual(
                position_id=pk,
                business_date=day,
                amount=amounts[pk],
                posting_id=posting_of.get(user_id) if schedule == PayoutSchedule.DAILY and amounts[pk] > 0 else None,
            )
            for pk, user_id, *_rest, schedule in rows
        ],
        batch_size=2000,
    )
    paid = sum(paid_by_user.values(), Decimal("0.00"))
    return ChunkResult(processed=len(rows), created=len(rows), amount=paid)


# --- PostgreSQL path: the same chunk in a few set-based statements ------------------------------
# Order matters. The investors' accounts are locked before what is still due is read (a second
# writer of the same investors waits, then finds their accruals and writes nothing). Everything of
# the chunk is then written, and its foreign keys checked, before the return-expense account,
# which every chunk of every worker shares, is locked: only the expense leg, that account's
# balance and the commit happen under its lock, so chunks run side by side. (The database checks
# an entry written in two statements at commit: apps.wallet.db_guards.PG_GUARDS_V3.)

_PG_DUE = """
CREATE TEMP TABLE accrual_due ON COMMIT DROP AS
SELECT p.id AS position_id, p.user_id, p.payout_schedule = 'daily' AS pays,
       ROUND((%(day)s::date - p.start_date) * p.principal * p.daily_rate / 100, 2)
     - ROUND(((%(day)s::date - p.start_date) - 1) * p.principal * p.daily_rate / 100, 2) AS amount
FROM investments_position p
WHERE p.user_id BETWEEN %(low)s AND %(high)s AND p.status = 'active'
  AND p.start_date < %(day)s::date AND p.maturity_date >= %(day)s::date
"""

_PG_ACCOUNTS = """
INSERT INTO wallet_account (owner_id, kind, currency, balance, created_at)
SELECT DISTINCT d.user_id, 'available', %(currency)s, 0, %(now)s FROM accrual_due d
WHERE d.pays AND NOT EXISTS (
    SELECT 1 FROM wallet_account a WHERE a.owner_id = d.user_id AND a.kind = 'available' AND a.currency = %(currency)s)
ON CONFLICT (owner_id, kind, currency) WHERE owner_id IS NOT NULL DO NOTHING
"""

_PG_LOCK_INVESTORS = """
SELECT COUNT(*) FROM (
    SELECT id FROM wallet_account
    WHERE kind = 'available' AND currency = %(currency)s AND owner_id BETWEEN %(low)s AND %(high)s
      AND owner_id IN (SELECT user_id FROM accrual_due WHERE pays)
    ORDER BY id FOR UPDATE
) locked
"""

_PG_SKIP_DONE = """
DELETE FROM accrual_due d
WHERE EXISTS (
    SELECT 1 FROM investments_accrual a WHERE a.position_id = d.position_id AND a.business_date = %(day)s::date)
"""

# One posting per paying investor, its id taken now so that the accruals can point to it before
# it is written (the foreign key is checked at commit).
_PG_PAY = """
CREATE TEMP TABLE accrual_pay ON COMMIT DROP AS
SELECT nextval(pg_get_serial_sequence('wallet_posting', 'id')) AS posting_id, s.*
FROM (
    SELECT a.id AS account_id, d.user_id, SUM(d.amount) AS amount, a.balance
    FROM accrual_due d JOIN wallet_account a
      ON a.owner_id = d.user_id AND a.kind = 'available' AND a.currency = %(currency)s
    WHERE d.pays AND d.amount > 0
    GROUP BY a.id, d.user_id, a.balance
    ORDER BY a.id
) s
"""

_PG_ENTRY = """
INSERT INTO wallet_entry (kind, natural_key, business_date, currency, memo, created_at)
SELECT 'return', 'returns:' || %(day_text)s || ':' || MIN(user_id) || '-' || MAX(user_id), %(day)s::date,
       %(currency)s, '', %(now)s
FROM accrual_pay
RETURNING id
"""

_PG_ACCRUALS = """
INSERT INTO investments_accrual (position_id, business_date, amount, posting_id)
SELECT d.position_id, %(day)s::date, d.amount, CASE WHEN d.pays AND d.amount > 0 THEN p.posting_id END
FROM accrual_due d LEFT JOIN accrual_pay p ON p.user_id = d.user_id
ORDER BY d.position_id
"""

_PG_INVESTOR_POSTINGS = """
INSERT INTO wallet_posting (id, entry_id, account_id, amount, balance_after, currency)
SELECT posting_id, %(entry)s, account_id, amount, balance + amount, %(currency)s FROM accrual_pay ORDER BY posting_id
"""

_PG_INVESTOR_BALANCES = """
UPDATE wallet_account a SET balance = a.balance + p.amount FROM accrual_pay p WHERE a.id = p.account_id
"""

# The foreign keys of the rows written so far are checked now, not at commit under the lock.
_PG_FOREIGN_KEYS = """
SELECT string_agg(quote_ident(conname), ', ') FROM pg_constraint
WHERE contype = 'f' AND conrelid IN ('investments_accrual'::regclass, 'wallet_posting'::regclass)
"""

_PG_LOCK_EXPENSE = "SELECT balance FROM wallet_account WHERE id = %(expense)s FOR UPDATE"

# The expense leg balances the entry (the database checks it at the end of this statement).
_PG_EXPENSE_POSTING = """
INSERT INTO wallet_posting (entry_id, account_id, amount, balance_after, currency)
VALUES (%(entry)s, %(expense)s, -%(total)s, %(expense_balance)s - %(total)s, %(currency)s)
"""

_PG_EXPENSE_BALANCE = "UPDATE wallet_account SET balance = %(expense_balance)s - %(total)s WHERE id = %(expense)s"

_PG_TOTALS = (
    "SELECT (SELECT COUNT(*) FROM accrual_due), (SELECT COUNT(*) FROM accrual_pay), "
    "(SELECT COALESCE(SUM(amount), 0) FROM accrual_pay)"
)

# Statements up to the entry (bench/accrual.py runs the same sequence as its reference).
PG_CHUNK_PREPARE = (_PG_DUE, _PG_ACCOUNTS, _PG_LOCK_INVESTORS, _PG_SKIP_DONE, _PG_PAY)


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
        for statement in PG_CHUNK_PREPARE:
            cursor.execute(statement, params)
        cursor.execute(_PG_TOTALS)
        due, payers, total = cursor.fetchone()
        entry = None
        if payers:
            cursor.execute(_PG_ENTRY, params)
            entry = params["entry"] = cursor.fetchone()[0]
            cursor.execute(_PG_INVESTOR_POSTINGS, params)
        cursor.execute(_PG_ACCRUALS, params)
        if payers:
            cursor.execute(_PG_INVESTOR_BALANCES)
            cursor.execute(_PG_FOREIGN_KEYS)
            cursor.execute(f"SET CONSTRAINTS {cursor.fetchone()[0]} IMMEDIATE")
            cursor.execute(_PG_LOCK_EXPENSE, params)
            params.update(expense_balance=cursor.fetchone()[0], total=total)
            cursor.execute(_PG_EXPENSE_POSTING, params)
            cursor.execute(_PG_EXPENSE_BALANCE, params)
            _postings_verify(cursor, entry=entry, expected=payers + 1)
        cursor.execute("DROP TABLE IF EXISTS accrual_due, accrual_pay")
    return ChunkResult(processed=due, created=due, amount=total)


def _postings_verify(cursor, *, entry: int, expected: int) -> None:
    """The entry got every posting (the database's per-entry check at commit skips daily-return
    entries; this is that check for the chunk's one entry)."""
    cursor.execute("SELECT COUNT(*) FROM wallet_posting WHERE entry_id = %s", [entry])
    (written,) = cursor.fetchone()
    if written != expected:
        raise RuntimeError(f"accrual chunk wrote {written} postings for entry {entry}, expected {expected}")
