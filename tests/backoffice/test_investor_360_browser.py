"""The Investor 360 in a real browser (Debian's Chromium through Playwright): a Support member finds
an investor in the users list, opens their 360, reads it, adds a staff note through its dialog and
unlocks the account, which can then sign in. Pages are saved as ``var/screenshots/admin-360-*.png``
(an investor with history and an empty new one, and a withdrawal review page with risk signals
firing; desktop and 390 px; English and Arabic) to be looked at."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from apps.accounts import roles
from apps.accounts.models import StaffNote, UserEvent
from tests.backoffice.investor360_history import build_history, investor, roles_restore
from tests.factories import DEFAULT_PASSWORD, StaffFactory, SuperuserFactory
from tests.mfa import admin_code_for

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def member(role: str, email: str):
    user = StaffFactory(email=email, first_name=email.split("@")[0].capitalize(), last_name="Staff")
    user.groups.add(Group.objects.get(name=role))
    return user


def sign_in(browser, live_server, email: str, *, size: str = "desktop", language: str = "en"):
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


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"admin-360-{name}.png"), full_page=True)


def no_horizontal_overflow(page) -> bool:
    """Nothing sticks out of the page sideways (a wide table scrolls inside its own box)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def story(kyc_storage):
    roles_restore()
    finance = member(roles.FINANCE, "farah@bursar.example")
    history = build_history(
        finance=finance,
        second_finance=member(roles.FINANCE, "omar@bursar.example"),
        support=member(roles.SUPPORT, "sara@bursar.example"),
        kyc_reviewer=member(roles.KYC_REVIEW, "kamal@bursar.example"),
        superuser=SuperuserFactory(email="root@bursar.example"),
    )
    newcomer = investor("newcomer@example.com", first_name="Noor", last_name="Aziz")
    return history, newcomer


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_support_opens_the_360_adds_a_note_and_unlocks_the_account(live_server, browser, story):
    history, _newcomer = story
    amina = history.amina
    context, page = sign_in(browser, live_server, "sara@bursar.example")

    # From the users list, by search, to the investor's 360.
    page.goto(f"{live_server.url}/admin/accounts/user/?q=amina")
    page.click(f"#result_list a[href^='/admin/accounts/user/{amina.pk}/change/']")
    page.wait_for_url(f"{live_server.url}/admin/accounts/user/{amina.pk}/change/**")
    header = page.locator("#investor-360")
    assert "Amina Haddad" in header.inner_text()
    assert "LOCKED OUT" in page.locator("#investor-360-status").inner_text().upper()
    assert page.locator("#investor-360-lockout").is_visible()
    assert page.locator("#user-balances").count() == 0  # Support may not see balances
    for panel in ("kyc-history", "referrals", "notes", "requests", "activity", "threads", "notices"):
        assert page.locator(f"#investor-360-{panel}").is_visible(), panel
    assert page.locator("#investor-360-notes li[data-note]").count() == 2

    # A staff note, through its dialog.
    page.click("#investor-360-note-add")
    page.fill("#dialog textarea[name=body]", "She asked to be unlocked; identity checked by phone.")
    page.click("#dialog button[type=submit]")
    page.wait_for_selector("text=The note was added.")
    assert page.locator("#investor-360-notes li[data-note]").count() == 3
    assert "identity checked by phone" in page.locator("#investor-360-notes li[data-note]").first.inner_text()
    note = StaffNote.objects.get(body__startswith="She asked")
    assert (note.user_id, note.author.email) == (amina.pk, "sara@bursar.example")

    # Unlock: the header action, confirmed in its dialog.
    page.click(f"a[href='/admin/accounts/user/{amina.pk}/unlock_detail/']")
    page.click("#dialog button[type=submit]")
    page.wait_for_selector("text=The account was unlocked: the user can sign in again.")
    assert page.locator("#investor-360-lockout").count() == 0
    event = UserEvent.objects.filter(user=amina, kind=UserEvent.Kind.UNLOCKED).get()
    assert (event.actor.email, event.data) == ("sara@bursar.example", {"failures": 5})
    context.close()

    # The investor signs in again at once.
    context = browser.new_context(locale="en-US")
    investor_page = context.new_page()
    investor_page.goto(f"{live_server.url}/login/")
    investor_page.fill("input[name=username]", amina.email)
    investor_page.fill("input[name=password]", "Another-Horse-43")
    investor_page.click("main button[type=submit]")
    investor_page.wait_for_url(f"{live_server.url}/")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_screenshots(live_server, browser, story, size, language):
    history, newcomer = story
    context, page = sign_in(browser, live_server, "root@bursar.example", size=size, language=language)
    pages = {
        "history": f"/admin/accounts/user/{history.amina.pk}/change/",
        "new": f"/admin/accounts/user/{newcomer.pk}/change/",
        "withdrawal": f"/admin/wallet/withdrawal/{history.pending.pk}/change/",
    }
    for name, url in pages.items():
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        shot(page, f"{name}-{size}-{language}")
        assert no_horizontal_overflow(page), name
    context.close()
