"""The admin's top search in a real browser (Debian's Chromium through Playwright): a superuser
clicks the search box at the top of the sidebar, types an investor's email and sees them, types a
deposit's number and sees it, and follows the result to the deposit's page. The open search is
saved as ``var/screenshots/admin-search-*.png`` (desktop and 390 px) to be looked at."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from apps.wallet.services.deposits import deposit_request_create
from tests.factories import DEFAULT_PASSWORD, SuperuserFactory, UserFactory
from tests.mfa import admin_code_for

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
RESULTS = "#command-results-list"


def sign_in(browser, live_server, email: str, *, size: str, language: str):
    context = browser.new_context(locale="en-US", viewport=WIDTHS[size])
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.fill("input[name=otp]", admin_code_for(email))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return context, page


def open_search(page, *, size: str, name: str) -> None:
    """Click the search box at the top of the sidebar (behind the menu button on a phone)."""
    if size == "phone":
        page.locator("[x-on\\:click='sidebarMobileOpen = !sidebarMobileOpen']:visible").first.click()
    box = page.locator("[x-on\\:click=\"$dispatch('opencommand')\"]")
    shot(page, f"box-{name}")
    box.click()
    page.locator("#search-input-command").wait_for(state="visible")


def type_search(page, term: str, *, expect_link: str) -> None:
    field = page.locator("#search-input-command")
    field.fill("")
    field.press_sequentially(term, delay=20)
    page.locator(f"{RESULTS} a[href='{expect_link}']").wait_for(state="visible")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"admin-search-{name}.png"))


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def story(db):
    cache.clear()
    root = SuperuserFactory(email="root@bursar.example")
    grace = UserFactory(email="grace.hopper@example.com", first_name="Grace", last_name="Hopper")
    UserFactory(email="grace.kelly@example.com", first_name="Grace", last_name="Kelly")
    deposit = deposit_request_create(user=grace, amount="1250.00", method="USDT (TRC20)")
    return root, grace, deposit


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("size", "language"), [("desktop", "en"), ("phone", "en"), ("phone", "ar")])
def test_the_top_search_finds_an_investor_and_a_deposit_and_opens_it(live_server, browser, story, size, language):
    root, grace, deposit = story
    name = size if language == "en" else f"{size}-{language}"
    context, page = sign_in(browser, live_server, root.email, size=size, language=language)

    open_search(page, size=size, name=name)
    grace_link = f"/admin/accounts/user/{grace.pk}/change/"
    type_search(page, "grace", expect_link=grace_link)
    listed = page.locator(RESULTS).inner_text()
    assert "grace.hopper@example.com" in listed
    assert "grace.kelly@example.com" in listed
    assert no_horizontal_overflow(page)
    shot(page, f"user-{name}")

    deposit_link = f"/admin/wallet/deposit/{deposit.pk}/change/"
    type_search(page, f"#{deposit.pk}", expect_link=deposit_link)
    result = page.locator(f"{RESULTS} a[href='{deposit_link}']")
    assert f"Deposit #{deposit.pk}" in result.inner_text() or language != "en"
    assert "1,250.00\u00a0USD" in result.inner_text()
    assert no_horizontal_overflow(page)
    shot(page, f"deposit-{name}")

    result.click()
    page.wait_for_url(f"{live_server.url}{deposit_link}")
    assert str(deposit.pk) in page.title()
    context.close()
