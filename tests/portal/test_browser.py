"""One real browser (Debian's Chromium through Playwright) through the whole sign-up path."""

import pytest

from apps.accounts.models import User
from tests.factories import UserFactory
from tests.portal.conftest import NEW_PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_signup_by_referral_link_then_logout_and_login(live_server, page):
    referrer = UserFactory(email="referrer@example.com")

    page.goto(f"{live_server.url}/r/{referrer.referral_code}/")
    assert page.locator("#id_referral_code").input_value() == referrer.referral_code
    page.fill("#id_email", "Nour@Example.com")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.fill("#id_first_name", "Nour")
    page.click("button:has-text('Create account')")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Hello, Nour"

    page.click("button:has-text('Log out')")
    page.wait_for_url(f"{live_server.url}/login/")
    assert page.locator(".message").inner_text() == "You are logged out."

    page.fill("#id_username", "NOUR@example.com")
    page.fill("#id_password", NEW_PASSWORD)
    page.click("main button:has-text('Log in')")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator(".email").inner_text() == "Nour@example.com"

    user = User.objects.get(email__iexact="NOUR@example.com")
    assert user.email == "Nour@example.com"
    assert user.referred_by == referrer
