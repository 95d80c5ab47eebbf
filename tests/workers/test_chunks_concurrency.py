"""PostgreSQL only: real threads, each on its own connection, claiming the same chunks at once
(``SELECT … FOR UPDATE SKIP LOCKED``): every chunk is done by exactly one of them, once.

The book of ``tests.workers.test_chunks``: five investors, eleven positions; on DAY1 the daily
positions pay investors 0, 1, 3 and 4 0.79, 0.83, 1.11 and 3.33 (6.06 in all)."""

import threading
import time
from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connection, transaction

from apps.investments.services import accrual as accrual_module
from apps.investments.services.accrual import accrual_chunk, accrue_returns
from apps.investments.services.maturity import maturity_chunk
from apps.wallet.models import Entry
from tests.factories import StaffFactory
from tests.wallet.helpers import assert_ledger_ok, balances
from tests.wallet.test_concurrency import run_in_threads
from tests.workers.test_chunks import DAY1, DAY2, DAY3, assert_day1_paid_once, at, book_open, run_planned
from workers.chunks import chunk_work

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_threads_claiming_one_chunk_at_once_do_it_once(monkeypatch):
    book = book_open(StaffFactory())
    run, [chunk] = run_planned(DAY1, size=100)  # every investor in one chunk
    real, inside_overlapped = accrual_module.accrual_chunk, []
    loser_returned = threading.Event()

    def held_open(**kwargs):
        # the winner keeps the chunk claimed (its row locked) until the other claim has returned
        inside_overlapped.append(loser_returned.wait(timeout=15))
        return real(**kwargs)

    monkeypatch.setattr(accrual_module, "accrual_chunk", held_open)

    def claim(index):
        done = chunk_work(run_id=run.pk, chunk_id=chunk.pk)
        if not done:
            loser_returned.set()
        return done

    results = run_in_threads(2, claim)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sorted(results) == [False, True]
    # the losing claim skipped the locked chunk at once, while the winner was working on it
    assert inside_overlapped == [True]
    assert Entry.objects.filter(kind="return").count() == 1
    assert Entry.objects.get(kind="return").natural_key == f"returns:{DAY1}:{book[0].pk}-{book[4].pk}"
    assert_day1_paid_once(book, run)
    assert run.chunks == 1


def test_threads_each_trying_every_chunk_do_each_once():
    """Like every chunk task delivered to every worker process: four threads each try all five
    chunks, in different orders."""
    book = book_open(StaffFactory())
    run, chunks = run_planned(DAY1, size=2)  # one investor per chunk
    assert len(chunks) == 5
    ids = [chunk.pk for chunk in chunks]

    def every_chunk(index):
        order = ids if index % 2 == 0 else ids[::-1]
        order = order[index:] + order[:index]
        return [chunk_id for chunk_id in order if chunk_work(run_id=run.pk, chunk_id=chunk_id)]

    results = run_in_threads(4, every_chunk)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sorted(chunk_id for done in results for chunk_id in done) == ids
    assert Entry.objects.filter(kind="return").count() == 4  # investor 2's chunk pays nobody
    assert_day1_paid_once(book, run)
    assert run.chunks == 5


def test_threads_taking_the_next_free_chunk_do_each_once():
    """Like the job and the workers each looping ``chunk_work(run_id=…)`` until none is free."""
    book = book_open(StaffFactory())
    run, chunks = run_planned(DAY1, size=1)
    assert len(chunks) == 5

    def loop(index):
        done = 0
        while chunk_work(run_id=run.pk):
            done += 1
        return done

    results = run_in_threads(6, loop)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert sum(results) == 5
    assert_day1_paid_once(book, run)
    assert run.chunks == 5


def test_an_accrual_chunk_and_a_maturity_chunk_of_one_investor_never_deadlock():
    """Beat catching accrual up to DAY3 while staff run maturity for DAY2 by hand: both chunks
    lock investor 0's accounts and the shared return-expense account. The accrual chunk takes the
    investors first and the expense account last; the maturity chunk must take them in the same
    order (investors, then platform accounts), or each would hold what the other waits for.

    The accrual chunk is stopped right after it locked the investor's account until the maturity
    chunk is seen waiting on a lock; then both go on, and both must commit."""
    book = book_open(StaffFactory())
    with at(DAY1):
        accrue_returns()
    with at(DAY2):
        accrue_returns()  # maturity of DAY2 may now run
    investor = book[0].pk
    accrual_locked = threading.Event()
    other_waited: list[bool] = []

    def stop_after_the_investor_lock(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql == accrual_module._PG_LOCK_INVESTORS:
            accrual_locked.set()
            other_waited.append(another_backend_waits_on_a_lock(context["connection"]))
        return result

    def chunk(index):
        if index == 0:
            with connection.execute_wrapper(stop_after_the_investor_lock), transaction.atomic():
                return accrual_chunk(day=DAY3, low=investor, high=investor)
        assert accrual_locked.wait(timeout=15)
        with transaction.atomic():
            return maturity_chunk(day=DAY2, low=investor, high=investor)

    with at(DAY3):
        accrued, matured = run_in_threads(2, chunk)

    assert not isinstance(accrued, Exception), accrued
    assert not isinstance(matured, Exception), matured
    assert other_waited == [True]
    assert (accrued.processed, accrued.amount) == (2, D("0.79"))  # 100 → 0.33 and 137 → 0.46 on DAY3
    assert (matured.processed, matured.amount) == (1, D("203.11"))
    # DAY2's balance (FINAL_BALANCES: accrued and matured) plus DAY3's 0.79
    assert balances(book[0]) == (D("1268.48"), D("0.00"), D("237.00"))
    assert_ledger_ok()


def another_backend_waits_on_a_lock(connection_, timeout: float = 15) -> bool:
    """Wait until another session of this database waits for a lock (True), or ``timeout``."""
    deadline = time.monotonic() + timeout
    with connection_.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else read once per transaction
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.parametrize("stuck", ["in a statement", "between statements"])
def test_a_chunk_stuck_longer_than_the_timeout_is_rolled_back_and_done_by_the_next_claim(stuck, settings, monkeypatch):
    """A worker that hangs inside a chunk (a statement that never ends, or a process stopped in
    the middle of the transaction) must not hold the chunk, and the date, forever: PostgreSQL rolls
    the chunk's transaction back after ``JOBS_CHUNK_TIMEOUT_SECONDS``."""
    book = book_open(StaffFactory())
    run, [chunk] = run_planned(DAY1, size=100)
    settings.JOBS_CHUNK_TIMEOUT_SECONDS = 0.3
    real = accrual_module.accrual_chunk

    def hangs(**kwargs):
        result = real(**kwargs)  # everything written, then stuck before the commit
        with connection.cursor() as cursor:
            if stuck == "in a statement":
                cursor.execute("SELECT pg_sleep(5)")
            else:
                time.sleep(1.5)  # idle in the transaction: the database ends the session
                cursor.execute("SELECT 1")
        return result

    monkeypatch.setattr(accrual_module, "accrual_chunk", hangs)
    with pytest.raises(DatabaseError):  # statement timeout; the session ended for idling
        chunk_work(run_id=run.pk, chunk_id=chunk.pk)
    connection.close()  # a worker's next task starts on a new connection (Celery's Django fixup)

    chunk.refresh_from_db()
    assert chunk.status == "pending"
    assert not Entry.objects.filter(kind="return").exists()
    monkeypatch.setattr(accrual_module, "accrual_chunk", real)
    assert chunk_work(run_id=run.pk) is True
    run.refresh_from_db()
    assert_day1_paid_once(book, run)
    with connection.cursor() as cursor:  # the bound was for the chunk's transaction only
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
