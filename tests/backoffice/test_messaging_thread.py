"""The thread page: the conversation (investor and staff apart, internal notes marked, text escaped
with its line breaks, files as links to the permission-checked and logged file view), the
investor's context, the task card, the log; reading moves the read pointer; the reply box (canned
replies filled in for the thread, with and without the page's script), the note box, status,
priority, category and assignee; a fixed number of queries; every refusal a message that changes
nothing; each role its part."""

import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.investments.services.positions import investment_open
from apps.kyc.uploads import KycUploadLimitHandler, OversizedUpload
from apps.messaging.models import (
    AttachmentAccess,
    Message,
    MessageKind,
    Notification,
    Thread,
    ThreadEvent,
    ThreadReadState,
    ThreadStatus,
)
from apps.messaging.services import canned as canned_services
from apps.messaging.services import threads as thread_services
from tests.factories import SuperuserFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.messaging.helpers import (
    assignment_submitted,
    finance_staff,
    operations_staff,
    png_bytes,
    support_staff,
    ticket_open,
    upload,
)
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db

USER_AGENT = "Mozilla/5.0 (support test)"


def page_url(thread) -> str:
    return reverse("admin:messaging_thread_change", args=(thread.pk,))


def action_url(thread, action: str) -> str:
    return reverse(f"admin:messaging_thread_{action}", args=(thread.pk,))


def file_url(attachment) -> str:
    return reverse("admin:messaging_attachment_view", args=(attachment.pk,))


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def thread_state(thread) -> tuple:
    thread.refresh_from_db()
    return (thread.status, thread.priority, thread.category, thread.assignee_id, thread.messages.count())


@pytest.fixture
def sara(db):
    return support_staff(email="sara@bursar.example", first_name="Sara")


@pytest.fixture
def amina(db):
    return UserFactory(email="amina@example.com", first_name="Amina", last_name="Haddad", country="Jordan")


@pytest.fixture
def ticket(amina, kyc_storage):
    return ticket_open(
        amina,
        subject="Deposit not credited",
        body="I sent 500 USDT.\n<script>alert(1)</script> <b>urgent</b>",
        attachments=[upload("receipt.png")],
    )


@pytest.fixture
def canned(sara):
    return canned_services.canned_reply_save(
        staff=sara,
        title="Deposit received",
        body_en="Hello {first_name}, about {ticket_number}: received. The {platform_name} team.",
        body_ar="مرحبا {first_name}، بخصوص {ticket_number}.",
    )


# --- the page -------------------------------------------------------------------------------------------


def test_the_conversation_escapes_text_keeps_line_breaks_and_marks_notes(ticket, sara, admin_client_for):
    thread_services.thread_note_add(thread_id=ticket.pk, staff=sara, body="Checked the chain.\n<i>2</i> confirmations")
    response = admin_client_for(sara).get(page_url(ticket))
    assert response.status_code == 200
    rows = response.context["conversation"]
    assert [(row["side"], row["sender"], row["is_new"]) for row in rows] == [
        ("investor", "Amina Haddad", True),
        ("note", "Sara " + sara.last_name, False),
    ]
    html = response.text
    assert "I sent 500 USDT.<br>&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;urgent&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "Checked the chain.<br>&lt;i&gt;2&lt;/i&gt; confirmations" in html
    note = html.split(f'id="message-{rows[1]["message"].pk}"')[1].split("</li>")[0]
    assert 'data-side="note"' in html and "msg-note" in html
    assert "data-internal-note>Internal note</span>" in note
    attachment = rows[0]["message"].attachments.get()
    assert f'<a href="{file_url(attachment)}" target="_blank" rel="noopener noreferrer"' in html
    assert "receipt.png" in html
    assert AttachmentAccess.objects.count() == 0  # the page shows no file itself


def test_reading_the_page_moves_the_read_pointer(ticket, sara, admin_client_for):
    client = admin_client_for(sara)
    assert client.get(page_url(ticket)).context["conversation"][0]["is_new"] is True
    newest = ticket.messages.order_by("-id").first().pk
    assert ThreadReadState.objects.get(thread=ticket, user=sara).last_read_message_id == newest
    assert client.get(page_url(ticket)).context["conversation"][0]["is_new"] is False
    assert "data-new>" not in client.get(page_url(ticket)).text


def test_the_investors_context(ticket, amina, sara, admin_client_for):
    fund(amina, "1000.00", approver=SuperuserFactory())
    plan = make_plan(name="Starter", min_amount="100.00", max_amount="5000.00")
    investment_open(user=amina, plan_id=plan.pk, amount="400.00", terms_accepted=True)
    response = admin_client_for(sara).get(page_url(ticket))
    panel = response.context["investor"]
    currency = settings.PLATFORM_CURRENCY
    assert panel["balances"] == [
        ("available", f"600.00 {currency}"),
        ("held", f"0.00 {currency}"),
        ("invested", f"400.00 {currency}"),
    ]
    assert panel["positions_open"] == 1
    assert [(row["position"].plan.name, row["principal"], row["url"]) for row in panel["positions"]] == [
        ("Starter", f"400.00 {currency}", "")  # Support may not open positions: no link
    ]
    assert [(row["request"].kind, row["amount"], row["url"]) for row in panel["requests"]] == [
        ("deposit", f"1,000.00 {currency}", reverse("admin:wallet_deposit_change", args=(amina.deposits.get().pk,)))
    ]
    assert [title for _icon, title, _url in panel["links"]] == ["Account", "Conversations", "Deposits", "Withdrawals"]
    assert f'data-balance="available">600.00 {currency}</dd>' in response.text
    assert "Not submitted" in response.text
    assert f'href="/admin/messaging/thread/?queue=all&amp;investor__id__exact={amina.pk}"' in response.text


def test_the_log_names_who_did_what(ticket, sara, admin_client_for):
    sam = support_staff(email="sam@bursar.example")
    thread_services.thread_assign(thread_id=ticket.pk, actor=sara, assignee_id=sam.pk)
    thread_services.thread_priority_set(thread_id=ticket.pk, actor=sara, priority="urgent")
    response = admin_client_for(sara).get(page_url(ticket))
    log = [(str(row["title"]), row["detail"], row["actor"]) for row in response.context["events"]]
    assert log == [
        ("Opened", "Deposit", "amina@example.com"),
        ("Assignee changed", "to sam@bursar.example (was nobody)", "sara@bursar.example"),
        ("Priority changed", "Normal → Urgent", "sara@bursar.example"),
    ]


def test_a_task_thread_shows_its_task_card_with_the_proof_as_text(sara, admin_client_for):
    assignment = assignment_submitted(UserFactory(), link="https://instagram.com/p/<x>?a=1&b=2")
    response = admin_client_for(sara).get(page_url(assignment.thread))
    card = response.context["task"]
    assert (card["assignment"].pk, card["reward"]) == (assignment.pk, f"5.00 {settings.PLATFORM_CURRENCY}")
    proof = response.text.split('id="task-proof">')[1].split("</dd>")[0]
    assert 'rel="noopener noreferrer nofollow"' in proof
    assert 'target="_blank"' in proof
    assert ">https://instagram.com/p/&lt;x&gt;?a=1&amp;b=2</a>" in proof
    assert card["review_url"] == reverse("admin:messaging_taskassignment_change", args=(assignment.pk,))
    assert "Proof submitted" in response.text


def test_the_page_takes_a_fixed_number_of_queries(ticket, sara, amina, admin_client_for, kyc_storage):
    client = admin_client_for(sara)
    thread_services.thread_assign(thread_id=ticket.pk, actor=sara, assignee_id=sara.pk)  # the log names someone
    client.get(page_url(ticket))

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(page_url(ticket)).status_code == 200
        return len(context.captured_queries)

    one = queries()
    for index in range(10):
        thread_services.thread_reply(
            thread_id=ticket.pk, author=amina if index % 2 else sara, body=f"message {index}", attachments=[upload()]
        )
        thread_services.thread_note_add(thread_id=ticket.pk, staff=sara, body=f"note {index}")
    thread_services.thread_assign(thread_id=ticket.pk, actor=sara, assignee_id=support_staff().pk)
    assert ticket.messages.count() == 21
    assert ThreadEvent.objects.filter(thread=ticket).count() > 10
    assert queries() == one


# --- replying -------------------------------------------------------------------------------------------


def test_a_reply_goes_to_the_investor_with_its_files(ticket, sara, amina, admin_client_for, kyc_storage):
    client = admin_client_for(sara)
    response = client.post(
        action_url(ticket, "reply"), {"body": "Found it.\nCredited.", "send": "1", "attachments": [upload("ok.png")]}
    )
    assert response.status_code == 302
    assert response["Location"] == page_url(ticket)
    assert messages_of(client.get(page_url(ticket))) == ["Your reply was sent to the investor."]
    reply = ticket.messages.order_by("-id").first()
    assert (reply.sender, reply.kind, reply.body) == (sara, MessageKind.REPLY, "Found it.\nCredited.")
    assert [attachment.name for attachment in reply.attachments.all()] == ["ok.png"]
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assignee, ticket.response_due_at) == (ThreadStatus.WAITING_INVESTOR, sara, None)
    assert Notification.objects.filter(user=amina, kind="support_reply").count() == 1


def test_a_refused_reply_keeps_the_text_and_changes_nothing(ticket, sara, admin_client_for, kyc_storage):
    client = admin_client_for(sara)
    before = thread_state(ticket)
    response = client.post(
        action_url(ticket, "reply"),
        {"body": "Here is the statement", "send": "1", "attachments": [upload("bad.png", b"not an image")]},
    )
    assert response.status_code == 200
    form = response.context["reply_form"]
    assert list(form.errors) == ["attachments"]
    assert form.errors["attachments"][0].startswith("bad.png: ")
    assert "Here is the statement</textarea>" in response.text
    assert messages_of(response) == [form.errors["attachments"][0]]
    assert thread_state(ticket) == before
    response = client.post(action_url(ticket, "reply"), {"body": "  \n ", "send": "1"})
    assert response.context["reply_form"].errors == {"body": ["Write a message."]}
    assert thread_state(ticket) == before


def test_a_too_large_file_is_cut_off_while_it_streams_in(
    ticket, sara, admin_client_for, kyc_storage, settings, monkeypatch
):
    """The upload limit is installed before the body is read: past 1 MB the file stops being
    kept and the service names it; nothing is stored, the text stays in the box."""
    settings.KYC_MAX_UPLOAD_MB = 1
    cut_off = []
    file_complete = KycUploadLimitHandler.file_complete

    def spy(self, file_size):
        result = file_complete(self, file_size)
        cut_off.append(type(result).__name__)
        return result

    monkeypatch.setattr(KycUploadLimitHandler, "file_complete", spy)
    big = upload("scan.png", png_bytes() + b"\x00" * (1536 * 1024))
    files_before = sorted(path.name for path in kyc_storage.rglob("*") if path.is_file())
    before = thread_state(ticket)
    response = admin_client_for(sara).post(
        action_url(ticket, "reply"), {"body": "See the scan", "send": "1", "attachments": [big]}
    )
    assert response.status_code == 200
    assert cut_off == [OversizedUpload.__name__]
    assert response.context["reply_form"].errors == {
        "attachments": ["scan.png: The file is too large: the limit is 1 MB."]
    }
    assert "See the scan</textarea>" in response.text
    assert thread_state(ticket) == before
    assert sorted(path.name for path in kyc_storage.rglob("*") if path.is_file()) == files_before


def test_insert_fills_a_canned_reply_in_without_javascript(ticket, sara, canned, admin_client_for):
    client = admin_client_for(sara)
    response = client.post(action_url(ticket, "reply"), {"canned": canned.pk, "body": "Hi.", "insert": "1"})
    assert response.status_code == 200
    expected = f"Hi.\n\nHello Amina, about #{ticket.pk}: received. The {settings.PLATFORM_NAME} team."
    assert response.context["reply_form"].initial["body"] == expected
    assert f"{expected}</textarea>" in response.text
    assert ticket.messages.count() == 1  # nothing was sent


def test_the_picker_fetches_the_reply_filled_in_for_the_thread(ticket, sara, canned, amina, admin_client_for):
    client = admin_client_for(sara)
    page = client.get(page_url(ticket))
    assert f'<option value="{canned.pk}">Deposit received</option>' in page.text
    assert f'data-canned-url="/admin/messaging/thread/{ticket.pk}/canned/0/"' in page.text
    response = client.get(reverse("admin:messaging_thread_canned", args=(ticket.pk, canned.pk)))
    assert json.loads(response.content) == {
        "text": f"Hello Amina, about #{ticket.pk}: received. The {settings.PLATFORM_NAME} team."
    }
    type(amina).objects.filter(pk=amina.pk).update(language="ar")
    response = client.get(reverse("admin:messaging_thread_canned", args=(ticket.pk, canned.pk)))
    assert json.loads(response.content) == {"text": f"مرحبا Amina، بخصوص #{ticket.pk}."}
    canned_services.canned_reply_save(
        staff=sara, title=canned.title, body_en=canned.body_en, is_active=False, canned_reply=canned
    )
    assert client.get(reverse("admin:messaging_thread_canned", args=(ticket.pk, canned.pk))).status_code == 404
    assert client.get(reverse("admin:messaging_thread_canned", args=(999999, canned.pk))).status_code == 404


def test_a_note_stays_with_staff(ticket, sara, amina, admin_client_for):
    client = admin_client_for(sara)
    before = thread_state(ticket)
    response = client.post(action_url(ticket, "note"), {"note": "Called the bank."})
    assert response["Location"] == page_url(ticket)
    note = ticket.messages.order_by("-id").first()
    assert (note.kind, note.body, note.sender) == (MessageKind.NOTE, "Called the bank.", sara)
    assert thread_state(ticket)[:4] == before[:4]  # no status, assignee or SLA change
    assert not Notification.objects.filter(user=amina, kind="support_reply").exists()
    response = client.post(action_url(ticket, "note"), {"note": " "})
    assert response.context["note_form"].errors == {"note": ["Write a message."]}
    assert ticket.messages.filter(kind=MessageKind.NOTE).count() == 1


def test_status_priority_category_and_assignee(ticket, sara, admin_client_for):
    client = admin_client_for(sara)
    sam = support_staff(email="sam@bursar.example")
    data = {"status": "waiting_staff", "priority": "high", "category": "withdrawal", "assignee": str(sam.pk)}
    response = client.post(action_url(ticket, "properties"), data)
    assert response["Location"] == page_url(ticket)
    assert messages_of(client.get(page_url(ticket))) == ["The thread was updated."]
    assert thread_state(ticket)[:4] == ("waiting_staff", "high", "withdrawal", sam.pk)
    kinds = list(ThreadEvent.objects.filter(thread=ticket, actor=sara).values_list("kind", flat=True))
    assert sorted(kinds) == ["assigned", "category_changed", "priority_changed", "status_changed"]
    # "Assign to me" posts only the assignee.
    client.post(action_url(ticket, "properties"), {"assignee": str(sara.pk)})
    assert thread_state(ticket)[3] == sara.pk
    assert "Assign to me" not in client.get(page_url(ticket)).text


def test_a_refused_change_is_a_message(ticket, sara, amina, admin_client_for):
    client = admin_client_for(sara)
    before = thread_state(ticket)
    for data, message in (
        ({"assignee": str(amina.pk)}, "Choose a staff member who handles support threads."),
        ({"assignee": str(finance_staff().pk)}, "Choose a staff member who handles support threads."),
        ({"status": "lost"}, "Choose a status."),
    ):
        response = client.post(action_url(ticket, "properties"), data)
        assert response.status_code == 302
        assert messages_of(client.get(page_url(ticket))) == [message]
    assert thread_state(ticket) == before
    assert client.post(action_url(ticket, "properties"), {}).status_code == 302
    assert messages_of(client.get(page_url(ticket))) == ["Nothing was changed."]


# --- the file view ----------------------------------------------------------------------------------------


def test_a_file_is_streamed_privately_and_each_look_is_logged(ticket, sara, kyc_storage, admin_client_for):
    attachment = ticket.messages.get().attachments.get()
    client = admin_client_for(sara)
    response = client.get(file_url(attachment), HTTP_USER_AGENT=USER_AGENT)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (kyc_storage / attachment.object_name).read_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="receipt.png"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert list(
        AttachmentAccess.objects.values_list("attachment_id", "user_id", "ip_address", "user_agent", "via")
    ) == [(attachment.pk, sara.pk, "127.0.0.1", USER_AGENT, "admin")]


def test_file_view_refusals_log_nothing(ticket, kyc_storage, admin_client_for, unchanged_db):
    attachment = ticket.messages.get().attachments.get()
    finance, operations = admin_client_for(finance_staff()), admin_client_for(operations_staff())
    support, investor = admin_client_for(support_staff()), admin_client_for(ticket.investor)
    with unchanged_db():
        assert finance.get(file_url(attachment)).status_code == 403
        assert operations.get(file_url(attachment)).status_code == 403
        assert support.get("/admin/messaging/thread/attachment/999999/").status_code == 404
        response = investor.get(file_url(attachment))
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_a_file_missing_from_storage_is_a_404(ticket, sara, kyc_storage, admin_client_for):
    attachment = ticket.messages.get().attachments.get()
    (kyc_storage / attachment.object_name).unlink()
    assert admin_client_for(sara).get(file_url(attachment)).status_code == 404


# --- who may do what ------------------------------------------------------------------------------------------


def test_operations_read_the_thread_but_cannot_write(ticket, admin_client_for, canned, unchanged_db):
    client = admin_client_for(operations_staff())
    response = client.get(page_url(ticket))
    assert response.status_code == 200
    assert response.context["can_handle"] is False
    attachment = ticket.messages.get().attachments.get()
    assert f'data-attachment-locked="{attachment.pk}"' in response.text  # named, not linked
    assert file_url(attachment) not in response.text
    assert 'id="reply-form"' not in response.text
    assert 'id="properties-form"' not in response.text
    with unchanged_db():
        assert client.post(action_url(ticket, "reply"), {"body": "Hi", "send": "1"}).status_code == 403
        assert client.post(action_url(ticket, "note"), {"note": "Hi"}).status_code == 403
        assert client.post(action_url(ticket, "properties"), {"status": "closed"}).status_code == 403
        assert client.get(reverse("admin:messaging_thread_canned", args=(ticket.pk, canned.pk))).status_code == 403


def test_finance_and_plain_staff_cannot_see_threads(ticket, admin_client_for, unchanged_db, staff):
    clients = [admin_client_for(finance_staff()), admin_client_for(staff)]
    with unchanged_db():
        for client in clients:
            assert client.get("/admin/messaging/thread/").status_code == 403
            assert client.get(page_url(ticket)).status_code == 403
            assert client.post(action_url(ticket, "reply"), {"body": "Hi", "send": "1"}).status_code == 403
    assert Message.objects.count() == 1


def test_a_missing_thread_is_a_404(sara, admin_client_for):
    client = admin_client_for(sara)
    assert client.get("/admin/messaging/thread/999999/change/").status_code == 404
    assert client.post("/admin/messaging/thread/999999/note/", {"note": "x"}).status_code == 404
    assert Thread.objects.count() == 0
