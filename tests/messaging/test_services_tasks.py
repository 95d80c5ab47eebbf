"""Rewarded tasks (``apps.messaging.services.tasks``): creation and delivery, the recipient's
accept / decline / submit / resubmit, and staff review. Approval pays exactly the reward, once,
from the task reward expense account to the investor's available account (natural key
``task:<assignment id>``), never beyond the budget, and above ``FOUR_EYES_THRESHOLD`` only on a
second staff member's approval. Every refusal changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext

from apps.common.errors import ApplicationError
from apps.messaging.models import (
    Message,
    Notification,
    Task,
    TaskAssignment,
    Thread,
    ThreadEvent,
)
from apps.messaging.services import tasks as services
from apps.wallet.models import AccountKind, Entry, Posting
from apps.wallet.services.ledger import platform_account
from tests.factories import StaffFactory, UserFactory
from tests.messaging.conftest import T0
from tests.messaging.helpers import SEGMENT_MEMBERS, investors_in_every_segment, task_for
from tests.wallet.helpers import assert_ledger_ok, balances

pytestmark = pytest.mark.django_db
D = Decimal
DAY = timedelta(days=1)
LINK = "https://instagram.com/p/abc"
ZERO = D("0.00")


def assignment_of(task, user) -> TaskAssignment:
    return TaskAssignment.objects.select_related("task", "thread", "message").get(task=task, user=user)


def expense_balance() -> Decimal:
    return platform_account(AccountKind.TASK_REWARD_EXPENSE).balance


def events(assignment) -> list[tuple]:
    return list(
        ThreadEvent.objects.filter(thread=assignment.thread_id).order_by("id").values_list("kind", "actor_id", "data")
    )


def submit(assignment, link=LINK):
    return services.assignment_proof_submit(assignment_id=assignment.pk, user=assignment.user, link=link)


def approve(assignment, staff, note=""):
    return services.assignment_approve(assignment_id=assignment.pk, staff=staff, note=note)


def refused(call, code, *, status=None):
    with pytest.raises(ApplicationError) as error:
        call()
    assert error.value.code == code
    if status is not None:
        assert error.value.status_code == status
    return error.value


# --- creating a task ------------------------------------------------------------------------------


def test_a_task_for_one_investor_is_delivered_at_once(support, investor, clock, runtime_config):
    runtime_config(TASK_DEFAULT_EXPIRY_DAYS=10)
    clock(T0)
    task = task_for(investor, staff=support, reward="5.00", instructions_ar="تابعنا")
    assert (task.title, task.platform, task.reward, task.budget, task.paid_total, task.currency) == (
        "Follow us on Instagram",
        "instagram",
        D("5.00"),
        D("5.00"),
        ZERO,
        "USD",
    )
    assert (task.expires_at, task.recipient, task.created_by, task.segment, task.segment_value) == (
        T0 + 10 * DAY,
        investor,
        support,
        "all",
        "",
    )
    assert (task.status, task.delivered_count, task.delivery_started_at, task.delivered_at) == ("sent", 1, T0, T0)
    assignment = assignment_of(task, investor)
    thread, message = assignment.thread, assignment.message
    assert (assignment.status, assignment.proof_link, assignment.entry, assignment.responded_at) == (
        "offered",
        "",
        None,
        None,
    )
    assert (thread.kind, thread.status, thread.subject, thread.investor, thread.opened_by, thread.assignee) == (
        "task",
        "waiting_investor",
        "Follow us on Instagram",
        investor,
        support,
        None,
    )
    assert (thread.response_due_at, thread.last_staff_message_id, thread.last_investor_message_id) == (
        None,
        message.pk,
        None,
    )
    assert (message.thread, message.sender, message.kind, message.body) == (
        thread,
        support,
        "task",
        "Follow the account and send a link to your profile.",
    )
    assert list(Notification.objects.values_list("user", "kind", "category", "title", "body", "link")) == [
        (
            investor.pk,
            "task_offered",
            "tasks",
            "New task: Follow us on Instagram",
            "5.00 USD",
            f"/messages/{thread.pk}/",
        )
    ]
    assert assignment.link_status == ""


def test_an_arabic_recipient_gets_the_arabic_instructions_and_notice(support, arabic_investor):
    task = task_for(arabic_investor, staff=support, instructions_ar="تابع الحساب وأرسل رابط ملفك.", reward="1234.50")
    assignment = assignment_of(task, arabic_investor)
    assert assignment.message.body == "تابع الحساب وأرسل رابط ملفك."
    with translation.override("ar"):
        title = gettext("New task: %(title)s") % {"title": "Follow us on Instagram"}
    assert Notification.objects.get(user=arabic_investor).title == title
    assert Notification.objects.get(user=arabic_investor).body == "1,234.50 USD"


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"title": " "}, "subject_required", "title"),
        ({"title": "t" * 201}, "subject_too_long", "title"),
        ({"instructions_en": ""}, "message_required", "instructions_en"),
        ({"instructions_ar": "x" * 5001}, "message_too_long", "instructions_ar"),
        ({"platform": "myspace"}, "invalid_platform", "platform"),
        ({"reward": "0"}, "invalid_amount", "reward"),
        ({"reward": "-5.00"}, "invalid_amount", "reward"),
        ({"reward": "1.001"}, "invalid_amount", "reward"),
        ({"reward": 5.0}, "invalid_amount", "reward"),
        ({"reward": "abc"}, "invalid_amount", "reward"),
        ({"budget": "4.99"}, "budget_too_small", "budget"),
        ({"budget": "0.00"}, "invalid_amount", "budget"),
        ({"expires_at": T0 - DAY}, "invalid_expiry", "expires_at"),
        ({"expires_at": "tomorrow"}, "invalid_expiry", "expires_at"),
        ({"expires_at": (T0 + DAY).replace(tzinfo=None)}, "invalid_expiry", "expires_at"),
        ({"recipient_id": "staff"}, "recipient_is_staff", "recipient_id"),
        ({"recipient_id": "inactive"}, "recipient_inactive", "recipient_id"),
        ({"recipient_id": 99999999}, "recipient_not_found", "recipient_id"),
        ({"segment": "vip"}, "invalid_segment", "segment"),
        ({"segment": "kyc_status", "segment_value": "maybe"}, "invalid_segment_value", "segment_value"),
        ({"segment": "language", "segment_value": "fr"}, "invalid_segment_value", "segment_value"),
        ({"segment": "country", "segment_value": "  "}, "invalid_segment_value", "segment_value"),
    ],
)
def test_a_wrong_task_is_refused_and_changes_nothing(support, investor, clock, unchanged_db, fields, code, field):
    clock(T0)
    special = {"staff": lambda: StaffFactory().pk, "inactive": lambda: UserFactory(is_active=False).pk}
    if fields.get("recipient_id") in special:
        fields = {**fields, "recipient_id": special[fields["recipient_id"]]()}
    values = {
        "title": "Follow us",
        "instructions_en": "Follow the account.",
        "platform": "x",
        "reward": "5.00",
        "recipient_id": None if "segment" in fields else investor.pk,
        **fields,
    }
    with unchanged_db():
        error = refused(lambda: services.task_create(staff=support, **values), code)
    assert list(error.field_errors) == [field]


def test_every_wrong_task_field_is_named_at_once(support, unchanged_db):
    with unchanged_db():
        error = refused(
            lambda: services.task_create(staff=support, title="", instructions_en="", platform="?", reward="x"),
            "invalid",
        )
    assert sorted(error.field_errors) == ["instructions_en", "platform", "reward", "title"]


def test_only_staff_who_may_add_tasks_create_them(finance, investor, unchanged_db):
    with unchanged_db():
        for user in (finance, investor):
            refused(
                lambda user=user: task_for(investor, staff=user),
                "permission_denied",
                status=403,
            )


@pytest.mark.parametrize(("segment", "value"), list(SEGMENT_MEMBERS))
def test_a_task_for_a_segment_reaches_exactly_its_members(support, segment, value):
    people = investors_in_every_segment()
    task = services.task_create(
        staff=support,
        title="Share our post",
        instructions_en="Share it.",
        instructions_ar="شاركه.",
        platform="facebook",
        reward="2.00",
        budget="100.00",
        segment=segment,
        segment_value=value,
    )
    expected = {people[name].pk for name in SEGMENT_MEMBERS[(segment, value)]}
    assert set(TaskAssignment.objects.filter(task=task).values_list("user", flat=True)) == expected
    assert set(Thread.objects.filter(kind="task").values_list("investor", flat=True)) == expected
    assert set(Notification.objects.filter(kind="task_offered").values_list("user", flat=True)) == expected
    task.refresh_from_db()
    assert (task.status, task.delivered_count, task.recipient) == ("sent", len(expected), None)
    for assignment in TaskAssignment.objects.filter(task=task).select_related("user", "message"):
        body = "شاركه." if assignment.user.language == "ar" else "Share it."
        assert (assignment.message.body, assignment.message.thread_id) == (body, assignment.thread_id)


# --- the recipient's answers -----------------------------------------------------------------------------


def test_accepting_then_submitting_a_proof(support, investor, clock):
    clock(T0)
    assignment = assignment_of(task_for(investor, staff=support), investor)
    clock(T0 + timedelta(minutes=5))
    services.assignment_accept(assignment_id=assignment.pk, user=investor)
    clock(T0 + timedelta(minutes=10))
    submit(assignment, "  https://instagram.com/p/abc?x=1  ")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.proof_link, assignment.responded_at, assignment.submitted_at) == (
        "submitted",
        "https://instagram.com/p/abc?x=1",
        T0 + timedelta(minutes=5),
        T0 + timedelta(minutes=10),
    )
    assert assignment.link_status == "pending"
    assert events(assignment) == [
        ("task_accepted", investor.pk, {"assignment": assignment.pk}),
        ("task_submitted", investor.pk, {"assignment": assignment.pk, "link": "https://instagram.com/p/abc?x=1"}),
    ]
    assert Thread.objects.get(pk=assignment.thread_id).updated_at == T0 + timedelta(minutes=10)


def test_submitting_an_offered_task_accepts_it(support, investor, clock):
    clock(T0)
    assignment = assignment_of(task_for(investor, staff=support), investor)
    submit(assignment)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.responded_at, assignment.submitted_at) == ("submitted", T0, T0)
    assert [kind for kind, _actor, _data in events(assignment)] == ["task_accepted", "task_submitted"]


@pytest.mark.parametrize(
    ("link", "code"),
    [
        ("", "link_required"),
        ("javascript:alert(1)", "invalid_link"),
        ("ftp://example.com/proof", "invalid_link"),
        ("instagram.com/p/abc", "invalid_link"),
        ("https://", "invalid_link"),
        ("data:text/html,<script>alert(1)</script>", "invalid_link"),
        ("https://example.com/" + "a" * 490, "invalid_link"),
    ],
)
def test_a_proof_link_must_be_http_or_https(support, investor, unchanged_db, link, code):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    with unchanged_db():
        error = refused(lambda: submit(assignment, link), code)
    assert error.field == "submitted_link"


def test_a_link_at_the_length_limit_is_accepted(support, investor):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    link = "https://example.com/" + "a" * 480
    assert len(link) == 500
    assert submit(assignment, link).proof_link == link


def test_declining_an_offered_or_accepted_task(support, investor, clock, unchanged_db):
    clock(T0)
    first = assignment_of(task_for(investor, staff=support), investor)
    second = assignment_of(task_for(investor, staff=support, title="Like our page"), investor)
    services.assignment_decline(assignment_id=first.pk, user=investor)
    services.assignment_accept(assignment_id=second.pk, user=investor)
    services.assignment_decline(assignment_id=second.pk, user=investor)
    assert list(TaskAssignment.objects.order_by("id").values_list("status", "responded_at")) == [
        ("declined", T0),
        ("declined", T0),
    ]
    assert events(first) == [("task_declined", investor.pk, {"assignment": first.pk})]
    with unchanged_db():
        refused(lambda: submit(first), "task_declined")
        refused(lambda: services.assignment_accept(assignment_id=first.pk, user=investor), "already_answered")
        refused(lambda: services.assignment_decline(assignment_id=first.pk, user=investor), "already_answered")


def test_a_submitted_proof_can_be_neither_declined_nor_resubmitted(support, investor, unchanged_db):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    submit(assignment)
    with unchanged_db():
        refused(lambda: services.assignment_decline(assignment_id=assignment.pk, user=investor), "already_answered")
        refused(lambda: submit(assignment, "https://instagram.com/p/other"), "proof_pending", status=409)
        refused(lambda: services.assignment_accept(assignment_id=assignment.pk, user=investor), "already_answered")


def test_an_expired_task_takes_no_answer(support, investor, clock, unchanged_db):
    clock(T0)
    assignment = assignment_of(task_for(investor, staff=support, expires_at=T0 + DAY), investor)
    clock(T0 + DAY)
    with unchanged_db():
        refused(lambda: services.assignment_accept(assignment_id=assignment.pk, user=investor), "task_expired")
        refused(lambda: submit(assignment), "task_expired", status=409)


def test_another_investors_task_is_a_404(support, investor, other_investor, unchanged_db):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    with unchanged_db():
        for call in (
            lambda: services.assignment_accept(assignment_id=assignment.pk, user=other_investor),
            lambda: services.assignment_decline(assignment_id=assignment.pk, user=other_investor),
            lambda: services.assignment_proof_submit(assignment_id=assignment.pk, user=other_investor, link=LINK),
            lambda: services.assignment_accept(assignment_id="abc", user=investor),
        ):
            refused(call, "not_found", status=404)


# --- review: approval pays exactly once -------------------------------------------------------------------


def test_approval_pays_exactly_the_reward_from_the_task_reward_expense(support, finance, investor, clock):
    clock(T0)
    assignment = assignment_of(task_for(investor, staff=support, reward="7.25", budget="20.00"), investor)
    submit(assignment)
    clock(T0 + DAY)
    approve(assignment, finance, note="  Looks right ")
    assignment.refresh_from_db()
    entry = assignment.entry
    assert (assignment.status, assignment.reviewed_by, assignment.reviewed_at, assignment.review_note) == (
        "approved",
        finance,
        T0 + DAY,
        "Looks right",
    )
    assert (entry.natural_key, entry.kind, entry.actor, entry.memo, entry.currency) == (
        f"task:{assignment.pk}",
        "task_reward",
        finance,
        "Follow us on Instagram",
        "USD",
    )
    assert list(
        Posting.objects.filter(entry=entry)
        .order_by("id")
        .values_list("account__kind", "account__owner", "amount", "balance_after")
    ) == [
        ("task_reward_expense", None, D("-7.25"), D("-7.25")),
        ("available", investor.pk, D("7.25"), D("7.25")),
    ]
    assert balances(investor) == (D("7.25"), ZERO, ZERO)
    assert expense_balance() == D("-7.25")
    assert Task.objects.get(pk=assignment.task_id).paid_total == D("7.25")
    assert events(assignment)[-1] == ("task_approved", finance.pk, {"assignment": assignment.pk, "amount": "7.25"})
    assert list(
        Notification.objects.filter(kind="task_reward_paid").values_list("user", "category", "title", "body", "link")
    ) == [
        (
            investor.pk,
            "tasks",
            "Task reward paid",
            "7.25 USD was credited to your balance for “Follow us on Instagram”.",
            f"/messages/{assignment.thread_id}/",
        )
    ]
    assert assignment.link_status == "approved"
    assert Thread.objects.get(pk=assignment.thread_id).updated_at == T0 + DAY
    assert_ledger_ok()


def test_an_approved_proof_is_final(support, finance, finance2, investor, unchanged_db):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    submit(assignment)
    approve(assignment, finance)
    with unchanged_db():
        refused(lambda: approve(assignment, finance2), "already_reviewed", status=409)
        refused(
            lambda: services.assignment_reject(assignment_id=assignment.pk, staff=finance2, note="no"),
            "already_reviewed",
        )
        refused(lambda: submit(assignment), "already_approved", status=409)
        refused(lambda: services.assignment_decline(assignment_id=assignment.pk, user=investor), "already_answered")
    assert Entry.objects.filter(natural_key=f"task:{assignment.pk}").count() == 1
    assert balances(investor) == (D("5.00"), ZERO, ZERO)


def test_a_proof_not_submitted_cannot_be_reviewed(support, finance, investor, unchanged_db):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    with unchanged_db():
        error = refused(lambda: approve(assignment, finance), "not_submitted", status=409)
        assert error.message == "No proof was submitted for this task."
        refused(
            lambda: services.assignment_reject(assignment_id=assignment.pk, staff=finance, note="x"), "not_submitted"
        )
        refused(lambda: services.assignment_approve(assignment_id=99999999, staff=finance), "not_found", status=404)


def test_only_staff_who_review_proofs_approve_or_reject(support, operations, investor, unchanged_db):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    submit(assignment)
    with unchanged_db():
        for user in (support, operations, investor):
            refused(lambda user=user: approve(assignment, user), "permission_denied", status=403)
            refused(
                lambda user=user: services.assignment_reject(assignment_id=assignment.pk, staff=user, note="no"),
                "permission_denied",
                status=403,
            )


def test_the_budget_is_never_exceeded(support, finance, unchanged_db):
    people = [UserFactory() for _ in range(3)]
    task = services.task_create(
        staff=support, title="Share", instructions_en="Share it.", platform="x", reward="5.00", budget="10.00"
    )
    assignments = [assignment_of(task, user) for user in people]
    for assignment in assignments:
        submit(assignment)
    approve(assignments[0], finance)
    approve(assignments[1], finance)
    assert Task.objects.get(pk=task.pk).remaining_budget == ZERO
    with unchanged_db():
        error = refused(lambda: approve(assignments[2], finance), "budget_exhausted", status=409)
    assert error.message == "The task's budget is spent: 0.00 USD left, the reward is 5.00."
    task.refresh_from_db()
    assert (task.paid_total, expense_balance()) == (D("10.00"), D("-10.00"))
    assert [balances(user)[0] for user in people] == [D("5.00"), D("5.00"), ZERO]
    assert TaskAssignment.objects.get(pk=assignments[2].pk).status == "submitted"
    assert_ledger_ok()


def test_a_proof_submitted_in_time_is_paid_after_the_expiry(support, finance, investor, clock):
    clock(T0)
    assignment = assignment_of(task_for(investor, staff=support, expires_at=T0 + DAY), investor)
    submit(assignment)
    clock(T0 + 2 * DAY)
    approve(assignment, finance)
    assert balances(investor)[0] == D("5.00")


# --- four eyes ----------------------------------------------------------------------------------------------


def test_above_the_threshold_the_first_approval_pays_nothing_and_a_second_staff_pays(
    support, finance, finance2, investor, clock, unchanged_db, runtime_config
):
    runtime_config(FOUR_EYES_THRESHOLD=D("10.00"))
    clock(T0)
    assignment = assignment_of(task_for(investor, staff=support, reward="10.01"), investor)
    submit(assignment)
    clock(T0 + DAY)
    approve(assignment, finance)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.first_approved_by, assignment.first_approved_at, assignment.entry) == (
        "submitted",
        finance,
        T0 + DAY,
        None,
    )
    assert (balances(investor)[0], expense_balance(), Entry.objects.count()) == (ZERO, ZERO, 0)
    assert events(assignment)[-1] == ("task_first_approval", finance.pk, {"assignment": assignment.pk})
    assert Thread.objects.get(pk=assignment.thread_id).updated_at == T0 + DAY
    with unchanged_db():
        refused(lambda: approve(assignment, finance), "four_eyes_required", status=403)
    clock(T0 + 2 * DAY)
    approve(assignment, finance2)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.first_approved_by, assignment.reviewed_by, assignment.reviewed_at) == (
        "approved",
        finance,
        finance2,
        T0 + 2 * DAY,
    )
    assert (balances(investor)[0], expense_balance()) == (D("10.01"), D("-10.01"))
    assert assignment.entry.actor == finance2
    assert_ledger_ok()


def test_at_the_threshold_one_approval_pays(support, finance, investor, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("10.00"))
    assignment = assignment_of(task_for(investor, staff=support, reward="10.00"), investor)
    submit(assignment)
    approve(assignment, finance)
    assert (TaskAssignment.objects.get(pk=assignment.pk).status, balances(investor)[0]) == ("approved", D("10.00"))


def test_a_first_approval_is_refused_when_the_budget_is_spent(support, finance, finance2, unchanged_db, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("10.00"))
    first, second = UserFactory(), UserFactory()
    task = services.task_create(
        staff=support, title="Share", instructions_en="Share.", platform="x", reward="20.00", budget="20.00"
    )
    a, b = assignment_of(task, first), assignment_of(task, second)
    submit(a)
    submit(b)
    approve(a, finance)
    approve(b, finance)  # both have a first approval; the budget covers one
    approve(a, finance2)
    with unchanged_db():
        refused(lambda: approve(b, finance2), "budget_exhausted")
    assert (balances(first)[0], balances(second)[0], expense_balance()) == (D("20.00"), ZERO, D("-20.00"))


# --- rejection and resubmission -------------------------------------------------------------------------------


def test_a_rejection_needs_a_reason(support, finance, investor, unchanged_db):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    submit(assignment)
    with unchanged_db():
        for note in ("", "  \n ", None):
            error = refused(
                lambda note=note: services.assignment_reject(assignment_id=assignment.pk, staff=finance, note=note),
                "reason_required",
            )
            assert error.field == "admin_note"


def test_a_rejected_proof_is_resubmitted_and_then_paid(support, finance, finance2, investor, clock, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("4.00"))
    clock(T0)
    assignment = assignment_of(task_for(investor, staff=support, reward="5.00"), investor)
    submit(assignment)
    approve(assignment, finance)  # a first approval, then a colleague rejects
    clock(T0 + DAY)
    services.assignment_reject(assignment_id=assignment.pk, staff=finance2, note=" The profile is private. ")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.review_note, assignment.reviewed_by, assignment.reviewed_at) == (
        "rejected",
        "The profile is private.",
        finance2,
        T0 + DAY,
    )
    assert (assignment.first_approved_by, assignment.first_approved_at, assignment.link_status) == (
        None,
        None,
        "rejected",
    )
    assert Thread.objects.get(pk=assignment.thread_id).updated_at == T0 + DAY
    assert list(Notification.objects.filter(kind="task_proof_rejected").values_list("user", "title", "body")) == [
        (investor.pk, "Task proof rejected: Follow us on Instagram", "The profile is private.")
    ]
    clock(T0 + 2 * DAY)
    submit(assignment, "https://instagram.com/p/public")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.proof_link, assignment.submitted_at, assignment.reviewed_by) == (
        "submitted",
        "https://instagram.com/p/public",
        T0 + 2 * DAY,
        None,
    )
    approve(assignment, finance2)
    approve(assignment, finance)
    assert (TaskAssignment.objects.get(pk=assignment.pk).status, balances(investor)[0]) == ("approved", D("5.00"))
    assert [kind for kind, _actor, _data in events(assignment)] == [
        "task_accepted",
        "task_submitted",
        "task_first_approval",
        "task_rejected",
        "task_submitted",
        "task_first_approval",
        "task_approved",
    ]


def test_a_rejected_proof_cannot_be_resubmitted_after_the_expiry(support, finance, investor, clock, unchanged_db):
    clock(T0)
    assignment = assignment_of(task_for(investor, staff=support, expires_at=T0 + DAY), investor)
    submit(assignment)
    services.assignment_reject(assignment_id=assignment.pk, staff=finance, note="Wrong post")
    clock(T0 + DAY + timedelta(seconds=1))
    with unchanged_db():
        refused(lambda: submit(assignment), "task_expired")


def test_the_task_message_is_the_first_message_of_its_thread(support, investor):
    assignment = assignment_of(task_for(investor, staff=support), investor)
    assert list(Message.objects.filter(thread=assignment.thread_id).values_list("pk", flat=True)) == [
        assignment.message_id
    ]
