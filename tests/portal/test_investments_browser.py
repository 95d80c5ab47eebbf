"""One real browser (Debian's Chromium through Playwright) through buying a plan: a funded investor
signs in, opens the plans, previews an amount, ticks the terms, confirms, and lands on the new
position with its schedule; a second purchase under the same disclosure asks for no tick."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation

from apps.common.dates import business_date_today
from apps.investments.models import Position, RiskDisclosureAcceptance
from apps.investments.services.positions import investment_open
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import balances, fund


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_funded_investor_buys_a_plan_and_sees_its_schedule(live_server, page):
    staff = StaffFactory()
    investor = UserFactory(email="omar@example.com")
    fund(investor, "15000.00", approver=staff)
    plan = make_plan(actor=staff)  # 5% a day for 60 days, 5,000 to 20,000, capital back

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "omar@example.com")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("main button:has-text('Log in')")
    page.wait_for_url(f"{live_server.url}/")
    page.click("nav >> text=Plans")
    page.wait_for_url(f"{live_server.url}/plans/")
    assert page.locator(f"#plan-{plan.pk} h2").inner_text() == "Professional"
    page.click(f"#plan-{plan.pk} a:has-text('Invest')")
    page.wait_for_url(f"{live_server.url}/plans/{plan.pk}/invest/")

    # Step 1: the amount, previewed before anything happens.
    page.fill("#id_amount", "10000.00")
    page.click("main button:has-text('Preview')")
    page.wait_for_url(f"{live_server.url}/plans/{plan.pk}/invest/?amount=10000.00")
    assert page.locator("#preview-daily").inner_text() == "500.00 USD"
    assert page.locator("#preview-total").inner_text() == "30,000.00 USD"
    assert page.locator("#preview-at-maturity").inner_text() == "10,000.00 USD"
    assert "You can lose money." in page.locator("#risk-disclosure").inner_text()
    assert Position.objects.count() == 0

    # Step 2: confirming without ticking the box is refused; the preview stays on the page.
    page.click("main button:has-text('Confirm and invest')")
    page.wait_for_selector("#id_accept_terms_error")
    assert page.locator("#id_accept_terms_error").inner_text() == "Read and accept the plan's terms and risks first."
    assert page.locator("#preview-daily").inner_text() == "500.00 USD"
    assert Position.objects.count() == 0
    page.check("#id_accept_terms")
    page.click("main button:has-text('Confirm and invest')")
    position = Position.objects.get()
    page.wait_for_url(f"{live_server.url}/investments/{position.pk}/")
    assert balances(investor) == (Decimal("5000.00"), Decimal("0.00"), Decimal("10000.00"))

    first_day = business_date_today() + timedelta(days=1)
    with translation.override("en"):
        first_day_text = formats.date_format(first_day, "DATE_FORMAT")
    assert page.locator(".message").inner_text().startswith("You invested 10,000.00 USD in Professional.")
    assert page.locator("#position-principal").inner_text() == "10,000.00 USD"
    assert "You can lose money." in page.locator("#accepted-risk").inner_text()
    assert page.locator("#schedule thead").inner_text().split("\t")[2] == "AMOUNT (USD)"
    first_row = page.locator("#schedule tbody tr").first
    assert first_row.locator("time").get_attribute("datetime") == first_day.isoformat()
    assert first_row.locator("time").inner_text() == first_day_text
    assert first_row.locator(".amount").inner_text() == "500.00"
    assert first_row.locator(".badge").inner_text() == "Upcoming"
    assert page.locator("#schedule tbody tr").count() == 60

    page.click("nav >> text=Investments")
    page.wait_for_url(f"{live_server.url}/investments/")
    assert page.locator(f"#position-{position.pk} .position-link").inner_text() == "Professional"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_second_purchase_under_the_same_disclosure_asks_for_no_tick(live_server, page):
    staff = StaffFactory()
    investor = UserFactory(email="lina@example.com")
    fund(investor, "15000.00", approver=staff)
    plan = make_plan(actor=staff)
    investment_open(user=investor, plan_id=plan.pk, amount="5000.00", terms_accepted=True)
    accepted_on = RiskDisclosureAcceptance.objects.get().accepted_at
    with translation.override("en"):
        accepted_text = formats.date_format(timezone.localtime(accepted_on), "DATE_FORMAT")

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "lina@example.com")
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("main button:has-text('Log in')")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/plans/{plan.pk}/invest/?amount=5000.00")

    assert page.locator("#risk-accepted").inner_text() == (
        f"You accepted this plan's risk disclosure on {accepted_text}."
    )
    assert page.locator("#id_accept_terms").count() == 0
    assert "You can lose money." not in page.locator("#risk-disclosure").inner_text()
    page.click("main button:has-text('Confirm and invest')")
    page.wait_for_url(f"{live_server.url}/investments/*/")
    assert Position.objects.filter(user=investor).count() == 2
    assert RiskDisclosureAcceptance.objects.count() == 1
    assert balances(investor) == (Decimal("5000.00"), Decimal("0.00"), Decimal("10000.00"))
