"""The thread API for new clients: the investor's conversations and the staff inbox (queues,
filters, query counts), opening one (JSON or multipart with files, handled like KYC uploads), one
conversation with its messages (notes and events for staff only), replies, the staff actions, read
state, and the logged attachment download. Another investor's conversation or file is a 404."""

import urllib.request
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from apps.messaging.models import Attachment, AttachmentAccess, Thread, ThreadReadState
from apps.messaging.services import threads as thread_services
from tests.factories import StaffFactory
from tests.kyc.helpers import jpeg_bytes, pdf_bytes, png_bytes, upload
from tests.messaging import api_helpers
from tests.messaging.api_helpers import business, person, thread_message_body
from tests.messaging.helpers import task_for, ticket_open
from tests.wallet.api_helpers import api_for, iso

pytestmark = pytest.mark.django_db

# The shared people of the API tests (fixtures).
amina, amina_api, bilal, bilal_api, sam, sam_api, sara, fadi, fadi_api = (
    api_helpers.amina,
    api_helpers.amina_api,
    api_helpers.bilal,
    api_helpers.bilal_api,
    api_helpers.sam,
    api_helpers.sam_api,
    api_helpers.sara,
    api_helpers.fadi,
    api_helpers.fadi_api,
)

THREADS = "/api/threads/"
NO_THREAD = {"detail": "No such conversation.", "code": "not_found"}
NO_FILE = {"detail": "No such file.", "code": "not_found"}
FORBIDDEN = {"detail": "You do not have permission to perform this action.", "code": "permission_denied"}
STAFF_FORBIDDEN = {"detail": "Only staff with the matching permission can do this.", "code": "permission_denied"}


def thread_path(thread, action: str = "") -> str:
    return f"{THREADS}{thread.pk}/{action + '/' if action else ''}"


def stored(folder) -> list[str]:
    return sorted(path.name for path in folder.rglob("*") if path.is_file())


def investor_row(thread: Thread, *, unread: int, task_id=None) -> dict:
    thread.refresh_from_db()
    return {
        "id": thread.pk,
        "ticket_number": f"#{thread.pk}",
        "kind": thread.kind,
        "subject": thread.subject,
        "category": thread.category,
        "status": thread.status,
        "user": thread.investor_id,
        "task_id": task_id,
        "created_at": iso(thread.created_at),
        "last_message_at": iso(thread.last_message_at),
        "unread": unread,
    }


def staff_row(thread: Thread, *, has_unread: bool, breached: bool = False, task_id=None) -> dict:
    thread.refresh_from_db()
    optional = {
        name: iso(getattr(thread, name)) if getattr(thread, name) else None
        for name in ("response_due_at", "first_response_at", "resolved_at", "closed_at")
    }
    return {
        "id": thread.pk,
        "ticket_number": f"#{thread.pk}",
        "kind": thread.kind,
        "subject": thread.subject,
        "category": thread.category,
        "status": thread.status,
        "user": thread.investor_id,
        "task_id": task_id,
        "created_at": iso(thread.created_at),
        "last_message_at": iso(thread.last_message_at),
        "priority": thread.priority,
        "user_email": thread.investor.email,
        "investor": person(thread.investor),
        "assignee": person(thread.assignee) if thread.assignee else None,
        "has_unread": has_unread,
        "breached": breached,
        "response_due_at": optional["response_due_at"],
        "first_response_at": optional["first_response_at"],
        "updated_at": iso(thread.updated_at),
        "resolved_at": optional["resolved_at"],
        "closed_at": optional["closed_at"],
    }


@pytest.fixture
def ticket(amina, sam):
    """Amina's ticket with Sam's answer and an internal note."""
    thread = ticket_open(amina)
    thread_services.thread_reply(thread_id=thread.pk, author=sam, body="We are checking it.")
    thread_services.thread_note_add(thread_id=thread.pk, staff=sam, body="Bank delay, internal.")
    return thread


# --- Lists -----------------------------------------------------------------------------------------


def test_the_investor_lists_their_threads_unread_first(amina, amina_api, bilal, sam, ticket):
    quiet = ticket_open(amina, subject="Nothing new")
    task = task_for(amina, staff=sam)
    ticket_open(bilal)
    thread_services.thread_mark_read(thread_id=task.assignments.get().thread_id, user=amina)

    body = amina_api.get(THREADS).json()

    task_thread = Thread.objects.get(kind="task")
    assert body["count"] == 3
    assert body["results"] == [
        investor_row(ticket, unread=1),
        investor_row(task_thread, unread=0, task_id=task.assignments.get().pk),
        investor_row(quiet, unread=0),
    ]


def test_an_investor_s_bad_filter_is_a_400_and_a_good_one_changes_nothing(amina, amina_api, ticket):
    """Schemathesis: `?category=AAA` was a 200 for an investor though the schema lists the values."""
    refused = amina_api.get(THREADS, {"category": "AAA"})
    everything = amina_api.get(THREADS).json()

    assert refused.status_code == 400
    assert refused.json() == {"category": ['"AAA" is not a valid choice.']}
    assert amina_api.get(THREADS, {"category": "withdrawal"}).json() == everything


def test_a_search_longer_than_the_schema_allows_is_a_400_even_with_spaces_around_it(sam_api):
    response = sam_api.get(THREADS, {"search": " " + "x" * 200})

    assert response.status_code == 400
    assert response.json() == {"search": ["Ensure this field has no more than 200 characters."]}


def test_staff_list_a_queue_with_filters_and_search(amina, bilal, sam, sam_api, sara, ticket):
    waiting = ticket_open(bilal, subject="Withdrawal stuck", category="withdrawal")
    urgent = ticket_open(amina, subject="Card lost", category="account")
    thread_services.thread_priority_set(thread_id=urgent.pk, actor=sara, priority="urgent")
    thread_services.thread_assign(thread_id=urgent.pk, actor=sara, assignee_id=sam.pk)

    def ids(**params):
        response = sam_api.get(THREADS, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [urgent.pk, waiting.pk]  # waiting on staff (the default): the answer due soonest first
    assert ids(queue="all") == [urgent.pk, waiting.pk, ticket.pk]
    assert ids(queue="mine") == [urgent.pk, ticket.pk]
    assert ids(queue="unassigned") == [waiting.pk]
    assert ids(queue="all", status="waiting_investor") == [ticket.pk]
    assert ids(queue="all", priority="urgent") == [urgent.pk]
    assert ids(queue="all", category="withdrawal") == [waiting.pk]
    assert ids(queue="all", search="STUCK") == [waiting.pk]
    assert ids(queue="all", search=bilal.email.upper()) == [waiting.pk]
    assert ids(queue="all", search=f"#{ticket.pk}") == [ticket.pk]
    assert ids(queue="all", search="99999999999999999999999") == []
    for bad in ({"queue": "secret"}, {"status": "lost"}, {"priority": "asap"}):
        assert sam_api.get(THREADS, bad).status_code == 400

    row = sam_api.get(THREADS, {"queue": "mine"}).json()["results"][0]
    assert row == staff_row(urgent, has_unread=True)


def test_a_breached_thread_says_so(amina, sam_api, clock_past):
    thread = clock_past(lambda: ticket_open(amina))

    (row,) = sam_api.get(THREADS, {"queue": "breached"}).json()["results"]

    assert (row["id"], row["breached"]) == (thread.pk, True)


@pytest.fixture
def clock_past():
    """Run something as if it happened two days ago."""

    def run(action):
        with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
            return action()

    return run


def test_staff_without_the_view_permission_cannot_list(fadi_api):
    response = fadi_api.get(THREADS)

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_the_lists_cost_the_same_queries_for_one_or_many_threads(
    amina, amina_api, sam, sam_api, django_assert_num_queries
):
    ticket_open(amina)
    with django_assert_num_queries(3):  # user, count, page
        assert len(amina_api.get(THREADS).json()["results"]) == 1
    with django_assert_num_queries(5):  # user, two permission reads, count, page
        assert len(sam_api.get(THREADS, {"queue": "all"}).json()["results"]) == 1
    for number in range(5):
        thread = ticket_open(amina, subject=f"Q{number}")
        thread_services.thread_reply(thread_id=thread.pk, author=sam, body="A")
        task_for(amina, staff=sam, title=f"Task {number}")

    with django_assert_num_queries(3):
        assert len(amina_api.get(THREADS).json()["results"]) == 11
    with django_assert_num_queries(5):
        assert len(sam_api.get(THREADS, {"queue": "all"}).json()["results"]) == 11


# --- Opening -------------------------------------------------------------------------------------------


def test_an_investor_opens_a_ticket_with_json(amina, amina_api):
    response = amina_api.post(
        THREADS, {"subject": "KYC question", "message": "Which ID?", "category": "kyc"}, format="json"
    )

    assert response.status_code == 201
    thread = Thread.objects.get()
    assert (thread.investor, thread.kind, thread.category, thread.status) == (amina, "support", "kyc", "open")
    assert response.json() == {
        **investor_row(thread, unread=0),
        "messages": [thread_message_body(thread.messages.get())],
    }


def test_an_investor_opens_a_ticket_with_files(amina, amina_api, kyc_storage):
    response = amina_api.post(
        THREADS,
        {
            "subject": "Receipt",
            "message": "See attached.",
            "attachments": [
                upload(png_bytes(), "../../etc/receipt.png"),
                upload(pdf_bytes(), "statement.PDF", "application/pdf"),
            ],
        },
        format="multipart",
    )

    assert response.status_code == 201
    message = Thread.objects.get().messages.get()
    files = list(Attachment.objects.filter(message=message).order_by("id"))
    assert [(f.name, f.content_type) for f in files] == [
        ("receipt.png", "image/png"),
        ("statement.pdf", "application/pdf"),
    ]
    assert response.json()["messages"] == [thread_message_body(message)]
    assert (
        response.json()["messages"][0]["attachments"][0]["url"] == f"http://testserver/api/attachments/{files[0].pk}/"
    )
    assert stored(kyc_storage) == sorted(f.object_name.split("/")[-1] for f in files)
    assert all(f.object_name.startswith("messages/") for f in files)


@pytest.mark.parametrize("form", ["json", "multipart"])
def test_a_ticket_without_a_subject_is_refused_and_nothing_is_stored(amina_api, unchanged_db, form):
    """Schemathesis: no `subject` at all was a 500 (NOT NULL constraint failed: messaging_thread.subject)."""
    with unchanged_db():
        response = amina_api.post(THREADS, {"message": "Signed out.", "category": "investment"}, format=form)

    assert (response.status_code, response.json()) == (400, business("Enter a subject.", "subject_required", "subject"))


def test_bad_files_are_refused_and_nothing_is_stored(amina_api, kyc_storage, unchanged_db):
    def post(*files, **fields):
        body = {"subject": "Files", "message": "Here", "attachments": list(files), **fields}
        return amina_api.post(THREADS, body, format="multipart")

    with unchanged_db():
        too_many = post(*(upload(png_bytes(), f"{n}.png") for n in range(4)))
        html = post(upload(b"<html><script>alert(1)</script></html>", "x.png"))
        two_bad = post(upload(b"nope", "a.png"), upload(b"", "b.png"))
        bad_text_and_file = post(upload(b"nope", "a.png"), subject="")

    assert (too_many.status_code, too_many.json()) == (
        400,
        business("Attach at most 3 files.", "too_many_files", "attachments"),
    )
    assert (html.status_code, html.json()) == (
        400,
        {
            "detail": "x.png: Upload a JPEG, PNG or PDF file.",
            "code": "file_type_invalid",
            "attachments": ["x.png: Upload a JPEG, PNG or PDF file."],
        },
    )
    assert two_bad.json()["code"] == "invalid"
    assert len(two_bad.json()["attachments"]) == 2
    assert bad_text_and_file.json() == {
        "detail": "Correct the errors below.",
        "code": "invalid",
        "subject": ["Enter a subject."],
        "attachments": ["a.png: Upload a JPEG, PNG or PDF file."],
    }
    assert stored(kyc_storage) == []


def test_a_too_large_file_is_cut_off_while_streaming(amina_api, kyc_storage, settings, unchanged_db):
    settings.KYC_MAX_UPLOAD_MB = 1
    big = jpeg_bytes() + b"\x00" * (1536 * 1024)

    with unchanged_db():
        response = amina_api.post(
            THREADS,
            {"subject": "Big", "message": "x", "attachments": [upload(big, "big.jpg", "image/jpeg")]},
            format="multipart",
        )

    assert response.status_code == 400
    assert response.json()["code"] == "file_too_large"
    assert stored(kyc_storage) == []


def test_opening_refusals_change_nothing(amina_api, sam_api, fadi, fadi_api, amina, unchanged_db):
    cases = [
        (
            amina_api,
            {"subject": "x", "message": "y", "investor_id": 5},
            400,
            {"investor_id": ["This field is not allowed."]},
        ),
        (
            amina_api,
            {"subject": "x", "message": "y", "attachments": []},
            400,
            {"attachments": ["This field is not allowed."]},
        ),
        (amina_api, {"subject": "x", "message": ""}, 400, business("Write a message.", "message_required", "message")),
        (sam_api, {"subject": "x", "message": "y"}, 400, {"investor_id": ["This field is required."]}),
        (
            sam_api,
            {"subject": "x", "message": "y", "investor_id": fadi.pk},
            400,
            business(
                "Messages go to investors; write to staff colleagues elsewhere.", "recipient_is_staff", "investor_id"
            ),
        ),
        (fadi_api, {"subject": "x", "message": "y", "investor_id": amina.pk}, 403, FORBIDDEN),
    ]
    with unchanged_db():
        for client, body, status, expected in cases:
            response = client.post(THREADS, body, format="json")
            assert (response.status_code, response.json()) == (status, expected), body
        not_json = amina_api.post(THREADS, "subject=x", content_type="text/plain")
    assert (not_json.status_code, not_json.json()["code"]) == (415, "unsupported_media_type")


def test_staff_open_a_direct_conversation_with_a_file(amina, sam, sam_api, kyc_storage):
    response = sam_api.post(
        THREADS,
        {
            "investor_id": str(amina.pk),
            "subject": "Your statement",
            "message": "Attached.",
            "attachments": [upload(pdf_bytes(), "statement.pdf", "application/pdf")],
        },
        format="multipart",
    )

    assert response.status_code == 201
    thread = Thread.objects.get()
    assert (thread.kind, thread.investor, thread.assignee, thread.status) == ("direct", amina, sam, "waiting_investor")
    body = response.json()
    assert [m["attachments"][0]["name"] for m in body["messages"]] == ["statement.pdf"]
    assert [e["kind"] for e in body["events"]] == ["opened"]


# --- One thread -------------------------------------------------------------------------------------------


def test_the_investor_sees_the_thread_without_notes(amina, amina_api, ticket):
    response = amina_api.get(thread_path(ticket))

    assert response.status_code == 200
    public = list(ticket.messages.exclude(kind="note").order_by("id"))
    assert response.json() == {
        **investor_row(ticket, unread=1),
        "messages": [thread_message_body(message) for message in public],
    }
    assert "Bank delay" not in response.content.decode()


def test_staff_see_notes_and_the_event_log(amina, sam, sam_api, ticket):
    response = sam_api.get(thread_path(ticket))

    assert response.status_code == 200
    body = response.json()
    assert body["messages"] == [thread_message_body(m) for m in ticket.messages.order_by("id")]
    assert [m["is_internal"] for m in body["messages"]] == [False, False, True]
    assert [(e["kind"], e["actor"], e["data"]) for e in body["events"]] == [
        ("opened", person(amina), {"category": "deposit"}),
        ("status_changed", person(sam), {"from": "open", "to": "waiting_investor"}),
        ("assigned", person(sam), {"from": None, "to": sam.pk}),
    ]
    assert {key: body[key] for key in staff_row(ticket, has_unread=False)} == staff_row(ticket, has_unread=False)


def test_another_investors_thread_is_a_404_everywhere(amina, bilal_api, ticket, unchanged_db):
    with unchanged_db():
        responses = [
            bilal_api.get(thread_path(ticket)),
            bilal_api.post(thread_path(ticket, "reply"), {"message": "Hi"}, format="json"),
            bilal_api.post(thread_path(ticket, "read"), {}, format="json"),
            bilal_api.get(f"{THREADS}99999999999999999999999/"),
        ]
    for response in responses:
        assert (response.status_code, response.json()) == (404, NO_THREAD)


def test_one_thread_costs_the_same_queries_for_few_or_many_messages(
    amina, amina_api, sam, sam_api, ticket, django_assert_num_queries
):
    # user, access check, row, messages, files (+ permissions and events for staff)
    with django_assert_num_queries(5):
        amina_api.get(thread_path(ticket))
    with django_assert_num_queries(8):
        sam_api.get(thread_path(ticket))
    for number in range(5):
        thread_services.thread_reply(thread_id=ticket.pk, author=amina, body=f"More {number}")
        thread_services.thread_reply(thread_id=ticket.pk, author=sam, body=f"Answer {number}")

    with django_assert_num_queries(5):
        assert len(amina_api.get(thread_path(ticket)).json()["messages"]) == 12
    with django_assert_num_queries(8):
        assert len(sam_api.get(thread_path(ticket)).json()["messages"]) == 13


# --- Replying and reading --------------------------------------------------------------------------------


def test_the_investor_replies_with_a_file_and_the_thread_waits_on_staff(amina, amina_api, ticket, kyc_storage):
    response = amina_api.post(
        thread_path(ticket, "reply"),
        {"message": "Here is the receipt.", "attachments": [upload(jpeg_bytes(), "r.jpg", "image/jpeg")]},
        format="multipart",
    )

    assert response.status_code == 201
    message = ticket.messages.order_by("id").last()
    assert response.json() == thread_message_body(message)
    assert message.attachments.get().content_type == "image/jpeg"
    ticket.refresh_from_db()
    assert ticket.status == "waiting_staff"


def test_staff_reply_with_json(amina, sam_api, ticket):
    response = sam_api.post(thread_path(ticket, "reply"), {"message": "Done."}, format="json")

    assert response.status_code == 201
    assert (response.json()["message"], response.json()["sender"]["name"]) == ("Done.", "Sam")


def test_reply_refusals_change_nothing(amina_api, fadi_api, sam, ticket, unchanged_db):
    closed = ticket_open(ticket.investor, subject="Old")
    thread_services.thread_status_set(thread_id=closed.pk, actor=sam, status="closed")
    with unchanged_db():
        empty = amina_api.post(thread_path(ticket, "reply"), {"message": ""}, format="json")
        extra = amina_api.post(thread_path(ticket, "reply"), {"message": "x", "kind": "note"}, format="json")
        on_closed = amina_api.post(thread_path(closed, "reply"), {"message": "Hello?"}, format="json")
        finance = fadi_api.post(thread_path(ticket, "reply"), {"message": "x"}, format="json")

    assert empty.json() == business("Write a message.", "message_required", "message")
    assert (extra.status_code, extra.json()) == (400, {"kind": ["This field is not allowed."]})
    assert (on_closed.status_code, on_closed.json()["code"]) == (409, "thread_closed")
    assert (finance.status_code, finance.json()) == (403, FORBIDDEN)


def test_reading_a_thread_clears_its_unread(amina, amina_api, ticket):
    response = amina_api.post(thread_path(ticket, "read"), {}, format="json")

    assert response.status_code == 200
    assert response.json() == investor_row(ticket, unread=0)
    newest_public = ticket.messages.exclude(kind="note").order_by("-id").first()
    assert ThreadReadState.objects.get(thread=ticket, user=amina).last_read_message_id == newest_public.pk


def test_staff_read_a_thread(amina, sam, sam_api, ticket):
    thread_services.thread_reply(thread_id=ticket.pk, author=amina, body="Any news?")
    assert sam_api.get(THREADS, {"queue": "mine"}).json()["results"][0]["has_unread"] is True

    response = sam_api.post(thread_path(ticket, "read"), {}, format="json")

    assert response.json() == staff_row(ticket, has_unread=False)


# --- Staff actions -----------------------------------------------------------------------------------------


def test_staff_add_an_internal_note_the_investor_never_sees(amina_api, sam_api, ticket):
    response = sam_api.post(thread_path(ticket, "note"), {"message": "Call the bank."}, format="json")

    assert response.status_code == 201
    note = ticket.messages.order_by("id").last()
    assert response.json() == thread_message_body(note)
    assert response.json()["is_internal"] is True
    assert "Call the bank." not in amina_api.get(thread_path(ticket)).content.decode()
    assert "Call the bank." not in amina_api.get("/api/messages/").content.decode()


def test_staff_assign_change_status_priority_and_category(sam, sam_api, sara, ticket):
    def post(action, body):
        response = sam_api.post(thread_path(ticket, action), body, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    assert post("assign", {"assignee_id": sara.pk})["assignee"] == person(sara)
    assert post("assign", {"assignee_id": None})["assignee"] is None
    assert post("assign", {"assignee_id": "me"})["assignee"] == person(sam)
    assert post("status", {"status": "resolved"})["status"] == "resolved"
    assert post("priority", {"priority": "high"})["priority"] == "high"
    row = post("category", {"category": "withdrawal"})
    assert row == staff_row(ticket, has_unread=False)
    assert row["category"] == "withdrawal"
    kinds = [e["kind"] for e in sam_api.get(thread_path(ticket)).json()["events"]][3:]
    assert kinds == ["assigned", "assigned", "assigned", "status_changed", "priority_changed", "category_changed"]


def test_staff_action_refusals_change_nothing(amina_api, sam_api, fadi, fadi_api, ticket, unchanged_db):
    cases = [
        (amina_api, "note", {"message": "x"}, 403, STAFF_FORBIDDEN),
        (amina_api, "assign", {"assignee_id": "me"}, 403, STAFF_FORBIDDEN),
        (fadi_api, "status", {"status": "closed"}, 403, STAFF_FORBIDDEN),
        (sam_api, "note", {"message": " "}, 400, business("Write a message.", "message_required", "message")),
        (
            sam_api,
            "assign",
            {"assignee_id": fadi.pk},
            400,
            business("Choose a staff member who handles support threads.", "invalid_assignee", "assignee_id"),
        ),
        (
            sam_api,
            "assign",
            {"assignee_id": "you"},
            400,
            {"assignee_id": ['Send a staff member\'s id, "me", or null.']},
        ),
        (sam_api, "assign", {"assignee_id": "7"}, 400, {"assignee_id": ['Send a staff member\'s id, "me", or null.']}),
        (sam_api, "assign", {}, 400, {"assignee_id": ["This field is required."]}),
        (sam_api, "status", {"status": "lost"}, 400, {"status": ['"lost" is not a valid choice.']}),
        (sam_api, "priority", {"priority": 3}, 400, {"priority": ['"3" is not a valid choice.']}),
        (sam_api, "category", {"category": "other", "by": "me"}, 400, {"by": ["This field is not allowed."]}),
    ]
    with unchanged_db():
        for client, action, body, status, expected in cases:
            response = client.post(thread_path(ticket, action), body, format="json")
            assert (response.status_code, response.json()) == (status, expected), (action, body)
        missing = sam_api.post(f"{THREADS}999999/status/", {"status": "closed"}, format="json")
    assert (missing.status_code, missing.json()) == (404, NO_THREAD)


# --- Attachments ---------------------------------------------------------------------------------------------


@pytest.fixture
def receipt(amina, kyc_storage):
    ticket_open(amina, attachments=[upload(png_bytes(), "receipt.png")])
    return Attachment.objects.get()


def test_the_investor_downloads_their_file_and_it_is_logged(amina, amina_api, receipt, kyc_storage):
    response = amina_api.get(
        f"/api/attachments/{receipt.pk}/", HTTP_USER_AGENT="BursarApp/2.0", HTTP_ACCEPT="text/html"
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (kyc_storage / receipt.object_name).read_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="receipt.png"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    access = AttachmentAccess.objects.get()
    assert (access.attachment, access.user, access.via, access.ip_address, access.user_agent) == (
        receipt,
        amina,
        "api",
        "127.0.0.1",
        "BursarApp/2.0",
    )


def test_support_staff_may_open_files(sam, sam_api, receipt):
    response = sam_api.get(f"/api/attachments/{receipt.pk}/")

    assert response.status_code == 200
    assert AttachmentAccess.objects.get().user == sam


def test_others_files_are_a_404_and_nothing_is_logged(bilal_api, fadi_api, receipt, unchanged_db):
    plain_staff = api_for(StaffFactory())
    with unchanged_db():
        responses = [
            bilal_api.get(f"/api/attachments/{receipt.pk}/"),
            fadi_api.get(f"/api/attachments/{receipt.pk}/"),
            plain_staff.get(f"/api/attachments/{receipt.pk}/"),
            bilal_api.get("/api/attachments/999999/"),
            bilal_api.get("/api/attachments/99999999999999999999999/"),
        ]
    for response in responses:
        assert (response.status_code, response.json()) == (404, NO_FILE)


def test_on_s3_a_file_is_a_short_lived_presigned_redirect(amina, amina_api, kyc_s3):
    """``kyc_s3``: the moto bucket of the KYC tests (shared through the messaging conftest)."""
    ticket_open(amina, attachments=[upload(png_bytes(), "receipt.png")])
    attachment = Attachment.objects.get()

    response = amina_api.get(f"/api/attachments/{attachment.pk}/")

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(kyc_s3.endpoint) and f"{kyc_s3.key(attachment.object_name)}?" in location
    assert "X-Amz-Expires=300" in location
    assert response["Cache-Control"] == "private, no-store"
    with urllib.request.urlopen(location, timeout=10) as presigned:
        assert presigned.read() == kyc_s3.body(attachment.object_name)
    assert AttachmentAccess.objects.get().via == "api"
