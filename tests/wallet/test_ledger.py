from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from apps.common.errors import ApplicationError, ConflictError
from apps.wallet.ledger_check import ledger_check
from apps.wallet.models import AccountKind, Entry, Posting
from apps.wallet.services.ledger import Leg, entry_post, entry_reverse, investor_account, platform_account
from tests.wallet.helpers import assert_ledger_ok, balances, fund

pytestmark = pytest.mark.django_db


def post(natural_key, legs, **kwargs):
    with transaction.atomic():
        return entry_post(kind="adjustment", natural_key=natural_key, legs=legs, **kwargs)


def test_entry_post_records_running_balances(investor):
    cash = platform_account(AccountKind.CASH)
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    post("t:1", [Leg(cash.pk, Decimal("-100.00")), Leg(available.pk, Decimal("100.00"))])
    post("t:2", [Leg(cash.pk, Decimal("-25.50")), Leg(available.pk, Decimal("25.50"))])
    assert list(available.postings.order_by("id").values_list("amount", "balance_after")) == [
        (Decimal("100.00"), Decimal("100.00")),
        (Decimal("25.50"), Decimal("125.50")),
    ]
    assert list(cash.postings.order_by("id").values_list("balance_after", flat=True)) == [
        Decimal("-100.00"),
        Decimal("-125.50"),
    ]
    assert balances(investor) == (Decimal("125.50"), Decimal("0.00"), Decimal("0.00"))
    assert_ledger_ok()


@pytest.mark.parametrize(
    "amounts",
    [("-1.00", "2.00"), ("1.00",), ("0.00", "0.00"), ("-1.005", "1.005")],
    ids=["unbalanced", "one-leg", "zero", "three-decimals"],
)
def test_malformed_entries_are_refused(investor, unchanged_db, amounts):
    cash = platform_account(AccountKind.CASH)
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    accounts = [cash, available]
    legs = [Leg(accounts[i].pk, Decimal(a)) for i, a in enumerate(amounts)]
    with unchanged_db(), pytest.raises(ValueError):
        post("bad", legs)


def test_overdraft_is_refused_and_changes_nothing(investor, unchanged_db):
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    held = investor_account(user=investor, kind=AccountKind.HELD)
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        post("overdraft", [Leg(available.pk, Decimal("-0.01")), Leg(held.pk, Decimal("0.01"))])
    assert error.value.code == "insufficient_balance"


def test_natural_key_posts_once(investor, staff):
    fund(investor, "50.00", approver=staff)
    cash = platform_account(AccountKind.CASH)
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    with pytest.raises(ConflictError):
        post(
            f"deposit:{investor.deposits.get().pk}",
            [Leg(cash.pk, Decimal("-1.00")), Leg(available.pk, Decimal("1.00"))],
        )
    assert balances(investor)[0] == Decimal("50.00")
    assert Entry.objects.count() == 1


def test_postings_and_entries_are_append_only(investor, staff):
    fund(investor, "50.00", approver=staff)
    posting = Posting.objects.first()
    for statement in (
        f"UPDATE wallet_posting SET amount = 1 WHERE id = {posting.pk}",
        f"DELETE FROM wallet_posting WHERE id = {posting.pk}",
        f"UPDATE wallet_entry SET memo = 'x' WHERE id = {posting.entry_id}",
        f"DELETE FROM wallet_entry WHERE id = {posting.entry_id}",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert Posting.objects.get(pk=posting.pk).amount == posting.amount


def test_reversal_links_and_restores(investor, staff):
    fund(investor, "80.00", approver=staff)
    entry = Entry.objects.get()
    reversal = entry_reverse(entry=entry, actor=staff, memo="approved by mistake")
    assert reversal.reverses == entry
    assert balances(investor)[0] == Decimal("0.00")
    with pytest.raises(ConflictError):
        entry_reverse(entry=entry, actor=staff, memo="again")
    assert_ledger_ok()


def test_reversal_refused_when_investor_spent_the_money(investor, staff, unchanged_db):
    fund(investor, "80.00", approver=staff)
    entry = Entry.objects.get()
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    held = investor_account(user=investor, kind=AccountKind.HELD)
    post("move", [Leg(available.pk, Decimal("-30.00")), Leg(held.pk, Decimal("30.00"))])
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        entry_reverse(entry=entry, actor=staff, memo="mistake")
    assert error.value.code == "insufficient_balance"


def test_ledger_check_reports_a_tampered_balance(investor, staff):
    fund(investor, "10.00", approver=staff)
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE)
    type(available).objects.filter(pk=available.pk).update(balance=Decimal("11.00"))
    report = ledger_check(deep=True)
    assert not report.ok
    assert any(problem.startswith("I11") for problem in report.problems)
    assert any(
        problem.startswith(f"I4 cached balance differs from the sum of postings: id {available.pk}")
        for problem in report.problems
    )
