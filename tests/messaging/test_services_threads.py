"""Conversations (``apps.messaging.services.threads``): tickets and direct messages, replies both
ways with their statuses and SLA, internal notes, assignment, read state and unread counts, the
send throttle and the auto-close job. Exact values; every refusal changes nothing."""

from datetime import timedelta

import pytest
from django.core import mail

from apps.common.errors import ApplicationError, ConflictError
from apps.messaging.models import (
    Message,
    MessageKind,
    Notification,
    Thread,
    ThreadEvent,
    ThreadReadState,
)
from apps.messaging.selectors import (
    investor_unread_thread_count,
    queue_counts,
    sla_breached_count,
    thread_list_for_investor,
    thread_messages_for_user,
    thread_queue,
    thread_read_pointer,
)
from apps.messaging.selectors.messages import message_list_for_user
from apps.messaging.services import threads as services
from apps.messaging.services.threads import closing
from tests.factories import StaffFactory, SuperuserFactory, UserFactory
from tests.messaging.conftest import T0
from tests.messaging.helpers import support_staff, ticket_open

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
FIRST = {"low": 50, "normal": 20, "high": 6, "urgent": 1}
NEXT = {"low": 70, "normal": 30, "high": 10, "urgent": 3}


@pytest.fixture(autouse=True)
def _sla(runtime_config):
    runtime_config(
        **{f"SUPPORT_SLA_FIRST_RESPONSE_HOURS_{priority.upper()}": hours for priority, hours in FIRST.items()},
        **{f"SUPPORT_SLA_NEXT_RESPONSE_HOURS_{priority.upper()}": hours for priority, hours in NEXT.items()},
        MESSAGE_SEND_LIMIT_PER_HOUR=30,
        SUPPORT_AUTO_CLOSE_DAYS=7,
    )


def events(thread) -> list[tuple]:
    return list(ThreadEvent.objects.filter(thread=thread).order_by("id").values_list("kind", "actor_id", "data"))


def sla(thread) -> tuple:
    thread.refresh_from_db()
    return (thread.status, thread.waiting_since, thread.response_due_at, thread.first_response_at)


def notices(user) -> list[tuple]:
    return list(
        Notification.objects.filter(user=user).order_by("id").values_list("kind", "category", "title", "body", "link")
    )


def reply(thread, author, body="Thanks", **kwargs):
    return services.thread_reply(thread_id=thread.pk, author=author, body=body, **kwargs)


# --- opening a ticket ---------------------------------------------------------------------------


def test_an_investor_opens_a_ticket_waiting_for_a_first_answer(investor, clock):
    clock(T0)
    thread = services.thread_open_by_investor(
        investor=investor, subject="  Deposit \n not   credited ", category="deposit", body="  Where is it?\r\n  "
    )
    thread.refresh_from_db()
    [message] = Message.objects.filter(thread=thread)
    assert (message.sender, message.kind, message.body, message.created_at) == (
        investor,
        MessageKind.REPLY,
        "Where is it?",
        T0,
    )
    assert (thread.kind, thread.subject, thread.category, thread.priority, thread.status) == (
        "support",
        "Deposit not credited",
        "deposit",
        "normal",
        "open",
    )
    assert (thread.investor, thread.opened_by, thread.assignee) == (investor, investor, None)
    assert (thread.created_at, thread.last_message_at, thread.updated_at, thread.status_changed_at) == (T0,) * 4
    assert (thread.waiting_since, thread.response_due_at, thread.first_response_at) == (T0, T0 + 20 * H, None)
    assert (thread.last_investor_message_id, thread.last_staff_message_id) == (message.pk, None)
    assert (thread.resolved_at, thread.closed_at, thread.ticket_number) == (None, None, f"#{thread.pk}")
    assert events(thread) == [("opened", investor.pk, {"category": "deposit"})]
    assert thread_read_pointer(thread=thread, user=investor) == message.pk
    assert notices(investor) == []


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"subject": "   "}, "subject_required", "subject"),
        ({"subject": "x" * 201}, "subject_too_long", "subject"),
        ({"body": " \n\t "}, "message_required", "message"),
        ({"body": "x" * 5001}, "message_too_long", "message"),
        ({"category": "lottery"}, "invalid_choice", "category"),
    ],
)
def test_a_wrong_ticket_is_refused_and_changes_nothing(investor, unchanged_db, fields, code, field):
    values = {"subject": "Help", "category": "kyc", "body": "Hello", **fields}
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.thread_open_by_investor(investor=investor, **values)
    assert (error.value.code, error.value.status_code, list(error.value.field_errors)) == (code, 400, [field])


def test_every_wrong_field_of_a_ticket_is_named_at_once(investor, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.thread_open_by_investor(investor=investor, subject="", category="kyc", body="")
    assert error.value.code == "invalid"
    assert error.value.field_errors == {"subject": ["Enter a subject."], "message": ["Write a message."]}


def test_the_longest_subject_and_body_are_accepted_and_no_category_means_other(investor):
    thread = services.thread_open_by_investor(investor=investor, subject="s" * 200, category=None, body="b" * 5000)
    assert (len(thread.subject), thread.category, len(thread.messages.get().body)) == (200, "other", 5000)


def test_staff_cannot_open_a_ticket_as_an_investor(support, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.thread_open_by_investor(investor=support, subject="Hi", category="other", body="Hello")
    assert (error.value.code, error.value.status_code) == ("permission_denied", 403)


# --- direct conversations ---------------------------------------------------------------------------


def test_staff_open_a_direct_conversation_that_waits_on_the_investor(support, investor, clock):
    clock(T0)
    thread = services.thread_open_by_staff(
        staff=support, investor_id=investor.pk, subject="Your deposit", body="We received it.", category="deposit"
    )
    thread.refresh_from_db()
    message = thread.messages.get()
    assert (thread.kind, thread.status, thread.assignee, thread.opened_by, thread.investor) == (
        "direct",
        "waiting_investor",
        support,
        support,
        investor,
    )
    assert (thread.waiting_since, thread.response_due_at, thread.first_response_at) == (None, None, None)
    assert (thread.last_staff_message_id, thread.last_investor_message_id) == (message.pk, None)
    assert events(thread) == [("opened", support.pk, {"category": "deposit", "assignee": support.pk})]
    assert notices(investor) == [
        ("support_reply", "support", "New message: Your deposit", "We received it.", f"/messages/{thread.pk}/")
    ]
    assert investor_unread_thread_count(user=investor) == 1


@pytest.mark.parametrize(
    ("recipient", "code"),
    [("staff", "recipient_is_staff"), ("inactive", "recipient_inactive"), ("missing", "recipient_not_found")],
)
def test_a_direct_conversation_goes_only_to_an_active_investor(support, unchanged_db, recipient, code):
    target = {
        "staff": lambda: StaffFactory().pk,
        "inactive": lambda: UserFactory(is_active=False).pk,
        "missing": lambda: "99999999",
    }[recipient]()
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.thread_open_by_staff(staff=support, investor_id=target, subject="Hi", body="Hello")
    assert (error.value.code, error.value.field) == (code, "recipient_id")


def test_only_staff_who_handle_threads_open_direct_conversations(finance, investor, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.thread_open_by_staff(staff=finance, investor_id=investor.pk, subject="Hi", body="Hello")
    assert (error.value.code, error.value.status_code) == ("permission_denied", 403)


# --- replies, statuses and the SLA ----------------------------------------------------------------------


def test_the_whole_life_of_a_ticket(investor, support, support2, clock):
    clock(T0)
    thread = ticket_open(investor)
    assert sla(thread) == ("open", T0, T0 + 20 * H, None)

    clock(T0 + 1 * H)  # the investor adds a line before anyone answered: still the first SLA
    reply(thread, investor, "Any news?")
    assert sla(thread) == ("open", T0, T0 + 20 * H, None)

    clock(T0 + 2 * H)  # staff answer: the thread waits on the investor; who answers first takes it
    answer = reply(thread, support, "Looking into it.")
    assert sla(thread) == ("waiting_investor", None, None, T0 + 2 * H)
    assert (thread.assignee, thread.last_staff_message_id) == (support, answer.pk)

    clock(T0 + 3 * H)  # the investor replies: the next-response SLA
    reply(thread, investor, "The amount was 100.")
    assert sla(thread) == ("waiting_staff", T0 + 3 * H, T0 + 3 * H + 30 * H, T0 + 2 * H)

    clock(T0 + 4 * H)  # a colleague answers: the assignee stays, the first response stays
    reply(thread, support2, "Credited now.")
    assert sla(thread) == ("waiting_investor", None, None, T0 + 2 * H)
    assert thread.assignee == support

    clock(T0 + 5 * H)
    services.thread_status_set(thread_id=thread.pk, actor=support, status="resolved")
    assert sla(thread) == ("resolved", None, None, T0 + 2 * H)
    assert (thread.resolved_at, thread.status_changed_at) == (T0 + 5 * H, T0 + 5 * H)

    clock(T0 + 6 * H)  # an investor's reply reopens a resolved thread
    reply(thread, investor, "It is back to zero!")
    assert sla(thread) == ("waiting_staff", T0 + 6 * H, T0 + 36 * H, T0 + 2 * H)

    clock(T0 + 7 * H)
    services.thread_status_set(thread_id=thread.pk, actor=support2, status="closed")
    assert sla(thread) == ("closed", None, None, T0 + 2 * H)
    assert thread.closed_at == T0 + 7 * H

    assert events(thread) == [
        ("opened", investor.pk, {"category": "deposit"}),
        ("status_changed", support.pk, {"from": "open", "to": "waiting_investor"}),
        ("assigned", support.pk, {"from": None, "to": support.pk}),
        ("status_changed", investor.pk, {"from": "waiting_investor", "to": "waiting_staff"}),
        ("status_changed", support2.pk, {"from": "waiting_staff", "to": "waiting_investor"}),
        ("status_changed", support.pk, {"from": "waiting_investor", "to": "resolved"}),
        ("reopened", investor.pk, {"from": "resolved"}),
        ("status_changed", investor.pk, {"from": "resolved", "to": "waiting_staff"}),
        ("status_changed", support2.pk, {"from": "waiting_staff", "to": "closed"}),
    ]
    # The investor was told of each staff answer; the assignee of each investor reply after it.
    assert [row[0] for row in notices(investor)] == ["support_reply", "support_reply"]
    assert (
        notices(support)
        == [
            (
                "support_investor_reply",
                "support",
                f"#{thread.pk}: the investor replied",
                "Deposit not credited",
                f"/admin/messaging/thread/{thread.pk}/change/",
            )
        ]
        * 2
    )
    assert notices(support2) == []


def test_a_closed_thread_refuses_an_investors_reply(investor, support, unchanged_db):
    thread = ticket_open(investor)
    services.thread_status_set(thread_id=thread.pk, actor=support, status="closed")
    with unchanged_db(), pytest.raises(ConflictError) as error:
        reply(thread, investor, "Hello again")
    assert (error.value.code, error.value.status_code) == ("thread_closed", 409)
    assert error.value.message == f"This conversation is closed. Open a new one and mention #{thread.pk}."


def test_staff_may_still_write_on_a_closed_thread_which_then_waits_on_the_investor(investor, support, clock):
    clock(T0)
    thread = ticket_open(investor)
    services.thread_status_set(thread_id=thread.pk, actor=support, status="closed")
    clock(T0 + H)
    reply(thread, support, "One more thing.")
    assert sla(thread) == ("waiting_investor", None, None, T0 + H)
    assert thread.closed_at is None


@pytest.mark.parametrize("priority", ["low", "normal", "high", "urgent"])
def test_the_first_and_next_answer_are_due_by_priority(investor, support, clock, priority):
    clock(T0)
    thread = ticket_open(investor)
    services.thread_priority_set(thread_id=thread.pk, actor=support, priority=priority)
    assert sla(thread)[:3] == ("open", T0, T0 + FIRST[priority] * H)
    clock(T0 + H)
    reply(thread, support, "Hello")
    clock(T0 + 2 * H)
    reply(thread, investor, "Hi")
    assert sla(thread)[:3] == ("waiting_staff", T0 + 2 * H, T0 + 2 * H + NEXT[priority] * H)


def test_a_priority_change_moves_the_due_time_from_when_the_investor_started_waiting(investor, support, clock):
    clock(T0)
    thread = ticket_open(investor)
    clock(T0 + 30 * timedelta(minutes=1))
    services.thread_priority_set(thread_id=thread.pk, actor=support, priority="urgent")
    assert sla(thread) == ("open", T0, T0 + H, None)
    assert (thread.priority, thread.updated_at) == ("urgent", T0 + timedelta(minutes=30))
    services.thread_priority_set(thread_id=thread.pk, actor=support, priority="urgent")  # no change, no event
    assert events(thread)[1:] == [("priority_changed", support.pk, {"from": "normal", "to": "urgent"})]


def test_a_priority_change_while_nobody_waits_sets_no_due_time(investor, support):
    thread = ticket_open(investor)
    reply(thread, support, "Done")
    services.thread_priority_set(thread_id=thread.pk, actor=support, priority="high")
    thread.refresh_from_db()
    assert (thread.priority, thread.response_due_at) == ("high", None)


def test_a_breached_thread_shows_in_the_breached_queue(investor, support, clock):
    clock(T0)
    thread = ticket_open(investor)
    assert (sla_breached_count(now=T0 + 20 * H), thread.sla_breached(now=T0 + 20 * H)) == (0, False)
    later = T0 + 20 * H + timedelta(seconds=1)
    thread.refresh_from_db()
    assert (sla_breached_count(now=later), thread.sla_breached(now=later)) == (1, True)
    [row] = thread_queue(queue="breached", user=support, now=later)
    assert (row.pk, row.breached) == (thread.pk, True)


def test_status_and_category_changes_are_checked_and_logged(investor, support, unchanged_db):
    thread = ticket_open(investor)
    with unchanged_db():
        for call, field in (
            (lambda: services.thread_status_set(thread_id=thread.pk, actor=support, status="lost"), "status"),
            (lambda: services.thread_priority_set(thread_id=thread.pk, actor=support, priority="max"), "priority"),
            (lambda: services.thread_category_set(thread_id=thread.pk, actor=support, category="x"), "category"),
        ):
            with pytest.raises(ApplicationError) as error:
                call()
            assert (error.value.code, error.value.field) == ("invalid_choice", field)
        services.thread_status_set(thread_id=thread.pk, actor=support, status="open")  # unchanged: nothing written
        services.thread_category_set(thread_id=thread.pk, actor=support, category="deposit")
    services.thread_category_set(thread_id=thread.pk, actor=support, category="withdrawal")
    assert events(thread)[-1] == ("category_changed", support.pk, {"from": "deposit", "to": "withdrawal"})
    assert Thread.objects.get(pk=thread.pk).category == "withdrawal"


def test_an_investor_reaches_only_their_own_thread(investor, other_investor, unchanged_db):
    thread = ticket_open(investor)
    with unchanged_db():
        for thread_id in (thread.pk, "abc", None, 99999999):
            with pytest.raises(ApplicationError) as error:
                reply(type("T", (), {"pk": thread_id}), other_investor, "Let me in")
            assert (error.value.code, error.value.status_code) == ("not_found", 404)


def test_staff_without_the_handle_permission_cannot_reply_or_change_a_thread(investor, finance, unchanged_db):
    thread = ticket_open(investor)
    with unchanged_db():
        for call in (
            lambda: reply(thread, finance, "Hi"),
            lambda: services.thread_status_set(thread_id=thread.pk, actor=finance, status="resolved"),
            lambda: services.thread_priority_set(thread_id=thread.pk, actor=finance, priority="high"),
            lambda: services.thread_note_add(thread_id=thread.pk, staff=finance, body="note"),
            lambda: services.thread_assign(thread_id=thread.pk, actor=finance, assignee_id=finance.pk),
        ):
            with pytest.raises(ApplicationError) as error:
                call()
            assert (error.value.code, error.value.status_code) == ("permission_denied", 403)


# --- direct and task threads: the first answer comes once ------------------------------------------------


def test_a_direct_conversation_gets_the_first_then_the_next_response_window(investor, support, clock):
    clock(T0)
    thread = services.thread_open_by_staff(staff=support, investor_id=investor.pk, subject="Hello", body="Hi")
    clock(T0 + H)
    reply(thread, investor, "Hi, a question")
    assert sla(thread) == ("open", T0 + H, T0 + H + 20 * H, None)
    clock(T0 + 2 * H)
    reply(thread, support, "An answer")
    assert sla(thread) == ("waiting_investor", None, None, T0 + 2 * H)
    clock(T0 + 3 * H)
    reply(thread, investor, "Another question")
    assert sla(thread) == ("waiting_staff", T0 + 3 * H, T0 + 33 * H, T0 + 2 * H)


# --- internal notes ---------------------------------------------------------------------------------------


def test_an_internal_note_is_for_staff_only_and_changes_no_status(
    investor, support, clock, django_capture_on_commit_callbacks
):
    clock(T0)
    thread = ticket_open(investor)
    answer = reply(thread, support, "We look into it")
    before = sla(thread)
    clock(T0 + H)
    with django_capture_on_commit_callbacks(execute=True):
        note = services.thread_note_add(thread_id=thread.pk, staff=support, body="  Checked the bank: pending  ")
    assert (note.kind, note.body, note.sender, note.is_internal) == ("note", "Checked the bank: pending", support, True)
    assert sla(thread) == before
    thread.refresh_from_db()
    assert (thread.last_staff_message_id, thread.last_message_at, thread.updated_at) == (answer.pk, T0, T0 + H)
    assert [m.pk for m in thread_messages_for_user(thread=thread, user=investor)] == [answer.pk - 1, answer.pk]
    assert note.pk in [m.pk for m in thread_messages_for_user(thread=thread, user=support)]
    assert note.pk not in [m.pk for m in message_list_for_user(user=investor)]
    assert note.pk not in [m.pk for m in message_list_for_user(user=support)]
    assert investor_unread_thread_count(user=investor) == 1  # the answer, not the note
    assert [row.unread for row in thread_list_for_investor(user=investor)] == [1]
    assert Notification.objects.filter(body__contains="bank").count() == 0
    assert all("bank" not in message.body for message in mail.outbox)
    assert [row[0] for row in events(thread)] == ["opened", "status_changed", "assigned"]


def test_a_note_needs_text_and_a_staff_author(investor, support, unchanged_db):
    thread = ticket_open(investor)
    with unchanged_db():
        with pytest.raises(ApplicationError) as error:
            services.thread_note_add(thread_id=thread.pk, staff=support, body="  ")
        assert (error.value.code, error.value.field) == ("message_required", "body")
        with pytest.raises(ApplicationError) as error:
            services.thread_note_add(thread_id=thread.pk, staff=investor, body="mine")
        assert (error.value.code, error.value.status_code) == ("not_found", 404)


# --- assignment ---------------------------------------------------------------------------------------------


def test_assigning_to_a_colleague_tells_them_and_is_logged(investor, support, support2, clock):
    clock(T0)
    thread = ticket_open(investor)
    services.thread_assign(thread_id=thread.pk, actor=support, assignee_id=str(support2.pk))
    services.thread_assign(thread_id=thread.pk, actor=support, assignee_id=support2.pk)  # no change: nothing
    services.thread_assign(thread_id=thread.pk, actor=support2, assignee_id=support2.pk)
    services.thread_assign(thread_id=thread.pk, actor=support2, assignee_id=support.pk)
    services.thread_assign(thread_id=thread.pk, actor=support, assignee_id=support.pk)  # "assign to me"
    services.thread_assign(thread_id=thread.pk, actor=support, assignee_id=None)
    thread.refresh_from_db()
    assert thread.assignee is None
    assert events(thread)[1:] == [
        ("assigned", support.pk, {"from": None, "to": support2.pk}),
        ("assigned", support2.pk, {"from": support2.pk, "to": support.pk}),
        ("assigned", support.pk, {"from": support.pk, "to": None}),
    ]
    link = f"/admin/messaging/thread/{thread.pk}/change/"
    assigned = ("support_assigned", "support", f"#{thread.pk} was assigned to you", "Deposit not credited", link)
    assert (notices(support2), notices(support)) == ([assigned], [assigned])


def test_only_active_staff_who_handle_threads_can_be_assignees(investor, support, finance, unchanged_db):
    thread = ticket_open(investor)
    inactive = support_staff(is_active=False)
    boss = SuperuserFactory()
    assert list(services.assignable_staff()) == sorted([support, boss], key=lambda user: user.email)
    with unchanged_db():
        for assignee in (finance.pk, investor.pk, inactive.pk, "nobody", 99999999):
            with pytest.raises(ApplicationError) as error:
                services.thread_assign(thread_id=thread.pk, actor=support, assignee_id=assignee)
            assert (error.value.code, error.value.field) == ("invalid_assignee", "assignee")
    services.thread_assign(thread_id=thread.pk, actor=support, assignee_id=boss.pk)
    assert Thread.objects.get(pk=thread.pk).assignee == boss


# --- read state and unread counts ------------------------------------------------------------------------------


def test_the_investor_unread_count_per_thread(investor, support):
    first, second = ticket_open(investor, subject="One"), ticket_open(investor, subject="Two")
    a = reply(first, support, "a")
    b = reply(first, support, "b")
    reply(second, investor, "more from me")  # their own messages never count
    assert investor_unread_thread_count(user=investor) == 1
    assert [(row.pk, row.unread) for row in thread_list_for_investor(user=investor)] == [(first.pk, 2), (second.pk, 0)]
    services.thread_mark_read(thread_id=first.pk, user=investor, through_message_id=a.pk)
    assert [(row.pk, row.unread) for row in thread_list_for_investor(user=investor)] == [(first.pk, 1), (second.pk, 0)]
    services.thread_mark_read(thread_id=first.pk, user=investor, through_message_id=a.pk - 5)  # never back
    assert thread_read_pointer(thread=first, user=investor) == a.pk
    services.thread_mark_read(thread_id=first.pk, user=investor, through_message_id=10**12)  # capped at the newest
    assert thread_read_pointer(thread=first, user=investor) == b.pk
    assert investor_unread_thread_count(user=investor) == 0
    c = reply(first, support, "c")
    assert investor_unread_thread_count(user=investor) == 1
    services.thread_mark_read(thread_id=first.pk, user=investor)
    assert (thread_read_pointer(thread=first, user=investor), investor_unread_thread_count(user=investor)) == (c.pk, 0)


def test_marking_another_investors_thread_read_is_a_404(investor, other_investor, unchanged_db):
    thread = ticket_open(investor)
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.thread_mark_read(thread_id=thread.pk, user=other_investor)
    assert (error.value.code, error.value.status_code) == ("not_found", 404)


def test_staff_queue_counts_per_queue(investor, other_investor, support, support2, clock):
    clock(T0)
    mine = ticket_open(investor, subject="Mine")
    reply(mine, support, "answer")  # assigned to support, waiting on the investor
    reply(mine, investor, "thanks, but")  # waiting on staff, unread by support
    theirs = ticket_open(other_investor, subject="Theirs")
    services.thread_assign(thread_id=theirs.pk, actor=support2, assignee_id=support2.pk)
    unassigned = ticket_open(other_investor, subject="Nobody", category="kyc")
    done = ticket_open(investor, subject="Done")
    services.thread_status_set(thread_id=done.pk, actor=support, status="resolved")
    services.thread_mark_read(thread_id=unassigned.pk, user=support)
    now = T0 + 21 * H  # the first-response SLA of the never-answered tickets is past
    assert queue_counts(user=support, now=now) == {
        "unassigned": {"total": 1, "unread": 0},
        "mine": {"total": 1, "unread": 1},
        "breached": {"total": 2, "unread": 1},
        "waiting_staff": {"total": 3, "unread": 2},
        "all": {"total": 4, "unread": 3},
    }
    assert queue_counts(user=support2, now=T0)["mine"] == {"total": 1, "unread": 1}
    services.thread_mark_read(thread_id=mine.pk, user=support)
    assert queue_counts(user=support, now=now)["mine"] == {"total": 1, "unread": 0}
    assert [t.pk for t in thread_queue(queue="unassigned", user=support, now=now)] == [unassigned.pk]
    assert [t.pk for t in thread_queue(queue="no-such-queue", user=support, now=now).order_by("id")] == [
        mine.pk,
        theirs.pk,
        unassigned.pk,
    ]


# --- the send throttle ------------------------------------------------------------------------------------------


def test_investors_are_throttled_per_hour_and_staff_are_not(investor, support, clock, unchanged_db, runtime_config):
    runtime_config(MESSAGE_SEND_LIMIT_PER_HOUR=3)
    clock(T0)
    thread = ticket_open(investor)
    reply(thread, investor, "two")
    clock(T0 + 59 * timedelta(minutes=1))
    reply(thread, investor, "three")
    for _ in range(4):
        reply(thread, support, "staff are never throttled")
    with unchanged_db():
        for call in (lambda: reply(thread, investor, "four"), lambda: ticket_open(investor, subject="Again")):
            with pytest.raises(ApplicationError) as error:
                call()
            assert (error.value.code, error.value.status_code) == ("throttled", 429)
    clock(T0 + H + timedelta(seconds=1))  # the first message is over an hour old: one more is allowed
    reply(thread, investor, "four")
    assert Message.objects.filter(sender=investor).count() == 4


# --- the auto-close job ------------------------------------------------------------------------------------------


def test_auto_close_closes_quiet_threads_with_a_notice(investor, other_investor, support, clock, settings):
    clock(T0)
    resolved = ticket_open(investor, subject="Resolved long ago")
    services.thread_status_set(thread_id=resolved.pk, actor=support, status="resolved")
    waiting = ticket_open(other_investor, subject="Waiting long ago")
    reply(waiting, support, "Can you send the receipt?")
    owed = ticket_open(investor, subject="Staff owe an answer")
    clock(T0 + 2 * 24 * H)
    recent = ticket_open(investor, subject="Resolved recently")
    services.thread_status_set(thread_id=recent.pk, actor=support, status="resolved")
    nudged = ticket_open(other_investor, subject="Staff wrote again")
    reply(nudged, support, "first")
    clock(T0 + 7 * 24 * H - H)
    reply(nudged, support, "a reminder yesterday")  # still waiting on the investor, but active
    services.thread_note_add(thread_id=owed.pk, staff=support, body="note")

    clock(T0 + 8 * 24 * H)
    assert services.threads_auto_close() == 2
    assert services.threads_auto_close() == 0  # a re-run finds nothing
    states = dict(Thread.objects.values_list("subject", "status"))
    assert states == {
        "Resolved long ago": "closed",
        "Waiting long ago": "closed",
        "Staff owe an answer": "open",
        "Resolved recently": "resolved",
        "Staff wrote again": "waiting_investor",
    }
    for thread, previous in ((resolved, "resolved"), (waiting, "waiting_investor")):
        thread.refresh_from_db()
        assert (thread.closed_at, thread.status_changed_at, thread.updated_at) == (T0 + 8 * 24 * H,) * 3
        assert events(thread)[-1] == ("auto_closed", None, {"from": previous, "days": 7})
    body = "We closed this conversation because it had no activity for 7 days. If you still need help, open a new one."
    closing = Notification.objects.filter(kind="support_closed").order_by("id")
    assert list(closing.values_list("user", "kind", "title", "body", "link")) == [
        (investor.pk, "support_closed", "Conversation closed: Resolved long ago", body, f"/messages/{resolved.pk}/"),
        (
            other_investor.pk,
            "support_closed",
            "Conversation closed: Waiting long ago",
            body,
            f"/messages/{waiting.pk}/",
        ),
    ]


def test_auto_close_takes_its_days_from_the_settings(investor, support, clock, runtime_config):
    runtime_config(SUPPORT_AUTO_CLOSE_DAYS=2)
    clock(T0)
    thread = ticket_open(investor)
    services.thread_status_set(thread_id=thread.pk, actor=support, status="resolved")
    clock(T0 + 2 * 24 * H - timedelta(seconds=1))
    assert services.threads_auto_close() == 0
    clock(T0 + 2 * 24 * H)
    assert services.threads_auto_close() == 1
    assert events(thread)[-1] == ("auto_closed", None, {"from": "resolved", "days": 2})


def test_auto_close_works_in_batches(investor, support, clock, monkeypatch):
    monkeypatch.setattr(closing, "AUTO_CLOSE_BATCH", 2)
    clock(T0)
    for number in range(5):
        thread = ticket_open(investor, subject=f"T{number}")
        services.thread_status_set(thread_id=thread.pk, actor=support, status="resolved")
    clock(T0 + 8 * 24 * H)
    assert services.threads_auto_close() == 5
    assert set(Thread.objects.values_list("status", flat=True)) == {"closed"}
    assert ThreadReadState.objects.filter(user=investor).count() == 5


def test_auto_close_leaves_task_threads_alone(investor, support, clock):
    from tests.messaging.helpers import task_for

    clock(T0)
    task_for(investor, staff=support, expires_at=T0 + 30 * 24 * H)  # its thread waits on the investor
    clock(T0 + 10 * 24 * H)
    assert services.threads_auto_close() == 0
    assert list(Thread.objects.values_list("kind", "status")) == [("task", "waiting_investor")]
    assert Notification.objects.filter(kind="support_closed").count() == 0


# --- every status change a staff member can make ---------------------------------------------------------

STATUSES = ["open", "waiting_investor", "waiting_staff", "resolved", "closed"]


@pytest.mark.parametrize("target", STATUSES)
@pytest.mark.parametrize("start", STATUSES)
def test_every_status_change_keeps_the_sla_and_time_stamps_consistent(investor, support, clock, start, target):
    clock(T0)
    thread = ticket_open(investor)
    reply(thread, support, "An answer")  # first response at T0
    clock(T0 + H)
    services.thread_status_set(thread_id=thread.pk, actor=support, status=start)
    before = events(thread)
    clock(T0 + 2 * H)
    services.thread_status_set(thread_id=thread.pk, actor=support, status=target)
    thread.refresh_from_db()
    assert thread.status == target
    if start == target:
        assert events(thread) == before
        return
    assert events(thread)[len(before) :] == [("status_changed", support.pk, {"from": start, "to": target})]
    assert thread.status_changed_at == T0 + 2 * H
    assert thread.closed_at == (T0 + 2 * H if target == "closed" else None)
    if target == "resolved":
        assert thread.resolved_at == T0 + 2 * H
    owed_since = {"open": T0 + H, "waiting_staff": T0 + H}.get(start, T0 + 2 * H)
    if target in ("open", "waiting_staff"):
        # Staff owe an answer from when they first did (a move between the two keeps the clock).
        assert (thread.waiting_since, thread.response_due_at) == (owed_since, owed_since + NEXT["normal"] * H)
    else:
        assert (thread.waiting_since, thread.response_due_at) == (None, None)


def test_a_task_offer_is_nobodys_work_until_the_investor_writes(investor, support, clock):
    from tests.messaging.helpers import task_for

    clock(T0)
    task = task_for(investor, staff=support)
    thread = Thread.objects.get(kind="task")
    counts = queue_counts(user=support, now=T0)
    assert (counts["unassigned"], counts["waiting_staff"], counts["all"]) == (
        {"total": 0, "unread": 0},
        {"total": 0, "unread": 0},
        {"total": 1, "unread": 0},
    )
    reply(thread, investor, "Which account should I follow?")
    thread.refresh_from_db()
    assert (thread.status, thread.waiting_since, thread.response_due_at) == ("open", T0, T0 + FIRST["normal"] * H)
    counts = queue_counts(user=support, now=T0)
    assert (counts["unassigned"], counts["waiting_staff"]) == ({"total": 1, "unread": 1}, {"total": 1, "unread": 1})
    assert task.pk == thread.task_assignment.task_id
