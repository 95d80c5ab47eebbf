import pytest
from django.urls import reverse

from apps.messaging.models import Notification, NotificationPreference
from apps.wallet.services.deposits import deposit_approve, deposit_request_create
from tests.factories import UserFactory
from tests.portal.conftest import HEADER_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, investor):
    client.force_login(investor)
    return client


def test_a_deposit_approval_shows_as_a_new_notice_then_reads(signed_in, investor, staff):
    deposit = deposit_request_create(user=investor, amount="150.00")
    deposit_approve(deposit_id=deposit.pk, actor=staff)
    page = signed_in.get(reverse("portal:notifications"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Deposit approved" in html
    assert "150.00 USD was credited" in html
    assert "Mark all as read" in html
    response = signed_in.post(reverse("portal:notifications_mark_read"))
    assert response.status_code == 302
    assert list(Notification.objects.filter(user=investor).values_list("is_read", flat=True)) == [True]
    assert "Mark all as read" not in signed_in.get(reverse("portal:notifications")).content.decode()


def test_only_own_notices_are_listed_and_marked(signed_in, investor):
    other = UserFactory()
    Notification.objects.create(user=other, kind="x", title="Someone else's notice")
    assert "Someone else" not in signed_in.get(reverse("portal:notifications")).content.decode()
    signed_in.post(reverse("portal:notifications_mark_read"))
    assert Notification.objects.get(user=other).is_read is False


def test_arabic_page_and_methods(signed_in):
    signed_in.cookies["django_language"] = "ar"
    page = signed_in.get(reverse("portal:notifications"))
    assert 'dir="rtl"' in page.content.decode()
    assert signed_in.get(reverse("portal:notifications_mark_read")).status_code == 405


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("portal:notifications"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:login"))


# --- one notice at a time, links, email choices --------------------------------------------------


def test_unread_notices_are_highlighted_with_their_link_and_a_mark_read_button(signed_in, investor):
    read = Notification.objects.create(user=investor, kind="x", title="Old news", is_read=True)
    notice = Notification.objects.create(
        user=investor, kind="support_reply", title="New message: <Deposit>", body="Line 1\nLine 2", link="/messages/4/"
    )
    html = signed_in.get(reverse("portal:notifications")).content.decode()
    assert f'<li class="notice notice-unread" id="notice-{notice.pk}">' in html
    assert '<span class="badge badge-new">New</span> <strong dir="auto">New message: &lt;Deposit&gt;</strong>' in html
    assert '<p dir="auto">Line 1<br>Line 2</p>' in html
    assert '<a href="/messages/4/">Open</a>' in html
    assert f'action="/notifications/{notice.pk}/read/"' in html
    assert f'<li class="notice" id="notice-{read.pk}">' in html
    assert f'action="/notifications/{read.pk}/read/"' not in html


def test_marking_one_notice_read_leaves_the_others(signed_in, investor):
    first = Notification.objects.create(user=investor, kind="x", title="First")
    second = Notification.objects.create(user=investor, kind="x", title="Second")
    response = signed_in.post(
        reverse("portal:notification_mark_read", args=[first.pk]), {"next": "/notifications/?page=1"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/notifications/?page=1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_read, second.is_read) == (True, False)


def test_another_users_notice_cannot_be_marked_read(signed_in, unchanged_db):
    theirs = Notification.objects.create(user=UserFactory(), kind="x", title="Theirs")
    with unchanged_db():
        assert signed_in.post(reverse("portal:notification_mark_read", args=[theirs.pk])).status_code == 404
        assert signed_in.post("/notifications/999999/read/").status_code == 404
    assert signed_in.get(reverse("portal:notification_mark_read", args=[theirs.pk])).status_code == 405


def test_email_choices_start_all_on_and_say_what_always_goes(signed_in):
    html = signed_in.get(reverse("portal:notifications")).content.decode()
    assert '<section class="card" aria-labelledby="preferences-heading" id="preferences">' in html
    for name, label in [
        ("email_support", "Replies from support"),
        ("email_tasks", "New tasks and their review"),
        ("email_announcements", "Announcements"),
        ("email_money", "Money events: deposits, withdrawals, investments and referral rewards"),
    ]:
        assert (
            f'<label for="id_{name}"><input type="checkbox" name="{name}" id="id_{name}" checked> <span>{label}</span>'
        ) in html
    assert "Emails about your security and your account (password, sign-in, identity check) are always sent." in html


def test_email_choices_are_saved(signed_in, investor):
    response = signed_in.post(reverse("portal:notification_preferences"), {"email_support": "on", "email_money": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/notifications/#preferences"
    preference = NotificationPreference.objects.get(user=investor)
    assert (
        preference.email_support,
        preference.email_tasks,
        preference.email_announcements,
        preference.email_money,
    ) == (True, False, False, True)
    page = signed_in.get(reverse("portal:notifications"))
    assert [str(message) for message in page.context["messages"]] == ["Your email choices were saved."]
    html = page.content.decode()
    assert '<input type="checkbox" name="email_tasks" id="id_email_tasks">' in html
    assert '<input type="checkbox" name="email_support" id="id_email_support" checked>' in html


def test_unknown_fields_are_ignored_and_security_emails_cannot_be_switched_off(signed_in, investor):
    signed_in.post(reverse("portal:notification_preferences"), {"email_security": "", "email_tasks": "on"})
    preference = NotificationPreference.objects.get(user=investor)
    assert not hasattr(preference, "email_security")
    assert preference.email_tasks is True


def test_staff_have_no_email_choices_here(client, staff, unchanged_db):
    client.force_login(staff)
    assert 'id="preferences"' not in client.get(reverse("portal:notifications")).content.decode()
    with unchanged_db():
        assert client.post(reverse("portal:notification_preferences"), {"email_tasks": "on"}).status_code == 404
    assert client.get(reverse("portal:notification_preferences")).status_code == 405


def test_notices_page_costs_the_same_queries_for_2_or_25_notices(signed_in, investor, django_assert_num_queries):
    for number in range(2):
        Notification.objects.create(user=investor, kind="x", title=f"Notice {number}")
    # session, user, count, page, email choices; the header
    with django_assert_num_queries(5 + HEADER_QUERIES):
        signed_in.get(reverse("portal:notifications"))
    for number in range(23):
        Notification.objects.create(user=investor, kind="x", title=f"More {number}")
    with django_assert_num_queries(5 + HEADER_QUERIES):
        response = signed_in.get(reverse("portal:notifications"))
    assert len(response.context["page"].object_list) == 20
