"""The caller's tasks (list in their language, accept, decline, submit a proof) and notifications
(list, unread filter, mark read, dismiss an announcement, email preferences). Another user's task
or notification is a 404; every refusal changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.messaging.models import Notification, NotificationPreference, Task, TaskAssignment
from apps.messaging.services import announcements as announcement_services
from apps.messaging.services.notifications import notification_send
from tests.factories import UserFactory
from tests.messaging import api_helpers
from tests.messaging.api_helpers import business
from tests.messaging.helpers import task_for
from tests.wallet.api_helpers import api_for, iso

pytestmark = pytest.mark.django_db

# The shared people of the API tests (fixtures).
amina, amina_api, bilal, bilal_api, sam = (
    api_helpers.amina,
    api_helpers.amina_api,
    api_helpers.bilal,
    api_helpers.bilal_api,
    api_helpers.sam,
)

TASKS = "/api/tasks/"
NOTIFICATIONS = "/api/notifications/"
PREFERENCES = "/api/notifications/preferences/"
NO_TASK = {"detail": "No such task.", "code": "not_found"}
NO_NOTICE = {"detail": "No such notification.", "code": "not_found"}
NOT_ALLOWED = ["This field is not allowed."]


def task_body(assignment: TaskAssignment, *, instructions: str) -> dict:
    assignment.refresh_from_db()
    task = assignment.task
    return {
        "id": assignment.pk,
        "thread_id": assignment.thread_id,
        "message_id": assignment.message_id,
        "title": task.title,
        "instructions": instructions,
        "platform": task.platform,
        "reward": f"{task.reward:.2f}",
        "currency": "USD",
        "expires_at": iso(task.expires_at),
        "status": assignment.status,
        "link_status": assignment.link_status,
        "proof_link": assignment.proof_link,
        "review_note": assignment.review_note,
        "submitted_at": iso(assignment.submitted_at) if assignment.submitted_at else None,
        "reviewed_at": iso(assignment.reviewed_at) if assignment.reviewed_at else None,
        "created_at": iso(assignment.created_at),
    }


@pytest.fixture
def offer(amina, sam):
    task = task_for(amina, staff=sam, reward="5.00", instructions_ar="تابع الحساب وأرسل الرابط.")
    return TaskAssignment.objects.get(task=task)


def path(assignment, action: str) -> str:
    return f"{TASKS}{assignment.pk}/{action}/"


# --- Tasks ---------------------------------------------------------------------------------------------


def test_the_investor_lists_their_tasks(amina_api, bilal, sam, offer):
    task_for(bilal, staff=sam, title="Not Amina's")

    body = amina_api.get(TASKS).json()

    assert body["count"] == 1
    assert body["results"] == [task_body(offer, instructions="Follow the account and send a link to your profile.")]


def test_instructions_come_in_the_callers_language(sam):
    arabic = UserFactory(language="ar")
    task_for(arabic, staff=sam, instructions_ar="تابع الحساب وأرسل الرابط.")

    (row,) = api_for(arabic).get(TASKS).json()["results"]

    assert row["instructions"] == "تابع الحساب وأرسل الرابط."


def test_accept_then_submit_a_proof(amina_api, offer):
    accepted = amina_api.post(path(offer, "accept"))

    assert accepted.status_code == 200
    assert accepted.json() == task_body(offer, instructions=offer.task.instructions_en)
    assert accepted.json()["status"] == "accepted"

    submitted = amina_api.post(path(offer, "submit"), {"link": "https://instagram.com/amina"}, format="json")

    assert submitted.status_code == 200
    assert submitted.json() == task_body(offer, instructions=offer.task.instructions_en)
    assert (submitted.json()["status"], submitted.json()["link_status"], submitted.json()["proof_link"]) == (
        "submitted",
        "pending",
        "https://instagram.com/amina",
    )


def test_decline(amina_api, offer):
    response = amina_api.post(path(offer, "decline"))

    assert (response.status_code, response.json()["status"]) == (200, "declined")


def test_task_refusals_change_nothing(amina, amina_api, bilal_api, offer, unchanged_db):
    cases = [
        (bilal_api, path(offer, "accept"), {}, 404, NO_TASK),
        (bilal_api, path(offer, "decline"), {}, 404, NO_TASK),
        (bilal_api, path(offer, "submit"), {"link": "https://x.com/a"}, 404, NO_TASK),
        (amina_api, f"{TASKS}99999999999999999999999/accept/", {}, 404, NO_TASK),
        (amina_api, path(offer, "accept"), {"status": "approved"}, 400, {"status": NOT_ALLOWED}),
        (amina_api, path(offer, "submit"), {"submitted_link": "https://x.com/a"}, 400, {"submitted_link": NOT_ALLOWED}),
        (
            amina_api,
            path(offer, "submit"),
            {"link": "javascript:alert(1)"},
            400,
            business("Enter a web address starting with http:// or https://.", "invalid_link", "link"),
        ),
        (amina_api, path(offer, "submit"), {}, 400, business("Paste the link to your proof.", "link_required", "link")),
        (amina_api, path(offer, "submit"), {"link": ["https://x.com/a"]}, 400, {"link": ["Not a valid string."]}),
    ]
    with unchanged_db():
        for client, url, body, status, expected in cases:
            response = client.post(url, body, format="json")
            assert (response.status_code, response.json()) == (status, expected), (url, body)


def test_answered_and_expired_tasks_are_conflicts(amina, amina_api, offer, unchanged_db):
    amina_api.post(path(offer, "submit"), {"link": "https://instagram.com/amina"}, format="json")

    with unchanged_db():
        accept = amina_api.post(path(offer, "accept"))
        decline = amina_api.post(path(offer, "decline"))
        again = amina_api.post(path(offer, "submit"), {"link": "https://instagram.com/b"}, format="json")

    assert (accept.status_code, accept.json()) == (
        409,
        {"detail": "You already answered this task.", "code": "already_answered"},
    )
    assert (decline.status_code, decline.json()) == (
        409,
        {"detail": "A task with a submitted proof cannot be declined.", "code": "already_answered"},
    )
    assert (again.status_code, again.json()) == (
        409,
        {"detail": "Your proof is waiting for review.", "code": "proof_pending"},
    )


def test_an_expired_task_takes_no_answer(amina_api, offer, unchanged_db):
    Task.objects.filter(pk=offer.task_id).update(expires_at=timezone.now() - timedelta(seconds=1))

    with unchanged_db():
        accept = amina_api.post(path(offer, "accept"))
        submit = amina_api.post(path(offer, "submit"), {"link": "https://instagram.com/amina"}, format="json")

    for response in (accept, submit):
        assert (response.status_code, response.json()) == (
            409,
            {"detail": "This task has expired.", "code": "task_expired"},
        )


def test_the_task_list_costs_the_same_queries_for_one_or_many(amina, amina_api, sam, offer, django_assert_num_queries):
    with django_assert_num_queries(3):  # user, count, page
        amina_api.get(TASKS)
    for number in range(5):
        task_for(amina, staff=sam, title=f"Task {number}")

    with django_assert_num_queries(3):
        assert amina_api.get(TASKS).json()["count"] == 6


# --- Notifications -------------------------------------------------------------------------------------


def notice_body(notice: Notification) -> dict:
    notice.refresh_from_db()
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "category": notice.category,
        "title": notice.title,
        "body": notice.body,
        "link": notice.link,
        "is_read": notice.is_read,
        "announcement_id": notice.announcement_id,
        "dismissed_at": iso(notice.dismissed_at) if notice.dismissed_at else None,
        "created_at": iso(notice.created_at),
    }


def notify(user, title: str, kind: str = "deposit_approved") -> Notification:
    return notification_send(user=user, kind=kind, title=title, body="Details", link="/wallet/", email=False)


@pytest.fixture
def notices(amina, bilal):
    first = notify(amina, "Deposit approved")
    second = notify(amina, "Withdrawal paid", kind="withdrawal_paid")
    notify(bilal, "Not Amina's")
    return first, second


def test_the_list_newest_first_and_the_unread_filter(amina_api, notices):
    first, second = notices
    Notification.objects.filter(pk=first.pk).update(is_read=True)

    everything = amina_api.get(NOTIFICATIONS).json()
    unread = amina_api.get(NOTIFICATIONS, {"unread": "true"}).json()

    assert everything["results"] == [notice_body(second), notice_body(first)]
    assert everything["results"][0]["category"] == "money"
    assert (unread["count"], [row["id"] for row in unread["results"]]) == (1, [second.pk])
    assert amina_api.get(NOTIFICATIONS, {"unread": "maybe"}).status_code == 400


@pytest.mark.parametrize("value", ["0", "1", "yes", "on", "True"])
def test_the_unread_filter_takes_only_the_schemas_values(amina_api, notices, value):
    """Schemathesis: `?unread=0` was answered 200 though the schema says `true` or `false`."""
    response = amina_api.get(NOTIFICATIONS, {"unread": value})

    assert response.status_code == 400
    assert response.json() == {"unread": [f'"{value}" is not a valid choice.']}


def test_mark_read_by_ids_or_all(amina, amina_api, bilal, notices):
    first, _second = notices
    theirs = Notification.objects.get(user=bilal)

    by_ids = amina_api.post(f"{NOTIFICATIONS}mark-read/", {"ids": [first.pk, theirs.pk]}, format="json")

    assert (by_ids.status_code, by_ids.json()) == (200, {"marked": 1, "unread": 1})
    theirs.refresh_from_db()
    assert theirs.is_read is False

    everything = amina_api.post(f"{NOTIFICATIONS}mark-read/", {"all": True}, format="json")

    assert everything.json() == {"marked": 1, "unread": 0}
    assert Notification.objects.filter(user=amina, is_read=False).count() == 0


def test_mark_read_refusals_change_nothing(amina_api, notices, unchanged_db):
    either = {"ids": ["Send either ids or all: true."]}
    cases = [
        ({}, either),
        ({"all": False}, either),
        ({"ids": [1], "all": True}, either),
        ({"ids": []}, {"ids": ["This list may not be empty."]}),
        ({"ids": ["1"]}, {"ids": {"0": ["A valid integer is required."]}}),
        ({"ids": list(range(1, 102))}, {"ids": ["Ensure this field has no more than 100 elements."]}),
        ({"all": "true"}, {"all": ["Must be a valid boolean."]}),
        ({"all": True, "user": 3}, {"user": NOT_ALLOWED}),
    ]
    with unchanged_db():
        for body, expected in cases:
            response = amina_api.post(f"{NOTIFICATIONS}mark-read/", body, format="json")
            assert (response.status_code, response.json()) == (400, expected), body


def test_an_announcement_is_dismissed(amina, amina_api, bilal_api, sam, notices):
    announcement = announcement_services.announcement_create(
        staff=sam, title_en="Maintenance", body_en="Sunday 2-4 am.", pinned=True
    )
    announcement_services.announcement_send(announcement_id=announcement.pk, staff=sam)
    announcement_services.announcement_deliver(announcement_id=announcement.pk)
    banner = Notification.objects.get(user=amina, announcement=announcement)

    response = amina_api.post(f"{NOTIFICATIONS}{banner.pk}/dismiss/")

    assert response.status_code == 200
    assert response.json() == notice_body(banner)
    assert (banner.is_read, banner.announcement_id, banner.dismissed_at is not None) == (True, announcement.pk, True)
    others = bilal_api.post(f"{NOTIFICATIONS}{banner.pk}/dismiss/")
    assert (others.status_code, others.json()) == (404, NO_NOTICE)


def test_dismiss_refusals_change_nothing(amina_api, bilal_api, notices, unchanged_db):
    first, _second = notices
    with unchanged_db():
        plain = amina_api.post(f"{NOTIFICATIONS}{first.pk}/dismiss/")
        missing = amina_api.post(f"{NOTIFICATIONS}99999999999999999999999/dismiss/")
        with_body = amina_api.post(f"{NOTIFICATIONS}{first.pk}/dismiss/", {"now": True}, format="json")

    assert (plain.status_code, plain.json()) == (
        400,
        {"detail": "Only announcements can be dismissed.", "code": "not_dismissible"},
    )
    assert (missing.status_code, missing.json()) == (404, NO_NOTICE)
    assert (with_body.status_code, with_body.json()) == (400, {"now": NOT_ALLOWED})


# --- Email preferences ----------------------------------------------------------------------------------


DEFAULTS = {
    "email_support": True,
    "email_tasks": True,
    "email_announcements": True,
    "email_money": True,
    "email_security": True,
    "email_account": True,
}


def test_preferences_start_all_on_and_change_one_at_a_time(amina, amina_api):
    assert amina_api.get(PREFERENCES).json() == DEFAULTS

    response = amina_api.patch(PREFERENCES, {"email_tasks": False, "email_money": False}, format="json")

    assert response.status_code == 200
    assert response.json() == {**DEFAULTS, "email_tasks": False, "email_money": False}
    preference = NotificationPreference.objects.get(user=amina)
    assert (preference.email_support, preference.email_tasks, preference.email_money) == (True, False, False)
    assert amina_api.patch(PREFERENCES, {"email_tasks": True}, format="json").json()["email_tasks"] is True
    assert amina_api.get(PREFERENCES).json() == {**DEFAULTS, "email_money": False}


def test_security_emails_cannot_be_switched_off(amina_api, unchanged_db):
    with unchanged_db():
        security = amina_api.patch(PREFERENCES, {"email_security": False}, format="json")
        account = amina_api.patch(PREFERENCES, {"email_account": False, "email_tasks": False}, format="json")
        text = amina_api.patch(PREFERENCES, {"email_tasks": "false"}, format="json")
        unknown = amina_api.patch(PREFERENCES, {"email_everything": False}, format="json")
        put = amina_api.put(PREFERENCES, {"email_tasks": False}, format="json")

    assert (security.status_code, security.json()) == (
        400,
        business("These emails cannot be switched off: email_security.", "invalid", "email_security"),
    )
    assert account.json() == business("These emails cannot be switched off: email_account.", "invalid", "email_account")
    assert (text.status_code, text.json()) == (400, {"email_tasks": ["Must be a valid boolean."]})
    assert (unknown.status_code, unknown.json()) == (400, {"email_everything": NOT_ALLOWED})
    assert put.status_code == 405


def test_tasks_and_notifications_need_a_token(api_client):
    for url in (TASKS, NOTIFICATIONS, PREFERENCES):
        assert api_client.get(url).status_code == 401


def test_the_notification_list_costs_the_same_queries_for_one_or_many(amina, amina_api, django_assert_num_queries):
    notify(amina, "First")
    with django_assert_num_queries(3):  # user, count, page
        amina_api.get(NOTIFICATIONS)
    for number in range(10):
        notify(amina, f"Notice {number}")

    with django_assert_num_queries(3):
        assert amina_api.get(NOTIFICATIONS).json()["count"] == 11
