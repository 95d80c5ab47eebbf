"""The staff dashboard in a real browser (Debian's Chromium through Playwright): a Finance member
signs in to /admin/ and sees the three charts drawn by Chart.js, the coverage panel and queue
health, with no error in the console; the ledger export page's calendar opens without
``quickElement is not defined``. Pages are saved as ``var/screenshots/admin-dashboard-*.png``
(desktop 1366 px and 390 px wide, English and Arabic) to be looked at."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from apps.accounts import roles
from apps.common.dates import business_date_today
from apps.referrals.models import CommissionRule
from tests.backoffice.dashboard_history import history_build
from tests.backoffice.investor360_history import roles_restore
from tests.factories import DEFAULT_PASSWORD, StaffFactory, SuperuserFactory
from tests.mfa import admin_code_for

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def member(role: str, email: str):
    user = StaffFactory(email=email, first_name=email.split("@")[0].capitalize(), last_name="Staff")
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def story(kyc_storage, settings):
    """The dashboard's hand-built history, ending yesterday (the live server runs on real time)."""
    roles_restore()
    # The flush of the last transactional test took the default commission rule (a data migration's).
    CommissionRule.objects.get_or_create(level=1, defaults={"rate": Decimal("3.0000")})
    finance = member(roles.FINANCE, "farah@bursar.example")
    superuser = SuperuserFactory(email="root@bursar.example", first_name="Rania")
    day0 = business_date_today() - timedelta(days=5)
    return history_build(superuser=superuser, finance=finance, day0=day0)


def sign_in(browser, live_server, email: str, *, size: str = "desktop", language: str = "en"):
    """A signed-in page, and the console errors and uncaught exceptions it collects."""
    context = browser.new_context(locale="en-US", viewport=WIDTHS[size])
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.fill("input[name=otp]", admin_code_for(email))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return context, page, errors


def charts_drawn(page) -> list[dict]:
    """Each canvas with the Chart.js chart on it (its type and how many datasets it draws)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#dashboard-charts canvas.chart')].map((canvas) => {
            const chart = window.Chart && window.Chart.getChart(canvas);
            return {type: chart ? chart.config.type : null, datasets: chart ? chart.data.datasets.length : 0,
                    width: canvas.width, height: canvas.height};
        })"""
    )


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"admin-dashboard-{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_finance_sees_the_charts_and_the_coverage_panel(live_server, browser, story):
    context, page, errors = sign_in(browser, live_server, "farah@bursar.example")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("() => typeof window.Chart") == "function"
    charts = charts_drawn(page)
    assert [(chart["type"], chart["datasets"]) for chart in charts] == [("bar", 2), ("line", 2), ("line", 2)]
    assert all(chart["width"] > 0 and chart["height"] > 0 for chart in charts)
    assert page.locator("#coverage").is_visible()
    assert page.locator("#coverage-horizons [data-ratio]").all_inner_texts() == ["1.10×", "1.08×", "1.03×"]
    assert page.locator("#coverage-30").get_attribute("data-warning") == "true"
    # Deposits and withdrawals: Finance works neither KYC nor support.
    assert page.locator("#queue-health li").count() == 2
    assert "12,300.00 USD" in page.locator("#chart-money").inner_text()

    # The 90-day range: C's first deposit and sign-up come into the charts.
    page.click("#dashboard-charts a:has-text('90 days')")
    page.wait_for_url("**/admin/?range=90")
    page.wait_for_load_state("networkidle")
    assert "13,300.00 USD" in page.locator("#chart-money").inner_text()
    assert len(charts_drawn(page)) == 3
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_ledger_export_calendar_works_without_console_errors(live_server, browser, story):
    context, page, errors = sign_in(browser, live_server, "root@bursar.example")
    page.goto(f"{live_server.url}/admin/wallet/entry/export/")
    page.wait_for_load_state("networkidle")
    assert errors == []  # was: "quickElement is not defined" (DateTimeShortcuts.js without core.js)
    page.click("#calendarlink0")  # the calendar icon of "From business date"
    calendar = page.locator("#calendarbox0")
    assert calendar.is_visible()
    calendar.locator("td a", has_text="1").first.click()  # the first day of the month shown
    assert page.locator("#id_date_from").input_value().endswith("-01")
    assert not calendar.is_visible()
    page.click("#calendarlink1")
    page.locator("#calendarbox1 .calendar-shortcuts a").nth(1).click()  # Yesterday, Today, Tomorrow
    assert page.locator("#id_date_to").input_value() == timezone.localdate().isoformat()
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_screenshots(live_server, browser, story, size, language):
    context, page, errors = sign_in(browser, live_server, "root@bursar.example", size=size, language=language)
    page.wait_for_load_state("networkidle")
    assert len(charts_drawn(page)) == 3
    shot(page, f"{size}-{language}")
    assert no_horizontal_overflow(page)
    assert errors == []
    context.close()
