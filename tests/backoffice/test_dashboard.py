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


# --- charts, coverage and queue health: who sees what, and a constant number of queries ----------


def dashboard_panels(response) -> dict:
    context = response.context
    charts = context.get("charts")
    return {
        "series": [item["key"] for chart in charts["charts"] for item in chart["legend"]] if charts else [],
        "coverage": "coverage" in context,
        "queues": [queue["id"].removeprefix("queue-") for queue in context.get("queues", [])],
    }


ALL_SERIES = ["deposits", "withdrawals", "returns", "commissions", "investors", "first_deposits"]
ALL_QUEUES = ["deposits", "withdrawals", "kyc", "support"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("superuser", {"series": ALL_SERIES, "coverage": True, "queues": ALL_QUEUES}),
        ("finance", {"series": ALL_SERIES, "coverage": True, "queues": ["deposits", "withdrawals"]}),
        ("operations", {"series": ALL_SERIES, "coverage": True, "queues": ALL_QUEUES}),
        # Support may not see positions: no returns, no coverage.
        (
            "support",
            {
                "series": ["deposits", "withdrawals", "commissions", "investors", "first_deposits"],
                "coverage": False,
                "queues": ALL_QUEUES,
            },
        ),
        ("kyc_reviewer", {"series": ["investors"], "coverage": False, "queues": ["kyc"]}),
        ("staff", {"series": [], "coverage": False, "queues": []}),  # staff without a role
    ],
)
def test_each_role_sees_the_figures_it_may_see(request, admin_client_for, role, expected):
    response = admin_client_for(request.getfixturevalue(role)).get("/admin/")
    assert response.status_code == 200
    assert dashboard_panels(response) == expected
    if not expected["series"]:
        assert 'id="dashboard-charts"' not in response.text
        assert "backoffice/dashboard.js" not in response.text
    if role == "staff":
        assert response.context["dashboard_empty"] is True


def test_a_series_hidden_by_permission_is_not_even_read(kyc_reviewer, admin_client_for):
    """The KYC reviewer's growth chart carries new investors only (first deposits are money)."""
    response = admin_client_for(kyc_reviewer).get("/admin/")
    [chart] = response.context["charts"]["charts"]
    assert chart["headers"] == ["New investors"]
    assert '"First deposits"' not in chart["data"]


def dashboard_queries(client, url="/admin/") -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.parametrize("role", ["superuser", "finance", "support"])
def test_the_same_number_of_queries_on_an_empty_and_a_populated_platform(
    request, settings, kyc_storage, admin_client_for, django_assert_num_queries, role
):
    from tests.backoffice.dashboard_history import TODAY, at, history_build

    user = request.getfixturevalue(role)
    client = admin_client_for(user)
    client.get("/admin/")  # the session and the permission cache warm
    empty = {url: len(dashboard_queries(client, url)) for url in ("/admin/", "/admin/?range=90")}
    finance = request.getfixturevalue("finance")
    history_build(superuser=request.getfixturevalue("superuser"), finance=finance)
    for url, count in empty.items():
        with at(TODAY), django_assert_num_queries(count):
            client.get(url)


def test_the_dashboard_callback_takes_a_fixed_number_of_queries(
    superuser, settings, finance, kyc_storage, django_assert_num_queries
):
    """Head counts 1, scheduler 1, money cards 3 (two queues, cash), support 2, coverage 3
    (balances, treasury, obligations; cash shared with the money card), queues 2 more (KYC,
    support), charts 3 (one UNION per chart), the investment panel 6."""
    from apps.backoffice.dashboard import dashboard_callback
    from tests.backoffice.dashboard_history import TODAY, at, history_build

    def run():
        request = RequestFactory().get("/admin/")
        request.user = superuser
        with django_assert_num_queries(21):
            return dashboard_callback(request, {})

    assert run()["dashboard_empty"] is False
    history_build(superuser=superuser, finance=finance)
    with at(TODAY):
        context = run()
    assert context["coverage"]["has"] == "13,800.00 USD"
