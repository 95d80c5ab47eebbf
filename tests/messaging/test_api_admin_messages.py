"""The original API's staff message endpoints: every message (notes flagged, filters, who may
list what, query count), and the review of task proofs: approval pays the reward exactly once
(exact balances of the investor and of the task reward expense account), an Idempotency-Key replay
returns the stored answer, four eyes above the threshold, the budget, every refusal changes
nothing; the original client's forms (the id in the path, ``reason``)."""

from decimal import Decimal

import pytest

from apps.messaging.models import TaskAssignment
from apps.messaging.services import tasks as task_services
from apps.messaging.services import threads as thread_services
from apps.wallet.models import Account, Entry, IdempotencyRecord
from tests.factories import StaffFactory
from tests.messaging import api_helpers
from tests.messaging.api_helpers import business, message_body, person
from tests.messaging.helpers import assignment_submitted, task_for, ticket_open
from tests.wallet.api_helpers import api_for, iso
from tests.wallet.helpers import assert_ledger_ok, balances

pytestmark = pytest.mark.django_db

# The shared people of the API tests (fixtures).
amina, amina_api, bilal, bilal_api, fadi, fadi_api, farah, farah_api, sam, sam_api = (
    api_helpers.amina,
    api_helpers.amina_api,
    api_helpers.bilal,
    api_helpers.bilal_api,
    api_helpers.fadi,
    api_helpers.fadi_api,
    api_helpers.farah,
    api_helpers.farah_api,
    api_helpers.sam,
    api_helpers.sam_api,
)

D = Decimal
LIST = "/api/admin/messages/"
APPROVE = "/api/admin/messages/approve-link/"
REJECT = "/api/admin/messages/reject-link/"
KEY = "approve-7f3a"
FORBIDDEN = {"detail": "Only staff with the matching permission can do this.", "code": "permission_denied"}
NO_TASK_MESSAGE = {"detail": "No such task message.", "code": "not_found"}


def expense_balance() -> Decimal:
    account = Account.objects.filter(owner=None, kind="task_reward_expense").first()
    return account.balance if account else D("0.00")


def admin_body(message, *, recipient: dict, is_read: bool, **task) -> dict:
    return {
        **message_body(message, recipient=recipient, is_read=is_read, **task),
        "is_internal": message.kind == "note",
        "user_email": message.thread.investor.email,
    }


def review_body(assignment: TaskAssignment, *, approvals_needed: int, first_approved_by=None, **task) -> dict:
    assignment.refresh_from_db()
    return {
        **admin_body(
            assignment.message,
            recipient=person(assignment.user),
            is_read=False,
            offer_platform=assignment.task.platform,
            reward=f"{assignment.task.reward:.2f}",
            submitted_link=assignment.proof_link,
            **task,
        ),
        "approvals_needed": approvals_needed,
        "first_approved_by": person(first_approved_by) if first_approved_by else None,
        "first_approved_at": iso(assignment.first_approved_at) if assignment.first_approved_at else None,
        "review_note": assignment.review_note,
    }


# --- The list ------------------------------------------------------------------------------------


@pytest.fixture
def desk(amina, bilal, sam):
    """A ticket with Sam's reply and note, and a task for Bilal with a submitted proof."""
    thread = ticket_open(amina)
    reply = thread_services.thread_reply(thread_id=thread.pk, author=sam, body="Checking.")
    note = thread_services.thread_note_add(thread_id=thread.pk, staff=sam, body="VIP, be quick.")
    proof = assignment_submitted(bilal, staff=sam)
    return thread, reply, note, proof


def test_support_staff_see_every_message_with_notes_flagged(amina, bilal, sam, sam_api, desk):
    thread, reply, note, proof = desk
    first = thread.messages.get(sender=amina)

    body = sam_api.get(LIST).json()

    assert body["count"] == 4
    assert body["results"] == [
        admin_body(
            proof.message,
            recipient=person(bilal),
            is_read=True,
            offer_platform="instagram",
            reward="5.00",
            submitted_link="https://instagram.com/p/abc",
            link_status="pending",
        ),
        admin_body(note, recipient={"id": None, "name": "Bursar support", "is_staff": True}, is_read=True),
        admin_body(reply, recipient=person(amina), is_read=True),
        admin_body(first, recipient=person(sam), is_read=True),
    ]
    assert body["results"][1]["is_internal"] is True


def test_the_list_filters(amina, sam_api, desk):
    thread, reply, note, proof = desk

    def ids(**params):
        return [row["id"] for row in sam_api.get(LIST, params).json()["results"]]

    assert ids(link_status="pending") == [proof.message_id]
    assert ids(link_status="approved") == []
    assert ids(kind="note") == [note.pk]
    assert ids(kind="task") == [proof.message_id]
    assert ids(thread_id=thread.pk) == [note.pk, reply.pk, thread.messages.get(sender=amina).pk]
    assert ids(thread_id="", kind="", link_status="") == ids()  # sent empty: no filter, as the schema says
    for bad in ({"kind": "secret"}, {"link_status": "maybe"}, {"thread_id": "x"}):
        assert sam_api.get(LIST, bad).status_code == 400


def test_finance_staff_see_task_messages_only(fadi_api, desk):
    _thread, _reply, _note, proof = desk

    assert [row["id"] for row in fadi_api.get(LIST).json()["results"]] == [proof.message_id]


def test_investors_and_staff_without_permission_cannot_list(amina_api, desk):
    for client in (amina_api, api_for(StaffFactory())):
        response = client.get(LIST)
        assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_the_list_costs_the_same_queries_for_one_or_many_messages(
    amina, bilal, sam, sam_api, django_assert_num_queries
):
    thread = ticket_open(amina)
    # The user, their own and their role's permissions, the count, the page, the files.
    with django_assert_num_queries(6):
        assert len(sam_api.get(LIST).json()["results"]) == 1
    for number in range(5):
        thread_services.thread_reply(thread_id=thread.pk, author=sam, body=f"Answer {number}")
        thread_services.thread_note_add(thread_id=thread.pk, staff=sam, body=f"Note {number}")
        assignment_submitted(bilal, staff=sam, title=f"Task {number}")

    with django_assert_num_queries(6):
        assert len(sam_api.get(LIST).json()["results"]) == 16


# --- Approving -----------------------------------------------------------------------------------


@pytest.fixture
def proof(amina, sam):
    return assignment_submitted(amina, staff=sam, reward="5.00")


def test_approval_pays_the_reward_once(amina, amina_api, fadi, fadi_api, proof, unchanged_db):
    response = fadi_api.post(APPROVE, {"message_id": proof.message_id}, format="json")

    assert response.status_code == 200
    assert response.json() == review_body(proof, approvals_needed=0, link_status="approved")
    proof.refresh_from_db()
    assert (proof.status, proof.reviewed_by, proof.entry.natural_key) == ("approved", fadi, f"task:{proof.pk}")
    assert balances(amina) == (D("5.00"), D("0.00"), D("0.00"))
    assert expense_balance() == D("-5.00")
    assert_ledger_ok()
    assert amina_api.get("/api/messages/").json()["results"][0]["link_status"] == "approved"

    with unchanged_db():
        again = fadi_api.post(APPROVE, {"message_id": proof.message_id}, format="json")
        resubmit = amina_api.post(
            "/api/messages/submit-link/",
            {"message_id": proof.message_id, "submitted_link": "https://x.com/a"},
            format="json",
        )

    assert (again.status_code, again.json()) == (
        409,
        {"detail": "This proof was already reviewed.", "code": "already_reviewed"},
    )
    assert (resubmit.status_code, resubmit.json()["code"]) == (409, "already_approved")
    assert balances(amina)[0] == D("5.00")


def test_approval_the_original_way_with_the_id_in_the_path(amina, fadi_api, proof):
    """``approveLink``: ``POST admin/messages/approve-link/<id>/`` without a body."""
    response = fadi_api.post(f"{APPROVE}{proof.message_id}/")

    assert response.status_code == 200
    assert response.json()["link_status"] == "approved"
    assert balances(amina)[0] == D("5.00")


def test_a_replayed_approval_returns_the_stored_answer_and_pays_nothing_more(
    amina, fadi, fadi_api, proof, unchanged_db
):
    first = fadi_api.post(APPROVE, {"message_id": proof.message_id}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    with unchanged_db():
        replay = fadi_api.post(APPROVE, {"message_id": proof.message_id}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
        other_body = fadi_api.post(
            APPROVE, {"message_id": proof.message_id, "admin_note": "ok"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
        )
        other_form = fadi_api.post(f"{APPROVE}{proof.message_id}/", HTTP_IDEMPOTENCY_KEY=KEY)

    assert (first.status_code, replay.status_code) == (200, 200)
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    reused = {
        "detail": "This Idempotency-Key was already used for a different request.",
        "code": "idempotency_key_reused",
    }
    assert (other_body.status_code, other_body.json()) == (409, reused)
    assert (other_form.status_code, other_form.json()) == (409, reused)
    assert Entry.objects.filter(natural_key=f"task:{proof.pk}").count() == 1
    assert balances(amina)[0] == D("5.00")
    record = IdempotencyRecord.objects.get()
    assert (record.user, record.scope, record.response_status) == (fadi, "admin/messages/approve-link", 200)


def test_the_path_forms_key_is_scoped_to_its_message(amina, bilal, sam, fadi_api, proof):
    other = assignment_submitted(bilal, staff=sam, reward="5.00")
    first = fadi_api.post(f"{APPROVE}{proof.message_id}/", HTTP_IDEMPOTENCY_KEY=KEY)

    second = fadi_api.post(f"{APPROVE}{other.message_id}/", HTTP_IDEMPOTENCY_KEY=KEY)

    assert first.status_code == 200
    assert (second.status_code, second.json()["code"]) == (409, "idempotency_key_reused")
    assert balances(bilal)[0] == D("0.00")


def test_above_the_threshold_two_staff_members_approve(
    amina, fadi, fadi_api, farah, farah_api, sam, unchanged_db, runtime_config
):
    runtime_config(FOUR_EYES_THRESHOLD=D("10.00"))
    proof = assignment_submitted(amina, staff=sam, reward="50.00")

    first = fadi_api.post(APPROVE, {"message_id": proof.message_id}, format="json")

    assert first.status_code == 200
    assert first.json() == review_body(proof, approvals_needed=1, first_approved_by=fadi, link_status="pending")
    assert balances(amina)[0] == D("0.00")
    with unchanged_db():
        same_person = fadi_api.post(APPROVE, {"message_id": proof.message_id}, format="json")
    assert (same_person.status_code, same_person.json()) == (
        403,
        {"detail": "Another staff member must give the second approval.", "code": "four_eyes_required"},
    )

    second = farah_api.post(f"{APPROVE}{proof.message_id}/")

    assert second.status_code == 200
    assert second.json() == review_body(proof, approvals_needed=0, first_approved_by=fadi, link_status="approved")
    proof.refresh_from_db()
    assert (proof.first_approved_by, proof.reviewed_by) == (fadi, farah)
    assert balances(amina)[0] == D("50.00")
    assert expense_balance() == D("-50.00")


def test_at_the_threshold_one_approval_pays(amina, fadi_api, sam, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("50.00"))
    proof = assignment_submitted(amina, staff=sam, reward="50.00")

    response = fadi_api.post(APPROVE, {"message_id": proof.message_id}, format="json")

    assert response.json()["approvals_needed"] == 0
    assert balances(amina)[0] == D("50.00")


def test_a_spent_budget_refuses_the_next_approval(amina, bilal, sam, fadi_api, unchanged_db):
    task = task_services.task_create(
        staff=sam,
        title="Join our channel",
        instructions_en="Join and send the link.",
        platform="telegram",
        reward="5.00",
        budget="5.00",
        segment="all",
    )
    proofs = []
    for investor in (amina, bilal):
        assignment = TaskAssignment.objects.get(task=task, user=investor)
        proofs.append(
            task_services.assignment_proof_submit(assignment_id=assignment.pk, user=investor, link="https://t.me/a")
        )
    assert fadi_api.post(APPROVE, {"message_id": proofs[0].message_id}, format="json").status_code == 200

    with unchanged_db():
        response = fadi_api.post(APPROVE, {"message_id": proofs[1].message_id}, format="json")

    assert (response.status_code, response.json()) == (
        409,
        {
            "detail": "The task's budget is spent: 0.00 USD left, the reward is 5.00.",
            "code": "budget_exhausted",
        },
    )
    assert (balances(amina)[0], balances(bilal)[0], expense_balance()) == (D("5.00"), D("0.00"), D("-5.00"))


def test_approval_refusals_change_nothing(amina, amina_api, sam, sam_api, fadi_api, proof, unchanged_db):
    offered = TaskAssignment.objects.get(task=task_for(amina, staff=sam, title="Another"))
    reply = thread_services.thread_reply(thread_id=ticket_open(amina).pk, author=sam, body="Hi")
    cases = [
        (sam_api, APPROVE, {"message_id": proof.message_id}, 403, FORBIDDEN),
        (amina_api, APPROVE, {"message_id": proof.message_id}, 403, FORBIDDEN),
        (amina_api, f"{APPROVE}{proof.message_id}/", {}, 403, FORBIDDEN),
        (
            fadi_api,
            APPROVE,
            {"message_id": offered.message_id},
            409,
            {"detail": "No proof was submitted for this task.", "code": "not_submitted"},
        ),
        (fadi_api, APPROVE, {"message_id": reply.pk}, 404, NO_TASK_MESSAGE),
        (fadi_api, APPROVE, {"message_id": 999_999}, 404, NO_TASK_MESSAGE),
        (fadi_api, f"{APPROVE}99999999999999999999999/", {}, 404, NO_TASK_MESSAGE),
        (
            fadi_api,
            APPROVE,
            {"message_id": str(proof.message_id)},
            400,
            {"message_id": ["A valid integer is required."]},
        ),
        (fadi_api, APPROVE, {}, 400, {"message_id": ["This field is required."]}),
        (
            fadi_api,
            APPROVE,
            {"message_id": proof.message_id, "amount": "100"},
            400,
            {"amount": ["This field is not allowed."]},
        ),
        (
            fadi_api,
            APPROVE,
            {"message_id": proof.message_id, "admin_note": "a", "note": "b"},
            400,
            {"admin_note": ["Sent twice with different values."]},
        ),
    ]
    with unchanged_db():
        for client, path, body, status, expected in cases:
            response = client.post(path, body, format="json")
            assert (response.status_code, response.json()) == (status, expected), (path, body)
    assert balances(amina)[0] == D("0.00")


def test_an_invalid_idempotency_key_is_refused(fadi_api, proof, unchanged_db):
    with unchanged_db():
        response = fadi_api.post(
            APPROVE, {"message_id": proof.message_id}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 300
        )

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"


# --- Rejecting -----------------------------------------------------------------------------------


def test_rejection_keeps_the_reason_and_the_investor_may_try_again(amina, amina_api, fadi, fadi_api, proof):
    response = fadi_api.post(
        REJECT, {"message_id": proof.message_id, "admin_note": "The link is private."}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == review_body(proof, approvals_needed=1, link_status="rejected")
    proof.refresh_from_db()
    assert (proof.status, proof.review_note, proof.reviewed_by, proof.entry) == (
        "rejected",
        "The link is private.",
        fadi,
        None,
    )
    assert balances(amina)[0] == D("0.00")
    task = amina_api.get("/api/tasks/").json()["results"][0]
    assert (task["status"], task["review_note"]) == ("rejected", "The link is private.")

    again = amina_api.post(
        f"/api/messages/submit-link/{proof.message_id}/", {"link": "https://instagram.com/p/2"}, format="json"
    )

    assert (again.status_code, again.json()["link_status"]) == (200, "pending")


@pytest.mark.parametrize("field", ["admin_note", "reason", "note"])
def test_rejection_the_original_way_with_reason(fadi_api, proof, field):
    """``rejectLink``: ``POST admin/messages/reject-link/<id>/ {reason}`` (and the other names)."""
    response = fadi_api.post(f"{REJECT}{proof.message_id}/", {field: "Not your profile."}, format="json")

    assert response.status_code == 200
    proof.refresh_from_db()
    assert (proof.status, proof.review_note) == ("rejected", "Not your profile.")


def test_rejection_refusals_change_nothing(sam_api, fadi_api, proof, unchanged_db):
    needs_reason = business("Tell the investor why the proof is rejected.", "reason_required", "admin_note")
    cases = [
        (fadi_api, REJECT, {"message_id": proof.message_id}, 400, needs_reason),
        (fadi_api, REJECT, {"message_id": proof.message_id, "admin_note": "   "}, 400, needs_reason),
        (fadi_api, f"{REJECT}{proof.message_id}/", {}, 400, needs_reason),
        (
            fadi_api,
            f"{REJECT}{proof.message_id}/",
            {"reason": "x" * 2001},
            400,
            {"reason": ["Ensure this field has no more than 2000 characters."]},
        ),
        (
            fadi_api,
            f"{REJECT}{proof.message_id}/",
            {"reason": "a", "admin_note": "b"},
            400,
            {"admin_note": ["Sent twice with different values."]},
        ),
        (sam_api, REJECT, {"message_id": proof.message_id, "admin_note": "x"}, 403, FORBIDDEN),
        (fadi_api, REJECT, {"message_id": 999_999, "admin_note": "x"}, 404, NO_TASK_MESSAGE),
    ]
    with unchanged_db():
        for client, path, body, status, expected in cases:
            response = client.post(path, body, format="json")
            assert (response.status_code, response.json()) == (status, expected), (path, body)


def test_a_decided_proof_cannot_be_rejected(fadi_api, proof, unchanged_db):
    fadi_api.post(APPROVE, {"message_id": proof.message_id}, format="json")

    with unchanged_db():
        response = fadi_api.post(REJECT, {"message_id": proof.message_id, "admin_note": "Too late"}, format="json")

    assert (response.status_code, response.json()) == (
        409,
        {"detail": "This proof was already reviewed.", "code": "already_reviewed"},
    )
