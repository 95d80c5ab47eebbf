"""The investor dashboard in a real browser (Debian's Chromium through Playwright): an investor with
running plans and paid returns signs in and lands on it, reads the figures, switches the returns
chart from 7 days to all; a brand-new investor copies the deposit address with the copy button.
Every page is saved as ``var/screenshots/portal-dashboard-*.png`` (an investor with history and a
new one; desktop 1280 px and 390 px; English and Arabic) to be looked at."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from apps.accounts.models import KycStatus, User
from apps.common.dates import business_date_today
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from apps.wallet.services.deposits import deposit_address_save
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
DEPOSIT_ADDRESS = "TXplatformDepositAddress01"
D = Decimal


@dataclass
class Story:
    layla: User  # 50 days of history: three running plans, returns paid, a withdrawal waiting
    nadia: User  # signed up today: nothing confirmed, nothing deposited


@pytest.fixture
def story() -> Story:
    """Layla deposited 20,000.00 and bought, through the real services:

    - Growth, 10,000.00 at 1 % a day for 90 days, 40 days ago: 39 days of 100.00 paid;
    - Short, 2,000.00 at 0.5 % a day for 30 days, 25 days ago (back in 5 days): 24 × 10.00 paid;
    - Vault, 3,000.00 at 1 % a day for 20 days paid at maturity, 8 days ago: nothing paid yet.

    The accrual job ran through yesterday; she asks to withdraw 250.00. Two people signed up with
    her code. Nadia signed up today and has confirmed nothing."""
    staff = StaffFactory()
    today = business_date_today()
    deposit_address_save(network="TRC20", address=DEPOSIT_ADDRESS, label="Main wallet")
    layla = UserFactory(
        email="layla@example.com", first_name="Layla", kyc_status=KycStatus.APPROVED, is_email_verified=True
    )
    UserFactory(first_name="Sami", referred_by=layla)
    UserFactory(first_name="Rana", referred_by=layla)
    fund(layla, "20000.00", approver=staff)
    plans = {
        "growth": make_plan(actor=staff, name="Growth", min_amount="100.00", daily_rate=D("1.0000"), term_days=90),
        "short": make_plan(actor=staff, name="Short", min_amount="100.00", daily_rate=D("0.5000"), term_days=30),
        "vault": make_plan(
            actor=staff,
            name="Vault",
            min_amount="100.00",
            daily_rate=D("1.0000"),
            term_days=20,
            payout_schedule="at_maturity",
        ),
    }
    for plan, amount, days_ago in (("growth", "10000.00", 40), ("short", "2000.00", 25), ("vault", "3000.00", 8)):
        investment_open(
            user=layla,
            plan_id=plans[plan].pk,
            amount=amount,
            terms_accepted=True,
            start_date=today - timedelta(days=days_ago),
        )
    accrue_returns(through=today - timedelta(days=1))
    withdrawal_request_create(user=layla, amount="250.00", address="TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")
    nadia = UserFactory(email="nadia@example.com", first_name="Nadia", is_email_verified=False)
    return Story(layla=layla, nadia=nadia)


def sign_in(browser, live_server, email: str, *, size: str = "desktop", language: str = "en"):
    context = browser.new_context(locale="en-US", viewport=WIDTHS[size])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    if language != "en":  # signing in applies the account's language: switch it for this browser
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        page.reload()
    return context, page


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"portal-dashboard-{name}.png"), full_page=True)


def overflowing(page) -> list[str]:
    """Elements that stick out of the page sideways (a wide table scrolls inside its own box)."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          if (document.documentElement.scrollWidth <= width + 1) return [];
          return [...document.querySelectorAll("main *")]
            .filter((el) => { const r = el.getBoundingClientRect(); return r.right > width + 1 || r.left < -1; })
            .filter((el) => !el.closest(".table-wrap"))
            .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + el.className)
            .slice(0, 10);
        }"""
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_investor_signs_in_reads_the_figures_and_switches_the_chart(live_server, browser, story):
    context, page = sign_in(browser, live_server, "layla@example.com")

    assert page.locator("h1").inner_text() == "Hello, Layla"
    # 20,000 − 15,000 invested + 39 × 100.00 + 24 × 10.00 − 250.00 held
    assert page.locator("#balance-available").inner_text() == "8,890.00 USD"
    assert page.locator("#balance-held").inner_text() == "250.00 USD"
    assert page.locator("#balance-invested").inner_text() == "15,000.00 USD"
    assert page.locator("#returns-total").inner_text() == "4,140.00 USD"
    # Today's returns of Growth (100.00) and Short (10.00) are due today.
    assert page.locator("#next-payout .balance-amount").inner_text() == "110.00 USD"
    assert "(today)" in page.locator("#next-payout").inner_text()
    # Short matures in 5 days and Vault in 12: both give their principal back within 30 days.
    assert page.locator("#principal-due .balance-amount").inner_text() == "5,000.00 USD"
    assert page.locator("#active-positions tbody tr").count() == 3
    assert page.locator("#active-positions progress").first.get_attribute("max") in {"90", "30", "20"}
    assert page.locator("#recent-activity .activity-row").count() == 10
    assert page.locator("#referred-count").inner_text() == "2"
    assert page.locator("#action-deposit").count() == 0

    # The chart: 30 days by default, then 7 days, then everything since the first plan.
    chart = page.locator("#returns-chart")
    assert chart.is_visible()
    assert page.locator(".period-switch [aria-current=page]").inner_text() == "30 days"
    assert page.locator("#returns-chart .chart-bar").count() == 29  # yesterday back to 29 days ago
    page.click(".period-switch >> text=7 days")
    page.wait_for_url(f"{live_server.url}/?period=7d#returns")
    assert page.locator("#returns-chart .chart-bar").count() == 6
    assert page.locator("#returns-in-period").inner_text() == "660.00 USD"  # 6 × 110.00
    page.click(".period-switch >> text=All")
    page.wait_for_url(f"{live_server.url}/?period=all#returns")
    assert page.locator("#returns-chart .chart-bar").count() == 39
    assert page.locator("#returns-in-period").inner_text() == "4,140.00 USD"
    # The no-JavaScript table holds the same figures, newest first.
    page.click("#returns summary")
    first_row = page.locator("#returns-table tbody tr").first
    assert first_row.locator(".amount").all_inner_texts() == ["0.00 USD", "4,140.00 USD"]  # today: nothing yet
    assert page.locator("#returns-table tbody tr").count() == 41  # 40 days ago through today
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_new_investor_copies_the_deposit_address(live_server, browser, story):
    context, page = sign_in(browser, live_server, "nadia@example.com")

    assert page.locator("#action-verify-email").is_visible()
    assert page.locator("#action-kyc").is_visible()
    field = page.locator("#action-deposit input[readonly]")
    assert field.input_value() == DEPOSIT_ADDRESS
    button = page.locator("#action-deposit button[data-copy-target]")
    assert button.is_visible()
    button.click()
    page.wait_for_function(
        "() => document.querySelector('#action-deposit button[data-copy-target]').textContent === 'Copied'"
    )
    assert page.evaluate("() => navigator.clipboard.readText()") == DEPOSIT_ADDRESS
    assert page.locator("#returns-empty").is_visible()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_screenshots(live_server, browser, story, size, language):
    for who, email in (("history", "layla@example.com"), ("new", "nadia@example.com")):
        context, page = sign_in(browser, live_server, email, size=size, language=language)
        html = page.locator("html")
        assert (html.get_attribute("lang"), html.get_attribute("dir")) == (
            (language, "rtl") if language == "ar" else (language, "ltr")
        )
        if who == "history":
            assert page.locator("#returns-chart").get_attribute("dir") == "ltr"
            page.locator("#returns summary").click()  # the table open in the picture too
        shot(page, f"{who}-{size}-{language}")
        assert overflowing(page) == [], who
        context.close()
