"""Milestone rewards (the ``grant_milestones`` job).

For a business date, a referrer qualifies for an active milestone when at least its
``required_referrals`` of the users they referred had bought a plan by that date (a position
with ``start_date`` on or before it). Each (referrer, milestone) pair is granted once (I6:
``milestone:<user>:<milestone>``, plus the award's unique constraint): reward expense → the
referrer's available balance, an award row and an in-app notice. Deactivated referrers and
inactive milestones are skipped.

Pending pairs come from one aggregate query; they are granted in chunks ordered by (referrer,
milestone), each chunk one transaction with a bulk posting (``entries_post_many``) and a bulk
insert of the awards. A run killed after chunk k leaves chunks 1…k committed; the next run finds
only what is still pending, so it ends in the state of an uninterrupted run.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.common.dates import business_date_today
from apps.controls.runtime import maintenance_check
from apps.investments.models import Position
from apps.messaging.services import notification_send
from apps.referrals.models import Milestone, MilestoneAward
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

JOB = "grant_milestones"
# Pairs granted per transaction.
CHUNK_SIZE = 1000


@dataclass(frozen=True)
class PendingGrant:
    user_id: int
    milestone_id: int
    qualified: int


def _after_chunk(index: int) -> None:
    """Called after each committed chunk; tests replace it to simulate a crash."""


# The (referrer, milestone) pairs due on a business date and not granted yet, after a given pair,
# in (referrer, milestone) order: one aggregate over the referred users who had bought a plan.
_PENDING_SQL = """
SELECT q.referrer_id, m.id, q.qualified
FROM (
    SELECT u.referred_by_id AS referrer_id, COUNT(*) AS qualified
    FROM {user} u
    WHERE u.referred_by_id >= %(after_user)s
      AND EXISTS (SELECT 1 FROM {position} p WHERE p.user_id = u.id AND p.start_date <= %(day)s)
    GROUP BY u.referred_by_id
) q
JOIN {user} r ON r.id = q.referrer_id
JOIN {milestone} m ON m.required_referrals <= q.qualified
WHERE r.is_active = %(true)s AND m.is_active = %(true)s
  AND (q.referrer_id > %(after_user)s OR m.id > %(after_milestone)s)
  AND NOT EXISTS (SELECT 1 FROM {award} a WHERE a.user_id = q.referrer_id AND a.milestone_id = m.id)
ORDER BY q.referrer_id, m.id
LIMIT %(limit)s
"""


def milestone_grants_pending(*, business_date: date, after: tuple[int, int] = (0, 0), limit: int) -> list[PendingGrant]:
    sql = _PENDING_SQL.format(
        user=connection.ops.quote_name(User._meta.db_table),
        position=connection.ops.quote_name(Position._meta.db_table),
        milestone=connection.ops.quote_name(Milestone._meta.db_table),
        award=connection.ops.quote_name(MilestoneAward._meta.db_table),
    )
    params = {
        "day": business_date,
        "after_user": after[0],
        "after_milestone": after[1],
        "true": True,
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        PendingGrant(user_id=user_id, milestone_id=milestone_id, qualified=qualified)
        for user_id, milestone_id, qualified in rows
    ]


def milestones_grant(*, business_date: date, run: JobRun | None = None) -> ChunkResult:
    """Grant every pending (referrer, milestone) pair of ``business_date``, chunk by chunk (each
    chunk commits on its own). Returns the totals; adds each chunk to ``run`` when given."""
    total, after, index = ChunkResult(amount=Decimal("0.00")), (0, 0), 0
    while True:
        with transaction.atomic():
            pending = milestone_grants_pending(business_date=business_date, after=after, limit=CHUNK_SIZE)
            if not pending:
                return total
            result = _grant_chunk(business_date=business_date, pending=pending)
            if run is not None:
                run_add_chunk(run, result)
        total.processed += result.processed
        total.created += result.created
        total.amount += result.amount
        after = (pending[-1].user_id, pending[-1].milestone_id)
        index += 1
        _after_chunk(index)


def _grant_chunk(*, business_date: date, pending: list[PendingGrant]) -> ChunkResult:
    milestones = Milestone.objects.in_bulk({grant.milestone_id for grant in pending})
    users = User.objects.in_bulk({grant.user_id for grant in pending})
    available = {user_id: pk for (user_id, _kind), pk in investor_accounts_bulk(user_ids=set(users)).items()}
    expense = platform_account(AccountKind.REWARD_EXPENSE).pk
    amounts = {grant: milestones[grant.milestone_id].reward_amount for grant in pending}
    specs = [
        EntrySpec(
            kind=EntryKind.REWARD,
            natural_key=f"milestone:{grant.user_id}:{grant.milestone_id}",
            legs=[Leg(expense, -amounts[grant]), Leg(available[grant.user_id], amounts[grant])],
            memo=f"Milestone reward: {milestones[grant.milestone_id].name}",
        )
        for grant in pending
    ]
    entries = entries_post_many(specs=specs, business_date=business_date)
    MilestoneAward.objects.bulk_create(
        [
            MilestoneAward(
                user_id=grant.user_id,
                milestone_id=grant.milestone_id,
                amount=amounts[grant],
                qualified_referrals=grant.qualified,
                business_date=business_date,
                entry=entry,
            )
            for grant, entry in zip(pending, entries, strict=True)
        ]
    )
    for grant in pending:
        _notify(user=users[grant.user_id], milestone=milestones[grant.milestone_id], amount=amounts[grant])
    paid = sum(amounts.values(), Decimal("0.00"))
    return ChunkResult(processed=len(pending), created=len(pending), amount=paid)


def _notify(*, user: User, milestone: Milestone, amount: Decimal) -> None:
    notification_send(
        user=user,
        kind="milestone_awarded",
        title=lambda: _("Referral milestone reached"),
        body=lambda: (
            _("You reached %(milestone)s: %(amount)s %(currency)s was added to your available balance.")
            % {"milestone": milestone.name, "amount": amount, "currency": milestone.currency}
        ),
        link="/referrals/",
    )


# --- the job: one run per business date, catch-up in order ---------------------------------------


def milestone_dates_pending(*, through: date) -> list[date]:
    """The dates still to run, in order. Before the first run there is nothing to catch up (the
    first run grants everything due by ``through``). A date already done is run again only when
    it is today and something has become due since (purchases keep qualifying referrers all day)."""
    last = last_succeeded_date(JOB)
    if last is None:
        return [through]
    if last < through:
        return dates_between(last + timedelta(days=1), through)
    if last == through == business_date_today() and milestone_grants_pending(business_date=through, limit=1):
        return [through]
    return []


def grant_milestones(
    *, through: date | None = None, only: date | None = None, trigger: str = "schedule", actor=None
) -> list[JobRun]:
    """Grant milestones for every business date not yet done, in order, up to ``through``
    (default: today); or replay exactly ``only``. Future dates are refused. Idempotent."""
    maintenance_check()  # the daily money jobs wait; the first run after catches up
    target = only or through or business_date_today()
    business_date_check(target)
    with job_lock(JOB):
        dates = [only] if only is not None else milestone_dates_pending(through=target)
        return [
            run_for_date(
                job=JOB,
                business_date=day,
                work=lambda run, day=day: milestones_grant(business_date=day, run=run),
                trigger=trigger,
                actor=actor,
            )
            for day in dates
        ]
