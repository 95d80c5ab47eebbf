"""The announcement composer: drafts saved through the services (refusals as form errors), the
preview in both languages (escaped) and the recipient count before sending, "Send now",
"Schedule" and "Cancel schedule" offered by state, sent announcements read-only with their
delivered, emailed and read counts; Support sends, Operations only looks."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import KycStatus
from apps.messaging.models import Announcement, DeliveryStatus, Notification
from apps.messaging.services import announcements as announcement_services
from tests.factories import UserFactory
from tests.messaging.helpers import finance_staff, operations_staff, support_staff

pytestmark = pytest.mark.django_db

LIST = "/admin/messaging/announcement/"
ADD = f"{LIST}add/"


def page_url(announcement) -> str:
    return reverse("admin:messaging_announcement_change", args=(announcement.pk,))


def action_url(announcement, action: str) -> str:
    return reverse(f"admin:messaging_announcement_{action}", args=(announcement.pk,))


def messages_on(client, url: str) -> list[str]:
    return [str(message) for message in client.get(url).context["messages"]]


def composer(**changes) -> dict:
    data = {
        "title_en": "Maintenance on Sunday",
        "body_en": "Paused from 02:00 to 03:00.",
        "title_ar": "",
        "body_ar": "",
        "link": "",
        "segment": "all",
        "segment_value": "",
        "send_at_0": "",
        "send_at_1": "",
        "_save": "Save",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def draft(staff, **fields) -> Announcement:
    values = {"title_en": "Maintenance", "body_en": "Paused tonight.", "segment": "all", **fields}
    return announcement_services.announcement_create(staff=staff, **values)


@pytest.fixture
def sara(db):
    return support_staff(email="sara@bursar.example")


@pytest.fixture
def investors(db):
    """Two approved investors writing Arabic, one English investor not yet verified."""
    return [
        UserFactory(language="ar", kyc_status=KycStatus.APPROVED),
        UserFactory(language="ar", kyc_status=KycStatus.APPROVED),
        UserFactory(language="en"),
    ]


def test_the_composer_saves_a_draft_and_opens_its_page(sara, investors, admin_client_for):
    client = admin_client_for(sara)
    assert client.get(ADD).status_code == 200
    response = client.post(
        ADD,
        composer(
            title_ar="صيانة",
            body_ar="توقف الليلة.",
            link="/plans/",
            pinned="on",
            segment="kyc_status",
            segment_value="approved",
        ),
    )
    announcement = Announcement.objects.get()
    assert response["Location"] == page_url(announcement)
    assert messages_on(client, page_url(announcement)) == [
        "The draft was saved. Check the preview and the recipients, then send it."
    ]
    assert (announcement.status, announcement.created_by, announcement.pinned, announcement.segment_value) == (
        DeliveryStatus.DRAFT,
        sara,
        True,
        "approved",
    )
    assert Notification.objects.count() == 0  # nothing is sent by saving


def test_the_page_previews_both_languages_escaped_and_counts_the_recipients(sara, investors, admin_client_for):
    announcement = draft(
        sara,
        title_en="New <b>plans</b>",
        body_en="Line one\n<script>x()</script>",
        title_ar="خطط <i>جديدة</i>",
        body_ar="سطر",
        link="https://example.com/a?b=1&c=2",
        segment="language",
        segment_value="ar",
    )
    response = admin_client_for(sara).get(page_url(announcement))
    assert response.context["recipients"] == 2
    assert "It goes to <strong>2</strong> investors today." in response.text
    preview = response.text.split('id="announcement-preview"')[1]
    assert "New &lt;b&gt;plans&lt;/b&gt;" in preview
    assert "Line one<br>&lt;script&gt;x()&lt;/script&gt;" in preview
    assert "<script>x()</script>" not in response.text
    assert "خطط &lt;i&gt;جديدة&lt;/i&gt;" in preview
    assert 'lang="ar" dir="rtl"' in preview
    assert "https://example.com/a?b=1&amp;c=2</span>" in preview
    assert [action["title"] for action in response.context["actions_detail"]] == ["Send now"]


def test_without_arabic_the_preview_says_the_english_text_is_shown(sara, investors, admin_client_for):
    response = admin_client_for(sara).get(page_url(draft(sara)))
    arabic = response.text.split('data-preview="ar"')[1]
    assert "no Arabic text: the English one is shown" in arabic
    assert 'lang="ar" dir="ltr"' in arabic
    assert response.context["recipients"] == 3


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"link": "javascript:alert(1)"},
            {"link": ["Enter a page of this site (starting with /) or an http:// or https:// address."]},
        ),
        ({"title_ar": "عنوان"}, {"body_ar": ["Write both the Arabic title and the Arabic text, or neither."]}),
        ({"segment": "country", "segment_value": ""}, {"segment_value": ["Enter a country."]}),
        (
            {"send_at_0": "2020-01-01", "send_at_1": "10:00:00"},
            {"send_at": ["Choose a time in the future, or send now."]},
        ),
    ],
)
def test_a_refused_draft_is_a_form_error(sara, admin_client_for, unchanged_db, changes, errors):
    client = admin_client_for(sara)
    with unchanged_db():
        response = client.post(ADD, composer(**changes))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors


def test_send_now_delivers_and_the_page_turns_read_only(
    sara, investors, admin_client_for, django_capture_on_commit_callbacks
):
    announcement = draft(sara, title_ar="صيانة", body_ar="الليلة.")
    client = admin_client_for(sara)
    dialog = client.get(action_url(announcement, "send_now"))
    assert "Send this announcement now?" in dialog.text
    assert "3 investors today" in dialog.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(announcement, "send_now"), {"_form_submitted": "True"})
    assert response["HX-Redirect"] == page_url(announcement)
    announcement.refresh_from_db()
    assert (announcement.status, announcement.delivered_count) == (DeliveryStatus.SENT, 3)
    titles = sorted(Notification.objects.filter(announcement=announcement).values_list("user__language", "title"))
    assert titles == [("ar", "صيانة"), ("ar", "صيانة"), ("en", "Maintenance")]
    Notification.objects.filter(announcement=announcement, user=investors[0]).update(is_read=True)
    page = client.get(page_url(announcement))
    assert [str(message) for message in page.context["messages"]] == ["The announcement is being delivered."]
    assert page.context["counts"] == {"delivered": 3, "emailed": announcement.emailed_count, "read": 1}
    assert 'data-count="delivered">3</dd>' in page.text
    assert page.context["actions_detail"] == []
    assert page.context["has_change_permission"] is False
    before = Announcement.objects.values().get(pk=announcement.pk)
    assert client.post(page_url(announcement), composer(title_en="Changed")).status_code == 403
    response = client.post(action_url(announcement, "send_now"), {"_form_submitted": "True"})
    assert response["HX-Redirect"] == page_url(announcement)
    assert messages_on(client, page_url(announcement)) == ["This announcement was already sent."]
    assert Announcement.objects.values().get(pk=announcement.pk) == before


def test_schedule_and_cancel(sara, investors, admin_client_for):
    when = timezone.now() + timedelta(days=2)
    announcement = draft(sara, send_at=when)
    client = admin_client_for(sara)
    assert [action["title"] for action in client.get(page_url(announcement)).context["actions_detail"]] == ["Schedule"]
    client.post(action_url(announcement, "schedule"), {"_form_submitted": "True"})
    announcement.refresh_from_db()
    assert announcement.status == DeliveryStatus.SCHEDULED
    local = timezone.localtime(when).strftime("%d %b %Y, %H:%M")
    page = client.get(page_url(announcement))
    assert [str(message) for message in page.context["messages"]] == [f"The announcement is scheduled for {local}."]
    assert [action["title"] for action in page.context["actions_detail"]] == ["Cancel schedule"]
    # A scheduled announcement can still be corrected.
    client.post(
        page_url(announcement),
        composer(
            title_en="Maintenance moved", send_at_0=timezone.localtime(when).strftime("%Y-%m-%d"), send_at_1="10:00:00"
        ),
    )
    announcement.refresh_from_db()
    assert announcement.title_en == "Maintenance moved"
    client.post(action_url(announcement, "cancel_schedule"), {"_form_submitted": "True"})
    announcement.refresh_from_db()
    assert announcement.status == DeliveryStatus.DRAFT
    assert messages_on(client, page_url(announcement)) == [
        "The draft was saved. Check the preview and the recipients, then send it.",
        "The schedule was cancelled: the announcement is a draft again.",
    ]
    assert Notification.objects.count() == 0


def test_operations_look_and_finance_sees_nothing(sara, investors, admin_client_for, unchanged_db):
    announcement = draft(sara)
    operations, finance = admin_client_for(operations_staff()), admin_client_for(finance_staff())
    response = operations.get(page_url(announcement))
    assert response.status_code == 200
    assert response.context["actions_detail"] == []
    assert response.context["has_change_permission"] is False
    with unchanged_db():
        assert operations.get(ADD).status_code == 403
        assert operations.post(page_url(announcement), composer(title_en="X")).status_code == 403
        assert operations.post(action_url(announcement, "send_now"), {"_form_submitted": "True"}).status_code == 403
        assert finance.get(LIST).status_code == 403
        assert finance.get(page_url(announcement)).status_code == 403
    assert admin_client_for(sara).post(f"{LIST}{announcement.pk}/delete/", {"post": "yes"}).status_code == 403
