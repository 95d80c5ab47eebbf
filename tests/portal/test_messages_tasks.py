"""Rewarded tasks in the portal: the task card of a task thread in each state, with exactly the
actions that apply (accept / decline while offered, a proof link once accepted or after a
rejection, until the task expires), each action through its service; every refusal shows on the
card and changes nothing; another investor's task is a 404."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from apps.messaging.models import AssignmentStatus, Task, TaskAssignment
from apps.messaging.services import tasks as task_services
from tests.factories import UserFactory
from tests.messaging.helpers import assignment_submitted, finance_staff, support_staff, task_for
from tests.portal.conftest import HEADER_QUERIES, messages_of

pytestmark = pytest.mark.django_db


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.fixture
def assignment(investor):
    task = task_for(
        investor,
        reward="1250.00",
        budget="5000.00",
        title="Follow us on Instagram",
        instructions_en="Follow <b>our</b> account.\nThen send the link.",
        instructions_ar="تابع حسابنا.\nثم أرسل الرابط.",
    )
    return TaskAssignment.objects.select_related("task").get(task=task, user=investor)


def _page(client, assignment) -> str:
    return client.get(f"/messages/{assignment.thread_id}/").content.decode()


def _expire(assignment) -> None:
    Task.objects.filter(pk=assignment.task_id).update(expires_at=timezone.now() - timedelta(minutes=1))


def _action(assignment, name: str) -> str:
    return f'action="/messages/tasks/{assignment.pk}/{name}/"'


def test_an_offered_task_shows_its_card_and_accept_or_decline(investor, assignment):
    html = _page(_client(investor), assignment)
    expiry = date_format(timezone.localtime(assignment.task.expires_at), "DATETIME_FORMAT")
    assert '<section class="card task-card" aria-labelledby="task-heading" id="task">' in html
    assert '<span class="badge badge-action">New task: accept or decline</span>' in html
    assert '<dd id="task-platform">Instagram</dd>' in html
    assert '<span class="amount" id="task-reward">1,250.00 USD</span>' in html
    assert (
        f'<dt>Open until</dt><dd><time id="task-expiry" datetime="{assignment.task.expires_at.isoformat()}">'
        f"{expiry}</time>" in html
    )
    assert (
        '<div class="task-instructions" dir="auto" id="task-instructions">'
        "Follow &lt;b&gt;our&lt;/b&gt; account.<br>Then send the link.</div>"
    ) in html
    assert _action(assignment, "accept") in html
    assert _action(assignment, "decline") in html
    assert 'id="proof-form"' not in html
    # the task's own message is the card, not a message of the conversation
    assert 'id="conversation"' not in html
    assert "A question about this task? Write to us here." in html


def test_the_instructions_follow_the_page_language(investor, assignment):
    html = _page(_client(investor, "ar"), assignment)
    assert "تابع حسابنا.<br>ثم أرسل الرابط." in html
    assert "\u20661,250.00 USD\u2069" in html


def test_accepting_then_sending_a_proof(investor, assignment):
    client = _client(investor)
    response = client.post(f"/messages/tasks/{assignment.pk}/accept/")
    assert response.status_code == 302
    assert response["Location"] == f"/messages/{assignment.thread_id}/#task"
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED
    page = client.get(response["Location"])
    assert messages_of(page) == ["You accepted the task. Do it, then send us the link to your proof."]
    html = page.content.decode()
    assert '<span class="badge badge-action">Accepted: send your proof</span>' in html
    assert _action(assignment, "proof") in html
    assert _action(assignment, "decline") in html
    assert _action(assignment, "accept") not in html

    response = client.post(f"/messages/tasks/{assignment.pk}/proof/", {"link": " https://instagram.com/layla "})
    assert response["Location"] == f"/messages/{assignment.thread_id}/#task"
    assignment.refresh_from_db()
    assert (assignment.status, assignment.proof_link) == (AssignmentStatus.SUBMITTED, "https://instagram.com/layla")
    page = client.get(response["Location"])
    assert messages_of(page) == ["Your proof was sent. Staff will review it and tell you."]
    html = page.content.decode()
    assert '<span class="badge badge-status-pending">Proof sent, in review</span>' in html
    assert "Your proof is waiting for review. We will tell you the result." in html
    assert '<span class="proof-link" dir="ltr">https://instagram.com/layla</span>' in html
    assert 'id="proof-form"' not in html
    assert _action(assignment, "decline") not in html


def test_declining(investor, assignment):
    client = _client(investor)
    response = client.post(f"/messages/tasks/{assignment.pk}/decline/")
    assert response["Location"] == f"/messages/{assignment.thread_id}/#task"
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DECLINED
    html = client.get(response["Location"]).content.decode()
    assert '<span class="badge">Declined</span>' in html
    assert '<p class="task-outcome" id="task-declined">You declined this task.</p>' in html
    assert "<form" not in html.split('id="task"')[1].split("</section>")[0]


@pytest.mark.parametrize(
    ("link", "error"),
    [
        ("", "Paste the link to your proof."),
        ("ftp://example.com/proof", "Enter a web address starting with http:// or https://."),
        ("javascript:alert(1)", "Enter a web address starting with http:// or https://."),
        ("https://" + "x" * 500 + ".com", "The link is too long (at most 500 characters)."),
    ],
)
def test_a_wrong_proof_link_is_a_form_error_and_changes_nothing(investor, assignment, unchanged_db, link, error):
    client = _client(investor)
    client.post(f"/messages/tasks/{assignment.pk}/accept/")
    client.get(f"/messages/{assignment.thread_id}/")
    with unchanged_db():
        response = client.post(f"/messages/tasks/{assignment.pk}/proof/", {"link": link})
    assert response.status_code == 200
    assert response.context["proof_form"].errors == {"link": [error]}
    html = response.content.decode()
    assert f'<ul class="field-errors" id="id_link_error">\n      <li>{error}</li>' in html


def test_an_expired_task_offers_nothing_and_refuses_every_action(investor, assignment, unchanged_db):
    _expire(assignment)
    client = _client(investor)
    html = _page(client, assignment)
    assert '<span class="badge">Expired</span>' in html
    assert "This task has expired: it can no longer be done." in html
    assert "<dt>Expired on</dt>" in html
    for name in ("accept", "decline", "proof"):
        assert _action(assignment, name) not in html
    with unchanged_db():
        response = client.post(f"/messages/tasks/{assignment.pk}/accept/")
        assert response.status_code == 200
        assert '<div class="form-errors" role="alert" id="task-error"><p>This task has expired.</p></div>' in (
            response.content.decode()
        )
        response = client.post(f"/messages/tasks/{assignment.pk}/proof/", {"link": "https://x.com/a"})
        assert response.context["proof_form"].errors == {"__all__": ["This task has expired."]}


def test_answering_twice_is_refused_on_the_card(investor, assignment, unchanged_db):
    client = _client(investor)
    client.post(f"/messages/tasks/{assignment.pk}/decline/")
    client.get(f"/messages/{assignment.thread_id}/")
    with unchanged_db():
        html = client.post(f"/messages/tasks/{assignment.pk}/accept/").content.decode()
        assert "<p>You already answered this task.</p>" in html
        response = client.post(f"/messages/tasks/{assignment.pk}/proof/", {"link": "https://x.com/a"})
        assert response.context["proof_form"].errors == {"__all__": ["You declined this task."]}


def test_a_rejected_proof_shows_the_reason_and_may_be_sent_again(investor):
    submitted = assignment_submitted(investor, link="https://t.me/private")
    task_services.assignment_reject(
        assignment_id=submitted.pk, staff=finance_staff(), note="The profile is <private>.\nMake it public."
    )
    client = _client(investor)
    html = _page(client, submitted)
    assert '<span class="badge badge-status-rejected">Proof rejected: send it again</span>' in html
    assert "<p><strong>Your proof was rejected.</strong></p>" in html
    assert "<bdi>The profile is &lt;private&gt;.<br>Make it public.</bdi>" in html
    assert '<span class="proof-link" dir="ltr">https://t.me/private</span>' in html
    assert _action(submitted, "proof") in html
    client.post(f"/messages/tasks/{submitted.pk}/proof/", {"link": "https://t.me/public"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.proof_link) == (AssignmentStatus.SUBMITTED, "https://t.me/public")


def test_a_rejected_proof_of_an_expired_task_cannot_be_sent_again(investor):
    submitted = assignment_submitted(investor)
    task_services.assignment_reject(assignment_id=submitted.pk, staff=finance_staff(), note="Private profile.")
    _expire(submitted)
    html = _page(_client(investor), submitted)
    assert "Private profile." in html
    assert "This task has expired: it can no longer be done." in html
    assert _action(submitted, "proof") not in html


def test_an_approved_proof_says_the_reward_was_paid(investor):
    submitted = assignment_submitted(investor, reward="12.50")
    task_services.assignment_approve(assignment_id=submitted.pk, staff=finance_staff())
    html = _page(_client(investor), submitted)
    assert '<span class="badge badge-status-approved">Approved, reward paid</span>' in html
    assert (
        "Your proof was approved and the reward of 12.50 USD was paid to your available balance."
        ' <a href="/wallet/statement/">See your statement</a>'
    ) in html
    assert "<form" not in html.split('id="task"')[1].split("</section>")[0]


def test_another_investors_task_is_a_404_and_changes_nothing(investor, assignment, unchanged_db):
    client = _client(UserFactory())
    with unchanged_db():
        assert client.get(f"/messages/{assignment.thread_id}/").status_code == 404
        assert client.post(f"/messages/tasks/{assignment.pk}/accept/").status_code == 404
        assert client.post(f"/messages/tasks/{assignment.pk}/decline/").status_code == 404
        assert client.post(f"/messages/tasks/{assignment.pk}/proof/", {"link": "https://x.com/a"}).status_code == 404
        assert client.post(f"/messages/tasks/{assignment.pk}/proof/", {"link": "nonsense"}).status_code == 404
        assert client.post("/messages/tasks/999999/accept/").status_code == 404
    assert client.get(f"/messages/tasks/{assignment.pk}/accept/").status_code == 405


def test_staff_cannot_act_on_tasks_from_the_portal(investor, assignment, unchanged_db):
    client = _client(support_staff())
    with unchanged_db():
        html = client.post(f"/messages/tasks/{assignment.pk}/accept/").content.decode()
    assert 'id="messages-staff"' in html


def test_a_task_thread_costs_one_query_more_than_a_ticket(investor, assignment, django_assert_num_queries):
    client = _client(investor)
    client.get(f"/messages/{assignment.thread_id}/")
    # session, user, thread, read pointer, messages, their files, the assignment with its task;
    # marking read: thread, pointer row, pointer update; the header
    with django_assert_num_queries(10 + HEADER_QUERIES):
        client.get(f"/messages/{assignment.thread_id}/")
