"""The messaging admin in a real browser (Debian's Chromium through Playwright), at desktop width
and at 390 px: Support answers a ticket from the inbox with a canned reply (the picker fills the
text in through the page's script), adds a note, and Finance approves a task proof from the
queue's dialog. Every page is saved as ``var/screenshots/admin-messaging-*.png`` to be looked at."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from apps.accounts import roles
from apps.messaging.models import AssignmentStatus, CannedReply, Message, MessageKind, Thread
from apps.messaging.services import announcements as announcement_services
from apps.messaging.services import canned as canned_services
from apps.messaging.services import threads as thread_services
from apps.messaging.services.tasks import assignment_proof_submit, task_create
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.messaging.helpers import upload
from tests.mfa import admin_code_for

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
ROLE_PERMISSIONS = {
    roles.SUPPORT: (
        "accounts.view_user",
        "messaging.view_thread",
        "messaging.add_thread",
        "messaging.handle_thread",
        "messaging.view_attachment_file",
        "messaging.view_attachmentaccess",
        "messaging.view_cannedreply",
        "messaging.add_cannedreply",
        "messaging.change_cannedreply",
        "messaging.view_announcement",
        "messaging.add_announcement",
        "messaging.change_announcement",
        "messaging.send_announcement",
        "messaging.view_task",
        "messaging.add_task",
        "messaging.view_taskassignment",
        "wallet.view_deposit",
        "wallet.view_withdrawal",
        "kyc.view_submission",
    ),
    roles.FINANCE: (
        "accounts.view_user",
        "messaging.view_task",
        "messaging.view_taskassignment",
        "messaging.review_task_proof",
    ),
}


def member(role: str, email: str):
    """A staff member in a role. (A transactional test may run after another emptied the tables,
    roles included: the role is made here if it is missing.)"""
    group, _ = Group.objects.get_or_create(name=role)
    for name in ROLE_PERMISSIONS[role]:
        app_label, codename = name.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    user = StaffFactory(email=email, first_name=email.split("@")[0].capitalize(), last_name="Staff")
    user.groups.add(group)
    return user


def sign_in(browser, live_server, email: str, size: str):
    context = browser.new_context(locale="en-US", viewport=WIDTHS[size])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.fill("input[name=otp]", admin_code_for(email))
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    return context, page


def shot(page, name: str, size: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"admin-messaging-{name}-{size}.png"), full_page=True)


def no_horizontal_overflow(page) -> bool:
    """Nothing sticks out of the page sideways (a wide table scrolls inside its own box)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.fixture
def desk(kyc_storage):
    """A ticket with a file and a note, a direct conversation, a canned reply, a submitted proof
    above the four-eyes threshold and one below it, a draft announcement."""
    support = member(roles.SUPPORT, "sara@bursar.example")
    finance = member(roles.FINANCE, "farid@bursar.example")
    investor = UserFactory(email="amina@example.com", first_name="Amina", last_name="Haddad", country="Jordan")
    ticket = thread_services.thread_open_by_investor(
        investor=investor,
        subject="Deposit not credited",
        category="deposit",
        body="I sent 500 USDT yesterday.\nThe <b>receipt</b> is attached.",
        attachments=[upload("receipt.png")],
    )
    thread_services.thread_note_add(thread_id=ticket.pk, staff=support, body="Checked the chain: 2 confirmations.")
    Thread.objects.filter(pk=ticket.pk).update(response_due_at=timezone.now() - timedelta(hours=3))
    other = UserFactory(email="omar@example.com", first_name="Omar")
    thread_services.thread_open_by_investor(
        investor=other, subject="How do referrals work?", category="referral", body="Where is my code?"
    )
    canned_services.canned_reply_save(
        staff=support,
        title="Deposit received",
        body_en="Hello {first_name}, we received your deposit for {ticket_number}. The {platform_name} team.",
    )
    proofs = []
    for reward, who in (("5.00", "layla@example.com"), ("20000.00", "yusuf@example.com")):
        recipient = UserFactory(email=who)
        task = task_create(
            staff=support,
            title="Follow us on Instagram",
            instructions_en="Follow the account and send the link.",
            platform="instagram",
            reward=reward,
            budget=reward,
            recipient_id=recipient.pk,
        )
        assignment = task.assignments.get()
        proofs.append(
            assignment_proof_submit(assignment_id=assignment.pk, user=recipient, link="https://instagram.com/p/abc")
        )
    announcement_services.announcement_create(
        staff=support,
        title_en="Maintenance on Sunday",
        body_en="The platform is paused from 02:00 to 03:00 UTC.\nDeposits wait until it is back.",
        title_ar="صيانة يوم الأحد",
        body_ar="تتوقف المنصة من الساعة 02:00 إلى 03:00.",
        segment="all",
    )
    return {"support": support, "finance": finance, "ticket": ticket, "proofs": proofs}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_support_answers_with_a_canned_reply_and_finance_approves_a_proof(live_server, browser, desk, size):
    ticket = desk["ticket"]
    context, page = sign_in(browser, live_server, "sara@bursar.example", size)

    # The inbox opens on the threads waiting on staff; the breached ticket comes first, in red.
    page.goto(f"{live_server.url}/admin/messaging/thread/")
    assert page.locator("#inbox-queues a[aria-current=page]").get_attribute("data-queue") == "waiting_staff"
    first = page.locator("#result_list tbody tr").first
    assert "Deposit not credited" in first.inner_text()
    assert first.locator("[data-breached]").count() == 1
    assert no_horizontal_overflow(page) or size == "phone"
    shot(page, "inbox", size)

    # The thread: the note marked as such, the file as a link, the investor beside it.
    page.goto(f"{live_server.url}/admin/messaging/thread/{ticket.pk}/change/")
    assert page.locator("#conversation [data-internal-note]").count() == 1
    assert page.locator("#conversation [data-attachment]").count() == 1
    assert "<b>receipt</b>" in page.locator("#conversation").inner_text()
    assert no_horizontal_overflow(page)
    shot(page, "thread", size)

    # The canned reply is fetched and filled in for Amina, then sent.
    page.select_option("#reply-form select[name=canned]", label="Deposit received")
    page.click("#reply-form button[name=insert]")
    expected = f"Hello Amina, we received your deposit for #{ticket.pk}. The {settings.PLATFORM_NAME} team."
    page.wait_for_function(
        "text => document.querySelector('#reply-form textarea[name=body]').value === text", arg=expected
    )
    page.click("#reply-form button[name=send]")
    page.wait_for_selector("text=Your reply was sent to the investor.")
    reply = Message.objects.filter(thread=ticket, kind=MessageKind.REPLY, sender=desk["support"]).get()
    assert reply.body == expected
    assert page.locator("#conversation [data-side=staff]").count() == 1
    shot(page, "thread-replied", size)

    # A new conversation: the investor is found through the autocomplete.
    page.goto(f"{live_server.url}/admin/messaging/thread/new/")
    shot(page, "new-conversation", size)
    page.click("#new-conversation .select2-selection")
    page.fill(".select2-search__field", "omar")
    page.click(".select2-results__option >> text=omar@example.com")
    page.fill("input[name=subject]", "Your referral code")
    page.fill("textarea[name=body]", "Here it is.")
    page.click("#new-conversation button[type=submit]")
    page.wait_for_selector("text=was opened and the investor was told.")
    assert Thread.objects.filter(subject="Your referral code", investor__email="omar@example.com").exists()

    for name, url in (
        ("task-create", "/admin/messaging/task/add/"),
        ("canned-replies", "/admin/messaging/cannedreply/"),
        ("canned-reply", f"/admin/messaging/cannedreply/{CannedReply.objects.get().pk}/change/"),
        ("announcements", "/admin/messaging/announcement/"),
    ):
        page.goto(f"{live_server.url}{url}")
        assert no_horizontal_overflow(page) or name == "announcements", name
        shot(page, name, size)
    page.click("#result_list a >> text=Maintenance on Sunday")
    page.wait_for_selector("#announcement-preview")
    assert page.locator("[data-preview=ar] article").get_attribute("dir") == "rtl"
    shot(page, "announcement", size)
    context.close()

    # Finance: the proofs queue, oldest first; the four-eyes proof's dialog from its row, then the
    # small proof approved (paid) the same way.
    context, page = sign_in(browser, live_server, "farid@bursar.example", size)
    page.goto(f"{live_server.url}/admin/messaging/taskassignment/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    assert rows.nth(1).locator("[data-outside-link]").get_attribute("rel") == "noopener noreferrer nofollow"
    assert no_horizontal_overflow(page) or size == "phone"
    shot(page, "task-proofs", size)
    small, big = desk["proofs"]
    open_dialog(page, big, "approve")
    page.wait_for_selector("#dialog [data-four-eyes]")
    shot(page, "proof-dialog", size)
    page.click("#dialog button[type=submit]")
    page.wait_for_selector("text=First approval recorded")
    open_dialog(page, small, "approve")
    page.click("#dialog button[type=submit]")
    page.wait_for_selector("text=The proof was approved")
    small.refresh_from_db()
    big.refresh_from_db()
    assert (small.status, small.reviewed_by) == (AssignmentStatus.APPROVED, desk["finance"])
    assert (big.status, big.first_approved_by, big.entry_id) == (AssignmentStatus.SUBMITTED, desk["finance"], None)
    context.close()


def open_dialog(page, assignment, action: str) -> None:
    """The row's "more actions" menu in the queue, then the action's dialog."""
    link = f"a[href='/admin/messaging/taskassignment/{assignment.pk}/{action}/']"
    row = page.locator("#result_list tbody tr").filter(
        has=page.locator(f"a[href='/admin/messaging/taskassignment/{assignment.pk}/change/']")
    )
    row.locator("td.field-actions_holder span.material-symbols-outlined").click()
    page.locator(link).click()
    page.wait_for_selector("#dialog form")
