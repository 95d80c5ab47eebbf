"""The statement: postings newest first with exact running balances, its filters (bad values
are form errors, never a 500), its pages and their constant query count, and the CSV export."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.common.dates import business_date_today
from apps.wallet.services import ledger
from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_approve, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_cancel, withdrawal_request_create
from tests.factories import UserFactory
from tests.portal.conftest import HEADER_QUERIES, form_errors
from tests.wallet.helpers import fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
ADDRESS = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.fixture
def on_day(monkeypatch):
    """``on_day(date)``: entries posted from now on carry that business date."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(ledger, "business_date_today", lambda: day)

    return set_day


@pytest.fixture
def history(investor, staff, on_day, runtime_config):
    """Five days of movements on the investor's available balance (fee 1.00 per withdrawal)."""
    runtime_config(WITHDRAWAL_FEE_FIXED=D("1.00"))
    kyc_approve(investor)
    on_day(date(2026, 1, 5))
    deposit = deposit_request_create(user=investor, amount="1000.00")
    deposit_approve(deposit_id=deposit.pk, actor=staff)  # +1000.00 → 1000.00
    on_day(date(2026, 1, 6))
    first = withdrawal_request_create(user=investor, amount="200.00", address=ADDRESS)  # -201.00 → 799.00
    on_day(date(2026, 1, 7))
    withdrawal_cancel(withdrawal_id=first.pk, user=investor)  # +201.00 → 1000.00
    on_day(date(2026, 1, 8))
    adjustment_create(user_id=investor.pk, amount="50.00", direction="debit", reason="Fee correction", maker=staff)
    on_day(date(2026, 1, 9))
    second = withdrawal_request_create(user=investor, amount="100.00", address=ADDRESS)  # -101.00 → 849.00
    return {"deposit": deposit.pk, "first": first.pk, "second": second.pk}


def _rows(response) -> list[tuple]:
    return [
        (p.entry.business_date.isoformat(), p.entry.kind, p.entry.memo, p.amount, p.balance_after)
        for p in response.context["page"].object_list
    ]


def test_statement_lists_postings_newest_first_with_running_balances(investor, history):
    response = _client(investor).get(reverse("portal:wallet_statement"))
    assert response.status_code == 200
    d, first, second = history["deposit"], history["first"], history["second"]
    assert _rows(response) == [
        ("2026-01-09", "withdrawal_hold", f"Withdrawal #{second} requested", D("-101.00"), D("849.00")),
        ("2026-01-08", "adjustment", "Fee correction", D("-50.00"), D("950.00")),
        ("2026-01-07", "withdrawal_release", f"Withdrawal #{first} cancelled", D("201.00"), D("1000.00")),
        ("2026-01-06", "withdrawal_hold", f"Withdrawal #{first} requested", D("-201.00"), D("799.00")),
        ("2026-01-05", "deposit", f"Deposit #{d}", D("1000.00"), D("1000.00")),
    ]
    html = response.content.decode()
    rows = html.split('<tr id="posting-')[1:]
    assert '<td data-label="Date"><time datetime="2026-01-09">Jan. 9, 2026</time></td>' in rows[0]
    assert '<span class="entry-kind">Withdrawal requested (funds held)</span>' in rows[0]
    assert f'<span class="memo"><bdi>Withdrawal #{second} requested</bdi></span>' in rows[0]
    assert '<td data-label="Credit" class="num credit"></td>' in rows[0]
    assert '<td data-label="Debit" class="num debit"><span class="amount">101.00 USD</span></td>' in rows[0]
    assert '<td data-label="Balance after" class="num"><span class="amount">849.00 USD</span></td>' in rows[0]
    assert '<td data-label="Credit" class="num credit"><span class="amount">201.00 USD</span></td>' in rows[2]
    assert '<td data-label="Debit" class="num debit"></td>' in rows[2]
    assert '<td data-label="Balance after" class="num"><span class="amount">1,000.00 USD</span></td>' in rows[4]


def test_statement_of_the_held_balance(investor, history):
    response = _client(investor).get(reverse("portal:wallet_statement"), {"account": "held"})
    assert [(row[0], row[3], row[4]) for row in _rows(response)] == [
        ("2026-01-09", D("101.00"), D("101.00")),
        ("2026-01-07", D("-201.00"), D("0.00")),
        ("2026-01-06", D("201.00"), D("201.00")),
    ]


def test_statement_filters_by_entry_type_and_dates(investor, history):
    client = _client(investor)
    response = client.get(reverse("portal:wallet_statement"), {"kind": "withdrawal_hold"})
    assert [(row[0], row[4]) for row in _rows(response)] == [("2026-01-09", D("849.00")), ("2026-01-06", D("799.00"))]
    response = client.get(reverse("portal:wallet_statement"), {"date_from": "2026-01-06", "date_to": "2026-01-08"})
    assert [row[0] for row in _rows(response)] == ["2026-01-08", "2026-01-07", "2026-01-06"]
    response = client.get(reverse("portal:wallet_statement"), {"date_from": "2026-01-08"})
    assert [row[0] for row in _rows(response)] == ["2026-01-09", "2026-01-08"]
    response = client.get(reverse("portal:wallet_statement"), {"kind": "return"})
    assert _rows(response) == []
    assert "No movements match." in response.content.decode()
    html = client.get(reverse("portal:wallet_statement"), {"date_from": "2026-01-08"}).content.decode()
    assert 'value="2026-01-08"' in html  # the filter keeps what was asked
    assert 'href="/wallet/statement.csv?date_from=2026-01-08"' in html


def test_statement_shows_only_the_investors_own_postings(investor, history, staff):
    other = UserFactory()
    fund(other, "4321.00", approver=staff)
    response = _client(investor).get(reverse("portal:wallet_statement"))
    assert len(_rows(response)) == 5
    assert "4,321.00" not in response.content.decode()
    assert _rows(_client(other).get(reverse("portal:wallet_statement")))[0][3:] == (D("4321.00"), D("4321.00"))


BAD_FILTERS = [
    ({"date_from": "2026-02-30"}, {"date_from": ["Enter a valid date."]}),
    ({"date_to": "yesterday"}, {"date_to": ["Enter a valid date."]}),
    ({"date_from": "99999-01-01"}, {"date_from": ["Enter a valid date."]}),
    (
        {"date_from": "2026-01-09", "date_to": "2026-01-05"},
        {"date_to": ["The end date must be on or after the start date."]},
    ),
    ({"account": "cash"}, {"account": ["Select a valid choice. cash is not one of the available choices."]}),
    ({"kind": "bogus"}, {"kind": ["Select a valid choice. bogus is not one of the available choices."]}),
]


@pytest.mark.parametrize(("query", "errors"), BAD_FILTERS)
def test_a_bad_filter_is_a_form_error(investor, history, query, errors):
    response = _client(investor).get(reverse("portal:wallet_statement"), query)
    assert response.status_code == 200
    assert form_errors(response) == errors
    assert response.context["page"] is None
    assert "Download CSV" not in response.content.decode()


@pytest.mark.parametrize(("query", "errors"), BAD_FILTERS)
def test_a_bad_filter_on_the_csv_goes_back_to_the_statement(investor, history, query, errors):
    client = _client(investor)
    response = client.get(reverse("portal:wallet_statement_csv"), query)
    assert response.status_code == 302
    assert response["Location"].startswith("/wallet/statement/?")
    assert form_errors(client.get(response["Location"])) == errors


@pytest.mark.parametrize("page", ["0", "-3", "x", "99", "", "1" * 50])
def test_a_bad_page_number_never_fails(investor, history, page):
    response = _client(investor).get(reverse("portal:wallet_statement"), {"page": page})
    assert response.status_code == 200
    assert len(_rows(response)) == 5


def _postings(user, staff, count: int) -> None:
    for n in range(count):
        adjustment_create(user_id=user.pk, amount=f"{n + 1}.00", direction="credit", reason=f"bonus {n}", maker=staff)


def test_statement_pages_by_20_and_balances_continue(investor, staff):
    _postings(investor, staff, 25)  # balances 1, 3, 6, … 325 (the sum of 1..n)
    client = _client(investor)
    first = client.get(reverse("portal:wallet_statement"))
    assert [row[4] for row in _rows(first)] == [D(n * (n + 1) // 2) for n in range(25, 5, -1)]
    assert 'href="?page=2" rel="next"' in first.content.decode()
    second = client.get(reverse("portal:wallet_statement"), {"page": "2", "kind": "adjustment"})
    assert [row[4] for row in _rows(second)] == [D(n * (n + 1) // 2) for n in range(5, 0, -1)]
    assert 'href="?page=1&amp;kind=adjustment" rel="prev"' in second.content.decode()


def test_statement_query_count_is_the_same_for_3_or_30_postings(investor, staff):
    client = _client(investor)
    _postings(investor, staff, 3)
    with CaptureQueriesContext(connection) as few:
        assert len(_rows(client.get(reverse("portal:wallet_statement")))) == 3
    _postings(investor, staff, 27)
    with CaptureQueriesContext(connection) as many:
        assert len(_rows(client.get(reverse("portal:wallet_statement")))) == 20
    assert (
        len(few.captured_queries) == len(many.captured_queries) == 4 + HEADER_QUERIES
    )  # session, user, count, page; the header


# --- CSV --------------------------------------------------------------------------------------


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


HEADER = "\ufeffDate,Type,Description,Credit,Debit,Balance after,Currency\r\n"


def test_csv_export_is_the_statement_with_plain_amounts(investor, history):
    response = _client(investor).get(reverse("portal:wallet_statement_csv"))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = business_date_today().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="statement-available-start-to-{today}.csv"'
    d, first, second = history["deposit"], history["first"], history["second"]
    assert _csv(response) == (
        HEADER
        + f"2026-01-09,Withdrawal requested (funds held),Withdrawal #{second} requested,,101.00,849.00,USD\r\n"
        + "2026-01-08,Adjustment,Fee correction,,50.00,950.00,USD\r\n"
        + f"2026-01-07,Withdrawal released,Withdrawal #{first} cancelled,201.00,,1000.00,USD\r\n"
        + f"2026-01-06,Withdrawal requested (funds held),Withdrawal #{first} requested,,201.00,799.00,USD\r\n"
        + f"2026-01-05,Deposit,Deposit #{d},1000.00,,1000.00,USD\r\n"
    )


def test_csv_export_uses_the_same_filters_and_names_the_range(investor, history):
    query = {"account": "held", "date_from": "2026-01-06", "date_to": "2026-01-08", "page": "7"}
    response = _client(investor).get(reverse("portal:wallet_statement_csv"), query)
    assert response["Content-Disposition"] == 'attachment; filename="statement-held-2026-01-06-to-2026-01-08.csv"'
    first = history["first"]
    assert _csv(response) == (
        HEADER
        + f"2026-01-07,Withdrawal released,Withdrawal #{first} cancelled,,201.00,0.00,USD\r\n"
        + f"2026-01-06,Withdrawal requested (funds held),Withdrawal #{first} requested,201.00,,201.00,USD\r\n"
    )


def test_csv_export_with_nothing_to_export_has_the_header_only(investor):
    response = _client(investor).get(reverse("portal:wallet_statement_csv"), {"date_to": "2025-12-31"})
    assert response["Content-Disposition"] == 'attachment; filename="statement-available-start-to-2025-12-31.csv"'
    assert _csv(response) == HEADER


def test_csv_export_defuses_spreadsheet_formulas_and_quotes_commas(investor, staff):
    adjustment_create(user_id=investor.pk, amount="5.00", direction="credit", reason="=HYPERLINK(x)", maker=staff)
    adjustment_create(user_id=investor.pk, amount="1.00", direction="credit", reason='Refund, "late"', maker=staff)
    lines = _csv(_client(investor).get(reverse("portal:wallet_statement_csv"))).split("\r\n")
    today = ledger.business_date_today().isoformat()
    assert lines[1] == f'{today},Adjustment,"Refund, ""late""",1.00,,6.00,USD'
    assert lines[2] == f"{today},Adjustment,'=HYPERLINK(x),5.00,,5.00,USD"


def test_csv_export_in_arabic(investor, history):
    lines = _csv(_client(investor, "ar").get(reverse("portal:wallet_statement_csv"))).split("\r\n")
    assert lines[0] == "\ufeffالتاريخ,النوع,الوصف,إضافة,خصم,الرصيد بعد الحركة,العملة"
    assert lines[-2] == f"2026-01-05,إيداع,Deposit #{history['deposit']},1000.00,,1000.00,USD"


def test_csv_export_needs_a_signed_in_user(client):
    response = client.get(reverse("portal:wallet_statement_csv"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))
