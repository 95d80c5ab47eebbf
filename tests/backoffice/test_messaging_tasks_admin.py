"""Task proofs (the review queue: submitted proofs oldest first, approve and reject dialogs through
the services, four eyes above the threshold, a fixed number of queries) and the Task admin (the
list, the create form through ``task_create``, counts per status on a task's page). Every refusal
changes nothing; Finance reviews, Support creates, nobody else does either."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.controls.runtime import runtime_setting
from apps.messaging.models import AssignmentStatus, Task, TaskAssignment
from apps.messaging.services import tasks as task_services
from apps.wallet.selectors import balances_for_user
from tests.factories import UserFactory
from tests.messaging.helpers import (
    assignment_submitted,
    finance_staff,
    operations_staff,
    support_staff,
    task_for,
)

pytestmark = pytest.mark.django_db

PROOFS = "/admin/messaging/taskassignment/"
TASKS = "/admin/messaging/task/"
CURRENCY = settings.PLATFORM_CURRENCY


def listed(client, query: str = "") -> list[int]:
    response = client.get(f"{PROOFS}?{query}")
    assert response.status_code == 200
    return [assignment.pk for assignment in response.context["cl"].result_list]


def review_url(assignment, action: str) -> str:
    return reverse(f"admin:messaging_taskassignment_{action}", args=(assignment.pk,))


def proof_url(assignment) -> str:
    return reverse("admin:messaging_taskassignment_change", args=(assignment.pk,))


def submitted_ago(assignment, **delta):
    TaskAssignment.objects.filter(pk=assignment.pk).update(submitted_at=timezone.now() - timedelta(**delta))
    assignment.refresh_from_db()
    return assignment


def review_state(assignment) -> tuple:
    assignment.refresh_from_db()
    return (assignment.status, assignment.first_approved_by_id, assignment.reviewed_by_id, assignment.entry_id)


def messages_on(client, url: str = PROOFS) -> list[str]:
    return [str(message) for message in client.get(url).context["messages"]]


@pytest.fixture
def farid(db):
    return finance_staff(email="farid@bursar.example")


@pytest.fixture
def queue(db):
    """Three submitted proofs (3, 1 and 2 days old) and one only offered."""
    old = submitted_ago(assignment_submitted(UserFactory(email="old@example.com")), days=3)
    new = submitted_ago(assignment_submitted(UserFactory(email="new@example.com")), days=1)
    middle = submitted_ago(assignment_submitted(UserFactory(email="middle@example.com")), days=2)
    offered = TaskAssignment.objects.get(task=task_for(UserFactory()))
    return {"old": old, "new": new, "middle": middle, "offered": offered}


# --- the queue ------------------------------------------------------------------------------------------


def test_the_queue_is_the_submitted_proofs_oldest_first(queue, farid, admin_client_for):
    client = admin_client_for(farid)
    assert listed(client) == [queue["old"].pk, queue["middle"].pk, queue["new"].pk]
    assert listed(client, "status=offered") == [queue["offered"].pk]
    assert sorted(listed(client, "status=all")) == sorted(item.pk for item in queue.values())
    response = client.get(PROOFS)
    assert response.context["title"] == "Task proofs"
    assert "display_status" not in response.context["cl"].list_display
    assert "display_status" in client.get(f"{PROOFS}?status=all").context["cl"].list_display


def test_queue_columns(queue, farid, admin_client_for):
    response = admin_client_for(farid).get(PROOFS)
    model_admin = response.context["cl"].model_admin
    old = queue["old"]
    proof = model_admin.display_proof(old)
    assert 'href="https://instagram.com/p/abc"' in proof
    assert 'rel="noopener noreferrer nofollow"' in proof
    assert ">https://instagram.com/p/abc</a>" in proof
    assert model_admin.display_reward(old) == f'<span class="whitespace-nowrap">5.00 {CURRENCY}</span>'
    assert "Instagram" in model_admin.display_task(old)
    assert "3\xa0days" in model_admin.display_submitted(old)
    assert model_admin.display_approvals(old) == "one"
    assert 'href="/admin/messaging/taskassignment/' in response.text
    assert response.text.count('rel="noopener noreferrer nofollow"') == 3


def test_above_the_threshold_the_queue_says_a_second_approver_is_needed(farid, admin_client_for):
    big = assignment_submitted(UserFactory(), reward="20000.00")
    client = admin_client_for(farid)
    model_admin = client.get(PROOFS).context["cl"].model_admin
    assert model_admin.display_approvals(big) == "two needed"
    task_services.assignment_approve(assignment_id=big.pk, staff=farid)
    big = TaskAssignment.objects.select_related("task", "first_approved_by").get(pk=big.pk)
    approvals = model_admin.display_approvals(big)
    assert "farid@bursar.example" in approvals
    assert "needs a second approver" in approvals
    dialog = client.get(review_url(big, "approve"))
    assert "First approved by farid@bursar.example: needs a second approver" in dialog.text


def test_the_queue_takes_a_fixed_number_of_queries(farid, admin_client_for):
    client = admin_client_for(farid)
    assignment_submitted(UserFactory())
    client.get(PROOFS)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(PROOFS).status_code == 200
        return len(context.captured_queries)

    one = queries()
    staff = support_staff()
    for index in range(19):
        first = assignment_submitted(UserFactory(), staff=staff, reward="20000.00" if index % 2 else "5.00")
        if index % 2:
            task_services.assignment_approve(assignment_id=first.pk, staff=farid)
    assert TaskAssignment.objects.filter(status=AssignmentStatus.SUBMITTED).count() == 20
    assert queries() == one


# --- approve and reject ---------------------------------------------------------------------------------


def test_approve_from_the_queue_pays_the_reward_once(queue, farid, admin_client_for):
    old = queue["old"]
    client = admin_client_for(farid)
    dialog = client.get(review_url(old, "approve"))
    assert dialog.status_code == 200
    assert "Approve this proof?" in dialog.text
    assert 'id="proof-dialog-summary"' in dialog.text
    response = client.post(
        review_url(old, "approve"), {"_form_submitted": "True", "note": "Looks right"}, HTTP_HX_CURRENT_URL=PROOFS
    )
    assert response["HX-Redirect"] == PROOFS
    assert messages_on(client) == [f"The proof was approved: 5.00 {CURRENCY} was paid to old@example.com."]
    old.refresh_from_db()
    assert (old.status, old.reviewed_by, old.review_note) == (AssignmentStatus.APPROVED, farid, "Looks right")
    assert balances_for_user(user=old.user).available == Decimal("5.00")
    assert Task.objects.get(pk=old.task_id).paid_total == Decimal("5.00")
    assert listed(client) == [queue["middle"].pk, queue["new"].pk]

    # Approving again (a stale dialog) is a message and pays nothing more.
    response = client.post(review_url(old, "approve"), {"_form_submitted": "True"})
    assert response["HX-Redirect"] == PROOFS
    assert messages_on(client) == ["This proof was already reviewed."]
    assert balances_for_user(user=old.user).available == Decimal("5.00")


def test_from_the_proofs_page_the_dialog_returns_to_it(queue, farid, admin_client_for):
    client = admin_client_for(farid)
    page = client.get(proof_url(queue["old"]))
    assert [action["title"] for action in page.context["actions_detail"]] == ["Approve", "Reject"]
    response = client.post(
        review_url(queue["old"], "reject"),
        {"_form_submitted": "True", "admin_note": "The link is private."},
        HTTP_HX_CURRENT_URL=f"http://testserver{proof_url(queue['old'])}",
    )
    assert response["HX-Redirect"] == f"http://testserver{proof_url(queue['old'])}"
    assert client.get(proof_url(queue["old"])).context["actions_detail"] == []
    # A page of another site is never where a dialog sends you.
    response = client.post(
        review_url(queue["new"], "reject"),
        {"_form_submitted": "True", "admin_note": "No."},
        HTTP_HX_CURRENT_URL="https://evil.example/admin/",
    )
    assert response["HX-Redirect"] == PROOFS


def test_four_eyes_above_the_threshold(farid, admin_client_for):
    big = assignment_submitted(UserFactory(), reward="20000.00")
    client = admin_client_for(farid)
    client.post(review_url(big, "approve"), {"_form_submitted": "True"})
    assert messages_on(client) == ["First approval recorded. A second staff member must approve to pay the reward."]
    assert review_state(big) == (AssignmentStatus.SUBMITTED, farid.pk, None, None)
    client.post(review_url(big, "approve"), {"_form_submitted": "True"})
    assert messages_on(client) == ["Another staff member must give the second approval."]
    assert review_state(big) == (AssignmentStatus.SUBMITTED, farid.pk, None, None)
    second = admin_client_for(finance_staff())
    second.post(review_url(big, "approve"), {"_form_submitted": "True"})
    big.refresh_from_db()
    assert (big.status, big.first_approved_by, big.reviewed_by_id) == (
        AssignmentStatus.APPROVED,
        farid,
        big.reviewed_by_id,
    )
    assert big.reviewed_by_id != farid.pk
    assert balances_for_user(user=big.user).available == Decimal("20000.00")


def test_reject_needs_a_reason_and_tells_the_investor(queue, farid, admin_client_for, unchanged_db):
    old = queue["old"]
    client = admin_client_for(farid)
    with unchanged_db():
        response = client.post(review_url(old, "reject"), {"_form_submitted": "True", "admin_note": "  "})
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert response.context["form"].errors == {"admin_note": ["This field is required."]}
    client.post(review_url(old, "reject"), {"_form_submitted": "True", "admin_note": "The profile is private."})
    assert messages_on(client) == ["The proof was rejected; the investor was told why."]
    old.refresh_from_db()
    assert (old.status, old.review_note, old.reviewed_by) == (
        AssignmentStatus.REJECTED,
        "The profile is private.",
        farid,
    )
    assert old.user.notifications.filter(kind="task_proof_rejected", body="The profile is private.").exists()
    assert balances_for_user(user=old.user).available == Decimal("0.00")


def test_a_spent_budget_is_a_message(farid, admin_client_for):
    staff = support_staff()
    first, second = UserFactory(), UserFactory()
    task = task_services.task_create(
        staff=staff,
        title="Share the post",
        instructions_en="Share it.",
        platform="x",
        reward="5.00",
        budget="5.00",
        segment="all",
    )
    assignments = list(TaskAssignment.objects.filter(task=task).order_by("pk"))
    assert [assignment.user_id for assignment in assignments] == [first.pk, second.pk]
    for assignment in assignments[:2]:
        task_services.assignment_proof_submit(assignment_id=assignment.pk, user=assignment.user, link="https://x.com/a")
    client = admin_client_for(farid)
    client.post(review_url(assignments[0], "approve"), {"_form_submitted": "True"})
    client.post(review_url(assignments[1], "approve"), {"_form_submitted": "True"})
    assert messages_on(client) == [
        f"The proof was approved: 5.00 {CURRENCY} was paid to {first.email}.",
        f"The task's budget is spent: 0.00 {CURRENCY} left, the reward is 5.00.",
    ]
    assert review_state(assignments[1])[0] == AssignmentStatus.SUBMITTED


def test_only_finance_reviews(queue, admin_client_for, unchanged_db, staff):
    old = queue["old"]
    support, operations = admin_client_for(support_staff()), admin_client_for(operations_staff())
    for client in (support, operations):
        response = client.get(PROOFS)
        assert response.status_code == 200
        assert response.context["actions_row"] == []
        assert client.get(proof_url(old)).context["actions_detail"] == []
    plain = admin_client_for(staff)
    with unchanged_db():
        assert plain.get(PROOFS).status_code == 403
        for client in (support, operations, plain):
            for action in ("approve", "reject"):
                data = {"_form_submitted": "True", "admin_note": "No"}
                assert client.post(review_url(old, action), data).status_code == 403
    assert review_state(old) == (AssignmentStatus.SUBMITTED, None, None, None)


def test_no_add_change_or_delete_of_proofs(queue, farid, admin_client_for, unchanged_db):
    client = admin_client_for(farid)
    with unchanged_db():
        assert client.get(f"{PROOFS}add/").status_code == 403
        assert client.post(proof_url(queue["old"]), {"status": "approved"}).status_code == 403
        assert client.post(f"{PROOFS}{queue['old'].pk}/delete/", {"post": "yes"}).status_code == 403


# --- tasks ----------------------------------------------------------------------------------------------


def task_form(**changes) -> dict:
    data = {
        "title": "Follow us on Instagram",
        "platform": "instagram",
        "instructions_en": "Follow the account and send the link.",
        "instructions_ar": "",
        "reward": "5.00",
        "budget": "",
        "expires_at_0": "",
        "expires_at_1": "",
        "recipient": "",
        "segment": "all",
        "segment_value": "",
        "_save": "Save",
    }
    data.update(changes)
    return data


def test_support_creates_a_task_for_one_investor(admin_client_for):
    sara, amina = support_staff(), UserFactory(email="amina@example.com")
    client = admin_client_for(sara)
    assert client.get(f"{TASKS}add/").status_code == 200
    response = client.post(f"{TASKS}add/", task_form(recipient=amina.pk))
    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == TASKS
    assert messages_on(client, TASKS) == [f"The task “{task.title}” was sent to amina@example.com."]
    assert (task.recipient, task.reward, task.budget, task.created_by) == (
        amina,
        Decimal("5.00"),
        Decimal("5.00"),
        sara,
    )
    assert task.expires_at - timezone.now() > timedelta(days=runtime_setting("TASK_DEFAULT_EXPIRY_DAYS") - 1)
    assert list(task.assignments.values_list("user_id", "status")) == [(amina.pk, AssignmentStatus.OFFERED)]


def test_support_creates_a_task_for_a_segment(admin_client_for):
    english, arabic = UserFactory(language="en"), UserFactory(language="ar")
    client = admin_client_for(support_staff())
    expires = timezone.localtime() + timedelta(days=3)
    data = task_form(
        segment="language",
        segment_value="ar",
        budget="50.00",
        instructions_ar="تابع الحساب",
        expires_at_0=expires.strftime("%Y-%m-%d"),
        expires_at_1=expires.strftime("%H:%M:%S"),
    )
    client.post(f"{TASKS}add/", data)
    task = Task.objects.get()
    assert (task.segment, task.segment_value, task.budget, task.delivered_count) == (
        "language",
        "ar",
        Decimal("50.00"),
        1,
    )
    assert list(task.assignments.values_list("user_id", flat=True)) == [arabic.pk]
    assert english.task_assignments.count() == 0
    assert messages_on(client, TASKS) == [f"The task “{task.title}” is being delivered to By language: Arabic."]


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"reward": "0"},
            {"reward": ["A reward must be greater than zero: leave it out for a task without a reward."]},
        ),
        ({"platform": ""}, {"platform": ["This field is required."]}),
        ({"reward": "5.00", "budget": "4.00"}, {"budget": ["The budget must cover at least one reward."]}),
        ({"segment": "kyc_status", "segment_value": "maybe"}, {"segment_value": ["Choose a KYC status."]}),
        (
            {"expires_at_0": "2020-01-01", "expires_at_1": "10:00:00"},
            {"expires_at": ["The expiry must be in the future."]},
        ),
    ],
)
def test_a_refused_task_is_a_form_error_and_sends_nothing(admin_client_for, unchanged_db, changes, errors):
    client = admin_client_for(support_staff())
    with unchanged_db():
        response = client.post(f"{TASKS}add/", task_form(**changes))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors


def test_a_task_for_a_staff_member_is_refused(admin_client_for, unchanged_db):
    client = admin_client_for(support_staff())
    colleague = support_staff()
    with unchanged_db():
        response = client.post(f"{TASKS}add/", task_form(recipient=colleague.pk))
    assert response.context["adminform"].form.errors == {
        "recipient": ["Messages go to investors; write to staff colleagues elsewhere."]
    }


def test_the_task_list_and_page(farid, admin_client_for):
    staff = support_staff()
    task = task_services.task_create(
        staff=staff,
        title="Share",
        instructions_en="Share it.",
        platform="x",
        reward="5.00",
        budget="20.00",
        segment="all",
    )
    recipients = [UserFactory(), UserFactory(), UserFactory()]  # made after the task: they do not get it
    paid = assignment_submitted(UserFactory(), staff=staff)
    task_services.assignment_approve(assignment_id=paid.pk, staff=farid)
    client = admin_client_for(farid)
    response = client.get(TASKS)
    model_admin = response.context["cl"].model_admin
    row = next(item for item in response.context["cl"].result_list if item.pk == task.pk)
    assert model_admin.display_budget(row) == f'<span class="whitespace-nowrap">20.00 {CURRENCY}</span>'
    assert model_admin.display_remaining(row) == f'<span class="whitespace-nowrap">20.00 {CURRENCY}</span>'
    assert model_admin.display_audience(row) == "All investors"
    assert model_admin.display_status(row) == ("sent", "Sent")
    paid_row = next(item for item in response.context["cl"].result_list if item.pk == paid.task_id)
    assert model_admin.display_paid(paid_row) == f'<span class="whitespace-nowrap">5.00 {CURRENCY}</span>'
    assert model_admin.display_remaining(paid_row) == f'<span class="whitespace-nowrap">0.00 {CURRENCY}</span>'
    page = client.get(reverse("admin:messaging_task_change", args=(task.pk,)))
    assert page.status_code == 200
    counts = page.text.split('id="task-counts"')[1].split("</ul>")[0]
    assert f'href="{PROOFS}?task__id__exact={task.pk}&amp;status=offered"' in counts
    delivered = task.assignments.count()
    assert f'<span class="whitespace-nowrap">{delivered}</span>' in counts
    assert all(recipient.task_assignments.count() == 0 for recipient in recipients)


def test_only_support_creates_tasks_and_nobody_changes_them(farid, admin_client_for, unchanged_db):
    task = task_for(UserFactory())
    finance, operations = admin_client_for(farid), admin_client_for(operations_staff())
    support = admin_client_for(support_staff())
    with unchanged_db():
        for client in (finance, operations):
            assert client.get(TASKS).status_code == 200
            assert client.get(f"{TASKS}add/").status_code == 403
            assert client.post(f"{TASKS}add/", task_form(recipient=task.recipient_id)).status_code == 403
        assert support.post(reverse("admin:messaging_task_change", args=(task.pk,)), task_form()).status_code == 403
        assert support.post(f"{TASKS}{task.pk}/delete/", {"post": "yes"}).status_code == 403
