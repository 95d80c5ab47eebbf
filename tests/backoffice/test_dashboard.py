"""The admin index: user head counts in one query, KYC breakdown, scheduler health."""

from datetime import timedelta

import pytest
from django.test import RequestFactory, override_settings
from django.utils import timezone

from apps.accounts.models import KycStatus
from apps.accounts.selectors import user_counts_for_dashboard
from apps.backoffice.dashboard import environment_callback, environment_title_prefix
from tests.factories import StaffFactory, UserFactory
from workers.models import Heartbeat
from workers.services import SCHEDULER_HEARTBEAT, heartbeat_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(superuser):
    now = timezone.now()
    UserFactory(kyc_status=KycStatus.APPROVED, date_joined=now - timedelta(days=30))
    UserFactory(kyc_status=KycStatus.APPROVED, date_joined=now - timedelta(days=2))
    UserFactory(kyc_status=KycStatus.PENDING, is_email_verified=False, date_joined=now - timedelta(days=6))
    UserFactory(kyc_status=KycStatus.REJECTED, is_active=False, date_joined=now - timedelta(days=8))
    UserFactory(is_email_verified=False, date_joined=now - timedelta(hours=1))
    StaffFactory(date_joined=now - timedelta(days=1))
    return now


def test_user_counts_take_one_query_and_count_investors_only(population, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = user_counts_for_dashboard(now=population)
    assert counts.investors == 5
    assert counts.active_investors == 4
    assert counts.staff == 2  # the superuser and one staff member
    assert counts.new_investors == 3
    assert counts.email_verified == 3
    assert counts.email_verified_percent == 60
    assert counts.active_percent == 80
    assert counts.kyc == {"not_submitted": 1, "pending": 1, "approved": 2, "rejected": 1}


def test_user_counts_of_an_empty_platform():
    counts = user_counts_for_dashboard()
    assert (counts.investors, counts.email_verified_percent, counts.active_percent) == (0, 0, 0)
    assert counts.kyc == {"not_submitted": 0, "pending": 0, "approved": 0, "rejected": 0}


def test_dashboard_shows_the_counts_and_links_to_the_filtered_users(population, superuser, admin_client_for):
    response = admin_client_for(superuser).get("/admin/")
    assert response.status_code == 200
    kpis = {str(kpi["title"]): (kpi["value"], kpi["link"]) for kpi in response.context["kpis"]}
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert kpis == {
        "Investors": (5, "/admin/accounts/user/?is_staff__exact=0"),
        "Active investors": (4, "/admin/accounts/user/?is_staff__exact=0&is_active__exact=1"),
        "New sign-ups": (3, f"/admin/accounts/user/?is_staff__exact=0&date_joined_from={since}"),
        "Staff": (2, "/admin/accounts/user/?is_staff__exact=1"),
    }
    assert [(str(row["label"]), row["count"], row["percent"]) for row in response.context["kyc_rows"]] == [
        ("Not submitted", 1, 20),
        ("Pending review", 1, 20),
        ("Approved", 2, 40),
        ("Rejected", 1, 20),
    ]
    assert 'id="email-verified-share">60%</span>' in response.text
    assert "80% of investors" in response.text


def test_dashboard_links_filter_the_changelist_as_counted(population, superuser, admin_client_for):
    client = admin_client_for(superuser)
    for kpi in client.get("/admin/").context["kpis"]:
        if kpi["title"] == "New sign-ups":
            continue  # a rolling 7 days on the dashboard, whole calendar days in the filter
        assert client.get(kpi["link"]).context["cl"].result_count == kpi["value"], kpi["title"]


def test_scheduler_card_says_stale_without_a_heartbeat_and_alive_with_one(superuser, admin_client_for):
    client = admin_client_for(superuser)
    response = client.get("/admin/")
    assert response.context["scheduler"].is_alive is False
    assert "No beat recorded yet" in response.text

    heartbeat_record()
    response = client.get("/admin/")
    assert response.context["scheduler"].is_alive is True
    assert response.context["scheduler"].beats == 1
    assert "Last beat now" in response.text

    Heartbeat.objects.filter(name=SCHEDULER_HEARTBEAT).update(last_beat_at=timezone.now() - timedelta(minutes=10))
    response = client.get("/admin/")
    assert response.context["scheduler"].is_alive is False
    assert "Last beat 10\xa0minutes ago" in response.text


def test_operations_sees_the_scheduler_but_finance_does_not(operations, finance, admin_client_for):
    response = admin_client_for(operations).get("/admin/")
    assert "scheduler" in response.context
    response = admin_client_for(finance).get("/admin/")
    assert "scheduler" not in response.context
    assert response.context["kpis"][0]["value"] == 0


def test_environment_label_only_in_development():
    request = RequestFactory().get("/admin/")
    with override_settings(DEBUG=True):
        assert environment_callback(request) == ["Development", "warning"]
        assert environment_title_prefix(request) == "[dev]"
    with override_settings(DEBUG=False):
        assert environment_callback(request) is None
        assert environment_title_prefix(request) is None
