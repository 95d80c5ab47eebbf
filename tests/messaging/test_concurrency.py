"""PostgreSQL only: real threads, each with its own connection, on the messaging center's paths
that move money or shared state: approving task proofs (the reward is paid once, the budget never
exceeded; a task without a reward approved once, paying nothing), replying to one thread from both
sides at once, the send throttle, and delivering one announcement or task twice at once."""

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.utils import timezone

from apps.common.errors import ApplicationError, ConflictError
from apps.controls.runtime import runtime_setting
from apps.messaging.models import (
    Announcement,
    Message,
    Notification,
    Task,
    TaskAssignment,
    Thread,
    ThreadReadState,
)
from apps.messaging.segments import segment_users
from apps.messaging.services import announcements as announcement_services
from apps.messaging.services import tasks as task_services
from apps.messaging.services import threads as thread_services
from apps.wallet.models import AccountKind, Entry, Posting
from apps.wallet.services.ledger import platform_account
from tests.factories import UserFactory
from tests.messaging.helpers import (
    assignment_submitted,
    finance_staff,
    roles_restore,
    support_staff,
    ticket_open,
)
from tests.wallet.helpers import assert_ledger_ok, balances
from tests.wallet.test_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
THREADS = 64


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """The staff roles come back after an earlier transactional test emptied every table."""
    roles_restore()


def expense_balance() -> Decimal:
    return platform_account(AccountKind.TASK_REWARD_EXPENSE).balance


def test_64_concurrent_approvals_of_one_proof_pay_once():
    investor = UserFactory()
    reviewers = [finance_staff() for _ in range(4)]
    assignment = assignment_submitted(investor, reward="12.34", budget="1000.00")

    results = run_in_threads(
        THREADS, lambda i: task_services.assignment_approve(assignment_id=assignment.pk, staff=reviewers[i % 4])
    )

    paid = [r for r in results if isinstance(r, TaskAssignment)]
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(paid) == 1
    assert [(type(r), r.code) for r in refusals] == [(ConflictError, "already_reviewed")] * (THREADS - 1)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.reviewed_by) == ("approved", paid[0].reviewed_by)
    [entry] = Entry.objects.filter(kind="task_reward")
    assert entry.natural_key == f"task:{assignment.pk}"
    assert list(Posting.objects.filter(entry=entry).order_by("id").values_list("account__kind", "amount")) == [
        ("task_reward_expense", D("-12.34")),
        ("available", D("12.34")),
    ]
    assert balances(investor) == (D("12.34"), D("0.00"), D("0.00"))
    assert expense_balance() == D("-12.34")
    assert Task.objects.get(pk=assignment.task_id).paid_total == D("12.34")
    assert Notification.objects.filter(user=investor, kind="task_reward_paid").count() == 1
    assert_ledger_ok()


def test_concurrent_approvals_of_an_unpaid_proof_approve_it_once_and_pay_nothing():
    investor = UserFactory()
    reviewers = [finance_staff() for _ in range(4)]
    assignment = assignment_submitted(investor, reward=None)

    results = run_in_threads(
        THREADS, lambda i: task_services.assignment_approve(assignment_id=assignment.pk, staff=reviewers[i % 4])
    )

    approved = [r for r in results if isinstance(r, TaskAssignment)]
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(approved) == 1
    assert [(type(r), r.code) for r in refusals] == [(ConflictError, "already_reviewed")] * (THREADS - 1)
    assignment.refresh_from_db()
    assert (assignment.status, assignment.reviewed_by, assignment.entry) == (
        "approved",
        approved[0].reviewed_by,
        None,
    )
    assert (Entry.objects.count(), Posting.objects.count()) == (0, 0)
    assert balances(investor) == (D("0.00"), D("0.00"), D("0.00"))
    assert Task.objects.get(pk=assignment.task_id).paid_total == D("0.00")
    assert list(Notification.objects.filter(user=investor, kind="task_proof_approved").values_list("body")) == [
        ("Your proof was approved.",)
    ]
    assert_ledger_ok()


def test_concurrent_four_eyes_approvals_pay_once_and_only_on_a_second_approver(runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("10.00"))
    investor = UserFactory()
    first, second = finance_staff(), finance_staff()
    assignment = assignment_submitted(investor, reward="50.00")

    results = run_in_threads(
        THREADS,
        lambda i: task_services.assignment_approve(assignment_id=assignment.pk, staff=(first, second)[i % 2]),
    )

    assignment.refresh_from_db()
    outcomes = sorted({type(r).__name__ if isinstance(r, Exception) else "ok" for r in results})
    assert outcomes in (["ApplicationError", "ConflictError", "ok"], ["ConflictError", "ok"])
    assert sum(1 for r in results if not isinstance(r, Exception)) == 2  # the first approval, then the payment
    assert {r.code for r in results if isinstance(r, ApplicationError)} <= {"four_eyes_required", "already_reviewed"}
    assert assignment.status == "approved"
    assert assignment.first_approved_by_id != assignment.reviewed_by_id
    assert {assignment.first_approved_by_id, assignment.reviewed_by_id} == {first.pk, second.pk}
    assert Entry.objects.filter(kind="task_reward").count() == 1
    assert (balances(investor)[0], expense_balance()) == (D("50.00"), D("-50.00"))
    assert_ledger_ok()


def test_concurrent_approvals_of_different_recipients_never_exceed_the_budget():
    support, reviewer = support_staff(), finance_staff()
    people = [UserFactory() for _ in range(24)]
    task = task_services.task_create(
        staff=support, title="Share", instructions_en="Share it.", platform="x", reward="2.50", budget="25.00"
    )
    assignments = list(TaskAssignment.objects.filter(task=task).order_by("id"))
    assert len(assignments) == 24
    for assignment in assignments:
        task_services.assignment_proof_submit(assignment_id=assignment.pk, user=assignment.user, link="https://x.com/a")

    results = run_in_threads(
        len(assignments),
        lambda i: task_services.assignment_approve(assignment_id=assignments[i].pk, staff=reviewer),
    )

    paid = [r for r in results if isinstance(r, TaskAssignment)]
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(paid) == 10
    assert [(type(r), r.code) for r in refusals] == [(ConflictError, "budget_exhausted")] * 14
    task.refresh_from_db()
    assert (task.paid_total, task.remaining_budget) == (D("25.00"), D("0.00"))
    assert expense_balance() == D("-25.00")
    assert Entry.objects.filter(kind="task_reward").count() == 10
    assert sorted(balances(user)[0] for user in people) == [D("0.00")] * 14 + [D("2.50")] * 10
    assert TaskAssignment.objects.filter(task=task, status="approved").count() == 10
    assert_ledger_ok()


def test_concurrent_replies_from_both_sides_leave_a_consistent_thread(runtime_config):
    runtime_config(MESSAGE_SEND_LIMIT_PER_HOUR=1000)
    investor = UserFactory()
    staff = [support_staff() for _ in range(3)]
    thread = ticket_open(investor)
    thread_services.thread_reply(thread_id=thread.pk, author=staff[0], body="First answer")
    authors = [investor if i % 2 else staff[i % 3] for i in range(32)]

    results = run_in_threads(
        len(authors),
        lambda i: thread_services.thread_reply(thread_id=thread.pk, author=authors[i], body=f"message {i}"),
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    thread.refresh_from_db()
    messages = list(Message.objects.filter(thread=thread).order_by("id"))
    assert len(messages) == 34
    last = messages[-1]
    from_investor = [m for m in messages if m.sender_id == investor.pk]
    from_staff = [m for m in messages if m.sender_id != investor.pk]
    assert (thread.last_investor_message_id, thread.last_staff_message_id) == (from_investor[-1].pk, from_staff[-1].pk)
    assert thread.last_message_at == last.created_at
    assert [m.created_at for m in messages] == sorted(m.created_at for m in messages)  # times follow the writes
    assert thread.assignee == staff[0]
    assert thread.first_response_at == messages[1].created_at
    if last.sender_id == investor.pk:
        # Staff owe an answer since the investor's first message after the last staff one.
        waiting = next(m for m in messages if m.pk > from_staff[-1].pk)
        assert thread.status == "waiting_staff"
        assert (thread.waiting_since, thread.response_due_at) == (
            waiting.created_at,
            waiting.created_at + timedelta(hours=runtime_setting("SUPPORT_SLA_NEXT_RESPONSE_HOURS_NORMAL")),
        )
    else:
        assert (thread.status, thread.waiting_since, thread.response_due_at) == ("waiting_investor", None, None)
    pointers = dict(ThreadReadState.objects.filter(thread=thread).values_list("user", "last_read_message_id"))
    assert pointers[investor.pk] == from_investor[-1].pk
    for member in staff:
        assert pointers[member.pk] == max(m.pk for m in from_staff if m.sender_id == member.pk)
    # The status log replays to the final status.
    changes = list(thread.events.filter(kind="status_changed").order_by("id").values_list("data", flat=True))
    assert all(a["to"] == b["from"] for a, b in pairwise(changes))
    assert changes[-1]["to"] == thread.status


def test_concurrent_replies_cannot_slip_past_the_hourly_limit(runtime_config):
    runtime_config(MESSAGE_SEND_LIMIT_PER_HOUR=20)
    investor = UserFactory()
    threads = [ticket_open(investor, subject=f"Ticket {n}") for n in range(4)]

    results = run_in_threads(
        32, lambda i: thread_services.thread_reply(thread_id=threads[i % 4].pk, author=investor, body=f"m{i}")
    )

    assert sum(1 for r in results if isinstance(r, Message)) == 16
    assert {(type(r), r.code) for r in results if isinstance(r, Exception)} == {(ApplicationError, "throttled")}
    assert Message.objects.filter(sender=investor).count() == 20


def test_two_concurrent_deliveries_of_one_announcement_write_each_notice_once(settings):
    settings.DELIVERY_CHUNK_SIZE = 7
    support = support_staff()
    people = [UserFactory(language="ar" if n % 3 == 0 else "en") for n in range(60)]
    announcement = announcement_services.announcement_create(
        staff=support, title_en="Hello", body_en="News", title_ar="مرحبا", body_ar="أخبار"
    )
    Announcement.objects.filter(pk=announcement.pk).update(status="sending")

    results = run_in_threads(
        8, lambda i: announcement_services.announcement_deliver(announcement_id=announcement.pk, chunk_size=7)
    )

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(results) == 60
    notices = Notification.objects.filter(announcement=announcement)
    assert sorted(notices.values_list("user", flat=True)) == sorted(user.pk for user in people)
    assert set(segment_users(segment="all").values_list("pk", flat=True)) == {user.pk for user in people}
    assert notices.filter(title="مرحبا").count() == 20
    announcement.refresh_from_db()
    assert (announcement.status, announcement.delivered_count) == ("sent", 60)


def test_two_concurrent_deliveries_of_one_task_give_it_once_to_each(settings):
    support = support_staff()
    people = [UserFactory() for _ in range(30)]
    task = Task.objects.create(
        title="Share",
        instructions_en="Share it.",
        platform="x",
        reward=D("1.00"),
        budget=D("30.00"),
        expires_at=timezone.now() + timedelta(days=3),
        created_by=support,
        status="sending",
    )

    results = run_in_threads(6, lambda i: task_services.task_deliver(task_id=task.pk, chunk_size=4))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(results) == 30
    assert sorted(TaskAssignment.objects.filter(task=task).values_list("user", flat=True)) == sorted(
        user.pk for user in people
    )
    assert Thread.objects.filter(kind="task").count() == 30
    assert Notification.objects.filter(kind="task_offered").count() == 30
    task.refresh_from_db()
    assert (task.status, task.delivered_count) == ("sent", 30)


def test_concurrent_email_tasks_of_one_announcement_send_each_copy_once(settings, mailoutbox):
    settings.EMAIL_BATCH_SIZE = 5
    support = support_staff()
    people = [UserFactory() for _ in range(40)]
    announcement = announcement_services.announcement_create(staff=support, title_en="Hello", body_en="News")
    Announcement.objects.filter(pk=announcement.pk).update(status="sending")
    announcement_services.announcement_deliver(announcement_id=announcement.pk)
    mailoutbox.clear()  # the delivery's own after-commit email task ran already: start again from none
    Notification.objects.filter(announcement=announcement).update(emailed_at=None)
    Announcement.objects.filter(pk=announcement.pk).update(emailed_count=0)

    from apps.messaging.tasks import announcement_emails_send_task

    results = run_in_threads(8, lambda i: announcement_emails_send_task.run(announcement.pk, 0, None))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(results) == 40
    assert sorted(message.to[0] for message in mailoutbox) == sorted(user.email for user in people)
    assert Announcement.objects.get(pk=announcement.pk).emailed_count == 40


def test_two_copies_of_the_auto_close_job_close_each_thread_once(runtime_config):
    runtime_config(SUPPORT_AUTO_CLOSE_DAYS=1, MESSAGE_SEND_LIMIT_PER_HOUR=1000)
    support, investor = support_staff(), UserFactory()
    threads = [ticket_open(investor, subject=f"T{n}") for n in range(30)]
    for thread in threads:
        thread_services.thread_status_set(thread_id=thread.pk, actor=support, status="resolved")
    later = timezone.now() + timedelta(days=2)

    results = run_in_threads(4, lambda i: thread_services.threads_auto_close(now=later))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(results) == 30
    assert set(Thread.objects.values_list("status", flat=True)) == {"closed"}
    for thread in threads:
        assert thread.events.filter(kind="auto_closed").count() == 1
    assert Notification.objects.filter(user=investor, kind="support_closed").count() == 30
