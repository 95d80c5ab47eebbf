"""What every portal page shows a signed-in investor in its header: how many conversations have
a reply not read yet and how many notices are unread (three queries in all with the banner,
whatever the number of threads, messages and notices), the phone menu that works without
JavaScript, and the newest pinned announcement as a banner until dismissed."""

import pytest
from django.conf import settings
from django.test import Client

from apps.messaging.models import Notification
from apps.messaging.services import announcements
from apps.messaging.services import threads as thread_services
from apps.messaging.services.notifications import notification_send
from tests.factories import UserFactory
from tests.messaging.helpers import support_staff, ticket_open
from tests.portal.conftest import HEADER_QUERIES, messages_of

pytestmark = pytest.mark.django_db

PAGE = "/wallet/requests/"  # any page: the header is the same everywhere


def _client(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


@pytest.fixture
def sara(db):
    return support_staff(first_name="Sara")


def _answered_tickets(investor, staff, count: int) -> list:
    threads = []
    for number in range(count):
        thread = ticket_open(investor, subject=f"Question {number}")
        thread_services.thread_reply(thread_id=thread.pk, author=staff, body="An answer.")
        threads.append(thread)
    return threads


def _notices(user, count: int) -> None:
    for number in range(count):
        notification_send(user=user, kind="deposit_approved", title=f"Notice {number}", email=False)


def _announce(staff, *, pinned=True, title="Maintenance on Saturday", link="/plans/"):
    announcement = announcements.announcement_create(
        staff=staff,
        title_en=title,
        body_en="The portal is <b>closed</b> from 02:00 to 04:00.",
        title_ar="صيانة يوم السبت",
        body_ar="البوابة مغلقة من 02:00 إلى 04:00.",
        link=link,
        segment="all",
        pinned=pinned,
    )
    announcements.announcement_send(announcement_id=announcement.pk, staff=staff)
    announcements.announcement_deliver(announcement_id=announcement.pk)
    return announcement


# --- unread counts -----------------------------------------------------------------------------------


def test_the_header_counts_unread_conversations_and_notices(investor, sara):
    _answered_tickets(investor, sara, 2)
    ticket_open(investor, subject="Not answered yet")
    Notification.objects.filter(user=investor).update(is_read=True)
    _notices(investor, 3)
    html = _client(investor).get(PAGE).content.decode()
    assert (
        '<a href="/messages/" aria-label="Messages, 2 conversations with a new reply">'
        'Messages <span class="count" id="unread-threads">2</span></a>'
    ) in html
    assert (
        '<a href="/notifications/" aria-label="Notices, 3 unread">'
        'Notices <span class="count" id="unread-notices">3</span></a>'
    ) in html
    # the phone menu's button carries the total while the menu is folded
    assert '<span>Main menu</span><span class="count" aria-hidden="true">5</span></label>' in html


def test_reading_brings_the_counts_down(investor, sara):
    thread, _other = _answered_tickets(investor, sara, 2)
    Notification.objects.filter(user=investor).update(is_read=True)
    client = _client(investor)
    client.get(f"/messages/{thread.pk}/")
    html = client.get(PAGE).content.decode()
    assert '<span class="count" id="unread-threads">1</span>' in html
    assert 'id="unread-notices"' not in html
    assert 'aria-label="Messages, 1 conversation with a new reply"' in html


def test_no_badge_when_everything_is_read(investor):
    html = _client(investor).get(PAGE).content.decode()
    assert '<a href="/messages/">Messages</a>' in html
    assert '<a href="/notifications/">Notices</a>' in html
    assert 'class="count"' not in html


def test_the_current_page_is_marked_beside_its_count(investor, sara):
    _answered_tickets(investor, sara, 1)
    html = _client(investor).get("/messages/").content.decode()
    assert '<a href="/messages/" aria-current="page" aria-label="Messages, 1 conversation with a new reply">' in html


def test_the_header_costs_three_queries_whatever_the_number_of_threads_and_notices(
    investor, sara, django_assert_num_queries
):
    client = _client(investor)
    _answered_tickets(investor, sara, 1)
    # session, user, the requests' count (none, so no page to read); the header
    with django_assert_num_queries(3 + HEADER_QUERIES):
        client.get(PAGE)
    _answered_tickets(investor, sara, 10)
    _notices(investor, 20)
    _announce(sara)
    with django_assert_num_queries(3 + HEADER_QUERIES):
        response = client.get(PAGE)
    assert '<span class="count" id="unread-threads">11</span>' in response.content.decode()


def test_staff_and_visitors_pay_no_header_query(staff, client, django_assert_num_queries):
    staff_client = _client(staff)
    # session, user, the two-factor device the staff session was verified with (django-otp), the
    # requests' count
    with django_assert_num_queries(4):
        html = staff_client.get(PAGE).content.decode()
    assert 'class="count"' not in html
    with django_assert_num_queries(0):
        client.get("/login/")


# --- the phone menu -------------------------------------------------------------------------------------


def test_the_menu_folds_behind_a_checkbox_toggle_that_needs_no_javascript(investor):
    html = _client(investor).get(PAGE).content.decode()
    assert (
        '<input type="checkbox" id="menu-toggle" class="menu-toggle" aria-controls="header-menu" autocomplete="off">'
        in html
    )
    assert '<label for="menu-toggle" class="menu-button"><span class="menu-icon" aria-hidden="true"></span>' in html
    assert html.index('id="menu-toggle"') < html.index('<div class="header-menu" id="header-menu">')
    assert html.index('id="header-menu"') < html.index('<nav class="nav" aria-label="Main menu">')
    assert html.index('<nav class="nav"') < html.index('<form class="language-switch"')


def test_the_menu_reads_in_arabic(investor):
    html = _client(investor, "ar").get(PAGE).content.decode()
    assert "<span>القائمة الرئيسية</span>" in html
    assert '<a href="/messages/">الرسائل</a>' in html


def test_visitors_get_no_menu_toggle(client):
    html = client.get("/login/").content.decode()
    assert "menu-toggle" not in html
    assert '<div class="wrap header-inner">' in html


# --- the announcement banner ----------------------------------------------------------------------------


def test_a_pinned_announcement_shows_on_every_page_until_dismissed(investor, sara):
    _announce(sara)
    notice = Notification.objects.get(user=investor)
    client = _client(investor)
    for url in (PAGE, "/profile/", "/messages/", "/notifications/"):
        html = client.get(url).content.decode()
        assert '<aside class="banner" aria-labelledby="banner-title" id="announcement-banner">' in html, url
    assert '<p class="banner-title" id="banner-title" dir="auto"><strong>Maintenance on Saturday</strong></p>' in html
    assert "The portal is &lt;b&gt;closed&lt;/b&gt; from 02:00 to 04:00." in html
    assert '<p class="banner-link"><a href="/plans/">Read more</a></p>' in html
    assert f'action="/notifications/{notice.pk}/dismiss/"' in html

    response = client.post(f"/notifications/{notice.pk}/dismiss/", {"next": "/profile/"})
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    notice.refresh_from_db()
    assert notice.dismissed_at is not None
    assert notice.is_read is True
    assert "announcement-banner" not in client.get("/profile/").content.decode()
    # the notice itself stays in the list
    assert "Maintenance on Saturday" in client.get("/notifications/").content.decode()


def test_the_banner_is_in_the_investors_language_and_the_newest_pinned_one(sara):
    arabic = UserFactory(language="ar")
    english = UserFactory(language="en")
    _announce(sara, title="First")
    _announce(sara, title="Second", link="https://example.com/news")
    _announce(sara, pinned=False, title="Not pinned")
    html = _client(arabic, "ar").get(PAGE).content.decode()
    assert "<strong>صيانة يوم السبت</strong>" in html
    english = _client(english).get(PAGE).content.decode()
    assert "<strong>Second</strong>" in english
    assert '<a href="https://example.com/news" rel="noopener noreferrer">Read more</a>' in english


def test_an_unpinned_announcement_makes_no_banner(investor, sara):
    _announce(sara, pinned=False)
    assert "announcement-banner" not in _client(investor).get(PAGE).content.decode()


def test_dismissing_goes_back_only_to_this_site(investor, sara):
    _announce(sara)
    notice = Notification.objects.get(user=investor)
    response = _client(investor).post(f"/notifications/{notice.pk}/dismiss/", {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


def test_another_users_notice_or_a_plain_notice_cannot_be_dismissed(investor, sara, unchanged_db):
    _announce(sara)
    theirs = Notification.objects.get(user=investor)
    plain = notification_send(user=investor, kind="deposit_approved", title="Deposit approved", email=False)
    other = _client(UserFactory())
    client = _client(investor)
    with unchanged_db():
        assert other.post(f"/notifications/{theirs.pk}/dismiss/").status_code == 404
        response = client.post(f"/notifications/{plain.pk}/dismiss/")
        assert response["Location"] == "/notifications/"
    assert messages_of(client.get("/notifications/")) == ["Only announcements can be dismissed."]
    assert client.get(f"/notifications/{theirs.pk}/dismiss/").status_code == 405
