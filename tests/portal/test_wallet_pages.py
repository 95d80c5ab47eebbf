"""The wallet pages: sign-in required, English and Arabic (right to left), only the investor's
own data, balances and requests with exact amounts, the requests list with its filters and pages."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.wallet.models import Deposit, Entry, RequestStatus, Withdrawal
from apps.wallet.services.deposits import deposit_address_save, deposit_reject, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import UserFactory
from tests.portal.conftest import HEADER_QUERIES, form_errors
from tests.portal.test_pages import english_words_left
from tests.wallet.helpers import fund, kyc_approve

pytestmark = pytest.mark.django_db

ADDRESS = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"

D = Decimal

# url name -> (English title, Arabic title)
WALLET_PAGES = {
    "wallet": ("Your wallet", "محفظتك"),
    "wallet_deposit": ("Make a deposit", "إجراء إيداع"),
    "wallet_withdraw": ("Withdraw", "سحب"),
    "wallet_requests": ("Your requests", "طلباتك"),
    "wallet_statement": ("Statement", "كشف الحساب"),
}


@pytest.fixture
def funded(investor, staff):
    """An investor with 1,000.00 available, KYC approved, a pending withdrawal of 100.00 and a
    pending deposit of 50.00, and the platform with one deposit address."""
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    withdrawal_request_create(user=investor, amount="100.00", address="TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")
    deposit_request_create(user=investor, amount="50.00", method="TRC20", transaction_hash="0xabc")
    deposit_address_save(network="trc20", address="TXYZplatformAddress123", label="Main")
    return investor


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", WALLET_PAGES)
def test_pages_need_a_signed_in_user(client, name):
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={reverse(f'portal:{name}')}"


@pytest.mark.parametrize("name", WALLET_PAGES)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_page_renders_in_both_languages(funded, name, language):
    english, arabic = WALLET_PAGES[name]
    response = _client(funded, language).get(reverse(f"portal:{name}"))
    assert response.status_code == 200
    html = response.content.decode()
    if language == "ar":
        assert '<html lang="ar" dir="rtl">' in html
        assert f"<title>{arabic} · Bursar</title>" in html
        assert '<a href="/wallet/" aria-current="page">المحفظة</a>' in html
        # Left in Latin script: data (addresses, networks, hashes, the currency code, memos).
        allowed = {"Bursar", "English", "KYC", "USD", "TRC20", "TXYZplatformAddress123", "Main", "CSV"}
        allowed |= {"TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", "0xabc", *Entry.objects.values_list("memo", flat=True)}
        assert english_words_left(html, allowed=allowed) == []
    else:
        assert '<html lang="en" dir="ltr">' in html
        assert f"<title>{english} · Bursar</title>" in html
        assert '<a href="/wallet/" aria-current="page">Wallet</a>' in html


def test_wallet_page_shows_balances_addresses_and_requests(funded):
    response = _client(funded).get(reverse("portal:wallet"))
    html = response.content.decode()
    assert '<p class="balance-amount amount" id="balance-available">900.00 USD</p>' in html
    assert '<p class="balance-amount amount" id="balance-held">100.00 USD</p>' in html
    assert '<p class="balance-amount amount" id="balance-invested">0.00 USD</p>' in html
    assert 'value="TXYZplatformAddress123" readonly dir="ltr"' in html
    assert '<span class="network" dir="ltr">TRC20</span> <span class="muted">Main</span>' in html
    rows = response.context["overview"].recent_requests
    assert [(r.kind, r.amount, r.fee, r.status, r.detail) for r in rows] == [
        ("deposit", D("50.00"), D("0.00"), "pending", "TRC20"),
        ("withdrawal", D("100.00"), D("0.00"), "pending", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"),
        ("deposit", D("1000.00"), D("0.00"), "approved", ""),
    ]
    withdrawal = Withdrawal.objects.get()
    pending_deposit = Deposit.objects.get(status=RequestStatus.PENDING)
    assert f'action="/wallet/withdrawals/{withdrawal.pk}/cancel/"' in html
    assert f'action="/wallet/deposits/{pending_deposit.pk}/cancel/"' in html
    assert html.count('name="csrfmiddlewaretoken"') == 4  # logout, language, two cancel forms
    assert html.count(">Cancel<") == 2  # nothing to cancel on the approved deposit
    assert '<span class="badge badge-status-approved">Approved</span>' in html
    assert html.count('<span class="badge badge-status-pending">Pending</span>') == 2


def test_wallet_page_of_a_new_investor(investor):
    html = _client(investor).get(reverse("portal:wallet")).content.decode()
    assert '<p class="balance-amount amount" id="balance-available">0.00 USD</p>' in html
    assert "No deposit or withdrawal requests yet." in html
    assert "There is no deposit address yet." in html


def test_wallet_shows_only_the_investors_own_requests(funded):
    other = UserFactory()
    deposit_request_create(user=other, amount="777.00")
    html = _client(funded).get(reverse("portal:wallet")).content.decode()
    assert "777.00" not in html
    html = _client(funded).get(reverse("portal:wallet_requests")).content.decode()
    assert "777.00" not in html


def test_amounts_are_grouped_with_two_decimals(investor):
    deposit_request_create(user=investor, amount="999999.99")
    html = _client(investor).get(reverse("portal:wallet")).content.decode()
    assert '<span class="amount">999,999.99 USD</span>' in html


# --- the requests list ----------------------------------------------------------------------


@pytest.fixture
def many_requests(investor, staff):
    """25 deposit requests (1.00 … 25.00 above the minimum), the 3rd and 4th rejected."""
    deposits = [deposit_request_create(user=investor, amount=f"{10 + n}.00") for n in range(1, 26)]
    for deposit in deposits[2:4]:
        deposit_reject(deposit_id=deposit.pk, actor=staff, note="not received")
    return deposits


def test_requests_are_paginated_by_20(investor, many_requests):
    client = _client(investor)
    first = client.get(reverse("portal:wallet_requests"))
    assert [row.amount for row in first.context["page"].object_list] == [D(f"{10 + n}.00") for n in range(25, 5, -1)]
    html = first.content.decode()
    assert "Page 1 of 2" in html
    assert 'href="?page=2" rel="next"' in html
    second = client.get(reverse("portal:wallet_requests"), {"page": "2"})
    assert [row.amount for row in second.context["page"].object_list] == [D(f"{10 + n}.00") for n in range(5, 0, -1)]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1.5", "9" * 40, ""])
def test_a_bad_page_number_never_fails(investor, many_requests, page):
    response = _client(investor).get(reverse("portal:wallet_requests"), {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number in (1, 2)


def test_requests_filter_by_status_and_kind(investor, many_requests):
    client = _client(investor)
    response = client.get(reverse("portal:wallet_requests"), {"status": "rejected"})
    assert [row.amount for row in response.context["page"].object_list] == [D("14.00"), D("13.00")]
    assert 'href="?status=rejected' not in response.content.decode()  # one page: no page links
    response = client.get(reverse("portal:wallet_requests"), {"kind": "withdrawal"})
    assert list(response.context["page"].object_list) == []
    assert "No requests match." in response.content.decode()


def test_page_links_keep_the_filter(investor, many_requests):
    html = _client(investor).get(reverse("portal:wallet_requests"), {"status": "pending"}).content.decode()
    assert 'href="?status=pending&amp;page=2" rel="next"' in html


@pytest.mark.parametrize("query", [{"status": "paid"}, {"kind": "adjustment"}, {"status": "<script>"}])
def test_a_bad_filter_is_a_form_error(investor, many_requests, query):
    response = _client(investor).get(reverse("portal:wallet_requests"), query)
    assert response.status_code == 200
    (field,) = query
    assert form_errors(response) == {
        field: [f"Select a valid choice. {query[field]} is not one of the available choices."]
    }
    assert response.context["page"] is None


def test_requests_list_costs_the_same_queries_for_3_or_30_requests(investor, django_assert_num_queries):
    client = _client(investor)
    for n in range(3):
        deposit_request_create(user=investor, amount=f"{20 + n}.00")
    with django_assert_num_queries(4 + HEADER_QUERIES):  # session, user, count, page; the header
        client.get(reverse("portal:wallet_requests"))
    for n in range(27):
        deposit_request_create(user=investor, amount=f"{30 + n}.00")
    with django_assert_num_queries(4 + HEADER_QUERIES):
        client.get(reverse("portal:wallet_requests"))


def test_wallet_page_costs_the_same_queries_for_3_or_30_requests(investor, staff, django_assert_num_queries):
    kyc_approve(investor)
    fund(investor, "5000.00", approver=staff)
    deposit_address_save(network="TRC20", address="TXplatform1")
    client = _client(investor)
    for _ in range(2):
        withdrawal_request_create(user=investor, amount="10.00", address=ADDRESS)
    with django_assert_num_queries(5 + HEADER_QUERIES):  # session, user, balances, addresses, requests; the header
        client.get(reverse("portal:wallet"))
    for _ in range(27):
        withdrawal_request_create(user=investor, amount="10.00", address=ADDRESS)
    with django_assert_num_queries(5 + HEADER_QUERIES):
        response = client.get(reverse("portal:wallet"))
    assert len(response.context["overview"].recent_requests) == 10


def test_identity_check_explanation_in_arabic(investor):
    html = _client(investor, "ar").get(reverse("portal:wallet_withdraw")).content.decode()
    assert "تحقّق من هويتك أولًا" in html
    assert '<span class="badge badge-kyc-not_submitted">' in html
    assert english_words_left(html, allowed={"Bursar", "English", "KYC", "USD"}) == []
