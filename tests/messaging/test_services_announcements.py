"""Announcements (``apps.messaging.services.announcements``) and their audiences
(``apps.messaging.segments``): written in English and Arabic, sent now or at a time to every
investor or a segment, delivered as one notice per recipient in the recipient's language, emailed
to those who allow it, shown as a banner while pinned."""

from datetime import timedelta

import pytest
from django.core import mail

from apps.common.errors import ApplicationError
from apps.messaging import services as notification_services
from apps.messaging.models import Announcement, Notification
from apps.messaging.segments import segment_count, segment_describe, segment_users
from apps.messaging.selectors import announcement_counts, notification_banner_for_user
from apps.messaging.services import announcements as services
from tests.factories import UserFactory
from tests.messaging.conftest import T0
from tests.messaging.helpers import SEGMENT_MEMBERS, investors_in_every_segment

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)
TEXT = {
    "title_en": "New plan",
    "body_en": "A new plan is open.",
    "title_ar": "خطة جديدة",
    "body_ar": "خطة جديدة متاحة.",
}


def draft(staff, **fields) -> Announcement:
    return services.announcement_create(staff=staff, **{**TEXT, **fields})


def send(announcement, staff, capture):
    """Send, running what happens after commit (the delivery job and its emails) as a worker would."""
    with capture(execute=True):
        return services.announcement_send(announcement_id=announcement.pk, staff=staff)


def notices(announcement) -> list[tuple]:
    return list(
        Notification.objects.filter(announcement=announcement)
        .order_by("user_id")
        .values_list("user", "kind", "category", "title", "body", "link", "is_read")
    )


# --- writing -------------------------------------------------------------------------------------------


def test_a_draft_keeps_cleaned_fields(support):
    announcement = services.announcement_create(
        staff=support,
        title_en="  New \n plan ",
        body_en=" Open now.\r\n ",
        link=" /plans/ ",
        segment="language",
        segment_value="ar",
        pinned=True,
    )
    announcement.refresh_from_db()
    assert (announcement.title_en, announcement.body_en, announcement.title_ar, announcement.body_ar) == (
        "New plan",
        "Open now.",
        "",
        "",
    )
    assert (announcement.link, announcement.segment, announcement.segment_value, announcement.pinned) == (
        "/plans/",
        "language",
        "ar",
        True,
    )
    assert (announcement.status, announcement.created_by, announcement.send_at, announcement.delivered_count) == (
        "draft",
        support,
        None,
        0,
    )
    assert Notification.objects.count() == 0


@pytest.mark.parametrize("link", ["https://example.com/promo?a=1", "http://example.com", "/plans/", ""])
def test_links_of_this_site_or_http_are_accepted(support, link):
    assert draft(support, link=link).link == link


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"title_en": " "}, "subject_required", "title_en"),
        ({"title_en": "t" * 201}, "subject_too_long", "title_en"),
        ({"body_en": ""}, "message_required", "body_en"),
        ({"body_en": "b" * 5001}, "message_too_long", "body_en"),
        ({"title_ar": "t" * 201}, "subject_too_long", "title_ar"),
        ({"body_ar": ""}, "invalid", "body_ar"),
        ({"title_ar": ""}, "invalid", "body_ar"),
        ({"link": "javascript:alert(1)"}, "invalid_link", "link"),
        ({"link": "//evil.example/"}, "invalid_link", "link"),
        ({"link": "/\\evil.example/"}, "invalid_link", "link"),
        ({"link": "/plans\\..\\"}, "invalid_link", "link"),
        ({"link": "ftp://example.com/"}, "invalid_link", "link"),
        ({"link": "/" + "a" * 300}, "invalid_link", "link"),
        ({"segment": "vip"}, "invalid_segment", "segment"),
        ({"segment": "kyc_status", "segment_value": ""}, "invalid_segment_value", "segment_value"),
        ({"segment": "country", "segment_value": "c" * 101}, "invalid_segment_value", "segment_value"),
        ({"send_at": T0 - H}, "invalid_send_at", "send_at"),
        ({"send_at": T0}, "invalid_send_at", "send_at"),
        ({"send_at": (T0 + H).replace(tzinfo=None)}, "invalid_send_at", "send_at"),
    ],
)
def test_a_wrong_announcement_is_refused(support, clock, unchanged_db, fields, code, field):
    clock(T0)
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        draft(support, **fields)
    assert (error.value.code, list(error.value.field_errors)) == (code, [field])


def test_every_wrong_field_is_named_at_once(support, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.announcement_create(staff=support, title_en="", body_en="", link="ftp://x", segment="?")
    assert (error.value.code, sorted(error.value.field_errors)) == (
        "invalid",
        ["body_en", "link", "segment", "title_en"],
    )


def test_only_support_writes_and_sends_announcements(support, operations, finance, investor, unchanged_db):
    announcement = draft(support)
    with unchanged_db():
        for user in (operations, finance, investor):
            for call in (
                lambda user=user: draft(user),
                lambda user=user: services.announcement_update(announcement_id=announcement.pk, staff=user, **TEXT),
                lambda user=user: services.announcement_send(announcement_id=announcement.pk, staff=user),
                lambda user=user: services.announcement_cancel(announcement_id=announcement.pk, staff=user),
            ):
                with pytest.raises(ApplicationError) as error:
                    call()
                assert (error.value.code, error.value.status_code) == ("permission_denied", 403)


def test_a_draft_can_be_changed_until_it_is_sent(support, django_capture_on_commit_callbacks, unchanged_db):
    announcement = draft(support)
    services.announcement_update(
        announcement_id=announcement.pk, staff=support, title_en="Changed", body_en="New text", pinned=True
    )
    announcement.refresh_from_db()
    assert (announcement.title_en, announcement.body_en, announcement.title_ar, announcement.pinned) == (
        "Changed",
        "New text",
        "",
        True,
    )
    send(announcement, support, django_capture_on_commit_callbacks)
    with unchanged_db():
        for call in (
            lambda: services.announcement_update(announcement_id=announcement.pk, staff=support, **TEXT),
            lambda: services.announcement_send(announcement_id=announcement.pk, staff=support),
        ):
            with pytest.raises(ApplicationError) as error:
                call()
            assert (error.value.code, error.value.status_code) == ("already_sent", 409)
        with pytest.raises(ApplicationError) as error:
            services.announcement_send(announcement_id=99999999, staff=support)
        assert (error.value.code, error.value.status_code) == ("not_found", 404)


# --- sending now ----------------------------------------------------------------------------------------


def test_sending_now_delivers_one_notice_per_investor_in_their_language(
    support, clock, django_capture_on_commit_callbacks
):
    clock(T0)
    people = investors_in_every_segment()
    announcement = draft(support, link="/plans/")
    send(announcement, support, django_capture_on_commit_callbacks)
    announcement.refresh_from_db()
    assert (announcement.status, announcement.delivered_count, announcement.delivered_through) == ("sent", 4, 0)
    assert (announcement.delivery_started_at, announcement.delivered_at) == (T0, T0)
    expected = []
    for user in sorted(people.values(), key=lambda user: user.pk):
        title, body = (
            (TEXT["title_ar"], TEXT["body_ar"]) if user.language == "ar" else (TEXT["title_en"], TEXT["body_en"])
        )
        expected.append((user.pk, "announcement", "announcements", title, body, "/plans/", False))
    assert notices(announcement) == expected
    assert set(Notification.objects.filter(announcement=announcement).values_list("created_at", flat=True)) == {T0}


def test_without_arabic_text_everyone_gets_the_english(support, arabic_investor, django_capture_on_commit_callbacks):
    announcement = draft(support, title_ar="", body_ar="")
    send(announcement, support, django_capture_on_commit_callbacks)
    assert notices(announcement) == [
        (arabic_investor.pk, "announcement", "announcements", "New plan", "A new plan is open.", "", False)
    ]


@pytest.mark.parametrize(("segment", "value"), list(SEGMENT_MEMBERS))
def test_each_segment_reaches_exactly_its_active_investors(support, segment, value, django_capture_on_commit_callbacks):
    people = investors_in_every_segment()
    expected = {people[name].pk for name in SEGMENT_MEMBERS[(segment, value)]}
    assert segment_count(segment=segment, value=value) == len(expected)
    announcement = draft(support, segment=segment, segment_value=value)
    send(announcement, support, django_capture_on_commit_callbacks)
    assert {row[0] for row in notices(announcement)} == expected
    assert Announcement.objects.get(pk=announcement.pk).delivered_count == len(expected)


def test_segment_values_and_descriptions(db):
    assert set(segment_users(segment="country", value="jordan").values_list("pk", flat=True)) == set()
    with pytest.raises(ApplicationError) as error:
        segment_count(segment="language", value="fr")
    assert error.value.code == "invalid_segment_value"
    assert segment_describe(segment="kyc_status", value="approved") == "By KYC status: Approved"
    assert segment_describe(segment="language", value="ar") == "By language: Arabic"
    assert segment_describe(segment="country", value="Jordan") == "By country: Jordan"
    assert segment_describe(segment="all", value="") == "All investors"


def test_email_copies_go_only_to_those_who_allow_announcements(support, django_capture_on_commit_callbacks):
    allows, refuses, arabic = UserFactory(), UserFactory(), UserFactory(language="ar")
    notification_services.notification_preferences_update(user=refuses, email_announcements=False)
    notification_services.notification_preferences_update(user=allows, email_money=False)
    announcement = draft(support)
    send(announcement, support, django_capture_on_commit_callbacks)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [(allows.email, "Bursar: New plan"), (arabic.email, "Bursar: خطة جديدة")]
    )
    assert [len(m.alternatives) for m in mail.outbox] == [1, 1]
    assert announcement_counts(announcement=Announcement.objects.get(pk=announcement.pk)) == {
        "delivered": 3,
        "emailed": 2,
        "read": 0,
    }
    emailed = Notification.objects.filter(announcement=announcement, emailed_at__isnull=False)
    assert set(emailed.values_list("user", flat=True)) == {allows.pk, arabic.pk}


def test_read_counts_follow_the_recipients(support, django_capture_on_commit_callbacks):
    people = [UserFactory() for _ in range(3)]
    announcement = draft(support)
    send(announcement, support, django_capture_on_commit_callbacks)
    for user in people[:2]:
        notification_services.notifications_mark_read(user=user)
    assert announcement_counts(announcement=Announcement.objects.get(pk=announcement.pk))["read"] == 2


# --- scheduling ------------------------------------------------------------------------------------------


def test_a_scheduled_announcement_starts_when_its_time_comes(
    investor, support, clock, django_capture_on_commit_callbacks
):
    clock(T0)
    announcement = draft(support, send_at=T0 + H)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.announcement_send(announcement_id=announcement.pk, staff=support)
    announcement.refresh_from_db()
    assert (announcement.status, announcement.send_at, callbacks) == ("scheduled", T0 + H, [])
    assert services.announcements_due_start(now=T0 + H - timedelta(seconds=1)) == []
    assert Announcement.objects.get(pk=announcement.pk).status == "scheduled"
    clock(T0 + H)
    assert services.announcements_due_start() == [announcement.pk]
    announcement.refresh_from_db()
    assert (announcement.status, announcement.delivery_started_at) == ("sending", T0 + H)
    assert Notification.objects.count() == 0
    assert services.announcement_deliver(announcement_id=announcement.pk) == 1
    assert services.announcements_due_start() == []
    assert Announcement.objects.get(pk=announcement.pk).status == "sent"


def test_a_scheduled_announcement_past_its_time_is_sent_at_once(
    investor, support, clock, django_capture_on_commit_callbacks
):
    clock(T0)
    announcement = draft(support, send_at=T0 + H)
    clock(T0 + 2 * H)
    send(announcement, support, django_capture_on_commit_callbacks)
    assert (Announcement.objects.get(pk=announcement.pk).status, len(notices(announcement))) == ("sent", 1)


def test_cancelling_a_scheduled_announcement(support, clock, unchanged_db):
    clock(T0)
    announcement = draft(support, send_at=T0 + H)
    services.announcement_send(announcement_id=announcement.pk, staff=support)
    services.announcement_cancel(announcement_id=announcement.pk, staff=support)
    assert Announcement.objects.get(pk=announcement.pk).status == "draft"
    assert services.announcements_due_start(now=T0 + 2 * H) == []
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        services.announcement_cancel(announcement_id=announcement.pk, staff=support)
    assert (error.value.code, error.value.status_code) == ("not_scheduled", 409)


# --- the banner ------------------------------------------------------------------------------------------------


def test_a_pinned_announcement_is_a_banner_until_dismissed(
    investor, other_investor, support, django_capture_on_commit_callbacks
):
    older = draft(support, title_en="Older", pinned=True)
    send(older, support, django_capture_on_commit_callbacks)
    plain = draft(support, title_en="Plain")
    send(plain, support, django_capture_on_commit_callbacks)
    newer = draft(support, title_en="Newer", pinned=True)
    send(newer, support, django_capture_on_commit_callbacks)
    banner = notification_banner_for_user(user=investor)
    assert (banner.announcement, banner.title) == (newer, "Newer")
    dismissed = notification_services.notification_dismiss(user=investor, notification_id=banner.pk)
    assert (dismissed.is_read, dismissed.dismissed_at is not None) == (True, True)
    assert notification_banner_for_user(user=investor).announcement == older
    assert notification_banner_for_user(user=other_investor).announcement == newer
    with pytest.raises(ApplicationError) as error:
        notification_services.notification_dismiss(user=other_investor, notification_id=banner.pk)
    assert (error.value.code, error.value.status_code) == ("not_found", 404)
    first_dismissal = Notification.objects.get(pk=banner.pk).dismissed_at
    notification_services.notification_dismiss(user=investor, notification_id=banner.pk)  # again: unchanged
    assert Notification.objects.get(pk=banner.pk).dismissed_at == first_dismissal
