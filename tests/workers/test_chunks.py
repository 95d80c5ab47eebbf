"""The daily jobs' chunks (``workers.chunks``): how a date is planned as ranges of whole
investors, and how a chunk is done exactly once however many times it is sent or claimed.

Eleven positions of five investors bought on DAY0 (``book``): a daily plan of 0.3333% a day and
an at-maturity plan of 0.7777% a day for two days (it matures on DAY2). Investor 2 holds only
at-maturity positions, so it never gets a daily return posting."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

import workers.chunks as chunks_module
from apps.investments.models import Accrual, Position
from apps.investments.services import accrual as accrual_module
from apps.investments.services.accrual import accrue_returns, positions_earning
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from apps.wallet.models import AccountKind, Entry, Posting
from apps.wallet.services.ledger import platform_account
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import assert_ledger_ok, balances, fund
from workers import celery_app
from workers.chunks import chunk_work, investor_bounds
from workers.models import ChunkStatus, JobChunk, JobRun, JobStatus
from workers.tasks import job_chunk_task

pytestmark = pytest.mark.django_db
D = Decimal
DAY0 = date(2026, 3, 2)
DAY1, DAY2, DAY3 = (DAY0 + timedelta(days=n) for n in (1, 2, 3))
# (plan, amount) bought by investors 0 … 4: 3, 1, 2, 3 and 2 positions
HOLDINGS = [
    [("daily", "100.00"), ("daily", "137.00"), ("end", "200.00")],
    [("daily", "250.00")],
    [("end", "300.00"), ("end", "150.00")],
    [("daily", "100.00"), ("daily", "111.00"), ("daily", "123.00")],
    [("daily", "999.00"), ("end", "100.00")],
]
# What each investor's daily positions pay on DAY1 and DAY2 (one posting per investor and date):
#   0: 100 → 0.33, 0.34; 137 → 0.46, 0.45          1: 250 → 0.83, 0.84
#   3: 100 → 0.33, 0.34; 111 → 0.37, 0.37; 123 → 0.41, 0.41            4: 999 → 3.33, 3.33
RETURN_POSTINGS = {
    (0, DAY1): D("0.79"),
    (0, DAY2): D("0.79"),
    (1, DAY1): D("0.83"),
    (1, DAY2): D("0.84"),
    (3, DAY1): D("1.11"),
    (3, DAY2): D("1.12"),
    (4, DAY1): D("3.33"),
    (4, DAY2): D("3.33"),
}
# At-maturity returns, paid with the principal on DAY2: 200 → 1.56 + 1.55; 300 → 2.33 + 2.34;
# 150 → 1.17 + 1.16; 100 → 0.78 + 0.78.
MATURITY_POSTINGS = {
    ("200.00", 0): D("203.11"),
    ("300.00", 2): D("304.67"),
    ("150.00", 2): D("152.33"),
    ("100.00", 4): D("101.56"),
}
# (available, held, invested) after DAY2's accrual and maturity; each investor was given 1,500.
FINAL_BALANCES = [
    (D("1267.69"), D("0.00"), D("237.00")),
    (D("1251.67"), D("0.00"), D("250.00")),
    (D("1507.00"), D("0.00"), D("0.00")),
    (D("1168.23"), D("0.00"), D("334.00")),
    (D("509.22"), D("0.00"), D("999.00")),
]
# What DAY1 pays alone: investors 0, 1, 3 and 4 get 0.79, 0.83, 1.11 and 3.33 (6.06 in all).
AVAILABLE_AFTER_DAY1 = [D("1063.79"), D("1250.83"), D("1050.00"), D("1167.11"), D("404.33")]
RETURNS_PAID = D("-23.81")  # the return-expense balance: 12.14 daily + 11.67 at maturity


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC")), tick=False)


@pytest.fixture
def book(staff):
    return book_open(staff)


def book_open(staff, *, day0: date = DAY0) -> list:
    """The five investors (ascending ids) of HOLDINGS, their positions bought on ``day0``."""
    investors = [UserFactory() for _ in HOLDINGS]
    with at(day0):
        plans = {
            "daily": make_plan(actor=staff, name="Daily", min_amount="100.00", daily_rate=D("0.3333")),
            "end": make_plan(
                actor=staff,
                name="At maturity",
                min_amount="100.00",
                payout_schedule="at_maturity",
                term_days=2,
                daily_rate=D("0.7777"),
            ),
        }
        for investor, buys in zip(investors, HOLDINGS, strict=True):
            fund(investor, "1500.00", approver=staff)
            for plan, amount in buys:
                investment_open(user=investor, plan_id=plans[plan].pk, amount=amount, terms_accepted=True)
    return investors


@pytest.fixture
def chunk_calls(monkeypatch):
    """Every ``chunk_work`` call as (chunk_id asked for, what it returned): the job asks for no
    particular chunk (None), a chunk task for its own."""
    calls, real = [], chunks_module.chunk_work

    def recorded(*, run_id, chunk_id=None):
        done = real(run_id=run_id, chunk_id=chunk_id)
        calls.append((chunk_id, done))
        return done

    monkeypatch.setattr(chunks_module, "chunk_work", recorded)
    return calls


def run_planned(day: date, *, size: int) -> tuple[JobRun, list[JobChunk]]:
    """A running accrual run for ``day`` planned as chunks, none worked yet (what the job has
    done when it sends the chunk tasks)."""
    run = JobRun.objects.create(job="accrue_returns", business_date=day)
    bounds = investor_bounds(positions_earning(day), size=size)
    chunks = JobChunk.objects.bulk_create(
        [JobChunk(run=run, index=index, low=low, high=high) for index, (low, high) in enumerate(bounds)]
    )
    return run, chunks


def run_days() -> None:
    with at(DAY1):
        accrue_returns()
    with at(DAY2):
        accrue_returns()
        mature_investments()


def outcome() -> dict:
    """Everything the jobs wrote, without database ids (a rolled-back sequence on PostgreSQL
    gives the same rows other ids): balances, accruals with the posting that paid them, and
    the return and maturity entries with their legs."""
    owners = {row.pk: row for row in Position.objects.all()}
    accruals = [
        (owners[position].user_id, str(owners[position].principal), day, amount, key, owner, paid)
        for position, day, amount, key, owner, paid in Accrual.objects.order_by("position_id", "business_date")
        .values_list(
            "position_id",
            "business_date",
            "amount",
            "posting__entry__natural_key",
            "posting__account__owner_id",
            "posting__amount",
        )
        .iterator()
    ]
    legs = Posting.objects.filter(entry__kind__in=["return", "maturity"]).order_by("entry__natural_key", "id")
    return {
        "balances": {position.user_id: balances(position.user) for position in owners.values()},
        "expense": platform_account(AccountKind.RETURN_EXPENSE).balance,
        "accruals": accruals,
        "legs": list(
            legs.values_list(
                "entry__natural_key", "entry__business_date", "account__owner_id", "account__kind", "amount"
            )
        ),
        "balances_after": list(legs.values_list("entry__natural_key", "account__kind", "balance_after")),
        "runs": list(
            JobRun.objects.order_by("job", "business_date").values_list(
                "job", "business_date", "status", "processed", "created", "total_amount", "chunks"
            )
        ),
    }


def assert_day1_paid_once(book, run) -> None:
    assert [balances(investor)[0] for investor in book] == AVAILABLE_AFTER_DAY1
    assert Accrual.objects.count() == 11
    assert not Accrual.objects.filter(position__payout_schedule="daily", posting__isnull=True).exists()
    returns = Posting.objects.filter(entry__kind="return", account__owner__isnull=False)
    assert sorted(returns.values_list("account__owner", "amount")) == [
        (book[0].pk, D("0.79")),
        (book[1].pk, D("0.83")),
        (book[3].pk, D("1.11")),
        (book[4].pk, D("3.33")),
    ]
    for posting in returns:
        assert sum(posting.accruals.values_list("amount", flat=True)) == posting.amount
    run.refresh_from_db()
    assert (run.status, run.created, run.processed, run.total_amount) == (JobStatus.RUNNING, 11, 11, D("6.06"))
    assert run.chunks == JobChunk.objects.filter(run=run).count()
    assert set(JobChunk.objects.filter(run=run).values_list("status", flat=True)) == {ChunkStatus.DONE}
    assert sum(JobChunk.objects.filter(run=run).values_list("rows", flat=True)) == 11
    assert_ledger_ok()


# --- Planning: investor_bounds ------------------------------------------------------------------


def assert_bounds_cover(positions, bounds: list[tuple[int, int]], *, size: int) -> None:
    """Ranges ascending and contiguous from the first due investor to the last; each due
    investor in exactly one; a range closes at the investor holding the size-th position since
    the last close, so it holds fewer than size + that investor's positions."""
    held = {}
    for user_id in positions.values_list("user_id", flat=True):
        held[user_id] = held.get(user_id, 0) + 1
    assert bounds[0][0] == min(held) and bounds[-1][1] == max(held)
    assert all(low <= high for low, high in bounds)
    assert all(following[0] == previous[1] + 1 for previous, following in pairwise(bounds))
    for user_id in held:
        assert sum(low <= user_id <= high for low, high in bounds) == 1
    for low, high in bounds:
        count = sum(n for user_id, n in held.items() if low <= user_id <= high)
        assert 1 <= count < size + held.get(high, 0)
    assert sum(held.values()) == positions.count()


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (1, [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)]),
        (2, [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)]),
        (3, [(0, 0), (1, 2), (3, 3), (4, 4)]),
        (4, [(0, 1), (2, 3), (4, 4)]),
        (5, [(0, 2), (3, 4)]),
        (11, [(0, 4)]),
        (100, [(0, 4)]),
    ],
)
def test_investor_bounds_split_whole_investors_about_size_positions_each(book, size, expected):
    due = positions_earning(DAY1)  # all eleven positions; per investor 3, 1, 2, 3, 2
    bounds = investor_bounds(due, size=size)
    assert bounds == [(book[low].pk, book[high].pk) for low, high in expected]
    assert_bounds_cover(due, bounds, size=size)


def test_investor_bounds_count_only_the_positions_due(book):
    # DAY3: the at-maturity positions matured on DAY2 are no longer due; per investor 2, 1, 0, 3, 1
    due = positions_earning(DAY3)
    assert due.count() == 7
    bounds = investor_bounds(due, size=3)
    assert bounds == [(book[0].pk, book[1].pk), (book[2].pk, book[3].pk), (book[4].pk, book[4].pk)]
    assert_bounds_cover(due, bounds, size=3)
    # only investor 4's positions: one range of one investor, whatever the size
    only = due.filter(user=book[4])
    assert investor_bounds(only, size=1) == investor_bounds(only, size=50) == [(book[4].pk, book[4].pk)]


def test_investor_bounds_of_nothing_due_is_empty(book):
    assert investor_bounds(positions_earning(DAY0), size=3) == []  # bought on DAY0: nothing earns yet
    assert investor_bounds(Position.objects.filter(status="matured"), size=1) == []


def test_investor_bounds_on_many_investors_of_uneven_holdings(staff):
    held = [1, 4, 2, 1, 1, 3, 5, 1, 2, 2, 1, 3]
    investors = [UserFactory() for _ in held]
    with at(DAY0):
        plan = make_plan(actor=staff, name="Small", min_amount="10.00", daily_rate=D("1"))
        for investor, count in zip(investors, held, strict=True):
            fund(investor, "1000.00", approver=staff)
            for _ in range(count):
                investment_open(user=investor, plan_id=plan.pk, amount="10.00", terms_accepted=True)
    due = positions_earning(DAY1)
    assert due.count() == 26
    for size in range(1, 28):
        assert_bounds_cover(due, investor_bounds(due, size=size), size=size)
    index = {investor.pk: i for i, investor in enumerate(investors)}
    # size 4: investors' last rows 1 5 7 8 9 12 17 18 20 22 23 26; rows 4, 8, 12, 16, 20 and 24 fall
    # to investors 1, 3, 5, 6, 8 and 11, which close the ranges
    assert [(index[low], index[high]) for low, high in investor_bounds(due, size=4)] == [
        (0, 1),
        (2, 3),
        (4, 5),
        (6, 6),
        (7, 8),
        (9, 11),
    ]


# --- Fan-out: every chunk sent as a task (eager in the tests: it runs when sent) -----------------


def test_fan_out_ends_exactly_like_the_job_alone(book, settings, chunk_calls):
    settings.ACCRUAL_CHUNK_SIZE = 3
    settings.JOBS_FAN_OUT = False
    with pytest.raises(_RolledBack), transaction.atomic():
        run_days()
        alone = outcome()
        raise _RolledBack
    assert not Accrual.objects.exists() and not JobRun.objects.exists()
    assert chunk_calls[-1] == (None, False) and {chunk_id for chunk_id, _ in chunk_calls} == {None}
    assert sum(done for _, done in chunk_calls) == 10  # 4 + 4 accrual chunks, 2 maturity chunks
    chunk_calls.clear()

    settings.JOBS_FAN_OUT = True
    run_days()
    assert outcome() == alone
    # every chunk was done by its task; the job itself found nothing left to do
    done_by_tasks = [chunk_id for chunk_id, done in chunk_calls if done]
    assert sorted(done_by_tasks) == sorted(JobChunk.objects.values_list("pk", flat=True))
    assert {done for chunk_id, done in chunk_calls if chunk_id is None} == {False}
    assert_outcome_exact(book)


class _RolledBack(Exception):
    pass


def assert_outcome_exact(book, *, day0: date = DAY0) -> None:
    """The book after DAY1 and DAY2 accrued and DAY2 matured (``day0``: when it was bought),
    with ACCRUAL_CHUNK_SIZE = 3, however the chunks were done."""
    shift = day0 - DAY0
    day1, day2 = DAY1 + shift, DAY2 + shift
    expected_postings = {(i, day + shift): amount for (i, day), amount in RETURN_POSTINGS.items()}
    index = {investor.pk: i for i, investor in enumerate(book)}
    assert [balances(investor) for investor in book] == FINAL_BALANCES
    assert platform_account(AccountKind.RETURN_EXPENSE).balance == RETURNS_PAID
    # exactly one return posting per paying investor and date, of the sum of that day's returns
    returns = Posting.objects.filter(entry__kind="return", account__owner__isnull=False)
    assert sorted(returns.values_list("account__owner", "entry__business_date")) == sorted(
        (book[i].pk, day) for i, day in expected_postings
    )
    assert {
        (index[owner], day): amount
        for owner, day, amount in returns.values_list("account__owner", "entry__business_date", "amount")
    } == expected_postings
    # each return posting pays exactly the accruals pointing to it
    for posting in returns:
        assert sum(posting.accruals.values_list("amount", flat=True)) == posting.amount
    # one entry per chunk with a payer: chunks [0], [1, 2] (only 1 pays), [3], [4] on each date
    keys = [f"{book[i].pk}-{book[i].pk}" for i in (0, 1, 3, 4)]
    assert sorted(Entry.objects.filter(kind="return").values_list("natural_key", flat=True)) == sorted(
        f"returns:{day}:{key}" for day in (day1, day2) for key in keys
    )
    expense = Posting.objects.filter(entry__kind="return", account__owner__isnull=True)
    assert sorted(expense.values_list("amount", flat=True)) == sorted(
        [D("-0.79"), D("-0.83"), D("-1.11"), D("-3.33"), D("-0.79"), D("-0.84"), D("-1.12"), D("-3.33")]
    )
    # the at-maturity accruals point to their maturity posting: principal + both days' returns
    at_end = Accrual.objects.filter(position__payout_schedule="at_maturity")
    assert at_end.count() == 8 and not at_end.filter(posting__isnull=True).exists()
    links = {
        (str(principal), index[owner]): paid
        for principal, owner, paid in at_end.values_list(
            "position__principal", "posting__account__owner", "posting__amount"
        ).distinct()
    }
    assert links == MATURITY_POSTINGS
    in_order = at_end.order_by("position__user_id", "position__principal", "business_date")
    assert list(in_order.values_list("amount", flat=True)) == [
        D("1.56"), D("1.55"),  # 0: 200
        D("1.17"), D("1.16"), D("2.33"), D("2.34"),  # 2: 150, 300
        D("0.78"), D("0.78"),  # 4: 100
    ]  # fmt: skip
    # eleven positions earned on both dates (the at-maturity ones matured after DAY2's accrual)
    assert Accrual.objects.count() == 22 and not Accrual.objects.filter(posting__isnull=True).exists()
    runs = JobRun.objects.order_by("job", "business_date").values_list("job", "business_date", "status", "chunks")
    assert list(runs) == [
        ("accrue_returns", day1, JobStatus.SUCCEEDED, 4),
        ("accrue_returns", day2, JobStatus.SUCCEEDED, 4),
        ("mature_investments", day2, JobStatus.SUCCEEDED, 2),
    ]
    assert set(JobChunk.objects.values_list("status", flat=True)) == {ChunkStatus.DONE}
    assert sorted(JobChunk.objects.filter(run__job="accrue_returns").values_list("rows", flat=True)) == sorted(
        [3, 3, 3, 2] * 2
    )
    assert_ledger_ok()


def test_a_chunk_task_sent_again_writes_nothing(book, settings, unchanged_db):
    settings.ACCRUAL_CHUNK_SIZE = 2
    settings.JOBS_FAN_OUT = True
    with at(DAY1):
        [run] = accrue_returns()
    chunks = list(run.job_chunks.all())
    assert len(chunks) == 5 and {chunk.status for chunk in chunks} == {ChunkStatus.DONE}
    with unchanged_db():
        for chunk in chunks:
            assert job_chunk_task.apply(args=[chunk.pk]).get() is False
            assert job_chunk_task.apply(args=[chunk.pk]).get() is False
        assert job_chunk_task.apply(args=[chunks[-1].pk + 1000]).get() is False  # no such chunk
    # done chunks stay done even were their run still running
    JobRun.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING)
    with unchanged_db():
        assert [chunk_work(run_id=run.pk, chunk_id=chunk.pk) for chunk in chunks] == [False] * 5
        assert chunk_work(run_id=run.pk) is False
    assert [balances(investor)[0] for investor in book] == AVAILABLE_AFTER_DAY1
    assert Accrual.objects.count() == 11
    assert_ledger_ok()


def test_a_chunk_of_a_failed_run_is_not_worked(book, settings, monkeypatch, unchanged_db):
    settings.ACCRUAL_CHUNK_SIZE = 2

    def crash(index):
        raise RuntimeError("killed")

    monkeypatch.setattr(accrual_module, "_after_chunk", crash)
    with at(DAY1), pytest.raises(RuntimeError):
        accrue_returns()
    failed = JobRun.objects.get()
    assert (failed.status, failed.chunks) == (JobStatus.FAILED, 1)
    pending = list(failed.job_chunks.filter(status=ChunkStatus.PENDING))
    assert [chunk.index for chunk in pending] == [1, 2, 3, 4]
    with unchanged_db():
        assert [job_chunk_task.apply(args=[chunk.pk]).get() for chunk in pending] == [False] * 4
        assert chunk_work(run_id=failed.pk) is False
    # the next run plans the date again and does what is left
    monkeypatch.setattr(accrual_module, "_after_chunk", lambda index: None)
    with at(DAY1):
        [rerun] = accrue_returns()
    assert (rerun.status, rerun.chunks, rerun.created, rerun.total_amount) == (
        JobStatus.SUCCEEDED,
        5,  # investor 0's chunk too, which finds nothing left to do
        8,
        D("5.27"),  # investor 0's 0.79 was paid by the failed run's chunk
    )
    assert Accrual.objects.count() == 11
    assert Posting.objects.filter(entry__kind="return", account__owner__isnull=False).count() == 4
    assert_ledger_ok()


def test_a_chunk_whose_work_raises_is_rolled_back_and_done_by_a_later_claim(book, monkeypatch, unchanged_db):
    run, chunks = run_planned(DAY1, size=3)
    assert [(chunk.low, chunk.high) for chunk in chunks] == [
        (book[0].pk, book[0].pk),
        (book[1].pk, book[2].pk),
        (book[3].pk, book[3].pk),
        (book[4].pk, book[4].pk),
    ]
    real = accrual_module.accrual_chunk

    def fails_after_writing(**kwargs):
        real(**kwargs)  # the chunk's rows are written, then the worker dies
        raise RuntimeError("killed")

    monkeypatch.setattr(accrual_module, "accrual_chunk", fails_after_writing)
    with unchanged_db(), pytest.raises(RuntimeError):
        chunk_work(run_id=run.pk, chunk_id=chunks[1].pk)
    chunks[1].refresh_from_db()
    assert (chunks[1].status, chunks[1].rows, chunks[1].done_at) == (ChunkStatus.PENDING, 0, None)
    monkeypatch.setattr(accrual_module, "accrual_chunk", real)
    assert chunk_work(run_id=run.pk, chunk_id=chunks[1].pk) is True
    chunks[1].refresh_from_db()
    assert (chunks[1].status, chunks[1].rows) == (ChunkStatus.DONE, 3)
    run.refresh_from_db()
    assert (run.status, run.chunks, run.created, run.total_amount) == (JobStatus.RUNNING, 1, 3, D("0.83"))
    assert [balances(investor)[0] for investor in book[1:3]] == [D("1250.83"), D("1050.00")]
    assert list(Accrual.objects.filter(position__user__in=book[1:3]).order_by("position_id").values_list(
        "amount", "posting__amount"
    )) == [(D("0.83"), D("0.83")), (D("2.33"), None), (D("1.17"), None)]  # fmt: skip
    assert Accrual.objects.count() == 3
    assert_ledger_ok()


def test_a_failing_chunk_task_is_retried_alone_and_writes_once(book, monkeypatch):
    run, chunks = run_planned(DAY1, size=3)
    real, attempts = accrual_module.accrual_chunk, []

    def flaky(**kwargs):
        attempts.append(kwargs["low"])
        written = real(**kwargs)
        if len(attempts) < 3:
            raise RuntimeError("lost the database")
        return written

    monkeypatch.setattr(accrual_module, "accrual_chunk", flaky)
    # eager: the retries run inline, one after another (Celery re-raises each retry if propagating)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    assert job_chunk_task.apply(args=[chunks[0].pk]).get() is True
    assert attempts == [book[0].pk] * 3
    assert list(JobChunk.objects.filter(run=run).values_list("status", "rows")) == [
        (ChunkStatus.DONE, 3),
        (ChunkStatus.PENDING, 0),
        (ChunkStatus.PENDING, 0),
        (ChunkStatus.PENDING, 0),
    ]
    run.refresh_from_db()
    assert (run.chunks, run.created, run.total_amount) == (1, 3, D("0.79"))
    assert balances(book[0])[0] == D("1063.79")
    assert list(
        Posting.objects.filter(entry__kind="return").order_by("-amount").values_list("account__owner", "amount")
    ) == [
        (book[0].pk, D("0.79")),
        (None, D("-0.79")),
    ]
    assert_ledger_ok()


def test_investor_bounds_of_a_queryset_known_to_be_empty_is_empty(book):
    assert investor_bounds(Position.objects.none(), size=3) == []
    assert investor_bounds(Position.objects.filter(pk__in=[]), size=3) == []
