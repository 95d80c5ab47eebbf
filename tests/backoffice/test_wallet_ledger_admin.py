"""The read-only ledger admins (entries, postings, accounts): nobody adds, changes or deletes; the
lists never count a whole table and cost the same number of queries however long they are; the
CSV export streams exactly the postings of a date range."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.common.dates import business_date_today
from apps.wallet.admin.paginator import CappedCountPaginator
from apps.wallet.models import Account, AccountKind, Deposit, Entry, Posting
from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_approve, deposit_request_create
from tests.factories import UserFactory
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db

ENTRIES = "/admin/wallet/entry/"
POSTINGS = "/admin/wallet/posting/"
ACCOUNTS = "/admin/wallet/account/"
EXPORT = "/admin/wallet/entry/export/"
LEDGER_TABLES = ("wallet_entry", "wallet_posting", "wallet_account")


def make_ledger(count: int, *, approver) -> None:
    """``count`` deposits approved: ``count`` entries, ``2 * count`` postings, ``count`` accounts."""
    for _ in range(count):
        fund(UserFactory(), "10.00", approver=approver)


def captured(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in context.captured_queries]


def unbounded_counts(queries: list[str]) -> list[str]:
    """Queries that COUNT rows of a ledger table without a LIMIT inside."""
    return [
        sql
        for sql in queries
        if re.search(r"COUNT\(", sql, re.IGNORECASE)
        and any(f'"{table}"' in sql for table in LEDGER_TABLES)
        and " LIMIT " not in sql.upper()
    ]


# --- read-only ------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [Entry, Posting, Account])
def test_ledger_rows_are_read_only_even_for_a_superuser(model, superuser, admin_client_for, unchanged_db):
    fund(UserFactory(), "10.00", approver=superuser)
    obj = model.objects.order_by("id").first()
    name = model._meta.model_name
    client = admin_client_for(superuser)
    change_url = reverse(f"admin:wallet_{name}_change", args=(obj.pk,))
    page = client.get(change_url)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False
    assert page.context["has_add_permission"] is False
    with unchanged_db():
        assert client.get(reverse(f"admin:wallet_{name}_add")).status_code == 403
        assert client.post(change_url, {"amount": "1000.00", "balance": "1000.00", "memo": "edited"}).status_code == 403
        assert client.post(reverse(f"admin:wallet_{name}_delete", args=(obj.pk,)), {"post": "yes"}).status_code == 403


def test_entry_page_shows_its_postings_and_its_source(finance, admin_client_for, investor, superuser):
    deposit = deposit_request_create(user=investor, amount="250.00")
    deposit_approve(deposit_id=deposit.pk, actor=superuser)
    entry = Entry.objects.get()
    page = admin_client_for(finance).get(reverse("admin:wallet_entry_change", args=(entry.pk,)))
    assert page.status_code == 200
    inline = page.context["inline_admin_formsets"][0]
    assert [(form.original.amount, form.original.balance_after) for form in inline] == [
        (Decimal("-250.00"), Decimal("-250.00")),
        (Decimal("250.00"), Decimal("250.00")),
    ]
    assert f'href="/admin/wallet/deposit/{deposit.pk}/change/"' in page.text
    assert "250.00 USD" in page.text


def test_changelists_and_change_pages_render(finance, admin_client_for, superuser):
    make_ledger(2, approver=superuser)
    client = admin_client_for(finance)
    for url in (ENTRIES, POSTINGS, ACCOUNTS, f"{ENTRIES}?kind__exact=deposit", f"{POSTINGS}?account__kind__exact=cash"):
        assert client.get(url).status_code == 200, url
    for model in (Entry, Posting, Account):
        obj = model.objects.order_by("id").first()
        url = reverse(f"admin:wallet_{model._meta.model_name}_change", args=(obj.pk,))
        assert client.get(url).status_code == 200, url


def test_entry_search_by_id_natural_key_and_memo(finance, admin_client_for, investor, superuser):
    deposit = deposit_request_create(user=investor, amount="20.00")
    deposit_approve(deposit_id=deposit.pk, actor=superuser)
    adjustment_create(user_id=investor.pk, amount="5.00", direction="credit", reason="Birthday bonus", maker=superuser)
    deposit_entry, adjustment_entry = Entry.objects.order_by("id")
    client = admin_client_for(finance)

    def found(term: str) -> list[int]:
        return [entry.pk for entry in client.get(ENTRIES, {"q": term}).context["cl"].result_list]

    assert found(f"deposit:{deposit.pk}") == [deposit_entry.pk]
    assert found(f"#{adjustment_entry.pk}") == [adjustment_entry.pk]
    assert found("birthday") == [adjustment_entry.pk]
    assert found("deposit:999999") == []


def test_account_filters_and_postings_of_one_owner(finance, admin_client_for, investor, superuser):
    fund(investor, "30.00", approver=superuser)
    fund(UserFactory(), "40.00", approver=superuser)
    client = admin_client_for(finance)
    platform = client.get(ACCOUNTS, {"side": "platform"}).context["cl"].result_list
    assert sorted(account.kind for account in platform) == sorted(
        [
            "cash",
            "return_expense",
            "referral_expense",
            "reward_expense",
            "task_reward_expense",
            "fee_income",
            "adjustments",
        ]
    )
    mine = client.get(ACCOUNTS, {"q": investor.email}).context["cl"].result_list
    assert [(account.owner_id, account.balance) for account in mine] == [(investor.pk, Decimal("30.00"))]
    postings = client.get(POSTINGS, {"account__owner__id__exact": investor.pk}).context["cl"].result_list
    assert [posting.amount for posting in postings] == [Decimal("30.00")]


# --- P3: constant queries, no whole-table count --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        ENTRIES,
        POSTINGS,
        ACCOUNTS,
        f"{ENTRIES}?kind__exact=deposit",
        f"{POSTINGS}?account__kind__exact=available",
        f"{ACCOUNTS}?side=investor",
        "/admin/wallet/deposit/",
        "/admin/wallet/withdrawal/",
    ],
)
def test_changelist_query_count_is_the_same_for_3_and_30_rows(url, superuser, admin_client_for):
    client = admin_client_for(superuser)
    client.get(url)  # warm caches (content types, permissions)
    make_ledger(3, approver=superuser)
    few = captured(client, url)
    make_ledger(27, approver=superuser)
    many = captured(client, url)
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "url",
    [
        ENTRIES,
        POSTINGS,
        ACCOUNTS,
        f"{ENTRIES}?kind__exact=deposit&business_date_from=2020-01-01",
        f"{ENTRIES}?q=deposit",
        f"{POSTINGS}?entry__kind__exact=deposit&account__kind__exact=cash",
        f"{ACCOUNTS}?kind__exact=available",
    ],
)
def test_ledger_lists_never_count_a_whole_table(url, superuser, admin_client_for):
    make_ledger(3, approver=superuser)
    queries = captured(admin_client_for(superuser), url)
    assert unbounded_counts(queries) == []
    assert any("COUNT(" in sql.upper() and " LIMIT " in sql.upper() for sql in queries)  # the capped count


def test_past_the_cap_the_list_pages_the_newest_rows(superuser, admin_client_for, monkeypatch):
    from django.contrib import admin

    monkeypatch.setattr(CappedCountPaginator, "count_cap", 4)
    monkeypatch.setattr(admin.site._registry[Posting], "list_per_page", 2)
    make_ledger(3, approver=superuser)  # 6 postings
    newest = list(Posting.objects.order_by("-id").values_list("pk", flat=True))
    client = admin_client_for(superuser)
    response = client.get(POSTINGS)
    cl = response.context["cl"]
    assert (cl.paginator.count, cl.paginator.is_capped, cl.paginator.estimated_total) == (4, True, None)
    assert cl.paginator.num_pages == 2
    assert [posting.pk for posting in cl.result_list] == newest[:2]
    assert [posting.pk for posting in client.get(POSTINGS, {"p": 2}).context["cl"].result_list] == newest[2:4]
    assert "more than 4 postings" in response.text
    assert client.get(POSTINGS, {"p": 3}).status_code == 302  # past the cap: back to the first page
    small = client.get(ENTRIES)  # 3 entries: under the cap
    assert (small.context["cl"].paginator.count, small.context["cl"].paginator.is_capped) == (3, False)
    assert "3 ledger entries" in small.text


# --- CSV export ----------------------------------------------------------------------------------------


def test_export_streams_exactly_the_postings_of_the_range(finance, admin_client_for, superuser):
    investor = UserFactory(email="ana@example.com")
    deposit = deposit_request_create(user=investor, amount="100.00")
    deposit_approve(deposit_id=deposit.pk, actor=superuser)
    adjustment_create(user_id=investor.pk, amount="2.50", direction="debit", reason="=fee correction", maker=superuser)
    deposit_entry, adjustment_entry = Entry.objects.order_by("id")
    cash = Account.objects.get(owner=None, kind=AccountKind.CASH)
    adjustments = Account.objects.get(owner=None, kind=AccountKind.ADJUSTMENTS)
    available = Account.objects.get(owner=investor, kind=AccountKind.AVAILABLE)
    today = business_date_today().isoformat()

    response = admin_client_for(finance).get(EXPORT, {"date_from": today, "date_to": today})
    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ledger-{today}-to-{today}.csv"'
    body = b"".join(response.streaming_content).decode()
    assert body.split("\r\n") == [
        "entry_id,business_date,entry_kind,natural_key,account_id,owner_email,account_kind,amount,balance_after,memo",
        f"{deposit_entry.pk},{today},deposit,deposit:{deposit.pk},{cash.pk},,cash,"
        f"-100.00,-100.00,Deposit #{deposit.pk}",
        f"{deposit_entry.pk},{today},deposit,deposit:{deposit.pk},{available.pk},ana@example.com,available,"
        f"100.00,100.00,Deposit #{deposit.pk}",
        f"{adjustment_entry.pk},{today},adjustment,{adjustment_entry.natural_key},{available.pk},ana@example.com,"
        "available,-2.50,97.50,'=fee correction",
        f"{adjustment_entry.pk},{today},adjustment,{adjustment_entry.natural_key},{adjustments.pk},,adjustments,"
        "2.50,2.50,'=fee correction",
        "",
    ]


def test_export_of_a_range_without_postings_is_the_header_only(finance, admin_client_for, superuser):
    make_ledger(1, approver=superuser)
    response = admin_client_for(finance).get(EXPORT, {"date_from": "2001-01-01", "date_to": "2001-12-31"})
    assert b"".join(response.streaming_content).decode().count("\r\n") == 1


@pytest.mark.parametrize(
    ("date_from", "date_to", "error"),
    [
        ("2025-03-10", "2025-03-01", "The end date is before the start date."),
        ("2024-01-01", "2025-01-01", "Export at most 366 days at a time."),
        ("2025-13-01", "2025-12-31", None),
        ("", "2025-12-31", None),
    ],
)
def test_a_bad_range_is_refused_with_a_message(date_from, date_to, error, finance, admin_client_for):
    client = admin_client_for(finance)
    response = client.get(EXPORT, {"date_from": date_from, "date_to": date_to})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert [str(m) for m in response.context["messages"]] == ["Nothing was exported: correct the dates below."]
    if error:
        assert response.context["form"].non_field_errors() == [error]
    else:
        assert response.context["form"].errors


def test_the_longest_range_allowed_is_366_days(finance, admin_client_for):
    start = business_date_today() - timedelta(days=365)
    response = admin_client_for(finance).get(EXPORT, {"date_from": start, "date_to": business_date_today()})
    assert response.streaming is True


def test_export_page_and_link(finance, admin_client_for):
    client = admin_client_for(finance)
    assert 'href="/admin/wallet/entry/export/"' in client.get(ENTRIES).text
    page = client.get(EXPORT)
    assert page.status_code == 200
    assert list(page.context["form"].fields) == ["date_from", "date_to"]


def test_export_needs_the_view_entry_permission(support, admin_client_for):
    today = business_date_today().isoformat()
    assert admin_client_for(support).get(EXPORT, {"date_from": today, "date_to": today}).status_code == 403


@pytest.mark.parametrize(
    ("language", "shown", "stored"),
    [
        ("en", "70.00 USD", "-70.00 USD"),
        # In a right-to-left page each amount is isolated left to right (LRI … PDI): otherwise it is
        # drawn "USD 70.00" and "USD 70.00-".
        ("ar", "\u206670.00 USD\u2069", "\u2066-70.00 USD\u2069"),
    ],
)
def test_account_balances_read_left_to_right_in_every_language(
    language, shown, stored, finance, admin_client_for, investor, superuser
):
    fund(investor, "30.00", approver=superuser)
    fund(UserFactory(), "40.00", approver=superuser)
    client = admin_client_for(finance)
    client.cookies["django_language"] = language

    html = client.get(ACCOUNTS, {"side": "platform", "kind__exact": "cash"}).text

    assert f'<span class="font-medium whitespace-nowrap" data-shown>{shown}</span>' in html
    assert stored in html  # the stored (ledger-side) figure beside it


@pytest.mark.parametrize("url", [POSTINGS, "/admin/wallet/deposit/"])  # the capped paginator, and unfold's own
def test_the_pages_row_is_spaced_by_its_gap_in_either_direction(url, superuser, admin_client_for, monkeypatch):
    """unfold spaces the page numbers and "Show all" with right paddings and a left margin, which a
    right-to-left page puts on the wrong side ("3- 130", "postingsShow all"); the overrides space
    them with the flex row's gap."""
    from django.contrib import admin

    make_ledger(3, approver=superuser)
    for model in (Posting, Deposit):
        monkeypatch.setattr(admin.site._registry[model], "list_per_page", 2)
    client = admin_client_for(superuser)
    client.cookies["django_language"] = "ar"

    html = client.get(url).text

    assert 'class="flex flex-row gap-4 grow items-center' in html
    assert 'class="showall text-primary-600' in html
    pages = html[html.index('class="flex flex-row gap-4 grow') :]
    assert re.search(r"<div>\s*<(a|span)", pages)  # each page number in a plain cell
    assert "pr-4" not in pages.split('class="showall')[0]


def test_the_result_count_is_spaced_on_both_sides_and_phone_cards_read_right_to_left(superuser, admin_client_for):
    """Arabic screenshots: the header's "130 results" touched the page title (unfold's ml-2), the
    phone-width cards put each label against its value (unfold's before:mr-auto) and the sidebar's
    icons touched their labels (mr-3). The header override spaces the count with mx-2; every staff
    page loads static/backoffice/rtl.css, which mirrors the other two right to left."""
    from django.contrib.staticfiles import finders

    make_ledger(3, approver=superuser)
    client = admin_client_for(superuser)
    client.cookies["django_language"] = "ar"

    html = client.get(f"{POSTINGS}?entry__kind__exact=return").text

    assert '<span class="font-medium mx-2 text-subtle">' in html
    assert "نتيجة" in html or "نتائج" in html  # the count, in Arabic
    assert '<link href="/static/backoffice/rtl.css" rel="stylesheet">' in html
    css = Path(finders.find("backoffice/rtl.css")).read_text()
    assert '[dir="rtl"] .before\\:mr-auto::before' in css
    assert '[dir="rtl"] .material-symbols-outlined.mr-3' in css
