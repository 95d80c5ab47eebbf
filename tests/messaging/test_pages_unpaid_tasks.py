"""The pages of a task without a reward: the staff admin (task list and page, the proofs queue and
page, the approve dialog and its message, the conversation's task card, the add form with the
reward left empty) and the investor's portal (the messages list, the task card, its outcome) say
"No reward" / "Approved", never 0.00 or a payment."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.messaging.models import Task, TaskAssignment
from apps.messaging.services import tasks as task_services
from apps.wallet.models import Entry
from tests.factories import UserFactory
from tests.messaging.helpers import finance_staff, support_staff, task_for

pytestmark = pytest.mark.django_db

LINK = "https://facebook.com/posts/1"
NO_REWARD_CELL = '<span class="whitespace-nowrap text-base-500 dark:text-base-400" data-unpaid>No reward</span>'


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend="apps.accounts.backends.EmailOrUsernameBackend")
    return client


@pytest.fixture
def people(db):
    return {
        "support": support_staff(email="sara@bursar.example"),
        "finance": finance_staff(email="farid@bursar.example"),
        "investor": UserFactory(email="amina@example.com", first_name="Amina", last_name="Haddad"),
    }


@pytest.fixture
def proof(people) -> TaskAssignment:
    task = task_for(people["investor"], staff=people["support"], reward=None, platform="facebook", title="Share it")
    assignment = TaskAssignment.objects.get(task=task)
    return task_services.assignment_proof_submit(assignment_id=assignment.pk, user=people["investor"], link=LINK)


def test_the_admin_task_list_and_page_say_no_reward(people, proof):
    client = signed_in(people["finance"])
    response = client.get("/admin/messaging/task/")
    assert response.status_code == 200
    model_admin = response.context["cl"].model_admin
    row = response.context["cl"].result_list[0]
    assert model_admin.display_reward(row) == NO_REWARD_CELL
    dash = '<span class="text-base-500 dark:text-base-400" data-unpaid>-</span>'
    assert [model_admin.display_budget(row), model_admin.display_paid(row), model_admin.display_remaining(row)] == [
        dash,
        dash,
        dash,
    ]
    page = client.get(reverse("admin:messaging_task_change", args=(proof.task_id,)))
    assert page.status_code == 200
    assert NO_REWARD_CELL in page.text


def test_the_proofs_queue_dialog_and_message_say_nothing_is_paid(people, proof):
    client = signed_in(people["finance"])
    queue = client.get("/admin/messaging/taskassignment/")
    model_admin = queue.context["cl"].model_admin
    row = queue.context["cl"].result_list[0]
    assert (row.pk, model_admin.display_reward(row), model_admin.display_approvals(row)) == (
        proof.pk,
        NO_REWARD_CELL,
        "one",
    )
    approve_url = reverse("admin:messaging_taskassignment_approve", args=(proof.pk,))
    dialog = client.get(approve_url)
    summary = dialog.text.split('id="proof-dialog-summary"')[1].split("</dl>")[0]
    assert '<dd class="font-semibold whitespace-nowrap">No reward</dd>' in summary
    assert "data-four-eyes" not in summary
    response = client.post(approve_url, {"_form_submitted": "True"}, HTTP_HX_CURRENT_URL="/admin/")
    assert response.status_code == 200
    messages = [str(message) for message in client.get("/admin/messaging/taskassignment/").context["messages"]]
    assert messages == [
        "The proof was approved (a task without a reward: nothing was paid); amina@example.com was told."
    ]
    proof.refresh_from_db()
    assert (proof.status, proof.entry, Entry.objects.count()) == ("approved", None, 0)
    page = client.get(reverse("admin:messaging_taskassignment_change", args=(proof.pk,)))
    assert NO_REWARD_CELL in page.text
    assert re.search(r">\s*Approved\s*</span>", page.text)
    assert "reward paid" not in page.text


def test_the_conversation_shows_the_task_card_and_log_without_money(people, proof):
    task_services.assignment_approve(assignment_id=proof.pk, staff=people["finance"])
    client = signed_in(people["support"])
    page = client.get(reverse("admin:messaging_thread_change", args=(proof.thread_id,)))
    assert page.status_code == 200
    card = page.text.split('id="task-card"')[1].split("</dl>")[0]
    assert '<dd class="font-semibold whitespace-nowrap" data-reward>No reward</dd>' in card
    assert "reward paid" not in page.text
    assert "Proof approved" in page.text


def test_the_add_form_takes_an_empty_reward(people):
    client = signed_in(people["support"])
    data = {
        "title": "Like our page",
        "platform": "facebook",
        "instructions_en": "Like the page and send the link.",
        "instructions_ar": "",
        "reward": "",
        "budget": "",
        "expires_at_0": "",
        "expires_at_1": "",
        "recipient": people["investor"].pk,
        "segment": "all",
        "segment_value": "",
        "_save": "Save",
    }
    response = client.post("/admin/messaging/task/add/", data)
    assert response.status_code == 302
    task = Task.objects.get()
    assert (task.reward, task.budget, task.assignments.get().pays_reward) == (None, Decimal("0.00"), False)
    refused = client.post("/admin/messaging/task/add/", {**data, "budget": "10.00"})
    assert refused.context["adminform"].form.errors == {
        "budget": ["A task without a reward has no budget: leave the budget empty."]
    }
    assert Task.objects.count() == 1


def test_the_portal_says_no_reward_and_approved(people, proof):
    client = signed_in(people["investor"])
    listing = client.get(reverse("portal:messages"))
    assert listing.status_code == 200
    assert "<span data-unpaid>No reward</span>" in listing.text
    page = client.get(reverse("portal:thread", args=(proof.thread_id,)))
    assert '<span id="task-reward" data-unpaid>No reward</span>' in page.text
    assert "0.00" not in page.text.split('id="task"')[1].split("</section>")[0]
    task_services.assignment_approve(assignment_id=proof.pk, staff=people["finance"])
    page = client.get(reverse("portal:thread", args=(proof.thread_id,)))
    card = page.text.split('id="task"')[1].split("</section>")[0]
    assert '<p class="task-outcome task-outcome-ok" id="task-approved">Your proof was approved.</p>' in card
    assert '<span class="badge badge-status-approved">Approved</span>' in card
    assert ("was paid" in card, "reward paid" in card, "0.00" in card) == (False, False, False)
