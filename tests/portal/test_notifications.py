import pytest
from django.urls import reverse

from apps.messaging.models import Notification
from apps.wallet.services.deposits import deposit_approve, deposit_request_create
from tests.factories import UserFactory

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
