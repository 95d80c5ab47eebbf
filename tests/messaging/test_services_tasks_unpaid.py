"""Tasks without a reward (the original system's "offers"): created by leaving the reward out
(budget 0), delivered like any task; approving a proof records the approval and pays nothing (no
ledger entry, no four eyes, balances unchanged) and tells the investor without speaking of money;
rejecting works as for a paid task. The database refuses a reward of 0, a budget on a task
without a reward, and an approval of a paid task without its payment (or a payment of an unpaid
one). A paid task keeps every rule (see ``test_services_tasks``)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from apps.common.errors import ApplicationError
from apps.messaging.models import Notification, Task, TaskAssignment, ThreadEvent
from apps.messaging.selectors.tasks import assignment_approvals_needed
from apps.messaging.services import tasks as services
from apps.wallet.models import Entry, Posting
from tests.messaging.conftest import T0
from tests.messaging.helpers import task_for
from tests.wallet.helpers import assert_ledger_ok, balances

pytestmark = pytest.mark.django_db
D = Decimal
DAY = timedelta(days=1)
LINK = "https://facebook.com/posts/1"
ZERO = D("0.00")


def unpaid_task(investor, staff, **fields) -> Task:
    return task_for(investor, staff=staff, reward=None, platform="facebook", **fields)


def assignment_of(task, user) -> TaskAssignment:
    return TaskAssignment.objects.select_related("task", "thread", "message").get(task=task, user=user)


def submitted(investor, staff) -> TaskAssignment:
    assignment = assignment_of(unpaid_task(investor, staff), investor)
    services.assignment_proof_submit(assignment_id=assignment.pk, user=investor, link=LINK)
    return assignment


def refused(call, code):
    with pytest.raises(ApplicationError) as error:
        call()
    assert error.value.code == code
    return error.value


def test_leaving_the_reward_out_makes_a_task_without_a_reward(support, investor, clock):
    clock(T0)
    task = unpaid_task(investor, support)
    assignment = assignment_of(task, investor)
    assert (task.reward, task.budget, task.paid_total, task.is_paid, task.remaining_budget) == (
        None,
        ZERO,
        ZERO,
        False,
        ZERO,
    )
    assert (assignment.status, assignment.pays_reward, assignment.entry) == ("offered", False, None)
    assert list(Notification.objects.values_list("user", "kind", "title", "body")) == [
        (
            investor.pk,
            "task_offered",
            "New task: Follow us on Instagram",
            "Do it on Facebook and send the link to your proof.",
        )
    ]


def test_an_empty_reward_from_a_form_is_no_reward(support, investor):
    task = task_for(investor, staff=support, reward="")
    assert (task.reward, task.budget, assignment_of(task, investor).pays_reward) == (None, ZERO, False)


def test_a_paid_tasks_recipient_is_marked_as_paid(support, investor):
    task = task_for(investor, staff=support, reward="5.00")
    assert (task.is_paid, assignment_of(task, investor).pays_reward) == (True, True)


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        (
            {"reward": "0"},
            "invalid_amount",
            "A reward must be greater than zero: leave it out for a task without a reward.",
        ),
        (
            {"reward": "0.00"},
            "invalid_amount",
            "A reward must be greater than zero: leave it out for a task without a reward.",
        ),
        (
            {"reward": D("0")},
            "invalid_amount",
            "A reward must be greater than zero: leave it out for a task without a reward.",
        ),
        (
            {"reward": 0},
            "invalid_amount",
            "A reward must be greater than zero: leave it out for a task without a reward.",
        ),
        ({"reward": None, "budget": "10.00"}, "budget_without_reward", None),
    ],
)
def test_a_zero_reward_or_a_budget_without_a_reward_is_refused(support, investor, unchanged_db, fields, code, message):
    values = {"reward": None, **fields}
    with unchanged_db():
        error = refused(lambda: task_for(investor, staff=support, platform="facebook", **values), code)
    field = "budget" if code == "budget_without_reward" else "reward"
    assert list(error.field_errors) == [field]
    expected = message or "A task without a reward has no budget: leave the budget empty."
    assert error.field_errors[field] == [expected]


def test_approving_a_proof_pays_nothing_and_tells_the_investor(support, finance, investor, clock, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("0.00"))  # any reward would need two approvals: this task needs one
    clock(T0)
    assignment = submitted(investor, support)
    assert assignment_approvals_needed(TaskAssignment.objects.get(pk=assignment.pk)) == 1
    Notification.objects.all().delete()
    clock(T0 + DAY)
    services.assignment_approve(assignment_id=assignment.pk, staff=finance, note="Thanks")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.entry, assignment.reviewed_by, assignment.reviewed_at) == (
        "approved",
        None,
        finance,
        T0 + DAY,
    )
    assert (assignment.review_note, assignment.first_approved_by, assignment.link_status) == (
        "Thanks",
        None,
        "approved",
    )
    assert assignment.status_text == "Approved"
    assert (Entry.objects.count(), Posting.objects.count()) == (0, 0)
    assert balances(investor) == (ZERO, ZERO, ZERO)
    assert Task.objects.get(pk=assignment.task_id).paid_total == ZERO
    assert list(
        ThreadEvent.objects.filter(thread=assignment.thread_id, kind="task_approved").values_list("actor", "data")
    ) == [(finance.pk, {"assignment": assignment.pk})]
    assert list(Notification.objects.values_list("user", "kind", "category", "title", "body", "link")) == [
        (
            investor.pk,
            "task_proof_approved",
            "tasks",
            "Task proof approved: Follow us on Instagram",
            "Your proof was approved.",
            f"/messages/{assignment.thread_id}/",
        )
    ]
    assert assignment_approvals_needed(assignment) == 0
    assert_ledger_ok()


def test_an_approved_unpaid_proof_is_final(support, finance, finance2, investor, unchanged_db):
    assignment = submitted(investor, support)
    services.assignment_approve(assignment_id=assignment.pk, staff=finance)
    with unchanged_db():
        refused(lambda: services.assignment_approve(assignment_id=assignment.pk, staff=finance2), "already_reviewed")
        error = refused(
            lambda: services.assignment_proof_submit(assignment_id=assignment.pk, user=investor, link=LINK),
            "already_approved",
        )
    assert error.message == "Your proof was approved."


def test_rejecting_works_as_for_a_paid_task(support, finance, investor):
    assignment = submitted(investor, support)
    Notification.objects.all().delete()
    services.assignment_reject(assignment_id=assignment.pk, staff=finance, note="The post is private.")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.review_note, assignment.entry, assignment.link_status) == (
        "rejected",
        "The post is private.",
        None,
        "rejected",
    )
    assert list(Notification.objects.values_list("kind", "title", "body")) == [
        ("task_proof_rejected", "Task proof rejected: Follow us on Instagram", "The post is private.")
    ]
    assert (Entry.objects.count(), balances(investor)) == (0, (ZERO, ZERO, ZERO))


def _violates(statement_call) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        statement_call()


def test_the_database_ties_a_reward_to_its_budget(support, investor):
    paid = task_for(investor, staff=support, reward="5.00")
    unpaid = unpaid_task(investor, support, title="Like our page")
    _violates(lambda: Task.objects.filter(pk=paid.pk).update(reward=ZERO, budget=ZERO))
    _violates(lambda: Task.objects.filter(pk=unpaid.pk).update(budget=D("1.00")))
    _violates(lambda: Task.objects.filter(pk=unpaid.pk).update(paid_total=D("1.00")))
    _violates(lambda: Task.objects.filter(pk=paid.pk).update(reward=None))
    assert list(Task.objects.order_by("pk").values_list("reward", "budget", "paid_total")) == [
        (D("5.00"), D("5.00"), ZERO),
        (None, ZERO, ZERO),
    ]


def test_the_database_refuses_an_approval_without_its_payment(support, investor):
    paid = assignment_of(task_for(investor, staff=support, reward="5.00"), investor)
    services.assignment_proof_submit(assignment_id=paid.pk, user=investor, link=LINK)
    _violates(lambda: TaskAssignment.objects.filter(pk=paid.pk).update(status="approved"))
    assert TaskAssignment.objects.get(pk=paid.pk).status == "submitted"
