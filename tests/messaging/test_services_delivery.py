"""Chunked, resumable delivery (``apps.messaging.services.delivery``) of announcements and tasks:
a delivery killed after k chunks, or in the middle of a chunk, and run again gives every
recipient of the segment exactly one notice (or task), none missed; a replayed chunk writes
nothing; emails go only for committed chunks, once each."""

import pytest
from django.core import mail

from apps.messaging.models import Announcement, Message, Notification, Task, TaskAssignment, Thread
from apps.messaging.segments import segment_users
from apps.messaging.services import announcements as announcement_services
from apps.messaging.services import tasks as task_services
from apps.messaging.services.tasks import creating as task_creating
from tests.factories import StaffFactory, UserFactory
from tests.messaging.helpers import support_staff

pytestmark = pytest.mark.django_db
CHUNK = 3
PEOPLE = 11  # four chunks of three, the last one short


class Killed(Exception):
    """Stands for the worker dying in the middle of a chunk."""


@pytest.fixture
def people(db):
    """Eleven investors (every third one Arabic), and a staff member and a deactivated investor
    who are never recipients."""
    StaffFactory()
    UserFactory(is_active=False)
    return [UserFactory(language="ar" if n % 3 == 0 else "en") for n in range(PEOPLE)]


@pytest.fixture
def announcement(support):
    announcement = announcement_services.announcement_create(
        staff=support, title_en="Hello", body_en="News", title_ar="مرحبا", body_ar="أخبار"
    )
    Announcement.objects.filter(pk=announcement.pk).update(status="sending")  # as announcement_send leaves it
    return announcement


def deliver(announcement, **kwargs) -> int:
    return announcement_services.announcement_deliver(announcement_id=announcement.pk, chunk_size=CHUNK, **kwargs)


def notice_users(announcement) -> list[int]:
    return sorted(Notification.objects.filter(announcement=announcement).values_list("user", flat=True))


def segment_ids() -> list[int]:
    return sorted(segment_users(segment="all").values_list("pk", flat=True))


def state(target) -> tuple:
    target.refresh_from_db()
    return (target.status, target.delivered_through, target.delivered_count)


def kill_in_chunk(monkeypatch, module, name: str, chunk_number: int):
    """Make chunk ``chunk_number`` (1-based, counted from now) die after writing its rows."""
    real = getattr(module, name)
    calls = {"n": 0}

    def write(*args, **kwargs):
        calls["n"] += 1
        written = real(*args, **kwargs)
        if calls["n"] == chunk_number:
            raise Killed(f"killed in chunk {chunk_number} after writing {written} rows")
        return written

    monkeypatch.setattr(module, name, write)


# --- announcements ----------------------------------------------------------------------------------


def test_chunks_move_the_cursor_in_ascending_user_id(people, announcement):
    ids = [user.pk for user in people]
    assert deliver(announcement, max_chunks=1) == 3
    assert state(announcement) == ("sending", ids[2], 3)
    assert notice_users(announcement) == ids[:3]
    assert deliver(announcement, max_chunks=2) == 6
    assert state(announcement) == ("sending", ids[8], 9)
    assert deliver(announcement) == 2
    assert state(announcement) == ("sent", ids[8], 11)
    assert notice_users(announcement) == ids == segment_ids()
    assert deliver(announcement) == 0  # sent: nothing more to do


@pytest.mark.parametrize("done_before", [0, 1, 2, 3])
def test_an_announcement_killed_in_a_chunk_then_run_again_reaches_everyone_once(
    people, announcement, monkeypatch, done_before, django_capture_on_commit_callbacks
):
    ids = [user.pk for user in people]
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(announcement, max_chunks=done_before) == CHUNK * done_before
    kill_in_chunk(monkeypatch, announcement_services, "notices_insert", 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Killed):
        deliver(announcement)
    assert callbacks == []  # the killed chunk queued no email
    expected_through = ids[CHUNK * done_before - 1] if done_before else 0
    assert state(announcement) == ("sending", expected_through, CHUNK * done_before)
    assert notice_users(announcement) == ids[: CHUNK * done_before]
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(announcement) == PEOPLE - CHUNK * done_before
    assert state(announcement)[::2] == ("sent", PEOPLE)
    assert notice_users(announcement) == segment_ids() == ids
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in people)
    assert Announcement.objects.get(pk=announcement.pk).emailed_count == PEOPLE
    arabic = {user.pk for user in people if user.language == "ar"}
    titles = dict(Notification.objects.filter(announcement=announcement).values_list("user", "title"))
    assert titles == {user.pk: "مرحبا" if user.pk in arabic else "Hello" for user in people}


def test_copies_of_a_chunk_whose_email_task_was_never_queued_go_with_the_last_chunk(
    people, announcement, monkeypatch, django_capture_on_commit_callbacks
):
    real = announcement_services._emails_after_chunk
    lost = []

    def dies_before_queueing(announcement_id, chunk):
        if chunk.after == 0:  # the worker died right after the first chunk's commit
            lost.append(chunk.through)
            return
        real(announcement_id, chunk)

    monkeypatch.setattr(announcement_services, "_emails_after_chunk", dies_before_queueing)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(announcement)
    assert lost == [people[2].pk]
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in people)
    assert Announcement.objects.get(pk=announcement.pk).emailed_count == PEOPLE


def test_a_replayed_chunk_writes_nothing(people, announcement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(announcement)
    before = list(Notification.objects.order_by("id").values_list("id", "user", "announcement", "emailed_at"))
    sent_mail = len(mail.outbox)
    # The cursor lost (as if a chunk's commit had not been seen): every chunk is replayed.
    Announcement.objects.filter(pk=announcement.pk).update(status="sending", delivered_through=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(announcement) == 0
    assert list(Notification.objects.order_by("id").values_list("id", "user", "announcement", "emailed_at")) == before
    assert (len(mail.outbox), state(announcement)[::2]) == (sent_mail, ("sent", PEOPLE))
    assert Announcement.objects.get(pk=announcement.pk).emailed_count == PEOPLE


def test_investors_who_join_or_leave_during_a_delivery(people, announcement):
    deliver(announcement, max_chunks=1)
    newcomer = UserFactory()
    type(people[5]).objects.filter(pk=people[5].pk).update(is_active=False)
    type(people[1]).objects.filter(pk=people[1].pk).update(is_active=False)  # already has it: kept
    deliver(announcement)
    expected = [user.pk for user in people if user.pk != people[5].pk] + [newcomer.pk]
    assert notice_users(announcement) == sorted(expected)
    assert state(announcement)[::2] == ("sent", PEOPLE)


def test_a_cancelled_or_draft_announcement_is_not_delivered(people, support, unchanged_db):
    draft = announcement_services.announcement_create(staff=support, title_en="Hi", body_en="Draft")
    with unchanged_db():
        assert announcement_services.announcement_deliver(announcement_id=draft.pk) == 0
        assert announcement_services.announcement_deliver(announcement_id=99999999) == 0


# --- tasks ------------------------------------------------------------------------------------------------


@pytest.fixture
def segment_task(support):
    """A task for every investor, created the way ``task_create`` leaves it before its job runs."""
    return Task.objects.create(
        title="Share our post",
        instructions_en="Share it.",
        instructions_ar="شاركه.",
        platform="facebook",
        reward="1.00",
        budget="20.00",
        expires_at="2999-01-01T00:00:00Z",
        created_by=support,
        status="sending",
    )


def task_state(task) -> dict:
    return {
        "assignments": sorted(TaskAssignment.objects.filter(task=task).values_list("user", flat=True)),
        "threads": sorted(Thread.objects.filter(kind="task").values_list("investor", flat=True)),
        "messages": sorted(Message.objects.filter(kind="task").values_list("thread__investor", flat=True)),
        "notices": sorted(Notification.objects.filter(kind="task_offered").values_list("user", flat=True)),
    }


@pytest.mark.parametrize("done_before", [0, 2])
def test_a_task_delivery_killed_in_a_chunk_then_run_again_reaches_everyone_once(
    people, segment_task, monkeypatch, done_before
):
    ids = [user.pk for user in people]
    task_services.task_deliver(task_id=segment_task.pk, chunk_size=CHUNK, max_chunks=done_before)
    kill_in_chunk(monkeypatch, task_creating, "_offer_notices", 1)  # threads, messages, assignments written
    with pytest.raises(Killed):
        task_services.task_deliver(task_id=segment_task.pk, chunk_size=CHUNK)
    done = ids[: CHUNK * done_before]
    assert task_state(segment_task) == {"assignments": done, "threads": done, "messages": done, "notices": done}
    assert state(segment_task) == ("sending", done[-1] if done else 0, len(done))
    monkeypatch.undo()

    assert task_services.task_deliver(task_id=segment_task.pk, chunk_size=CHUNK) == PEOPLE - len(done)
    assert task_state(segment_task) == {"assignments": ids, "threads": ids, "messages": ids, "notices": ids}
    assert state(segment_task)[::2] == ("sent", PEOPLE)
    for assignment in TaskAssignment.objects.filter(task=segment_task).select_related("thread", "message", "user"):
        assert (assignment.message.thread_id, assignment.thread.last_staff_message_id) == (
            assignment.thread_id,
            assignment.message_id,
        )
        assert assignment.message.body == ("شاركه." if assignment.user.language == "ar" else "Share it.")


def test_a_replayed_task_chunk_writes_nothing(people, segment_task):
    task_services.task_deliver(task_id=segment_task.pk, chunk_size=CHUNK)
    Task.objects.filter(pk=segment_task.pk).update(status="sending", delivered_through=0)
    before = task_state(segment_task)
    assert task_services.task_deliver(task_id=segment_task.pk, chunk_size=CHUNK) == 0
    assert task_state(segment_task) == before
    assert state(segment_task)[::2] == ("sent", PEOPLE)
    assert TaskAssignment.objects.count() == Thread.objects.count() == PEOPLE


def test_a_task_created_for_a_segment_is_delivered_by_its_job(people, django_capture_on_commit_callbacks):
    staff = support_staff()
    with django_capture_on_commit_callbacks(execute=True):
        task = task_services.task_create(
            staff=staff, title="Share", instructions_en="Share.", platform="x", reward="1.00", budget="5.00"
        )
    assert state(task)[::2] == ("sent", PEOPLE)
    assert task_state(task)["assignments"] == segment_ids()
    # Offer emails go in batches after commit, to every recipient who allows task emails.
    assert sorted(message.to[0] for message in mail.outbox) == sorted(user.email for user in people)
