"""A real browser on the referrals page: the copy button appears (it needs JavaScript; without it
the link stays a selectable field) and copies the link."""

import pytest
from django.conf import settings

from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.referrals.helpers import make_milestone, referred_users


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_copy_the_referral_link(live_server, page):
    referrer = UserFactory(email="rita@example.com", first_name="Rita")
    referred_users(referrer, 2, first_name="Noor")
    make_milestone(required_referrals=5, reward_amount="100.00")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(f"{live_server.url}/login/?next=/referrals/")
    page.fill("#id_username", referrer.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("main button:has-text('Log in')")
    page.wait_for_url(f"{live_server.url}/referrals/")
    link = page.locator("#referral-link")
    assert link.input_value() == f"{settings.SITE_URL}/r/{referrer.referral_code}/"
    button = page.locator("button[data-copy-target='referral-link']")
    assert button.is_visible()
    button.click()
    page.wait_for_function(
        "document.querySelector(\"[data-copy-target='referral-link']\").textContent.includes('Copied')"
    )
    assert page.evaluate("navigator.clipboard.readText()") == link.input_value()
