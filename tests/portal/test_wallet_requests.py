"""Deposit and withdrawal requests through the portal forms, cancelling them, and every refusal:
each refused submit is a form error on the right field (or a message for a cancel), answers
200 (never 500) and changes nothing in the database."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.accounts.models import KycStatus
from apps.wallet.models import Deposit, RequestStatus, Withdrawal
from apps.wallet.services.deposits import deposit_address_save, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import UserFactory
from tests.portal.conftest import form_errors, messages_of
from tests.wallet.helpers import assert_ledger_ok, balances, fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
ADDRESS = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.fixture
def funded(investor, staff):
    kyc_approve(investor)
    fund(investor, "1000.00", approver=staff)
    return investor


@pytest.fixture
def fees(runtime_config):
    runtime_config(WITHDRAWAL_FEE_FIXED=D("1.00"), WITHDRAWAL_FEE_PERCENT=D("2.50"))


# --- deposits ---------------------------------------------------------------------------------


def test_deposit_request_creates_a_pending_deposit(investor):
    deposit_address_save(network="TRC20", address="TXplatform1")
    deposit_address_save(network="ERC20", address="0xplatform2")
    client = _client(investor)
    response = client.post(
        reverse("portal:wallet_deposit"),
        {"amount": " 250.50 ", "method": "TRC20", "sender_address": "TXmine", "transaction_hash": "0xHASH1"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:wallet")
    deposit = Deposit.objects.get()
    assert (deposit.user, deposit.amount, deposit.currency, deposit.status) == (
        investor,
        D("250.50"),
        "USD",
        RequestStatus.PENDING,
    )
    assert (deposit.method, deposit.sender_address, deposit.transaction_hash) == ("TRC20", "TXmine", "0xHASH1")
    assert balances(investor) == (D("0.00"), D("0.00"), D("0.00"))
    wallet = client.get(reverse("portal:wallet"))
    assert messages_of(wallet) == [
        f"Deposit request #{deposit.pk} for 250.50 USD was sent. Staff will check it and credit you."
    ]
    assert '<span class="amount">250.50 USD</span>' in wallet.content.decode()


def test_deposit_form_offers_the_active_networks_and_shows_the_limits(investor, runtime_config):
    runtime_config(DEPOSIT_MIN=D("25.00"), DEPOSIT_MAX=D("50000.00"))
    deposit_address_save(network="TRC20", address="TXplatform1")
    deposit_address_save(network="BTC", address="bc1platform", is_active=False)
    html = _client(investor).get(reverse("portal:wallet_deposit")).content.decode()
    assert '<option value="TRC20">TRC20</option>' in html
    assert "BTC" not in html
    assert '<dd class="amount" id="deposit-minimum">25.00 USD</dd>' in html
    assert '<dd class="amount" id="deposit-maximum">50,000.00 USD</dd>' in html
    assert "From 25.00 USD to 50,000.00 USD." in html


def test_deposit_method_is_free_text_without_addresses(investor):
    response = _client(investor).post(reverse("portal:wallet_deposit"), {"amount": "20", "method": "Bank wire"})
    assert response.status_code == 302
    assert Deposit.objects.get().method == "Bank wire"


BAD_DEPOSITS = [
    ({"amount": "-5"}, "amount", "The amount must be greater than zero."),
    ({"amount": "0"}, "amount", "The amount must be greater than zero."),
    ({"amount": "0.00"}, "amount", "The amount must be greater than zero."),
    ({"amount": "ten"}, "amount", "Enter a valid amount."),
    ({"amount": "NaN"}, "amount", "Enter a valid amount."),
    ({"amount": "Infinity"}, "amount", "Enter a valid amount."),
    ({"amount": "10.005"}, "amount", "Use at most 2 decimal places."),
    ({"amount": "9" * 30}, "amount", "This amount is too large."),
    ({"amount": "1" * 33}, "amount", "Ensure this value has at most 32 characters (it has 33)."),
    ({"amount": ""}, "amount", "This field is required."),
    ({"amount": "9.99"}, "amount", "The minimum is 10.00."),
    ({"amount": "1000000.01"}, "amount", "The maximum is 1000000.00."),
    ({"method": ""}, "method", "This field is required."),
    ({"method": "DOGE"}, "method", "Select a valid choice. DOGE is not one of the available choices."),
    ({"transaction_hash": "0xUSED"}, "transaction_hash", "This transaction hash was already used for a deposit."),
    ({"transaction_hash": "0xused"}, "transaction_hash", "This transaction hash was already used for a deposit."),
    ({"transaction_hash": " 0XUSED "}, "transaction_hash", "This transaction hash was already used for a deposit."),
    ({"sender_address": "x" * 201}, "sender_address", "Ensure this value has at most 200 characters (it has 201)."),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_DEPOSITS)
def test_a_bad_deposit_is_a_form_error_and_changes_nothing(investor, unchanged_db, change, field, message):
    deposit_address_save(network="TRC20", address="TXplatform1")
    deposit_request_create(user=UserFactory(), amount="20.00", transaction_hash="0xUsed")
    data = {"amount": "100.00", "method": "TRC20", "sender_address": "", "transaction_hash": "", **change}
    client = _client(investor)
    with unchanged_db():
        response = client.post(reverse("portal:wallet_deposit"), data)
    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    assert "Please correct the errors below." in response.content.decode()


def test_deposit_message_in_arabic(investor):
    client = _client(investor, "ar")
    client.post(reverse("portal:wallet_deposit"), {"amount": "1250.5", "method": "TRC20"})
    deposit = Deposit.objects.get()
    assert messages_of(client.get(reverse("portal:wallet"))) == [
        f"أُرسل طلب الإيداع رقم {deposit.pk} بمبلغ \u20661,250.50 USD\u2069. سيتحقق منه الموظفون ويضيفونه إلى رصيدك."
    ]


def test_a_refused_deposit_is_explained_in_arabic(investor, unchanged_db):
    client = _client(investor, "ar")
    with unchanged_db():
        response = client.post(reverse("portal:wallet_deposit"), {"amount": "10.005", "method": "x"})
    assert form_errors(response) == {"amount": ["استخدم منزلتين عشريتين على الأكثر."]}


# --- withdrawals ------------------------------------------------------------------------------


def test_withdrawal_holds_amount_plus_fee_and_shows_on_the_wallet(funded, fees):
    client = _client(funded)
    response = client.post(reverse("portal:wallet_withdraw"), {"amount": "200.00", "address": f" {ADDRESS} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:wallet")
    withdrawal = Withdrawal.objects.get()
    # fee = 1.00 + 2.50% of 200.00 = 6.00; held = 206.00
    assert (withdrawal.amount, withdrawal.fee, withdrawal.address, withdrawal.status) == (
        D("200.00"),
        D("6.00"),
        ADDRESS,
        RequestStatus.PENDING,
    )
    assert balances(funded) == (D("794.00"), D("206.00"), D("0.00"))
    wallet = client.get(reverse("portal:wallet"))
    assert messages_of(wallet) == [
        f"Withdrawal request #{withdrawal.pk} was sent: 206.00 USD is held "
        "(200.00 USD plus a fee of 6.00 USD) until staff pay it."
    ]
    html = wallet.content.decode()
    assert '<p class="balance-amount amount" id="balance-available">794.00 USD</p>' in html
    assert '<p class="balance-amount amount" id="balance-held">206.00 USD</p>' in html
    assert '<span class="amount">200.00 USD</span>' in html
    assert '<span class="fee">fee <span class="amount">6.00 USD</span></span>' in html
    assert_ledger_ok()


def test_withdraw_page_shows_balance_limits_and_fee_rule(funded, fees, runtime_config):
    runtime_config(WITHDRAWAL_MIN=D("20.00"), WITHDRAWAL_MAX=D("5000.00"), WITHDRAWAL_DAILY_LIMIT=D("8000.00"))
    withdrawal_request_create(user=funded, amount="300.00", address=ADDRESS)  # holds 308.50
    html = _client(funded).get(reverse("portal:wallet_withdraw")).content.decode()
    assert '<p class="balance-amount amount" id="withdraw-available">691.50 USD</p>' in html
    assert '<dd class="amount" id="withdraw-minimum">20.00 USD</dd>' in html
    assert '<dd class="amount" id="withdraw-maximum">5,000.00 USD</dd>' in html
    assert '<dd class="amount" id="withdraw-daily-limit">8,000.00 USD</dd>' in html
    assert '<dd class="amount" id="withdraw-left-today">7,700.00 USD</dd>' in html
    assert "1.00 USD plus 2.50% of the amount." in html
    assert "For example, withdrawing 100.00 USD charges you 103.50 USD (fee 3.50 USD)." in html
    assert 'data-fee-fixed="1.00" data-fee-percent="2.50" data-currency="USD"' in html


def test_withdraw_page_in_arabic_keeps_amounts_left_to_right(funded, fees):
    html = _client(funded, "ar").get(reverse("portal:wallet_withdraw")).content.decode()
    # The script reads these: plain decimals whatever the page's number format.
    assert 'data-fee-fixed="1.00" data-fee-percent="2.50" data-currency="USD"' in html
    # Amounts inside Arabic sentences are isolated, so they never read "USD 1.00".
    assert "\u20661.00 USD\u2069 بالإضافة إلى 2.50% من المبلغ." in html
    assert "من \u206610.00 USD\u2069 إلى \u2066100,000.00 USD\u2069." in html


def test_withdraw_page_without_a_fee(funded):
    html = _client(funded).get(reverse("portal:wallet_withdraw")).content.decode()
    assert "No fee: you are charged exactly the amount you withdraw." in html
    assert "For example" not in html


def test_withdraw_page_explains_the_identity_check_instead_of_the_form(investor, staff):
    fund(investor, "500.00", approver=staff)
    html = _client(investor).get(reverse("portal:wallet_withdraw")).content.decode()
    assert "Verify your identity first" in html
    assert '<span class="badge badge-kyc-not_submitted">Not submitted</span>' in html
    assert 'name="address"' not in html


def test_withdraw_form_is_shown_when_kyc_is_not_required(investor, staff, runtime_config):
    runtime_config(KYC_REQUIRED_FOR_WITHDRAWAL=False)
    fund(investor, "500.00", approver=staff)
    client = _client(investor)
    assert "Verify your identity first" not in client.get(reverse("portal:wallet_withdraw")).content.decode()
    assert client.post(reverse("portal:wallet_withdraw"), {"amount": "50", "address": ADDRESS}).status_code == 302
    assert balances(investor) == (D("450.00"), D("50.00"), D("0.00"))


BAD_WITHDRAWALS = [
    ({"amount": "-1"}, "amount", "The amount must be greater than zero."),
    ({"amount": "0"}, "amount", "The amount must be greater than zero."),
    ({"amount": "abc"}, "amount", "Enter a valid amount."),
    ({"amount": "12.345"}, "amount", "Use at most 2 decimal places."),
    ({"amount": "1" + "0" * 25}, "amount", "This amount is too large."),
    ({"amount": "9.99"}, "amount", "The minimum is 10.00."),
    ({"amount": "100000.01"}, "amount", "The maximum is 100000.00."),
    ({"amount": "995.00"}, "amount", "Not enough funds: available balance is 1000.00."),  # 995 + fee 25.88
    ({"amount": ""}, "amount", "This field is required."),
    ({"address": ""}, "address", "This field is required."),
    ({"address": "   "}, "address", "This field is required."),
    ({"address": "x" * 201}, "address", "Ensure this value has at most 200 characters (it has 201)."),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_WITHDRAWALS)
def test_a_bad_withdrawal_is_a_form_error_and_changes_nothing(funded, fees, unchanged_db, change, field, message):
    client = _client(funded)
    with unchanged_db():
        response = client.post(reverse("portal:wallet_withdraw"), {"amount": "100.00", "address": ADDRESS, **change})
    assert response.status_code == 200
    assert form_errors(response) == {field: [message]}
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))


def test_a_bad_amount_is_reported_together_with_a_missing_address(funded, unchanged_db):
    client = _client(funded)
    with unchanged_db():
        response = client.post(reverse("portal:wallet_withdraw"), {"amount": "12.345", "address": ""})
    assert form_errors(response) == {
        "amount": ["Use at most 2 decimal places."],
        "address": ["This field is required."],
    }


def test_the_daily_limit_is_a_form_error(funded, unchanged_db, runtime_config):
    runtime_config(WITHDRAWAL_DAILY_LIMIT=D("500.00"))
    withdrawal_request_create(user=funded, amount="400.00", address=ADDRESS)
    client = _client(funded)
    with unchanged_db():
        response = client.post(reverse("portal:wallet_withdraw"), {"amount": "100.01", "address": ADDRESS})
    assert form_errors(response) == {"amount": ["This would exceed your daily withdrawal limit of 500.00."]}
    assert '<dd class="amount" id="withdraw-left-today">100.00 USD</dd>' in response.content.decode()
    assert client.post(reverse("portal:wallet_withdraw"), {"amount": "100.00", "address": ADDRESS}).status_code == 302


@pytest.mark.parametrize("status", [KycStatus.NOT_SUBMITTED, KycStatus.PENDING, KycStatus.REJECTED])
def test_a_withdrawal_without_approved_kyc_is_refused(funded, status, unchanged_db):
    type(funded).objects.filter(pk=funded.pk).update(kyc_status=status)
    client = _client(funded)
    with unchanged_db():
        response = client.post(reverse("portal:wallet_withdraw"), {"amount": "100.00", "address": ADDRESS})
    assert response.status_code == 200
    assert form_errors(response) == {
        "__all__": ["Your identity must be verified (KYC approved) before you can withdraw."]
    }
    html = response.content.decode()
    assert "Verify your identity first" in html
    assert 'id="kyc-required"' in html


def test_a_refused_withdrawal_is_explained_in_arabic(funded, unchanged_db):
    client = _client(funded, "ar")
    with unchanged_db():
        response = client.post(reverse("portal:wallet_withdraw"), {"amount": "5000.00", "address": ADDRESS})
    assert form_errors(response) == {"amount": ["الرصيد غير كافٍ: الرصيد المتاح هو 1000.00."]}
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


# --- cancelling -------------------------------------------------------------------------------


def test_cancelling_a_withdrawal_releases_the_hold(funded, fees):
    withdrawal = withdrawal_request_create(user=funded, amount="100.00", address=ADDRESS)
    assert balances(funded) == (D("896.50"), D("103.50"), D("0.00"))
    client = _client(funded)
    response = client.post(reverse("portal:wallet_withdrawal_cancel", args=[withdrawal.pk]), {"next": "/wallet/"})
    assert response.status_code == 302
    assert response["Location"] == "/wallet/"
    withdrawal.refresh_from_db()
    assert withdrawal.status == RequestStatus.CANCELLED
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))
    wallet = client.get(reverse("portal:wallet"))
    assert messages_of(wallet) == [f"Withdrawal request #{withdrawal.pk} was cancelled: 103.50 USD is available again."]
    assert '<span class="badge badge-status-cancelled">Cancelled</span>' in wallet.content.decode()
    assert_ledger_ok()


def test_cancelling_a_deposit(investor):
    deposit = deposit_request_create(user=investor, amount="40.00")
    client = _client(investor)
    response = client.post(
        reverse("portal:wallet_deposit_cancel", args=[deposit.pk]), {"next": "/wallet/requests/?status=pending"}
    )
    assert response["Location"] == "/wallet/requests/?status=pending"
    deposit.refresh_from_db()
    assert deposit.status == RequestStatus.CANCELLED
    assert messages_of(client.get(reverse("portal:wallet"))) == [f"Deposit request #{deposit.pk} was cancelled."]


def test_cancel_goes_back_only_to_this_site(funded):
    withdrawal = withdrawal_request_create(user=funded, amount="100.00", address=ADDRESS)
    response = _client(funded).post(
        reverse("portal:wallet_withdrawal_cancel", args=[withdrawal.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:wallet")


def test_cancelling_a_closed_request_is_refused_with_a_message(funded, unchanged_db):
    withdrawal = withdrawal_request_create(user=funded, amount="100.00", address=ADDRESS)
    deposit = deposit_request_create(user=funded, amount="40.00")
    client = _client(funded)
    client.post(reverse("portal:wallet_withdrawal_cancel", args=[withdrawal.pk]))
    client.post(reverse("portal:wallet_deposit_cancel", args=[deposit.pk]))
    client.get(reverse("portal:wallet"))  # read the success messages
    with unchanged_db():
        client.post(reverse("portal:wallet_withdrawal_cancel", args=[withdrawal.pk]))
        client.post(reverse("portal:wallet_deposit_cancel", args=[deposit.pk]))
    assert messages_of(client.get(reverse("portal:wallet"))) == [
        "This request is already cancelled.",
        "This request is already cancelled.",
    ]
    assert balances(funded) == (D("1000.00"), D("0.00"), D("0.00"))


def test_cancelling_another_investors_request_is_a_404(funded, unchanged_db):
    other = UserFactory()
    kyc_approve(other)
    fund(other, "300.00", approver=UserFactory(is_staff=True))
    withdrawal = withdrawal_request_create(user=other, amount="100.00", address=ADDRESS)
    deposit = deposit_request_create(user=other, amount="40.00")
    client = _client(funded)
    with unchanged_db():
        assert client.post(reverse("portal:wallet_withdrawal_cancel", args=[withdrawal.pk])).status_code == 404
        assert client.post(reverse("portal:wallet_deposit_cancel", args=[deposit.pk])).status_code == 404
        # the id space is shared: a deposit's number is not a withdrawal of this investor either
        assert client.post(reverse("portal:wallet_withdrawal_cancel", args=[deposit.pk])).status_code == 404
        assert client.post(reverse("portal:wallet_deposit_cancel", args=[999999])).status_code == 404
    assert balances(other) == (D("200.00"), D("100.00"), D("0.00"))


def test_cancel_is_post_only_and_needs_the_csrf_token(funded, unchanged_db):
    withdrawal = withdrawal_request_create(user=funded, amount="100.00", address=ADDRESS)
    url = reverse("portal:wallet_withdrawal_cancel", args=[withdrawal.pk])
    client = _client(funded)
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(funded)
    with unchanged_db():
        assert client.get(url).status_code == 405
        assert csrf_client.post(url).status_code == 403
        assert Client().post(url).status_code == 302  # to the login page
