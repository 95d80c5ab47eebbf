"""The messaging center end to end in a real browser (Debian's Chromium through Playwright, with
JavaScript on): an investor opens a ticket with a file in the portal; Support answers from the
admin inbox with a canned reply; the investor sees the unread badge and the answer; then the
investor does a task, Finance approves the proof in the admin, and the reward is on the
investor's statement and balance."""

from decimal import Decimal

import pytest
from django.conf import settings

from apps.accounts import roles
from apps.messaging.models import Attachment, AttachmentAccess, Message, MessageKind, TaskAssignment, Thread
from apps.messaging.services import canned as canned_services
from apps.messaging.services.tasks import task_create
from apps.wallet.models import Account, AccountKind, Entry
from tests.backoffice.test_messaging_browser import member, open_dialog
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.messaging.helpers import png_bytes
from tests.mfa import admin_code_for

DESKTOP = {"width": 1366, "height": 900}


def _signed_in(browser, url: str, email: str):
    """A browser context signed in to the portal (``/login/``) or the admin (``/admin/login/``)."""
    context = browser.new_context(locale="en-US", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(url)
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    if "/admin/" in url:
        page.fill("input[name=otp]", admin_code_for(email))
    page.click("main button[type=submit]" if "/admin/" not in url else "button[type=submit]")
    page.wait_for_load_state()
    return context, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_ticket_is_answered_with_a_canned_reply_and_a_task_reward_reaches_the_statement(
    live_server, browser, kyc_storage
):
    base = live_server.url
    support = member(roles.SUPPORT, "sara@bursar.example")
    finance = member(roles.FINANCE, "farid@bursar.example")
    UserFactory(email="amina@example.com", first_name="Amina", last_name="Haddad")
    canned_services.canned_reply_save(
        staff=support,
        title="Deposit received",
        body_en="Hello {first_name}, we received your deposit ({ticket_number}). "
        "Thank you for choosing {platform_name}.",
    )

    # 1. The investor writes to support from the deposit page's "Contact support", with a file.
    investor_context, investor_page = _signed_in(browser, f"{base}/login/", "amina@example.com")
    investor_page.goto(f"{base}/wallet/deposit/")
    investor_page.click("main a[href='/messages/new/?category=deposit']")
    investor_page.wait_for_url(f"{base}/messages/new/?category=deposit")
    assert investor_page.locator("#id_category").input_value() == "deposit"
    investor_page.fill("#id_subject", "Deposit not credited")
    investor_page.fill("#id_message", "I sent 500 USDT this morning.\nThe receipt is attached.")
    investor_page.set_input_files(
        "#id_attachments", {"name": "receipt.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    investor_page.click("#ticket-form button[type=submit]")
    ticket = Thread.objects.get()
    investor_page.wait_for_url(f"{base}/messages/{ticket.pk}/")
    assert (ticket.status, ticket.category, ticket.investor.email) == ("open", "deposit", "amina@example.com")
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.message.thread) == ("receipt.png", "image/png", ticket)
    assert (kyc_storage / attachment.object_name).read_bytes() == png_bytes()

    # 2. Support finds it in the inbox, opens the file, and answers with the canned reply.
    staff_context, staff_page = _signed_in(browser, f"{base}/admin/login/", "sara@bursar.example")
    staff_page.click("a[href='/admin/messaging/thread/']")
    staff_page.wait_for_url(f"{base}/admin/messaging/thread/")
    staff_page.click(f"#result_list a[href='/admin/messaging/thread/{ticket.pk}/change/']")
    staff_page.wait_for_url(f"{base}/admin/messaging/thread/{ticket.pk}/change/")
    file_link = staff_page.locator("#conversation a[data-attachment]").first.get_attribute("href")
    assert staff_page.request.get(f"{base}{file_link}").body() == png_bytes()
    assert list(AttachmentAccess.objects.values_list("user__email", "via")) == [("sara@bursar.example", "admin")]
    staff_page.select_option("#reply-form select[name=canned]", label="Deposit received")
    staff_page.click("#reply-form button[name=insert]")
    answer = f"Hello Amina, we received your deposit (#{ticket.pk}). Thank you for choosing {settings.PLATFORM_NAME}."
    staff_page.wait_for_function(
        "text => document.querySelector('#reply-form textarea[name=body]').value === text", arg=answer
    )
    staff_page.click("#reply-form button[name=send]")
    staff_page.wait_for_selector("text=Your reply was sent to the investor.")
    reply = Message.objects.get(thread=ticket, sender=support)
    assert (reply.kind, reply.body) == (MessageKind.REPLY, answer)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.response_due_at) == ("waiting_investor", support, None)

    # 3. The investor sees the badge on any page, then the answer; the badge goes.
    investor_page.goto(f"{base}/wallet/")
    assert investor_page.locator("#unread-threads").inner_text() == "1"
    investor_page.click("nav a[href='/messages/']")
    investor_page.wait_for_url(f"{base}/messages/")
    investor_page.click(f"#thread-{ticket.pk} a.thread-subject")
    investor_page.wait_for_url(f"{base}/messages/{ticket.pk}/")
    assert investor_page.locator(".bubble-staff .bubble-body").inner_text() == answer
    assert investor_page.locator("#unread-threads").count() == 0

    # 4. A task for the investor: accepted and proved in the portal.
    task = task_create(
        staff=support,
        title="Follow us on Instagram",
        instructions_en="Follow our account, then send the link to your profile.",
        platform="instagram",
        reward="5.00",
        budget="50.00",
        recipient_id=ticket.investor_id,
    )
    assignment = TaskAssignment.objects.get(task=task)
    investor_page.goto(f"{base}/messages/{assignment.thread_id}/")
    assert investor_page.locator("#task-reward").inner_text() == "5.00 USD"
    investor_page.click("#task-accept")
    investor_page.wait_for_selector("#proof-form")
    investor_page.fill("#id_link", "https://www.instagram.com/amina.haddad/")
    investor_page.click("#proof-form button[type=submit]")
    investor_page.wait_for_selector("#task-submitted")

    # 5. Finance approves the proof from the queue's dialog: paid once, from the task reward expense.
    finance_context, finance_page = _signed_in(browser, f"{base}/admin/login/", "farid@bursar.example")
    finance_page.goto(f"{base}/admin/messaging/taskassignment/")
    open_dialog(finance_page, assignment, "approve")
    finance_page.click("#dialog button[type=submit]")
    finance_page.wait_for_selector("text=The proof was approved")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.reviewed_by, assignment.entry.natural_key) == (
        "approved",
        finance,
        f"task:{assignment.pk}",
    )
    assert Entry.objects.filter(kind="task_reward").count() == 1
    available = Account.objects.get(owner=ticket.investor, kind=AccountKind.AVAILABLE)
    expense = Account.objects.get(owner=None, kind=AccountKind.TASK_REWARD_EXPENSE)
    assert (available.balance, expense.balance) == (Decimal("5.00"), Decimal("-5.00"))

    # 6. The investor's statement shows the reward and the balance after it.
    investor_page.goto(f"{base}/wallet/statement/")
    row = investor_page.locator(f"#posting-{assignment.entry.postings.get(account=available).pk}")
    assert row.locator(".entry-kind").inner_text() == "Task reward"
    assert row.locator(".memo").inner_text() == "Follow us on Instagram"
    assert row.locator(".credit").inner_text() == "5.00 USD"
    for context in (investor_context, staff_context, finance_context):
        context.close()
