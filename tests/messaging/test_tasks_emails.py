"""The email tasks of ``apps.messaging.tasks``: a notice's copy goes only when its recipient
allows its category (security and account always), once, with a plain-text and an HTML part; a
mail server error releases the copies for the retry; an announcement's copies go in batches and
its emailed count follows."""

import pytest
from django.core import mail

from apps.messaging import services as notification_services
from apps.messaging import tasks
from apps.messaging.models import Announcement, Notification
from apps.messaging.services import announcements as announcement_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
OPTIONAL = {
    "support": "email_support",
    "tasks": "email_tasks",
    "announcements": "email_announcements",
    "money": "email_money",
}


def notice(user, *, category="money", title="Deposit approved"):
    return notification_services.notification_send(
        user=user, kind="custom", title=title, body="Body", category=category, email=False
    )


def emailed(notice_id) -> bool:
    return Notification.objects.get(pk=notice_id).emailed_at is not None


@pytest.mark.parametrize("category", list(OPTIONAL))
def test_an_optional_category_is_emailed_unless_switched_off(investor, other_investor, category):
    notification_services.notification_preferences_update(user=other_investor, **{OPTIONAL[category]: False})
    allowed, refused = notice(investor, category=category), notice(other_investor, category=category)
    tasks.notification_email_send_task.delay(allowed.pk)
    tasks.notification_email_send_task.delay(refused.pk)
    assert [message.to for message in mail.outbox] == [[investor.email]]
    assert (emailed(allowed.pk), emailed(refused.pk)) == (True, False)


def test_switching_one_category_off_keeps_the_others(investor):
    notification_services.notification_preferences_update(user=investor, email_support=False)
    notices = [notice(investor, category=category, title=category) for category in OPTIONAL]
    tasks.notification_emails_send_task.delay([n.pk for n in notices])
    assert sorted(message.subject for message in mail.outbox) == [
        "Bursar: announcements",
        "Bursar: money",
        "Bursar: tasks",
    ]


@pytest.mark.parametrize("category", ["security", "account"])
def test_security_and_account_emails_always_go(investor, category):
    notification_services.notification_preferences_update(
        user=investor, email_support=False, email_tasks=False, email_announcements=False, email_money=False
    )
    sent = notice(investor, category=category)
    tasks.notification_email_send_task.delay(sent.pk)
    [message] = mail.outbox
    assert (message.to, message.subject) == ([investor.email], "Bursar: Deposit approved")
    assert [content_type for _content, content_type in message.alternatives] == ["text/html"]


def test_a_deactivated_user_gets_no_email(investor):
    sent = notice(investor, category="security")
    type(investor).objects.filter(pk=investor.pk).update(is_active=False)
    tasks.notification_email_send_task.delay(sent.pk)
    assert (mail.outbox, emailed(sent.pk)) == ([], False)


def test_a_copy_is_sent_once_however_often_the_task_runs(investor):
    sent = notice(investor)
    for _ in range(3):
        tasks.notification_email_send_task.delay(sent.pk)
    tasks.notification_emails_send_task.delay([sent.pk, sent.pk])
    assert len(mail.outbox) == 1
    tasks.notification_email_send_task.delay(99999999)  # a notice that is gone: nothing
    assert len(mail.outbox) == 1


def test_a_mail_server_error_releases_the_copies_for_the_retry(investor, monkeypatch):
    notices = [notice(investor, title=f"n{i}") for i in range(3)]

    class Down:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_messages(self, messages):
            raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(tasks, "get_connection", lambda: Down())
    with pytest.raises(OSError):
        tasks._send(tasks._claim(Notification.objects.filter(pk__in=[n.pk for n in notices])))
    assert [emailed(n.pk) for n in notices] == [False, False, False]
    monkeypatch.undo()
    assert tasks.notification_emails_send_task.delay([n.pk for n in notices]).get() == 3
    assert sorted(message.subject for message in mail.outbox) == ["Bursar: n0", "Bursar: n1", "Bursar: n2"]


def test_several_copies_go_over_one_connection(investor, other_investor, monkeypatch):
    opened = []
    real = tasks.get_connection

    def counting():
        opened.append(1)
        return real()

    monkeypatch.setattr(tasks, "get_connection", counting)
    ids = [notice(user).pk for user in (investor, other_investor, investor)]
    assert tasks.notification_emails_send_task.delay(ids).get() == 3
    assert (len(opened), len(mail.outbox)) == (1, 3)


# --- an announcement's copies ----------------------------------------------------------------------


@pytest.fixture
def delivered(support):
    """An announcement delivered (no email sent yet) to six investors; the fourth refuses
    announcement emails."""
    people = [UserFactory(language="ar" if n == 1 else "en") for n in range(6)]
    notification_services.notification_preferences_update(user=people[3], email_announcements=False)
    announcement = announcement_services.announcement_create(
        staff=support, title_en="Hello", body_en="News", title_ar="مرحبا", body_ar="أخبار"
    )
    Announcement.objects.filter(pk=announcement.pk).update(status="sending")
    announcement_services.announcement_deliver(announcement_id=announcement.pk)  # on_commit not run: no email
    assert mail.outbox == []
    return announcement, people


def test_an_announcement_chunk_is_emailed_in_batches(delivered, settings, monkeypatch):
    settings.EMAIL_BATCH_SIZE = 2
    announcement, people = delivered
    connections = []
    real = tasks.get_connection
    monkeypatch.setattr(tasks, "get_connection", lambda: connections.append(1) or real())
    # The chunk of users after people[0] through people[4].
    assert tasks.announcement_emails_send_task.delay(announcement.pk, people[0].pk, people[4].pk).get() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted([people[1].email, people[2].email, people[4].email])
    assert len(connections) == 2  # batches of two: 2 + 1
    assert Announcement.objects.get(pk=announcement.pk).emailed_count == 3
    # The last chunk (through None) covers the rest; a repeat sends nothing more.
    assert tasks.announcement_emails_send_task.delay(announcement.pk, 0, None).get() == 2
    assert tasks.announcement_emails_send_task.delay(announcement.pk, 0, None).get() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for i, u in enumerate(people) if i != 3)
    assert Announcement.objects.get(pk=announcement.pk).emailed_count == 5
    arabic = next(m for m in mail.outbox if m.to == [people[1].email])
    assert (arabic.subject, 'dir="rtl"' in arabic.alternatives[0][0]) == ("Bursar: مرحبا", True)
