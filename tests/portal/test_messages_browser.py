"""A real browser (Debian's Chromium through Playwright) with JavaScript switched off, on a phone-
sized screen: the folded menu opens with its unread counts, the investor writes to support with a
file, sees the staff answer and its count, and accepts a task; on a wide screen the menu is a row
of links with no toggle."""

import pytest

from apps.messaging.models import AssignmentStatus, Message, Thread
from apps.messaging.services import threads as thread_services
from tests.factories import DEFAULT_PASSWORD, SuperuserFactory, UserFactory
from tests.messaging.helpers import png_bytes, task_for

PHONE = {"width": 390, "height": 844}


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_without_javascript_the_menu_opens_and_a_ticket_gets_its_answer(live_server, browser, kyc_storage):
    UserFactory(email="layla@example.com", first_name="Layla")
    # a superuser answers: roles are data-migration rows, gone after an earlier transactional test
    sara = SuperuserFactory(first_name="Sara", email="sara@bursar.example")
    context = browser.new_context(locale="en-US", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    base = live_server.url
    _sign_in(page, base, "layla@example.com")

    # The menu is folded: one row with the brand and the toggle.
    messages_link = page.locator("nav a[href='/messages/']")
    assert not messages_link.is_visible()
    toggle = page.locator("label.menu-button")
    assert toggle.inner_text() == "Main menu"
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 80
    toggle.click()
    assert messages_link.is_visible()
    assert page.locator("nav a[href='/wallet/']").is_visible()
    assert page.locator(".language-switch").is_visible()
    messages_link.click()
    page.wait_for_url(f"{base}/messages/")
    assert page.locator("#messages-empty h2").inner_text() == "No messages yet"

    # A new message with a file.
    page.click("main a:has-text('New message')")
    page.wait_for_url(f"{base}/messages/new/")
    page.select_option("#id_category", "deposit")
    page.fill("#id_subject", "Deposit not credited")
    page.fill("#id_message", "I sent 500 USDT.\nHere is the receipt.")
    page.set_input_files("#id_attachments", {"name": "receipt.png", "mimeType": "image/png", "buffer": png_bytes()})
    page.click("#ticket-form button[type=submit]")
    thread = Thread.objects.get()
    page.wait_for_url(f"{base}/messages/{thread.pk}/")
    assert page.locator(".message").inner_text() == (
        f"Your message #{thread.pk} was sent. We will answer here and let you know."
    )
    assert page.locator(".bubble-mine .bubble-body").inner_text() == "I sent 500 USDT.\nHere is the receipt."
    assert page.locator(".bubble-mine .attachment").inner_text().endswith("receipt.png")
    file_url = page.locator(".bubble-mine .attachment").get_attribute("href")
    assert (
        page.request.get(f"{base}{file_url}").body()
        == (kyc_storage / Message.objects.get().attachments.get().object_name).read_bytes()
    )

    # Staff answer; the folded menu shows that something is new, and the link its count.
    thread_services.thread_reply(thread_id=thread.pk, author=sara, body="We found it. It is credited.")
    page.goto(f"{base}/wallet/")
    assert page.locator("label.menu-button .count").inner_text() == "2"  # the answer and its notice
    page.locator("label.menu-button").click()
    assert page.locator("#unread-threads").inner_text() == "1"
    assert page.locator("#unread-notices").inner_text() == "1"
    page.locator("nav a[href='/messages/']").click()
    page.wait_for_url(f"{base}/messages/")
    page.click(f"#thread-{thread.pk} a.thread-subject")
    page.wait_for_url(f"{base}/messages/{thread.pk}/")
    assert page.locator(".bubble-staff .bubble-author").inner_text() == "Bursar support · Sara"
    assert page.locator(".bubble-staff .badge-new").inner_text() == "New"
    assert page.locator("#unread-threads").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") == PHONE["width"]
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_task_is_accepted_and_proved_without_javascript(live_server, browser):
    investor = UserFactory(email="omar@example.com")
    task = task_for(investor, staff=SuperuserFactory(), reward="5.00")
    assignment = task.assignments.get()
    context = browser.new_context(locale="en-US", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    base = live_server.url
    _sign_in(page, base, "omar@example.com")
    page.goto(f"{base}/messages/{assignment.thread_id}/")
    assert page.locator("#task-reward").inner_text() == "5.00 USD"
    page.click("#task-accept")
    page.wait_for_url(f"{base}/messages/{assignment.thread_id}/#task")
    page.fill("#id_link", "ftp://nope")
    page.click("#proof-form button[type=submit]")
    assert page.locator("#proof-form .field-errors").inner_text() == (
        "Enter a web address starting with http:// or https://."
    )
    page.fill("#id_link", "https://instagram.com/omar")
    page.click("#proof-form button[type=submit]")
    page.wait_for_url(f"{base}/messages/{assignment.thread_id}/#task")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED
    assert page.locator("#task-submitted").is_visible()
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en", "ar"])
def test_on_a_wide_screen_the_menu_is_one_row_of_links(live_server, browser, language):
    UserFactory(email="wide@example.com")
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15000)
    _sign_in(page, live_server.url, "wide@example.com")
    assert not page.locator("label.menu-button").is_visible()
    tops = page.eval_on_selector_all(".nav > *", "items => items.map(item => item.getBoundingClientRect().top)")
    assert len(tops) == 11  # Dashboard, Plans, …
    assert max(tops) - min(tops) < 4  # one line
    assert page.evaluate("document.documentElement.scrollWidth") == 1280
    context.close()
