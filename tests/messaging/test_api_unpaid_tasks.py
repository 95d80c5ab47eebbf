"""The original client's custom offer: ``POST messages/send/`` with exactly ``{recipient, subject,
message, offer_details: {platform}}`` and no reward makes a task without a reward for that
investor (``reward`` null in every row); the investor submits a link by path, staff approve by
path (approved, nothing paid: balances and ledger untouched, a notice that speaks of no money) or
reject by path. A reward of 0 and a reward without a platform are refused, and so is an offer from
anyone without ``messaging.add_task``; each refusal changes nothing. With a reward the same body
is a paid task, as before."""

from decimal import Decimal

import pytest

from apps.messaging.models import Notification, Task, TaskAssignment
from tests.messaging import api_helpers
from tests.messaging.api_helpers import business, message_body, person
from tests.wallet.api_helpers import iso
from tests.wallet.helpers import assert_ledger_ok, balances

pytestmark = pytest.mark.django_db

amina, amina_api, fadi, fadi_api, sam, sam_api = (
    api_helpers.amina,
    api_helpers.amina_api,
    api_helpers.fadi,
    api_helpers.fadi_api,
    api_helpers.sam,
    api_helpers.sam_api,
)

D = Decimal
ZERO = D("0.00")
SEND = "/api/messages/send/"
SUBMIT = "/api/messages/submit-link/"
APPROVE = "/api/admin/messages/approve-link/"
REJECT = "/api/admin/messages/reject-link/"
PROOF = "https://facebook.com/amina/posts/42"
ZERO_REWARD = "A reward must be greater than zero: leave it out for a task without a reward."


def custom_offer(recipient_id: int, **extra) -> dict:
    """``sendCustomOffer``'s body, exactly."""
    return {
        "recipient": recipient_id,
        "subject": "Share our post",
        "message": "Share the post and send us the link.",
        "offer_details": {"platform": "Facebook"},
        **extra,
    }


def entries() -> int:
    from apps.wallet.models import Entry

    return Entry.objects.count()


@pytest.fixture
def offer(amina, sam_api) -> TaskAssignment:
    response = sam_api.post(SEND, custom_offer(amina.pk), format="json")
    assert response.status_code == 201, response.content
    return TaskAssignment.objects.select_related("task", "message").get()


def review_row(assignment: TaskAssignment, *, is_read: bool = False) -> dict:
    assignment.refresh_from_db()
    return {
        **message_body(
            assignment.message,
            recipient=person(assignment.user),
            is_read=is_read,
            offer_platform="facebook",
            reward=None,
            submitted_link=assignment.proof_link,
            link_status=assignment.link_status,
        ),
        "is_internal": False,
        "user_email": assignment.user.email,
        "approvals_needed": 0 if assignment.status == "approved" else 1,
        "first_approved_by": None,
        "first_approved_at": None,
        "review_note": assignment.review_note,
    }


def test_the_clients_custom_offer_makes_a_task_without_a_reward(amina, amina_api, sam, sam_api):
    response = sam_api.post(SEND, custom_offer(amina.pk), format="json")

    assert response.status_code == 201, response.content
    task = Task.objects.get()
    assignment = TaskAssignment.objects.get()
    assert (task.title, task.instructions_en, task.platform, task.reward, task.budget, task.paid_total) == (
        "Share our post",
        "Share the post and send us the link.",
        "facebook",
        None,
        ZERO,
        ZERO,
    )
    assert (task.recipient, task.created_by, assignment.user, assignment.status, assignment.pays_reward) == (
        amina,
        sam,
        amina,
        "offered",
        False,
    )
    expected = message_body(
        assignment.message, recipient=person(amina), is_read=True, offer_platform="facebook", reward=None
    )
    assert response.json() == expected
    assert amina_api.get("/api/messages/").json()["results"] == [{**expected, "is_read": False}]
    assert [row["reward"] for row in amina_api.get("/api/tasks/").json()["results"]] == [None]


def test_the_investor_submits_and_staff_approve_by_path_and_nothing_is_paid(amina, amina_api, fadi, fadi_api, offer):
    submitted = amina_api.post(f"{SUBMIT}{offer.message_id}/", {"link": PROOF}, format="json")

    assert submitted.status_code == 200, submitted.content
    assert (submitted.json()["submitted_link"], submitted.json()["link_status"], submitted.json()["reward"]) == (
        PROOF,
        "pending",
        None,
    )
    Notification.objects.all().delete()

    approved = fadi_api.post(f"{APPROVE}{offer.message_id}/")

    assert approved.status_code == 200, approved.content
    assert approved.json() == review_row(offer)
    assert (offer.status, offer.reviewed_by, offer.entry, offer.link_status) == ("approved", fadi, None, "approved")
    assert balances(amina) == (ZERO, ZERO, ZERO)
    assert entries() == 0
    assert Task.objects.get().paid_total == ZERO
    assert list(Notification.objects.values_list("user", "kind", "title", "body", "link")) == [
        (
            amina.pk,
            "task_proof_approved",
            "Task proof approved: Share our post",
            "Your proof was approved.",
            f"/messages/{offer.thread_id}/",
        )
    ]
    row = amina_api.get("/api/messages/").json()["results"][0]
    assert (row["link_status"], row["reward"], row["submitted_link"]) == ("approved", None, PROOF)
    assert_ledger_ok()


def test_staff_reject_an_unpaid_proof_by_path(amina, amina_api, fadi_api, offer):
    amina_api.post(f"{SUBMIT}{offer.message_id}/", {"link": PROOF}, format="json")

    rejected = fadi_api.post(f"{REJECT}{offer.message_id}/", {"reason": "The post is not public."}, format="json")

    assert rejected.status_code == 200, rejected.content
    assert rejected.json() == review_row(offer)
    assert (offer.status, offer.review_note, offer.entry) == ("rejected", "The post is not public.", None)
    assert (balances(amina), entries()) == ((ZERO, ZERO, ZERO), 0)
    again = amina_api.post(f"{SUBMIT}{offer.message_id}/", {"link": PROOF + "?v=2"}, format="json")
    assert (again.status_code, again.json()["link_status"]) == (200, "pending")


def test_an_approved_unpaid_proof_is_final(amina_api, fadi_api, offer, unchanged_db):
    amina_api.post(f"{SUBMIT}{offer.message_id}/", {"link": PROOF}, format="json")
    fadi_api.post(f"{APPROVE}{offer.message_id}/")

    with unchanged_db():
        again = fadi_api.post(f"{APPROVE}{offer.message_id}/")
        resubmit = amina_api.post(f"{SUBMIT}{offer.message_id}/", {"link": PROOF}, format="json")

    assert (again.status_code, again.json()) == (
        409,
        {"detail": "This proof was already reviewed.", "code": "already_reviewed"},
    )
    assert (resubmit.status_code, resubmit.json()) == (
        409,
        {"detail": "Your proof was approved.", "code": "already_approved"},
    )


def test_the_same_body_with_a_reward_is_a_paid_task(amina, amina_api, sam_api, fadi_api):
    response = sam_api.post(SEND, custom_offer(amina.pk, reward=7.5), format="json")
    assert (response.status_code, response.json()["reward"]) == (201, "7.50")
    assignment = TaskAssignment.objects.select_related("task").get()
    assert (assignment.task.reward, assignment.task.budget, assignment.pays_reward) == (D("7.50"), D("7.50"), True)
    amina_api.post(f"{SUBMIT}{assignment.message_id}/", {"link": PROOF}, format="json")

    approved = fadi_api.post(f"{APPROVE}{assignment.message_id}/")

    assert (approved.status_code, approved.json()["link_status"], approved.json()["reward"]) == (
        200,
        "approved",
        "7.50",
    )
    assignment.refresh_from_db()
    assert assignment.entry.natural_key == f"task:{assignment.pk}"
    assert balances(amina) == (D("7.50"), ZERO, ZERO)
    assert Notification.objects.filter(kind="task_reward_paid").count() == 1
    assert_ledger_ok()


def test_refusals_change_nothing(amina, amina_api, sam_api, fadi_api, unchanged_db):
    cases = [
        (sam_api, custom_offer(amina.pk, reward=0), 400, business(ZERO_REWARD, "invalid_amount", "reward")),
        (sam_api, custom_offer(amina.pk, reward="0.00"), 400, business(ZERO_REWARD, "invalid_amount", "reward")),
        (
            sam_api,
            custom_offer(amina.pk, reward=None),
            400,
            {"reward": ["This field may not be null."]},
        ),
        (
            sam_api,
            {**custom_offer(amina.pk), "offer_details": {}, "reward": "5.00"},
            400,
            {"offer_platform": ["A reward is only for a task: add its platform."]},
        ),
        (
            sam_api,
            {**custom_offer(amina.pk), "offer_details": {"platform": "Myspace"}},
            400,
            {"offer_details": {"platform": ['"Myspace" is not a valid choice.']}},
        ),
        (
            fadi_api,
            custom_offer(amina.pk),
            403,
            {"detail": "You may not create tasks.", "code": "permission_denied"},
        ),
        (
            amina_api,
            custom_offer(amina.pk),
            403,
            {"detail": "Only staff create tasks.", "code": "permission_denied"},
        ),
    ]
    with unchanged_db():
        for client, body, status, expected in cases:
            response = client.post(SEND, body, format="json")
            assert (response.status_code, response.json()) == (status, expected), body


def test_the_task_list_shows_no_reward_as_null(amina, amina_api, offer):
    row = amina_api.get("/api/tasks/").json()["results"][0]
    assert (row["id"], row["platform"], row["reward"], row["currency"], row["expires_at"]) == (
        offer.pk,
        "facebook",
        None,
        "USD",
        iso(offer.task.expires_at),
    )
