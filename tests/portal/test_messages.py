"""The investor's messages in the portal: the list, a new message to support (through the real
multipart path, with files on the private storage), a conversation with its reply form, and the
logged attachment view. Every refusal is a form error on the right field, HTTP 200 (never 500),
and changes nothing (database and private folder); another investor's conversation or file is a
404; internal notes and staff emails never reach the page."""

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from apps.messaging.models import (
    Attachment,
    AttachmentAccess,
    Message,
    MessageKind,
    Thread,
    ThreadReadState,
    ThreadStatus,
)
from apps.messaging.selectors import investor_unread_thread_count
from apps.messaging.services import threads as thread_services
from tests.factories import UserFactory
from tests.messaging.helpers import jpeg_bytes, pdf_bytes, support_staff, task_for, ticket_open, upload
from tests.portal.conftest import HEADER_QUERIES, form_errors, messages_of

pytestmark = pytest.mark.django_db

LIST = "/messages/"
NEW = "/messages/new/"
THROTTLED = "You have sent many messages in the last hour. Please wait a little before writing again."


def _client(user, language: str = "en", **kwargs) -> Client:
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def _stored(folder) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def _when(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _ticket_data(**overrides) -> dict:
    """A valid new message; an override of ``None`` leaves that field out."""
    data = {"subject": "  Deposit   not credited ", "category": "deposit", "message": "I sent 500 USDT.\nWhere is it?"}
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def sara(db):
    return support_staff(first_name="Sara", last_name="Khalil", email="sara.khalil@bursar.example")


# --- who may see what ---------------------------------------------------------------------------


def test_url_names():
    assert reverse("portal:messages") == LIST
    assert reverse("portal:message_new") == NEW
    assert reverse("portal:thread", kwargs={"thread_id": 7}) == "/messages/7/"
    assert reverse("portal:message_attachment", kwargs={"attachment_id": 7}) == "/messages/attachments/7/"


@pytest.mark.parametrize("url", [LIST, NEW, "/messages/1/", "/messages/attachments/1/"])
def test_anonymous_visitor_is_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:login')}?next={url}"


def test_anonymous_post_stores_nothing(client, kyc_storage, unchanged_db):
    with unchanged_db():
        response = client.post(NEW, _ticket_data(attachments=[upload()]))
    assert response["Location"] == f"{reverse('portal:login')}?next={NEW}"
    assert _stored(kyc_storage) == []


@pytest.mark.parametrize("url", [LIST, NEW])
def test_staff_are_sent_to_the_admin_inbox(staff, url):
    html = _client(staff).get(url).content.decode()
    assert '<section class="card notice-card" id="messages-staff">' in html
    assert "Staff answer investors from the support inbox of the admin, not from the portal." in html
    assert 'id="ticket-form"' not in html


def test_staff_cannot_write_from_the_portal(staff, investor, kyc_storage, unchanged_db):
    thread = ticket_open(investor)
    client = _client(staff)
    with unchanged_db():
        assert "messages-staff" in client.post(NEW, _ticket_data()).content.decode()
        assert "messages-staff" in client.post(f"/messages/{thread.pk}/", {"message": "Hi"}).content.decode()
    assert _stored(kyc_storage) == []


def test_another_investors_conversation_is_a_404_and_a_reply_to_it_stores_nothing(investor, kyc_storage, unchanged_db):
    thread = ticket_open(UserFactory(), subject="Someone else's money")
    client = _client(investor)
    assert client.get(f"/messages/{thread.pk}/").status_code == 404
    assert client.get("/messages/999999/").status_code == 404
    with unchanged_db():
        response = client.post(f"/messages/{thread.pk}/", {"message": "Let me in", "attachments": [upload()]})
        assert response.status_code == 404
        assert client.post(f"/messages/{thread.pk}/", {"message": ""}).status_code == 404
    assert _stored(kyc_storage) == []


# --- the list -------------------------------------------------------------------------------------


def test_empty_list_says_what_support_can_help_with(investor):
    html = _client(investor).get(LIST).content.decode()
    assert "<title>Messages · Bursar</title>" in html
    assert '<a class="button" href="/messages/new/" id="new-message">New message</a>' in html
    assert '<div class="empty-state" id="messages-empty">' in html
    assert "a deposit that is not credited yet, or a withdrawal that is late;" in html
    assert "your identity check (KYC), your referrals, or your profile." in html
    assert '<a href="/messages/" aria-current="page">Messages</a>' in html


def test_list_shows_unread_first_with_the_count_status_in_words_and_last_activity(investor, sara):
    answered = ticket_open(investor, subject="Deposit not credited", category="deposit")
    waiting = ticket_open(investor, subject="Withdrawal is late", category="withdrawal")
    thread_services.thread_reply(thread_id=answered.pk, author=sara, body="We found it.")
    thread_services.thread_reply(thread_id=answered.pk, author=sara, body="It is credited now.")
    answered.refresh_from_db()
    waiting.refresh_from_db()
    html = _client(investor).get(LIST).content.decode()

    assert html.index(f'id="thread-{answered.pk}"') < html.index(f'id="thread-{waiting.pk}"')
    assert f'<li class="thread-row thread-unread" id="thread-{answered.pk}">' in html
    assert (
        f'<a class="thread-subject" href="/messages/{answered.pk}/"><bdi>Deposit not credited</bdi></a> '
        '<span class="count">2<span class="visually-hidden"> new messages</span></span>'
    ) in html
    assert f'Deposit · <span dir="ltr">#{answered.pk}</span>' in html
    assert '<span class="badge badge-action">Waiting for your reply</span>' in html
    assert f'<time class="thread-time" datetime="{answered.last_message_at.isoformat()}">' in html
    assert _when(answered.last_message_at) in html

    assert f'<li class="thread-row" id="thread-{waiting.pk}">' in html
    assert f'Withdrawal · <span dir="ltr">#{waiting.pk}</span>' in html
    assert '<span class="badge badge-status-pending">Waiting for support</span>' in html


def test_list_shows_tasks_with_their_reward_and_never_another_investors_threads(investor, sara):
    task = task_for(investor, staff=sara, reward="1250.00", title="Follow us on Instagram")
    ticket_open(UserFactory(), subject="Someone else's money")
    html = _client(investor).get(LIST).content.decode()
    thread = Thread.objects.get(investor=investor)
    assert thread.task_assignment.task == task
    assert f'<li class="thread-row thread-unread" id="thread-{thread.pk}">' in html
    assert 'Task · Instagram · reward <span class="amount">1,250.00 USD</span>' in html
    assert '<span class="badge badge-action">New task: accept or decline</span>' in html
    assert "Someone else" not in html


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (ThreadStatus.OPEN, '<span class="badge badge-status-pending">Waiting for support</span>'),
        (ThreadStatus.WAITING_STAFF, '<span class="badge badge-status-pending">Waiting for support</span>'),
        (ThreadStatus.WAITING_INVESTOR, '<span class="badge badge-action">Waiting for your reply</span>'),
        (ThreadStatus.RESOLVED, '<span class="badge badge-status-approved">Resolved</span>'),
        (ThreadStatus.CLOSED, '<span class="badge">Closed</span>'),
    ],
)
def test_each_status_reads_in_words(investor, sara, status, words):
    thread = ticket_open(investor)
    thread_services.thread_status_set(thread_id=thread.pk, actor=sara, status=status)
    assert words in _client(investor).get(LIST).content.decode()


def test_list_costs_the_same_queries_for_2_or_12_threads(investor, sara, django_assert_num_queries):
    def add(count):
        for number in range(count):
            thread = ticket_open(investor, subject=f"Question {number}")
            thread_services.thread_reply(thread_id=thread.pk, author=sara, body="An answer.")
        task_for(investor, staff=sara, title=f"Task {count}")

    client = _client(investor)
    add(1)
    with django_assert_num_queries(4 + HEADER_QUERIES):  # session, user, count, page (with tasks); the header
        client.get(LIST)
    add(10)
    with django_assert_num_queries(4 + HEADER_QUERIES):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 13


# --- a new message --------------------------------------------------------------------------------


def test_new_message_form_with_the_topic_preset_by_the_link(investor, settings):
    settings.KYC_MAX_UPLOAD_MB = 2
    html = _client(investor).get(NEW + "?category=withdrawal").content.decode()
    assert "<title>New message · Bursar</title>" in html
    assert (
        '<form method="post" action="/messages/new/" enctype="multipart/form-data" novalidate id="ticket-form">' in html
    )
    assert '<option value="withdrawal" selected>Withdrawal</option>' in html
    assert '<option value="kyc">Identity (KYC)</option>' in html
    assert 'name="subject" maxlength="200"' in html
    assert 'name="message" cols="40" rows="6" maxlength="5000"' in html
    assert 'type="file" name="attachments" accept="image/jpeg,image/png,application/pdf" multiple' in html
    assert "Up to 3 files: JPEG, PNG or PDF, up to 2 MB each." in html
    assert "Never send your password." in html


@pytest.mark.parametrize(
    ("query", "selected"), [("", "other"), ("?category=nonsense", "other"), ("?category=kyc", "kyc")]
)
def test_an_unknown_or_missing_topic_starts_on_other(investor, query, selected):
    html = _client(investor).get(NEW + query).content.decode()
    assert html.count(" selected>") == 1
    assert f'<option value="{selected}" selected>' in html


def test_a_new_message_opens_a_ticket_with_its_files_on_the_private_storage(investor, kyc_storage):
    files = [upload("receipt.png"), upload("statement.pdf", pdf_bytes(), "application/pdf")]
    client = _client(investor)
    response = client.post(NEW, _ticket_data(attachments=files))
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{thread.pk}/"
    assert (thread.investor, thread.subject, thread.category, thread.status) == (
        investor,
        "Deposit not credited",
        "deposit",
        ThreadStatus.OPEN,
    )
    message = Message.objects.get()
    assert (message.sender, message.kind, message.body) == (
        investor,
        MessageKind.REPLY,
        "I sent 500 USDT.\nWhere is it?",
    )
    attachments = list(message.attachments.order_by("id"))
    assert [(file.name, file.content_type) for file in attachments] == [
        ("receipt.png", "image/png"),
        ("statement.pdf", "application/pdf"),
    ]
    assert _stored(kyc_storage) == sorted(file.object_name for file in attachments)
    assert all(file.object_name.startswith("messages/") for file in attachments)
    assert (kyc_storage / attachments[1].object_name).read_bytes() == pdf_bytes()
    page = client.get(response["Location"])
    assert messages_of(page) == [f"Your message #{thread.pk} was sent. We will answer here and let you know."]


def _big_png(size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\0" * (size - 8)


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"subject": "   "}, {"subject": ["Enter a subject."]}),
        ({"subject": None}, {"subject": ["Enter a subject."]}),
        ({"subject": "x" * 201}, {"subject": ["The subject is too long (at most 200 characters)."]}),
        ({"message": " \n "}, {"message": ["Write a message."]}),
        ({"message": "x" * 5001}, {"message": ["The message is too long (at most 5000 characters)."]}),
        ({"category": "lottery"}, {"category": ["Choose a category."]}),
        ({"subject": "", "message": ""}, {"subject": ["Enter a subject."], "message": ["Write a message."]}),
        ({"attachments": [upload(f"f{n}.png") for n in range(4)]}, {"attachments": ["Attach at most 3 files."]}),
        (
            {"attachments": [upload("notes.txt", b"just text", "text/plain")]},
            {"attachments": ["notes.txt: Upload a JPEG, PNG or PDF file."]},
        ),
        (
            {"attachments": [upload("big.png", _big_png(1024 * 1024 + 1))]},
            {"attachments": ["big.png: The file is too large: the limit is 1 MB."]},
        ),
        (
            {"subject": "", "attachments": [upload("a.txt", b"a", "text/plain"), upload("b.txt", b"b", "text/plain")]},
            {
                "subject": ["Enter a subject."],
                "attachments": ["a.txt: Upload a JPEG, PNG or PDF file.", "b.txt: Upload a JPEG, PNG or PDF file."],
            },
        ),
    ],
)
def test_every_refusal_is_a_form_error_and_stores_nothing(
    investor, kyc_storage, unchanged_db, settings, overrides, errors
):
    settings.KYC_MAX_UPLOAD_MB = 1
    client = _client(investor)
    with unchanged_db():
        response = client.post(NEW, _ticket_data(**overrides))
    assert response.status_code == 200
    assert form_errors(response) == errors
    assert _stored(kyc_storage) == []
    html = response.content.decode()
    assert "Please correct the errors below." in html
    assert ('id="files-again"' in html) is bool(overrides.get("attachments"))


def test_what_was_typed_is_kept_after_a_refusal(investor, kyc_storage):
    response = _client(investor).post(NEW, _ticket_data(subject="", message="Line one <b>bold</b>"))
    html = response.content.decode()
    assert '<option value="deposit" selected>Deposit</option>' in html
    assert "Line one &lt;b&gt;bold&lt;/b&gt;</textarea>" in html


def test_sending_is_throttled_per_investor(investor, kyc_storage, unchanged_db, runtime_config):
    runtime_config(MESSAGE_SEND_LIMIT_PER_HOUR=1)
    ticket_open(investor)
    client = _client(investor)
    with unchanged_db():
        response = client.post(NEW, _ticket_data(attachments=[upload()]))
    assert response.status_code == 200
    assert form_errors(response) == {"__all__": [THROTTLED]}
    assert len(_stored(kyc_storage)) == 0
    assert f"<p>{THROTTLED}</p>" in response.content.decode()


def test_csrf_is_enforced_although_the_upload_limit_is_installed_first(investor, kyc_storage, unchanged_db):
    client = _client(investor, enforce_csrf_checks=True)
    with unchanged_db():
        assert client.post(NEW, _ticket_data(attachments=[upload()])).status_code == 403
    assert _stored(kyc_storage) == []
    client.get(NEW)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(NEW, _ticket_data(csrfmiddlewaretoken=token))
    assert response.status_code == 302
    assert Thread.objects.count() == 1


# --- a conversation -------------------------------------------------------------------------------


@pytest.fixture
def conversation(investor, sara, kyc_storage):
    """A ticket with a file, a staff answer with a file, and an internal note."""
    thread = ticket_open(
        investor,
        subject="Deposit <not> credited",
        body="First line\n<script>alert('x')</script>",
        attachments=[upload("receipt.png")],
    )
    thread_services.thread_reply(
        thread_id=thread.pk,
        author=sara,
        body="We found it.\nIt is credited.",
        attachments=[upload("proof.jpg", jpeg_bytes(), "image/jpeg")],
    )
    thread_services.thread_note_add(thread_id=thread.pk, staff=sara, body="Internal: investor is a VIP")
    thread.refresh_from_db()
    return thread


def test_the_owner_sees_the_conversation_escaped_with_files_and_support_named_without_email(investor, conversation):
    messages = list(conversation.messages.order_by("id"))
    mine, answer = messages[0], messages[1]
    mine_file, answer_file = mine.attachments.get(), answer.attachments.get()
    html = _client(investor).get(f"/messages/{conversation.pk}/").content.decode()

    assert "<title>Deposit &lt;not&gt; credited · Bursar</title>" in html
    assert "<h1><bdi>Deposit &lt;not&gt; credited</bdi></h1>" in html
    assert '<span class="badge badge-action">Waiting for your reply</span>' in html
    assert f'<li class="bubble bubble-mine" id="message-{mine.pk}">' in html
    assert '<span class="bubble-author">You</span>' in html
    assert (
        '<div class="bubble-body" dir="auto">First line<br>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;</div>'
        in html
    )
    assert f'<li class="bubble bubble-staff" id="message-{answer.pk}">' in html
    assert '<span class="bubble-author">Bursar support · <bdi>Sara</bdi></span>' in html
    assert '<div class="bubble-body" dir="auto">We found it.<br>It is credited.</div>' in html
    assert '<span class="badge badge-new">New</span>' in html
    assert (
        f'<a href="/messages/attachments/{mine_file.pk}/" class="attachment" id="attachment-{mine_file.pk}">'
        '<span class="attachment-icon" aria-hidden="true">▣</span><bdi>receipt.png</bdi></a>'
    ) in html
    assert f'href="/messages/attachments/{answer_file.pk}/"' in html
    assert f"JPEG, {filesizeformat(answer_file.size)}</span>" in html
    # never the staff member's email or surname, never the internal note
    assert "sara.khalil" not in html
    assert "Khalil" not in html
    assert "VIP" not in html
    assert "Internal" not in html
    reply_form = f'action="/messages/{conversation.pk}/" enctype="multipart/form-data" novalidate class="reply-form"'
    assert reply_form in html


def test_opening_the_conversation_marks_it_read(investor, conversation):
    assert investor_unread_thread_count(user=investor) == 1
    client = _client(investor)
    client.get(f"/messages/{conversation.pk}/")
    assert investor_unread_thread_count(user=investor) == 0
    html = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "badge-new" not in html


def test_a_reply_with_a_file_is_sent_and_waits_for_staff(investor, conversation, kyc_storage):
    before = set(_stored(kyc_storage))
    response = _client(investor).post(
        f"/messages/{conversation.pk}/", {"message": "Thank you!", "attachments": [upload("more.png")]}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{conversation.pk}/#reply"
    reply = Message.objects.filter(thread=conversation).latest("id")
    assert (reply.sender, reply.body, reply.attachments.get().name) == (investor, "Thank you!", "more.png")
    assert set(_stored(kyc_storage)) - before == {reply.attachments.get().object_name}
    conversation.refresh_from_db()
    assert conversation.status == ThreadStatus.WAITING_STAFF


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"message": ""}, {"message": ["Write a message."]}),
        ({"message": "x" * 5001}, {"message": ["The message is too long (at most 5000 characters)."]}),
        (
            {"message": "Hi", "attachments": [upload(f"f{n}.png") for n in range(4)]},
            {"attachments": ["Attach at most 3 files."]},
        ),
    ],
)
def test_a_refused_reply_is_a_form_error_and_changes_nothing(
    investor, conversation, kyc_storage, unchanged_db, data, errors
):
    client = _client(investor)
    client.get(f"/messages/{conversation.pk}/")  # read: the refused page changes nothing at all
    before = _stored(kyc_storage)
    with unchanged_db():
        response = client.post(f"/messages/{conversation.pk}/", data)
    assert response.status_code == 200
    assert {name: list(messages) for name, messages in response.context["reply_form"].errors.items()} == errors
    assert _stored(kyc_storage) == before


def test_a_closed_conversation_offers_a_new_message_and_refuses_a_reply(investor, conversation, sara, unchanged_db):
    thread_services.thread_status_set(thread_id=conversation.pk, actor=sara, status=ThreadStatus.CLOSED)
    client = _client(investor)
    html = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert f"This conversation is closed. To continue, open a new message and mention #{conversation.pk}." in html
    assert '<a class="button button-secondary" href="/messages/new/?category=deposit">New message</a>' in html
    assert 'id="reply"' not in html
    with unchanged_db():
        response = client.post(f"/messages/{conversation.pk}/", {"message": "Hello again"})
    assert response.status_code == 200
    assert response.context["reply_form"].errors == {
        "__all__": [f"This conversation is closed. Open a new one and mention #{conversation.pk}."]
    }


def test_a_reply_reopens_a_resolved_conversation(investor, conversation, sara):
    thread_services.thread_status_set(thread_id=conversation.pk, actor=sara, status=ThreadStatus.RESOLVED)
    client = _client(investor)
    html = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "This conversation is resolved. Reply if you still need help: it opens again." in html
    client.post(f"/messages/{conversation.pk}/", {"message": "Not solved after all"})
    conversation.refresh_from_db()
    assert conversation.status == ThreadStatus.WAITING_STAFF


def test_a_reply_is_throttled(investor, conversation, unchanged_db, runtime_config):
    runtime_config(MESSAGE_SEND_LIMIT_PER_HOUR=1)
    client = _client(investor)
    with unchanged_db():
        response = client.post(f"/messages/{conversation.pk}/", {"message": "Again"})
    assert response.context["reply_form"].errors == {"__all__": [THROTTLED]}


def test_thread_page_costs_the_same_queries_for_2_or_20_messages(
    investor, sara, conversation, django_assert_num_queries
):
    client = _client(investor)
    client.get(f"/messages/{conversation.pk}/")
    # session, user, thread, read pointer, messages, their files; marking read: thread, pointer
    # row, pointer update; the header
    with django_assert_num_queries(9 + HEADER_QUERIES):
        client.get(f"/messages/{conversation.pk}/")
    for number in range(9):
        thread_services.thread_reply(
            thread_id=conversation.pk, author=sara, body=f"Answer {number}", attachments=[upload()]
        )
        thread_services.thread_reply(thread_id=conversation.pk, author=investor, body=f"Question {number}")
    with django_assert_num_queries(9 + HEADER_QUERIES):
        response = client.get(f"/messages/{conversation.pk}/")
    assert len(response.context["conversation"]) == 20


# --- attachments ------------------------------------------------------------------------------------


def test_the_owner_downloads_a_file_and_the_look_is_logged(investor, conversation, kyc_storage):
    answer_file = Attachment.objects.get(message__sender__is_staff=True)
    response = _client(investor).get(f"/messages/attachments/{answer_file.pk}/", HTTP_USER_AGENT="Test browser")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="proof.jpg"'
    assert b"".join(response.streaming_content) == (kyc_storage / answer_file.object_name).read_bytes()
    access = AttachmentAccess.objects.get()
    assert (access.attachment, access.user, access.via, access.ip_address, access.user_agent) == (
        answer_file,
        investor,
        "portal",
        "127.0.0.1",
        "Test browser",
    )


def test_another_investors_file_a_notes_file_or_a_missing_one_is_a_404_and_not_logged(investor, conversation, sara):
    other = UserFactory()
    mine = Attachment.objects.filter(message__sender=investor).get()
    assert _client(other).get(f"/messages/attachments/{mine.pk}/").status_code == 404
    note = Message.objects.get(kind=MessageKind.NOTE)
    hidden = Attachment.objects.create(
        message=note, object_name="messages/x.png", name="x.png", content_type="image/png", size=1, sha256="0" * 64
    )
    client = _client(investor)
    assert client.get(f"/messages/attachments/{hidden.pk}/").status_code == 404
    assert client.get("/messages/attachments/999999/").status_code == 404
    assert AttachmentAccess.objects.count() == 0
    assert client.post(f"/messages/attachments/{mine.pk}/").status_code == 405


def test_the_read_state_is_only_the_investors(investor, conversation):
    _client(investor).get(f"/messages/{conversation.pk}/")
    state = ThreadReadState.objects.get(thread=conversation, user=investor)
    assert state.last_read_message_id == conversation.last_staff_message_id
