"""One real browser (Debian's Chromium through Playwright) through a deposit: the investor asks
for it in the portal, a superuser approves it in the admin, the investor sees the new balance and
withdraws part of it."""

from decimal import Decimal

import pytest

from apps.accounts.models import KycStatus
from apps.wallet.models import Deposit, RequestStatus
from apps.wallet.services.deposits import deposit_address_save
from tests.factories import DEFAULT_PASSWORD, SuperuserFactory, UserFactory
from tests.mfa import admin_code_for


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_deposit_asked_in_the_portal_and_approved_by_staff_shows_in_the_balance(live_server, page, runtime_config):
    runtime_config(WITHDRAWAL_FEE_FIXED=Decimal("1.00"), WITHDRAWAL_FEE_PERCENT=Decimal("2.50"))
    investor = UserFactory(email="layla@example.com", first_name="Layla", kyc_status=KycStatus.APPROVED)
    superuser = SuperuserFactory(email="finance@bursar.example")
    deposit_address_save(network="TRC20", address="TXplatformDepositAddress01")

    # The investor signs in and asks for a deposit.
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "layla@example.com")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("main button:has-text('Log in')")
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav >> text=Wallet")
    page.wait_for_url(f"{live_server.url}/wallet/")
    assert page.locator("#balance-available").inner_text() == "0.00 USD"
    assert page.locator(".addresses input").input_value() == "TXplatformDepositAddress01"

    page.click("main a:has-text('Deposit')")
    page.wait_for_url(f"{live_server.url}/wallet/deposit/")
    page.fill("#id_amount", "1,250.75")  # refused: not a plain amount
    page.select_option("#id_method", "TRC20")
    page.fill("#id_transaction_hash", "0xbrowser-hash-1")
    page.click("main button:has-text('Send deposit request')")
    assert page.locator(".field-errors").inner_text() == "Enter a valid amount."
    assert Deposit.objects.count() == 0
    page.fill("#id_amount", "1250.75")
    page.click("main button:has-text('Send deposit request')")
    page.wait_for_url(f"{live_server.url}/wallet/")
    deposit = Deposit.objects.get()
    assert (deposit.user, deposit.amount, deposit.status) == (investor, Decimal("1250.75"), RequestStatus.PENDING)
    assert page.locator(".message").inner_text() == (
        f"Deposit request #{deposit.pk} for 1,250.75 USD was sent. Staff will check it and credit you."
    )
    row = page.locator(f"#request-{deposit.pk}")
    assert row.locator(".badge").inner_text() == "Pending"
    assert page.locator("#balance-available").inner_text() == "0.00 USD"

    # A superuser signs in to the admin (own browser context, own session), opens the deposit
    # from the queue and approves it from its page.
    staff_context = page.context.browser.new_context(locale="en-US")
    admin = staff_context.new_page()
    admin.set_default_timeout(15000)
    admin.goto(f"{live_server.url}/admin/")
    admin.fill("input[name=username]", "finance@bursar.example")
    admin.fill("input[name=password]", DEFAULT_PASSWORD)
    admin.fill("input[name=otp]", admin_code_for("finance@bursar.example"))
    admin.click("button[type=submit]")
    admin.wait_for_url(f"{live_server.url}/admin/")
    admin.goto(f"{live_server.url}/admin/wallet/deposit/")
    admin.click(f"#result_list a[href='/admin/wallet/deposit/{deposit.pk}/change/']")
    admin.wait_for_url(f"{live_server.url}/admin/wallet/deposit/{deposit.pk}/change/")
    admin.click(f"a[href='/admin/wallet/deposit/{deposit.pk}/approve_detail/']")
    admin.fill("#dialog textarea[name=note]", "Seen on chain")
    admin.click("#dialog button:has-text('Approve and credit')")
    admin.wait_for_selector("text=The deposit was approved and credited.")
    staff_context.close()
    deposit.refresh_from_db()
    assert (deposit.status, deposit.reviewed_by) == (RequestStatus.APPROVED, superuser)
    assert deposit.admin_note == "Seen on chain"

    # The investor reloads the wallet and sees the new balance.
    page.reload()
    assert page.locator("#balance-available").inner_text() == "1,250.75 USD"
    assert page.locator(f"#request-{deposit.pk} .badge").inner_text() == "Approved"
    assert page.locator(f"#request-{deposit.pk} button").count() == 0

    # And withdraws part of it: the page says what the amount typed will cost (amount + fee).
    page.click("main a:has-text('Withdraw')")
    page.wait_for_url(f"{live_server.url}/wallet/withdraw/")
    assert page.locator("#withdraw-charge").is_hidden()
    page.fill("#id_amount", "100.10")  # fee 1.00 + 2.50% of 100.10 (2.5025 → 2.50)
    assert page.locator("#withdraw-charge").inner_text() == "You will be charged \u2066103.60 USD\u2069"
    page.fill("#id_address", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")
    page.click("main button:has-text('Send withdrawal request')")
    page.wait_for_url(f"{live_server.url}/wallet/")
    assert page.locator("#balance-available").inner_text() == "1,147.15 USD"
    assert page.locator("#balance-held").inner_text() == "103.60 USD"
