"""The staff affiliates list (``admin/affiliates/``): every user who referred someone, best first,
with exact referral counts, commissions and rewards; paginated in a constant number of queries;
only for staff holding ``referrals.view_referrer``."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts import services
from apps.accounts.roles import FINANCE, KYC_REVIEW, OPERATIONS, SUPPORT
from apps.referrals.services.grants import grant_milestones
from tests.factories import StaffFactory, UserFactory
from tests.referrals.helpers import DAY0, at, make_milestone, referred_users, small_plan
from tests.wallet.api_helpers import api_for, iso

pytestmark = pytest.mark.django_db

AFFILIATES = "/api/admin/affiliates/"
FORBIDDEN = {"detail": "Only staff with the matching permission can do this.", "code": "permission_denied"}


def row(user, *, total: int, qualified: int, commission: str, rewards: str = "0.00") -> dict:
    user.refresh_from_db()
    return {
        "id": user.pk,
        "user": user.pk,
        "user_email": user.email,
        "email": user.email,
        "name": user.full_name,
        "referral_code": user.referral_code,
        "is_active": user.is_active,
        "joined_at": iso(user.date_joined),
        "referral_count": total,
        "total_referrals": total,
        "qualified_referrals": qualified,
        "total_commission": commission,
        "rewards": rewards,
    }


@pytest.fixture
def network(staff):
    """Rita: 3 referred, 2 bought 1,000.00 (commission 30.00 each) and earned Bronze (25.00).
    Zed: 2 referred, 1 bought 500.00 (15.00), then Zed was deactivated. Lea: 1 referred who
    never bought. Una referred nobody and is not listed."""
    make_milestone(actor=staff, name="Bronze", required_referrals=2, reward_amount="25.00")
    rita = UserFactory(first_name="Rita", last_name="Roe", email="rita@example.com")
    zed = UserFactory(first_name="Zed", last_name="Zane", email="zed@example.com")
    lea = UserFactory(first_name="Lea", last_name="Lam", email="lea@example.com")
    UserFactory(first_name="Una", email="una@example.com")
    with at(DAY0):
        plan = small_plan(staff)
        referred_users(rita, 1)
        referred_users(rita, 2, staff=staff, plan=plan, amount="1000.00")
        referred_users(zed, 1)
        referred_users(zed, 1, staff=staff, plan=plan, amount="500.00")
        referred_users(lea, 1)
        grant_milestones()
    services.user_active_set(user=zed, is_active=False, actor=staff)
    return rita, zed, lea


def test_affiliates_best_first_with_exact_figures(network, staff_api):
    rita, zed, lea = network

    response = staff_api.get(AFFILIATES)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    assert body["results"] == [
        row(rita, total=3, qualified=2, commission="60.00", rewards="25.00"),
        row(zed, total=2, qualified=1, commission="15.00"),
        row(lea, total=1, qualified=0, commission="0.00"),
    ]
    assert body["results"][1]["is_active"] is False


def test_affiliates_carry_the_programme_summary_the_original_client_reads(network, staff_api):
    rita, zed, lea = network

    body = staff_api.get(AFFILIATES, {"page_size": 1, "page": 2}).json()

    assert list(body) == [
        "count",
        "next",
        "previous",
        "results",
        "total_referrals",
        "total_commissions",
        "active_referrers",
        "top_referrers",
    ]
    assert (body["total_referrals"], body["total_commissions"], body["active_referrers"]) == (6, "75.00", 2)
    assert body["top_referrers"] == [
        row(rita, total=3, qualified=2, commission="60.00", rewards="25.00"),
        row(zed, total=2, qualified=1, commission="15.00"),
        row(lea, total=1, qualified=0, commission="0.00"),
    ]
    assert [item["id"] for item in body["results"]] == [zed.pk]


def test_affiliates_are_paginated(network, staff_api):
    *_, lea = network

    response = staff_api.get(AFFILIATES, {"page_size": 2, "page": 2})

    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert [item["id"] for item in response.json()["results"]] == [lea.pk]
    assert response.json()["previous"].endswith("/api/admin/affiliates/?page_size=2")


@pytest.mark.parametrize(("query", "status"), [("page=9", 404), ("page=abc", 400), ("page=0", 400)])
def test_a_page_that_does_not_exist_is_404_and_a_bad_page_400_not_500(network, staff_api, query, status):
    response = staff_api.get(f"{AFFILIATES}?{query}")

    assert response.status_code == status


def test_affiliates_run_in_a_constant_number_of_queries(network, staff_api, staff):
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert staff_api.get(AFFILIATES).status_code == 200
        return len(context)

    few = queries()
    plan = small_plan(staff)
    for _ in range(8):
        referred_users(UserFactory(), 2, staff=staff, plan=plan, amount="100.00")

    assert queries() == few
    assert staff_api.get(AFFILIATES).json()["count"] == 11


@pytest.mark.parametrize(
    ("role", "allowed"), [(FINANCE, True), (SUPPORT, True), (OPERATIONS, True), (KYC_REVIEW, False)]
)
def test_roles_with_the_view_permission_see_the_list(network, role, allowed):
    member = StaffFactory()
    member.groups.add(Group.objects.get(name=role))

    response = api_for(member).get(AFFILIATES)

    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert response.json() == FORBIDDEN


def test_investors_and_staff_without_the_permission_are_refused(network, unchanged_db):
    rita, *_ = network
    clients = [api_for(rita), api_for(StaffFactory())]
    with unchanged_db():
        responses = [client.get(AFFILIATES) for client in clients]

    assert [(r.status_code, r.json()) for r in responses] == [(403, FORBIDDEN)] * 2


def test_the_list_needs_a_token(api_client):
    assert api_client.get(AFFILIATES).status_code == 401


def test_the_list_is_read_only(network, staff_api, unchanged_db):
    with unchanged_db():
        for method in ("post", "patch", "put", "delete"):
            assert getattr(staff_api, method)(AFFILIATES, {}, format="json").status_code == 405


def test_the_list_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/admin/affiliates/"]["get"]
    assert sorted(operation["responses"]) == ["200", "400", "401", "403", "404"]  # 404: a page past the last
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert page == {"$ref": "#/components/schemas/PaginatedAffiliateList"}
    fields = schema["components"]["schemas"]["Affiliate"]["properties"]
    assert {"user", "user_email", "referral_count", "total_commission", "qualified_referrals"} <= set(fields)
