"""PostgreSQL's own check of I1 on entries written in more than one statement (the daily returns'
chunk entry): checked at commit for every entry kind; an insert into an entry that already had
postings must leave it balanced."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from apps.wallet.models import AccountKind, Entry, Posting
from apps.wallet.services.ledger import investor_account, platform_account
from tests.factories import StaffFactory, UserFactory
from tests.wallet.helpers import fund

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ENTRY = (
    "INSERT INTO wallet_entry (kind, natural_key, business_date, currency, memo, created_at)"
    " VALUES (%s, %s, CURRENT_DATE, 'USD', '', now()) RETURNING id"
)
POSTING = (
    "INSERT INTO wallet_posting (entry_id, account_id, amount, balance_after, currency) VALUES (%s, %s, %s, 0, 'USD')"
)


@pytest.fixture
def accounts():
    investor = UserFactory()
    return investor_account(user=investor, kind=AccountKind.AVAILABLE).pk, platform_account(
        AccountKind.RETURN_EXPENSE
    ).pk


@pytest.mark.parametrize("kind", ["return", "adjustment"])
def test_an_entry_left_unbalanced_is_refused_at_commit_whatever_its_kind(accounts, kind):
    available, _expense = accounts
    with pytest.raises(IntegrityError, match="is unbalanced"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ENTRY, [kind, "one-sided"])
        cursor.execute(POSTING, [cursor.fetchone()[0], available, Decimal("5.00")])
    assert not Entry.objects.filter(natural_key="one-sided").exists()


def test_an_entry_written_in_two_statements_is_accepted_when_balanced(accounts):
    available, expense = accounts
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ENTRY, ["return", "two-statements"])
        entry = cursor.fetchone()[0]
        cursor.execute(POSTING, [entry, available, Decimal("5.00")])
        cursor.execute(POSTING, [entry, expense, Decimal("-5.00")])
    assert sorted(Posting.objects.filter(entry_id=entry).values_list("amount", flat=True)) == [
        Decimal("-5.00"),
        Decimal("5.00"),
    ]


def test_a_posting_added_later_to_an_entry_is_refused_by_its_statement():
    staff, investor = StaffFactory(), UserFactory()
    fund(investor, "10.00", approver=staff)
    entry = Entry.objects.get(kind="deposit")
    available = investor_account(user=investor, kind=AccountKind.AVAILABLE).pk
    with (
        pytest.raises(IntegrityError, match="unbalanced by this insert"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(POSTING, [entry.pk, available, Decimal("1.00")])
    assert Posting.objects.filter(entry=entry).count() == 2
