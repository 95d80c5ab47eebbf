"""The original API's message endpoints for investors and staff: the flat list (exact shapes,
internal notes never shown to the investor, pagination, query count), sending (tickets, replies,
direct messages, tasks, the original client's field names), marking read and submitting a task's
proof (body and id-in-the-path forms); each refusal changes nothing; another user's message is 404."""

from decimal import Decimal

import pytest

from apps.messaging.models import Message, Task, TaskAssignment, Thread, ThreadReadState
from apps.messaging.services import tasks as task_services
from apps.messaging.services import threads as thread_services
from tests.messaging import api_helpers
from tests.messaging.api_helpers import SUPPORT_DESK, business, message_body, person
from tests.messaging.helpers import task_for, ticket_open
from tests.wallet.api_helpers import api_for

pytestmark = pytest.mark.django_db

# The shared people of the API tests (fixtures).
amina, amina_api, bilal, bilal_api, fadi, fadi_api, sam, sam_api, sara = (
    api_helpers.amina,
    api_helpers.amina_api,
    api_helpers.bilal,
    api_helpers.bilal_api,
    api_helpers.fadi,
    api_helpers.fadi_api,
    api_helpers.sam,
    api_helpers.sam_api,
    api_helpers.sara,
)

MESSAGES = "/api/messages/"
SEND = "/api/messages/send/"
MARK_READ = "/api/messages/mark-read/"
SUBMIT = "/api/messages/submit-link/"
NOT_ALLOWED = ["This field is not allowed."]
NO_MESSAGE = {"detail": "No such message.", "code": "not_found"}


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def conversation(amina, sam):
    """Amina's ticket, Sam's answer (he takes the ticket) and Sam's internal note."""
    thread = ticket_open(amina)
    reply = thread_services.thread_reply(thread_id=thread.pk, author=sam, body="We are checking it.")
    note = thread_services.thread_note_add(thread_id=thread.pk, staff=sam, body="Looks like a bank delay.")
    return thread, reply, note


# --- The list ------------------------------------------------------------------------------------


def test_the_investor_sees_every_message_of_their_threads_and_never_a_note(amina, amina_api, sam, conversation):
    thread, reply, _note = conversation
    first = thread.messages.get(sender=amina)
    task = task_for(amina, staff=sam, reward="5.00")
    offer = TaskAssignment.objects.get(task=task).message

    body = amina_api.get(MESSAGES).json()

    assert body["count"] == 3
    assert body["results"] == [
        message_body(offer, recipient=person(amina), is_read=False, offer_platform="instagram", reward="5.00"),
        message_body(reply, recipient=person(amina), is_read=False),
        message_body(first, recipient=person(sam), is_read=True),
    ]
    assert "Looks like a bank delay." not in str(body)


def test_an_unassigned_ticket_is_addressed_to_the_support_desk(amina, amina_api):
    thread = ticket_open(amina)

    assert results(amina_api.get(MESSAGES)) == [
        message_body(thread.messages.get(), recipient=SUPPORT_DESK, is_read=True)
    ]


def test_staff_see_what_they_sent_and_the_threads_assigned_to_them(amina, sam, sam_api, sara, conversation):
    """Internal notes live in ``threads/<id>/`` and ``admin/messages/``, not in this list."""
    thread, reply, _note = conversation
    first = thread.messages.get(sender=amina)
    ticket_open(amina, subject="Someone else's")  # unassigned: not in Sam's list

    rows = results(sam_api.get(MESSAGES))

    assert rows == [
        message_body(reply, recipient=person(amina), is_read=True),
        message_body(first, recipient=person(sam), is_read=True),
    ]
    assert results(api_for(sara).get(MESSAGES)) == []


def test_a_task_message_follows_its_proof(amina, amina_api, sam):
    task = task_for(amina, staff=sam, reward="12.50", platform="youtube")
    assignment = TaskAssignment.objects.get(task=task)
    task_services.assignment_proof_submit(assignment_id=assignment.pk, user=amina, link="https://youtu.be/x")

    (row,) = results(amina_api.get(MESSAGES))

    assert (row["offer_platform"], row["reward"], row["submitted_link"], row["link_status"], row["kind"]) == (
        "youtube",
        "12.50",
        "https://youtu.be/x",
        "pending",
        "task",
    )


def test_another_investors_messages_never_show(amina, bilal_api, conversation):
    assert results(bilal_api.get(MESSAGES)) == []


def test_the_list_is_paginated(amina, amina_api):
    for number in range(3):
        ticket_open(amina, subject=f"Question {number}")

    first = amina_api.get(MESSAGES, {"page_size": 2}).json()
    second = amina_api.get(MESSAGES, {"page_size": 2, "page": 2}).json()

    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    assert first["next"] == "http://testserver/api/messages/?page=2&page_size=2"
    assert [r["subject"] for r in first["results"] + second["results"]] == ["Question 2", "Question 1", "Question 0"]
    assert second["next"] is None


def test_the_list_costs_the_same_queries_for_one_or_many_messages(amina, amina_api, sam, django_assert_num_queries):
    thread = ticket_open(amina)
    with django_assert_num_queries(4):  # user, count, page, attachments
        assert len(results(amina_api.get(MESSAGES))) == 1
    for number in range(6):
        thread_services.thread_reply(thread_id=thread.pk, author=sam, body=f"Answer {number}")
        task_for(amina, staff=sam, title=f"Task {number}")

    with django_assert_num_queries(4):
        assert len(results(amina_api.get(MESSAGES))) == 13


def test_the_list_needs_a_token(api_client):
    response = api_client.get(MESSAGES)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- Sending: investors --------------------------------------------------------------------------


def test_an_investor_opens_a_ticket(amina, amina_api):
    response = amina_api.post(
        SEND, {"subject": " Card  payment ", "message": "<b>It failed</b>", "category": "deposit"}, format="json"
    )

    assert response.status_code == 201
    thread = Thread.objects.get()
    message = thread.messages.get()
    assert (thread.investor, thread.kind, thread.subject, thread.category, thread.status) == (
        amina,
        "support",
        "Card payment",
        "deposit",
        "open",
    )
    assert message.body == "<b>It failed</b>"  # stored and shown as text
    assert response.json() == message_body(message, recipient=SUPPORT_DESK, is_read=True)


def test_the_original_clients_form_writes_to_support(amina, amina_api, sam):
    """``recipient`` (a staff id) and an empty ``offer_details``, as ``sendMessage`` sends them."""
    response = amina_api.post(
        SEND,
        {"recipient": sam.pk, "subject": "Hello", "message": "A question", "offer_details": {}},
        format="json",
    )

    assert response.status_code == 201
    thread = Thread.objects.get()
    assert (thread.category, thread.assignee) == ("other", None)
    assert response.json()["recipient"] == SUPPORT_DESK


def test_an_investor_replies_in_their_thread(amina, amina_api, sam, conversation):
    thread, _reply, _note = conversation

    response = amina_api.post(SEND, {"thread_id": thread.pk, "message": "Thanks!"}, format="json")

    assert response.status_code == 201
    message = thread.messages.order_by("id").last()
    assert (message.sender, message.body) == (amina, "Thanks!")
    assert response.json() == message_body(message, recipient=person(sam), is_read=True)
    thread.refresh_from_db()
    assert thread.status == "waiting_staff"


@pytest.mark.parametrize("field", ["recipient", "recipient_id"])
def test_an_investor_cannot_write_to_another_investor(amina, amina_api, bilal, field, unchanged_db):
    with unchanged_db():
        response = amina_api.post(SEND, {field: bilal.pk, "subject": "Hi", "message": "Hello"}, format="json")

    assert response.status_code == 400
    assert response.json() == business("You can write only to support.", "recipient_not_allowed", "recipient_id")


@pytest.mark.parametrize("recipient", ["self", 999_999])
def test_an_investor_cannot_write_to_themselves_or_an_unknown_id(amina, amina_api, recipient, unchanged_db):
    recipient_id = amina.pk if recipient == "self" else recipient
    with unchanged_db():
        response = amina_api.post(SEND, {"recipient_id": recipient_id, "subject": "Hi", "message": "Hi"}, format="json")

    assert response.json() == business("You can write only to support.", "recipient_not_allowed", "recipient_id")


def test_an_investor_cannot_create_a_task(amina, amina_api, unchanged_db):
    with unchanged_db():
        response = amina_api.post(
            SEND,
            {"subject": "Pay me", "message": "x", "offer_details": {"platform": "facebook"}, "reward": "10.00"},
            format="json",
        )

    assert response.status_code == 403
    assert response.json() == {"detail": "Only staff create tasks.", "code": "permission_denied"}


def test_bad_input_is_named_and_changes_nothing(amina, amina_api, bilal, unchanged_db):
    other_thread = ticket_open(bilal)
    cases = [
        ({"subject": "", "message": "x"}, 400, business("Enter a subject.", "subject_required", "subject")),
        # Schemathesis: no subject at all was a 500 (NOT NULL constraint failed: messaging_thread.subject).
        ({"message": "x"}, 400, business("Enter a subject.", "subject_required", "subject")),
        ({"subject": "x", "message": "  "}, 400, business("Write a message.", "message_required", "message")),
        (
            {"subject": "s" * 201, "message": "m" * 5001},
            400,
            {
                "detail": "Correct the errors below.",
                "code": "invalid",
                "subject": ["The subject is too long (at most 200 characters)."],
                "message": ["The message is too long (at most 5000 characters)."],
            },
        ),
        ({"subject": "x", "message": "y", "is_read": True}, 400, {"is_read": NOT_ALLOWED}),
        ({"subject": "x", "message": "y", "link_status": "approved"}, 400, {"link_status": NOT_ALLOWED}),
        ({"thread_id": "1", "message": "y"}, 400, {"thread_id": ["A valid integer is required."]}),
        (
            {"thread_id": 2**70, "message": "y"},
            400,
            {"thread_id": ["Ensure this value is less than or equal to 9223372036854775807."]},
        ),
        ({"subject": 5, "message": "y"}, 400, {"subject": ["Not a valid string."]}),
        (
            {"subject": "x", "message": "y", "category": "lottery"},
            400,
            {"category": ['"lottery" is not a valid choice.']},
        ),
        (
            {"thread_id": other_thread.pk, "message": "mine now"},
            404,
            {"detail": "No such conversation.", "code": "not_found"},
        ),
        ({"thread_id": 999_999, "message": "y"}, 404, {"detail": "No such conversation.", "code": "not_found"}),
    ]
    with unchanged_db():
        for body, status, expected in cases:
            response = amina_api.post(SEND, body, format="json")
            assert (response.status_code, response.json()) == (status, expected), body


def test_sending_is_throttled_per_investor(amina, amina_api, unchanged_db, runtime_config):
    runtime_config(MESSAGE_SEND_LIMIT_PER_HOUR=2)
    for number in range(2):
        assert amina_api.post(SEND, {"subject": f"Q{number}", "message": "x"}, format="json").status_code == 201

    with unchanged_db():
        response = amina_api.post(SEND, {"subject": "Q3", "message": "x"}, format="json")

    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert Message.objects.count() == 2


def test_a_closed_thread_takes_no_reply(amina, amina_api, sam, unchanged_db):
    thread = ticket_open(amina)
    thread_services.thread_status_set(thread_id=thread.pk, actor=sam, status="closed")

    with unchanged_db():
        response = amina_api.post(SEND, {"thread_id": thread.pk, "message": "Hello?"}, format="json")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"This conversation is closed. Open a new one and mention #{thread.pk}.",
        "code": "thread_closed",
    }


# --- Sending: staff ----------------------------------------------------------------------------------


def test_staff_open_a_direct_conversation_with_recipient(amina, sam, sam_api):
    response = sam_api.post(SEND, {"recipient": amina.pk, "subject": "Your account", "message": "Hi"}, format="json")

    assert response.status_code == 201
    thread = Thread.objects.get()
    assert (thread.kind, thread.investor, thread.assignee, thread.status) == ("direct", amina, sam, "waiting_investor")
    assert response.json() == message_body(thread.messages.get(), recipient=person(amina), is_read=True)


def test_staff_without_a_subject_are_refused_and_nothing_is_stored(amina, sam_api, unchanged_db):
    """Schemathesis: a new conversation or task with no subject at all was a 500."""
    with unchanged_db():
        conversation = sam_api.post(SEND, {"recipient_id": amina.pk, "message": "Hello"}, format="json")

    assert (conversation.status_code, conversation.json()) == (
        400,
        business("Enter a subject.", "subject_required", "subject"),
    )


def test_staff_reply_with_thread_id(amina, sam, sam_api):
    thread = ticket_open(amina)

    response = sam_api.post(SEND, {"thread_id": thread.pk, "subject": "ignored", "message": "On it"}, format="json")

    assert response.status_code == 201
    assert response.json()["message"] == "On it"
    thread.refresh_from_db()
    assert (thread.subject, thread.assignee, thread.status) == ("Deposit not credited", sam, "waiting_investor")


def test_staff_send_a_task_the_original_way(amina, amina_api, sam, sam_api):
    """``sendCustomOffer``: ``recipient`` and ``offer_details.platform``, plus the reward."""
    response = sam_api.post(
        SEND,
        {
            "recipient": amina.pk,
            "subject": "Like our page",
            "message": "Like it and send the link.",
            "offer_details": {"platform": "facebook"},
            "reward": "7.50",
        },
        format="json",
    )

    assert response.status_code == 201
    task = Task.objects.get()
    assignment = TaskAssignment.objects.get()
    assert (task.title, task.instructions_en, task.platform, task.reward, task.budget, task.recipient) == (
        "Like our page",
        "Like it and send the link.",
        "facebook",
        Decimal("7.50"),
        Decimal("7.50"),
        amina,
    )
    assert (assignment.user, assignment.status) == (amina, "offered")
    expected = message_body(
        assignment.message, recipient=person(amina), is_read=True, offer_platform="facebook", reward="7.50"
    )
    assert response.json() == expected
    assert results(amina_api.get(MESSAGES)) == [{**expected, "is_read": False}]


def test_a_task_with_an_expiry_and_a_number_reward(amina, sam, sam_api):
    response = sam_api.post(
        SEND,
        {
            "recipient_id": amina.pk,
            "subject": "Share",
            "message": "Share it",
            "offer_platform": "x",
            "reward": 3,
            "expires_at": "2099-01-31T12:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201
    task = Task.objects.get()
    assert (task.reward, task.expires_at.isoformat()) == (Decimal("3.00"), "2099-01-31T12:00:00+00:00")


def test_staff_refusals_change_nothing(amina, sam, sam_api, fadi, fadi_api, unchanged_db):
    thread = ticket_open(amina)
    task = {"subject": "T", "message": "M", "recipient_id": amina.pk}
    cases = [
        (sam_api, {"subject": "x", "message": "y"}, 400, {"recipient_id": ["This field is required."]}),
        (
            sam_api,
            {"subject": "x", "message": "y", "recipient_id": fadi.pk},
            400,
            business(
                "Messages go to investors; write to staff colleagues elsewhere.", "recipient_is_staff", "recipient_id"
            ),
        ),
        (
            sam_api,
            {"subject": "x", "message": "y", "recipient_id": 999_999},
            400,
            business("No such investor.", "recipient_not_found", "recipient_id"),
        ),
        (
            sam_api,
            {**task, "reward": "5.00"},
            400,
            {"offer_platform": ["A reward is only for a task: add its platform."]},
        ),
        (
            sam_api,
            {**task, "offer_details": {}, "reward": "5.00"},
            400,
            {"offer_platform": ["A reward is only for a task: add its platform."]},
        ),
        (
            sam_api,
            {**task, "offer_platform": "x", "reward": "5.00", "thread_id": thread.pk},
            400,
            {"thread_id": ["A task starts its own conversation: leave out thread_id."]},
        ),
        (
            sam_api,
            {**task, "offer_platform": "x", "offer_details": {"platform": "tiktok"}, "reward": "5.00"},
            400,
            {"offer_platform": ["Sent twice with different values."]},
        ),
        (
            sam_api,
            {**task, "offer_platform": "x", "reward": 5.555},
            400,
            {"reward": ["Ensure that there are no more than 2 decimal places."]},
        ),
        (
            sam_api,
            {**task, "offer_platform": "x", "reward": "-5"},
            400,
            business("The amount must be greater than zero.", "invalid_amount", "reward"),
        ),
        (
            sam_api,
            {**task, "subject": "", "offer_platform": "x", "reward": "5"},
            400,
            business("Enter a subject.", "subject_required", "subject"),
        ),
        (
            sam_api,
            {**task, "offer_platform": "x", "reward": "5", "expires_at": "2001-01-01T00:00:00Z"},
            400,
            business("The expiry must be in the future.", "invalid_expiry", "expires_at"),
        ),
        (
            fadi_api,
            {"subject": "x", "message": "y", "recipient_id": amina.pk},
            403,
            {"detail": "You may not handle support threads.", "code": "permission_denied"},
        ),
        (
            fadi_api,
            {**task, "offer_platform": "x", "reward": "5"},
            403,
            {"detail": "You may not create tasks.", "code": "permission_denied"},
        ),
    ]
    with unchanged_db():
        for client, body, status, expected in cases:
            response = client.post(SEND, body, format="json")
            assert (response.status_code, response.json()) == (status, expected), body


# --- Marking read --------------------------------------------------------------------------------------


def test_mark_read_moves_the_read_pointer_up_to_the_message(amina, amina_api, sam, conversation):
    thread, reply, _note = conversation
    later = thread_services.thread_reply(thread_id=thread.pk, author=sam, body="Found it.")

    response = amina_api.post(MARK_READ, {"message_id": reply.pk}, format="json")

    assert response.status_code == 200
    assert response.json() == message_body(reply, recipient=person(amina), is_read=True)
    assert ThreadReadState.objects.get(thread=thread, user=amina).last_read_message_id == reply.pk
    assert [row["is_read"] for row in results(amina_api.get(MESSAGES))] == [False, True, True]
    assert amina_api.get("/api/threads/").json()["results"][0]["unread"] == 1
    assert later.pk > reply.pk


def test_mark_read_the_original_way_with_the_id_in_the_path(amina, amina_api, sam, conversation):
    thread, reply, _note = conversation

    response = amina_api.post(f"{MARK_READ}{reply.pk}/")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert ThreadReadState.objects.get(thread=thread, user=amina).last_read_message_id == reply.pk


def test_mark_read_refusals(amina, bilal_api, amina_api, conversation, unchanged_db):
    _thread, reply, note = conversation
    with unchanged_db():
        others = bilal_api.post(MARK_READ, {"message_id": reply.pk}, format="json")
        others_path = bilal_api.post(f"{MARK_READ}{reply.pk}/")
        a_note = amina_api.post(MARK_READ, {"message_id": note.pk}, format="json")
        missing = amina_api.post(f"{MARK_READ}99999999999999999999999/")
        text_id = amina_api.post(MARK_READ, {"message_id": "abc"}, format="json")
        body_on_path = amina_api.post(f"{MARK_READ}{reply.pk}/", {"message_id": reply.pk}, format="json")
        not_a_number = amina_api.post(f"{MARK_READ}abc/")

    for response in (others, others_path, a_note, missing):
        assert (response.status_code, response.json()) == (404, NO_MESSAGE)
    assert (text_id.status_code, text_id.json()) == (400, {"message_id": ["A valid integer is required."]})
    assert (body_on_path.status_code, body_on_path.json()) == (400, {"message_id": NOT_ALLOWED})
    assert (not_a_number.status_code, not_a_number.json()) == (
        400,
        {"message_id": ["The id in the path must be a positive integer."]},
    )


# --- Submitting a proof -----------------------------------------------------------------------------------


@pytest.fixture
def offer(amina, sam):
    return TaskAssignment.objects.get(task=task_for(amina, staff=sam, reward="5.00"))


def test_submit_link_records_the_proof(amina, amina_api, offer):
    response = amina_api.post(
        SUBMIT, {"message_id": offer.message_id, "submitted_link": "https://instagram.com/p/1"}, format="json"
    )

    assert response.status_code == 200
    offer.refresh_from_db()
    assert (offer.status, offer.proof_link) == ("submitted", "https://instagram.com/p/1")
    assert response.json() == message_body(
        offer.message,
        recipient=person(amina),
        is_read=False,
        offer_platform="instagram",
        reward="5.00",
        submitted_link="https://instagram.com/p/1",
        link_status="pending",
    )


def test_submit_link_the_original_way(amina, amina_api, offer):
    """``submitOfferLink``: ``POST messages/submit-link/<id>/ {link}``."""
    response = amina_api.post(f"{SUBMIT}{offer.message_id}/", {"link": "http://x.com/me"}, format="json")

    assert response.status_code == 200
    assert (response.json()["link_status"], response.json()["submitted_link"]) == ("pending", "http://x.com/me")


def test_submit_link_refusals_change_nothing(amina, amina_api, bilal_api, offer, conversation, unchanged_db):
    _thread, reply, _note = conversation
    cases = [
        (
            amina_api,
            SUBMIT,
            {"message_id": offer.message_id, "submitted_link": "javascript:alert(1)"},
            400,
            business("Enter a web address starting with http:// or https://.", "invalid_link", "submitted_link"),
        ),
        (
            amina_api,
            SUBMIT,
            {"message_id": offer.message_id, "submitted_link": ""},
            400,
            business("Paste the link to your proof.", "link_required", "submitted_link"),
        ),
        (
            amina_api,
            f"{SUBMIT}{offer.message_id}/",
            {"link": "ftp://x.com/a"},
            400,
            business("Enter a web address starting with http:// or https://.", "invalid_link", "submitted_link"),
        ),
        (
            amina_api,
            f"{SUBMIT}{offer.message_id}/",
            {"link": "https://example.com/p", "message_id": 1},
            400,
            {"message_id": NOT_ALLOWED},
        ),
        (
            bilal_api,
            SUBMIT,
            {"message_id": offer.message_id, "submitted_link": "https://example.com/p"},
            404,
            NO_MESSAGE,
        ),
        (bilal_api, f"{SUBMIT}{offer.message_id}/", {"link": "https://example.com/p"}, 404, NO_MESSAGE),
        (
            amina_api,
            SUBMIT,
            {"message_id": reply.pk, "submitted_link": "https://example.com/p"},
            404,
            {"detail": "No such task message.", "code": "not_found"},
        ),
    ]
    with unchanged_db():
        for client, path, body, status, expected in cases:
            response = client.post(path, body, format="json")
            assert (response.status_code, response.json()) == (status, expected), (path, body)


def test_a_declined_task_takes_no_proof(amina, amina_api, offer, unchanged_db):
    task_services.assignment_decline(assignment_id=offer.pk, user=amina)

    with unchanged_db():
        response = amina_api.post(f"{SUBMIT}{offer.message_id}/", {"link": "https://example.com/p"}, format="json")

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "You declined this task.", "code": "task_declined"},
    )
