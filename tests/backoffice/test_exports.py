"""CSV exports of the admin lists (users, deposits, withdrawals, positions, KYC submissions,
commissions): the rows of the page as filtered and searched on screen, every page of them, in
its order; exact cells (decimals as stored, ISO dates, the formula guard); a streamed response
read in a fixed number of queries whatever the row count; the list's view permission."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.backoffice.exports import csv_cell, csv_text
from apps.investments.services.positions import investment_open
from apps.kyc.services import kyc_submission_approve
from apps.wallet.services.deposits import deposit_reject, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_request_create
from tests.factories import StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.kyc.helpers import submit
from tests.wallet.helpers import fund, kyc_approve

pytestmark = pytest.mark.django_db
D = Decimal
MOMENT = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("UTC"))
STAMP = "2026-03-02T09:30:00+00:00"

USERS = "/admin/accounts/user/"
DEPOSITS = "/admin/wallet/deposit/"
WITHDRAWALS = "/admin/wallet/withdrawal/"
POSITIONS = "/admin/investments/position/"
SUBMISSIONS = "/admin/kyc/submission/"
COMMISSIONS = "/admin/referrals/commission/"
LISTS = (USERS, DEPOSITS, WITHDRAWALS, POSITIONS, SUBMISSIONS, COMMISSIONS)


def export(client, url: str, params: dict | None = None) -> list[list[str]]:
    response = client.get(url + "export-csv/", params or {})
    assert response.status_code == 200, response.content[:500]
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 (Arabic names) only with the BOM
    return list(csv.reader(io.StringIO(body[1:])))


def as_dicts(rows: list[list[str]]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def page_ids(client, url: str, params: dict | None = None) -> list[str]:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return [str(obj.pk) for obj in response.context["cl"].result_list]


def assert_export_is_the_page(client, url: str, params: dict) -> list[dict]:
    """The export lists exactly the rows of the page (one page here), in its order."""
    rows = as_dicts(export(client, url, params))
    assert [row["id"] for row in rows] == page_ids(client, url, params)
    return rows


@pytest.fixture
def world(kyc_storage, superuser, runtime_config):
    """Investors with money, requests, positions, commissions and KYC submissions, some of them
    with text a spreadsheet would run as a formula."""
    runtime_config(WITHDRAWAL_FEE_FIXED=D("1.25"))
    with time_machine.travel(MOMENT, tick=False):
        alice = UserFactory(email="alice@example.com", first_name="Alice", last_name="Stone", country="Jordan")
        bob = UserFactory(
            email="bob@example.com", first_name="=HYPERLINK(\"http://x\")", last_name="Bell", referred_by=alice,
            phone="+15550001", username="@bob",
        )  # fmt: skip
        carol = UserFactory(email="carol@example.com", first_name="Carol", last_name="-Minus", is_active=False)
        for user in (alice, bob):
            kyc_approve(user)
        fund(alice, "9000.00", approver=superuser)
        fund(bob, "3000.55", approver=superuser)
        pending = deposit_request_create(user=carol, amount="120.10", transaction_hash="=cmd|' /C calc'!A0")
        rejected = deposit_request_create(user=carol, amount="75.00", transaction_hash="0xrejected")
        deposit_reject(deposit_id=rejected.pk, actor=superuser, note="@mention not received")
        plan = make_plan(name="Gold", min_amount="100.00", max_amount="50000.00", daily_rate=D("1.5"), term_days=30)
        other = make_plan(name="Silver", min_amount="100.00", max_amount="50000.00", daily_rate=D("1"), term_days=10)
        gold = investment_open(user=bob, plan_id=plan.pk, amount="2000.00", terms_accepted=True)
        silver = investment_open(user=alice, plan_id=other.pk, amount="500.00", terms_accepted=True)
        paid = withdrawal_request_create(user=alice, amount="300.00", address="TAlicePayout")
        withdrawal_approve(withdrawal_id=paid.pk, actor=superuser, payout_hash="0xpaid", note="+ paid")
        waiting = withdrawal_request_create(user=bob, amount="40.00", address="@SUM(1+1)")
        carol_kyc = submit(carol, full_name="=1+1", country="Egypt")
        alice_kyc = kyc_submission_approve(submission_id=submit(alice).pk, actor=superuser)
    return {
        "alice": alice, "bob": bob, "carol": carol, "pending": pending, "rejected": rejected, "gold": gold,
        "silver": silver, "paid": paid, "waiting": waiting, "carol_kyc": carol_kyc, "alice_kyc": alice_kyc,
    }  # fmt: skip


@pytest.fixture
def boss(superuser, admin_client_for):
    return admin_client_for(superuser)


# --- cells -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, cell",
    [
        ("=1+1", "'=1+1"),
        ("+15550001", "'+15550001"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("", ""),
        (None, ""),
        (D("-1300.50"), "-1300.50"),  # money is a number: no guard, exact
        (D("0.10"), "0.10"),
        (D("123456789012345678.99"), "123456789012345678.99"),
        (7, "7"),
        (True, "true"),
        (False, "false"),
        (date(2026, 3, 2), "2026-03-02"),
        (MOMENT, STAMP),
    ],
)
def test_cells(value, cell):
    assert csv_cell(value) == cell


def test_text_guard_only_looks_at_the_first_character():
    assert csv_text("a=b") == "a=b"


# --- each list: filters and search on screen, exact rows ------------------------------------------


def test_users_with_filters_and_search(world, boss):
    rows = assert_export_is_the_page(boss, USERS, {"is_staff__exact": "0", "q": "example.com"})
    assert [row["email"] for row in rows] == ["carol@example.com", "bob@example.com", "alice@example.com"]
    bob = rows[1]
    assert bob == {
        "id": str(world["bob"].pk),
        "email": "bob@example.com",
        "username": "'@bob",
        "first_name": '\'=HYPERLINK("http://x")',
        "last_name": "Bell",
        "phone": "'+15550001",
        "country": "",
        "language": "en",
        "is_staff": "false",
        "is_superuser": "false",
        "is_active": "true",
        "kyc_status": "approved",
        "is_email_verified": "true",
        "referral_code": world["bob"].referral_code,
        "referred_by_email": "alice@example.com",
        "date_joined": STAMP,
        "last_login": "",
    }
    assert rows[0]["last_name"] == "'-Minus"
    inactive = assert_export_is_the_page(boss, USERS, {"is_active__exact": "0"})
    assert [row["email"] for row in inactive] == ["carol@example.com"]
    assert [row["email"] for row in assert_export_is_the_page(boss, USERS, {"q": "alice"})] == ["alice@example.com"]


def test_deposits_with_filters_and_search(world, boss):
    rows = assert_export_is_the_page(boss, DEPOSITS, {})
    assert len(rows) == 4  # pending first, then newest first: the queue's own order
    assert rows[0] == {
        "id": str(world["pending"].pk),
        "investor_email": "carol@example.com",
        "amount": "120.10",
        "currency": "USD",
        "method": "",
        "sender_address": "",
        "transaction_hash": "'=cmd|' /C calc'!A0",
        "status": "pending",
        "created_at": STAMP,
        "reviewed_by_email": "",
        "reviewed_at": "",
        "admin_note": "",
        "entry_id": "",
    }
    rejected = assert_export_is_the_page(boss, DEPOSITS, {"status__exact": "rejected"})
    assert [(row["id"], row["admin_note"]) for row in rejected] == [
        (str(world["rejected"].pk), "'@mention not received")
    ]
    ranged = assert_export_is_the_page(boss, DEPOSITS, {"amount_from": "100", "amount_to": "3000.55"})
    assert sorted(row["amount"] for row in ranged) == ["120.10", "3000.55"]
    searched = assert_export_is_the_page(boss, DEPOSITS, {"q": "bob@"})
    assert [(row["investor_email"], row["amount"], row["status"]) for row in searched] == [
        ("bob@example.com", "3000.55", "approved")
    ]


def test_withdrawals_with_filters_and_search(world, boss, superuser):
    rows = assert_export_is_the_page(boss, WITHDRAWALS, {})
    assert [row["id"] for row in rows] == [str(world["waiting"].pk), str(world["paid"].pk)]
    assert rows[0]["address"] == "'@SUM(1+1)"
    assert rows[1] == {
        "id": str(world["paid"].pk),
        "investor_email": "alice@example.com",
        "amount": "300.00",
        "fee": "1.25",
        "currency": "USD",
        "address": "TAlicePayout",
        "status": "approved",
        "needs_two_approvals": "false",
        "first_approved_by_email": "",
        "first_approved_at": "",
        "reviewed_by_email": superuser.email,
        "reviewed_at": STAMP,
        "payout_hash": "0xpaid",
        "admin_note": "'+ paid",
        "created_at": STAMP,
    }
    approved = assert_export_is_the_page(boss, WITHDRAWALS, {"status__exact": "approved"})
    assert [row["id"] for row in approved] == [str(world["paid"].pk)]
    searched = assert_export_is_the_page(boss, WITHDRAWALS, {"q": "TAlice"})
    assert [row["id"] for row in searched] == [str(world["paid"].pk)]


def test_positions_with_filters_and_search(world, boss):
    gold, silver = world["gold"], world["silver"]
    rows = assert_export_is_the_page(boss, POSITIONS, {"plan__id__exact": str(gold.plan_id)})
    assert rows == [
        {
            "id": str(gold.pk),
            "investor_email": "bob@example.com",
            "plan": "Gold",
            "principal": "2000.00",
            "currency": "USD",
            "daily_rate": "1.5000",
            "term_days": "30",
            "payout_schedule": "daily",
            "capital_back": "true",
            "start_date": "2026-03-02",
            "maturity_date": "2026-04-01",
            "status": "active",
            "returns_paid": "0.00",
            "matured_at": "",
            "created_at": STAMP,
        }
    ]
    by_number = assert_export_is_the_page(boss, POSITIONS, {"q": f"#{silver.pk}"})
    assert [row["id"] for row in by_number] == [str(silver.pk)]
    everything = assert_export_is_the_page(boss, POSITIONS, {"status__exact": "active"})
    assert {row["id"] for row in everything} == {str(gold.pk), str(silver.pk)}


def test_kyc_submissions_with_filters_and_search(world, boss):
    rows = assert_export_is_the_page(boss, SUBMISSIONS, {"status__exact": "pending"})
    assert rows == [
        {
            "id": str(world["carol_kyc"].pk),
            "investor_email": "carol@example.com",
            "full_name": "'=1+1",
            "id_type": "passport",
            "country": "Egypt",
            "status": "pending",
            "is_current": "true",
            "submitted_at": STAMP,
            "reviewed_by_email": "",
            "reviewed_at": "",
            "rejection_reason": "",
            "revoked_at": "",
        }
    ]
    assert "id_number" not in export(boss, SUBMISSIONS)[0]  # the list does not show it; neither does the file
    searched = assert_export_is_the_page(boss, SUBMISSIONS, {"q": "alice@"})
    assert [(row["id"], row["status"]) for row in searched] == [(str(world["alice_kyc"].pk), "approved")]


def test_commissions_with_filters_and_search(world, boss):
    rows = assert_export_is_the_page(boss, COMMISSIONS, {"level": "1", "q": "bob@"})
    commission = world["gold"].commissions.get()
    assert rows == [
        {
            "id": str(commission.pk),
            "referrer_email": "alice@example.com",
            "referred_email": "bob@example.com",
            "level": "1",
            "rate": "3.0000",
            "amount": "60.00",
            "currency": "USD",
            "position_id": str(world["gold"].pk),
            "plan": "Gold",
            "entry_id": str(commission.entry_id),
            "created_at": STAMP,
        }
    ]
    assert as_dicts(export(boss, COMMISSIONS, {"level": "2"})) == []


def test_every_row_not_only_the_first_page(world, boss, monkeypatch):
    from apps.wallet.admin.deposits import DepositAdmin

    monkeypatch.setattr(DepositAdmin, "list_per_page", 1)
    assert len(page_ids(boss, DEPOSITS)) == 1
    assert len(as_dicts(export(boss, DEPOSITS))) == 4


def test_the_page_ordering_is_kept(world, boss):
    by_amount = as_dicts(export(boss, DEPOSITS, {"o": "3"}))  # the Amount column, ascending
    assert [row["amount"] for row in by_amount] == ["75.00", "120.10", "3000.55", "9000.00"]


# --- the button, the response, bad filters ---------------------------------------------------------


@pytest.mark.parametrize("url", LISTS)
def test_the_export_button_carries_the_filters_on_screen(world, boss, url):
    assert f'href="{url}export-csv/"' in boss.get(url).text
    response = boss.get(url, {"q": "alice", "p": "1"})
    assert f'href="{url}export-csv/?q=alice"' in response.text


@pytest.mark.parametrize("url", LISTS)
def test_the_response_is_a_streamed_attachment(world, boss, url):
    with time_machine.travel(MOMENT, tick=False):
        response = boss.get(url + "export-csv/")
    assert response.streaming is True
    name = url.strip("/").split("/")[-1]
    assert response["Content-Disposition"] == f'attachment; filename="{name}s-20260302-0930.csv"'
    assert "no-store" in response["Cache-Control"]


def test_filters_the_page_refuses_are_a_message_not_a_file(world, boss, unchanged_db):
    with unchanged_db():
        response = boss.get(DEPOSITS + "export-csv/", {"no_such_field": "1"}, follow=True)
    assert response.redirect_chain[0] == (DEPOSITS, 302)
    assert [str(message) for message in response.context["messages"]] == [
        "Nothing was exported: the filters are not valid."
    ]


def test_each_export_is_logged(world, boss, superuser, caplog):
    with caplog.at_level("INFO", logger="bursar.exports"):
        export(boss, DEPOSITS, {"status__exact": "pending"})
    assert caplog.messages == [f"{superuser.email} exported wallet.Deposit as CSV (status__exact=pending)"]


# --- permission -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, role_fixture",
    [
        (DEPOSITS, "finance"),
        (WITHDRAWALS, "support"),
        (POSITIONS, "operations"),
        (SUBMISSIONS, "kyc_reviewer"),
        (COMMISSIONS, "support"),
        (USERS, "support"),
    ],
)
def test_staff_who_may_view_the_list_may_export_it(world, admin_client_for, request, url, role_fixture):
    client = admin_client_for(request.getfixturevalue(role_fixture))
    assert f'href="{url}export-csv/"' in client.get(url).text
    assert len(as_dicts(export(client, url))) == len(page_ids(client, url))


@pytest.mark.parametrize(
    "url, role_fixture",
    [
        (DEPOSITS, "kyc_reviewer"),
        (WITHDRAWALS, "kyc_reviewer"),
        (POSITIONS, "support"),
        (SUBMISSIONS, "finance"),
        (COMMISSIONS, "kyc_reviewer"),
    ],
)
def test_staff_who_may_not_view_the_list_may_not_export_it(world, admin_client_for, request, url, role_fixture):
    client = admin_client_for(request.getfixturevalue(role_fixture))
    assert client.get(url).status_code == 403
    assert client.get(url + "export-csv/").status_code == 403


def test_staff_without_any_role_and_investors_get_nothing(world, admin_client_for, client):
    bare = admin_client_for(StaffFactory())
    for url in LISTS:
        assert bare.get(url + "export-csv/").status_code == 403
    investor = admin_client_for(world["alice"])
    for browser in (client, investor):
        response = browser.get(USERS + "export-csv/")
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# --- a fixed number of queries whatever the row count ------------------------------------------------


def more_rows(url: str, world, superuser, count: int) -> None:
    """``count`` more rows in the list at ``url``, through the services."""
    plan = world["gold"].plan
    for n in range(count):
        investor = UserFactory(email=f"more{n}@example.com", referred_by=world["alice"])
        if url == DEPOSITS:
            deposit_request_create(user=investor, amount="10.00")
        elif url == WITHDRAWALS:
            kyc_approve(investor)
            fund(investor, "50.00", approver=superuser)
            withdrawal_request_create(user=investor, amount="20.00", address=f"T{n}")
        elif url in (POSITIONS, COMMISSIONS):
            fund(investor, "100.00", approver=superuser)
            investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
        elif url == SUBMISSIONS:
            submit(investor)


@pytest.mark.parametrize("url", LISTS)
def test_query_count_does_not_grow_with_the_rows(world, boss, superuser, url):
    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            rows = export(boss, url)
        return len(captured), len(rows)

    export(boss, url)  # warm the caches (content types, permissions)
    before, rows_before = queries()
    more_rows(url, world, superuser, 6)
    after, rows_after = queries()
    assert rows_after - rows_before == 6
    assert after == before
