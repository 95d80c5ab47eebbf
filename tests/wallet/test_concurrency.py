"""PostgreSQL only: real threads, each with its own connection, hammering one wallet."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from apps.common.errors import ApplicationError, ConflictError
from apps.wallet.models import AccountKind, Entry, Posting, Withdrawal
from apps.wallet.services.deposits import deposit_approve, deposit_request_create
from apps.wallet.services.ledger import investor_account
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import StaffFactory, UserFactory
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 64


def run_in_threads(count: int, work) -> list:
    """Start ``count`` threads together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_withdrawals_never_overspend():
    staff, investor = StaffFactory(), UserFactory()
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    amount = Decimal("70.00")

    results = run_in_threads(
        THREADS, lambda i: withdrawal_request_create(user=investor, amount=amount, address=f"addr{i}")
    )

    successes = [r for r in results if isinstance(r, Withdrawal)]
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(successes) == 14  # floor(1000 / 70)
    assert len(refusals) == THREADS - 14
    assert {r.code for r in refusals} == {"insufficient_balance"}
    assert balances(investor) == (Decimal("20.00"), Decimal("980.00"), Decimal("0.00"))
    assert Withdrawal.objects.filter(user=investor).count() == 14
    assert_ledger_ok()


def test_concurrent_duplicate_approvals_credit_once():
    staff = [StaffFactory() for _ in range(4)]
    investor = UserFactory()
    deposit = deposit_request_create(user=investor, amount="250.00")

    results = run_in_threads(THREADS, lambda i: deposit_approve(deposit_id=deposit.pk, actor=staff[i % 4]))

    assert sum(1 for r in results if not isinstance(r, Exception)) == 1
    assert sum(1 for r in results if isinstance(r, ConflictError)) == THREADS - 1
    assert balances(investor) == (Decimal("250.00"), Decimal("0.00"), Decimal("0.00"))
    assert Entry.objects.filter(natural_key=f"deposit:{deposit.pk}").count() == 1
    assert_ledger_ok()


def test_trigger_refuses_an_unbalanced_entry_at_commit():
    investor = UserFactory()
    account = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wallet_entry (kind, natural_key, business_date, currency, memo, created_at)"
            " VALUES ('adjustment', 'rogue', CURRENT_DATE, 'USD', '', now()) RETURNING id"
        )
        entry_id = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO wallet_posting (entry_id, account_id, amount, balance_after, currency)"
            " VALUES (%s, %s, 5, 5, 'USD')",
            [entry_id, account.pk],
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would do
    assert not Entry.objects.filter(natural_key="rogue").exists()
    assert Posting.objects.count() == 0


def test_triggers_refuse_update_and_delete_of_postings():
    staff, investor = StaffFactory(), UserFactory()
    fund(investor, "10.00", approver=staff)
    posting = Posting.objects.filter(account__owner=investor).get()
    for statement in (
        "UPDATE wallet_posting SET amount = 999 WHERE id = %s",
        "DELETE FROM wallet_posting WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [posting.pk])
    assert Posting.objects.get(pk=posting.pk).amount == Decimal("10.00")


def test_negative_investor_balance_is_refused_by_the_database():
    investor = UserFactory()
    account = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    with pytest.raises(IntegrityError, match="wallet_account_investor_not_negative"), transaction.atomic():
        type(account).objects.filter(pk=account.pk).update(balance=Decimal("-0.01"))
    account.refresh_from_db()
    assert account.balance == Decimal("0.00")


def test_trigger_refuses_an_entry_without_postings_at_commit():
    with pytest.raises(IntegrityError, match="has no postings"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wallet_entry (kind, natural_key, business_date, currency, memo, created_at)"
            " VALUES ('adjustment', 'empty', CURRENT_DATE, 'USD', '', now())"
        )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not Entry.objects.filter(natural_key="empty").exists()


def test_one_confirmed_hash_credits_one_deposit_however_many_approvals_race():
    """Eight deposits without a hash, each approved at once confirming the same transfer hash:
    the unique hash lets one through; the others are refused and credit nothing."""
    staff, investor = StaffFactory(), UserFactory()
    deposits = [deposit_request_create(user=investor, amount="100.00") for _ in range(8)]

    results = run_in_threads(
        len(deposits),
        lambda i: deposit_approve(deposit_id=deposits[i].pk, actor=staff, confirmed_hash="0xSAME"),
    )

    approved = [r for r in results if not isinstance(r, Exception)]
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(approved) == 1 and len(refusals) == 7
    assert {r.code for r in refusals} == {"duplicate_hash"}
    assert balances(investor) == (Decimal("100.00"), Decimal("0.00"), Decimal("0.00"))
    assert Entry.objects.filter(kind="deposit").count() == 1
    assert_ledger_ok()
