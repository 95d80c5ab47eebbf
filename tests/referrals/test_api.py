"""The referrals API: exact shapes and figures, privacy of referred users (no email, no balance),
the public packs catalogue (a stale Bearer header is ignored), the staff affiliates list, the
schema."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.accounts.services import auth_tokens_issue
from apps.referrals.api import views as referral_views
from apps.referrals.services.grants import grant_milestones
from apps.referrals.services.milestones import milestone_active_set
from tests.factories import StaffFactory, UserFactory
from tests.referrals.helpers import DAY0, at, make_milestone, referred_users, small_plan
from tests.wallet.api_helpers import iso

pytestmark = pytest.mark.django_db
D = Decimal


def api_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_tokens_issue(user=user)['access']}")
    return client


@pytest.fixture
def packs(staff):
    bronze = make_milestone(actor=staff, name="Bronze", required_referrals=2, reward_amount="25.00", icon="bronze")
    silver = make_milestone(
        actor=staff, name="Silver", required_referrals=3, reward_amount="50.00", icon="silver", display_order=1
    )
    hidden = make_milestone(actor=staff, name="Old", required_referrals=1, reward_amount="9.00")
    milestone_active_set(milestone_id=hidden.pk, actor=staff, is_active=False)
    return bronze, silver


@pytest.fixture
def referrer(staff, packs):
    """Two referred users bought 1,000.00 (commission 30.00 each, Bronze granted: 25.00); one did not."""
    referrer = UserFactory(first_name="Rita")
    with at(DAY0):
        plan = small_plan(staff)
        referred_users(referrer, 1, first_name="Sam", email="sam@example.com")
        referred_users(referrer, 2, staff=staff, plan=plan, amount="1000.00", first_name="Noor")
        grant_milestones()
    return referrer


def test_my_code(investor_api, investor, settings):
    response = investor_api.get("/api/referrals/my-code/")
    assert response.status_code == 200
    assert response.json() == {
        "referral_code": investor.referral_code,
        "referral_link": f"{settings.SITE_URL}/r/{investor.referral_code}/",
    }


def referral_row(user, commission: str) -> dict:
    """A row of `referrals/my-referrals/` (and of `referrals` in `referrals/stats/`)."""
    return {
        "id": user.pk,
        "name": user.first_name,
        "joined_at": iso(user.date_joined),
        "has_invested": commission != "0.00",
        "commission_earned": commission,
    }


def test_stats_count_referred_users_and_show_progress(referrer, packs):
    """The original's nesting: each pack under `pack`, with the caller's progress beside it; the
    referred users as in `referrals/my-referrals/`, newest first."""
    bronze, silver = packs
    sam, noor_1, noor_2 = User.objects.filter(referred_by=referrer).order_by("id")
    response = api_for(referrer).get("/api/referrals/stats/")
    assert response.status_code == 200
    assert response.json() == {
        "total_referrals": 3,
        "qualified_referrals": 2,
        "total_commission": "60.00",
        "referrals": [
            referral_row(noor_2, "30.00"),
            referral_row(noor_1, "30.00"),
            referral_row(sam, "0.00"),
        ],
        "packs": [
            {
                "pack": {
                    "id": bronze.pk,
                    "name": "Bronze",
                    "required_referrals": 2,
                    "reward_amount": "25.00",
                    "icon": "bronze",
                },
                "achieved": True,
                "awarded": True,
            },
            {
                "pack": {
                    "id": silver.pk,
                    "name": "Silver",
                    "required_referrals": 3,
                    "reward_amount": "50.00",
                    "icon": "silver",
                },
                "achieved": False,
                "awarded": False,
            },
        ],
    }
    assert response.json()["referrals"] == api_for(referrer).get("/api/referrals/my-referrals/").json()["results"]
    assert "@" not in response.text


def test_stats_list_only_the_newest_referrals_in_constant_queries(referrer, monkeypatch):
    monkeypatch.setattr(referral_views, "STATS_REFERRALS_MAX", 2)
    client = api_for(referrer)

    def stats():
        with CaptureQueriesContext(connection) as context:
            response = client.get("/api/referrals/stats/")
        assert response.status_code == 200
        return response.json(), len(context)

    body, few = stats()
    newest = User.objects.filter(referred_by=referrer).order_by("-date_joined", "-id")
    assert [row["id"] for row in body["referrals"]] == [user.pk for user in newest[:2]]
    later = referred_users(referrer, 5, first_name="Lea")
    body, many = stats()
    assert body["total_referrals"] == 8
    assert [row["id"] for row in body["referrals"]] == [later[4].pk, later[3].pk]
    assert many == few


def test_stats_say_the_cap_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    stats = schema["components"]["schemas"]["ReferralStats"]["properties"]
    assert "newest 100" in stats["referrals"]["description"]
    progress = schema["components"]["schemas"]["ReferralPackProgress"]
    assert sorted(progress["properties"]) == ["achieved", "awarded", "pack"]
    assert progress["properties"]["pack"]["$ref"] == "#/components/schemas/ReferralPack"


def test_packs_are_public_even_with_a_garbage_bearer_header(packs):
    bronze, silver = packs
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.get("/api/referrals/packs/")
    assert response.status_code == 200
    assert response.json() == [
        {"id": bronze.pk, "name": "Bronze", "required_referrals": 2, "reward_amount": "25.00", "icon": "bronze"},
        {"id": silver.pk, "name": "Silver", "required_referrals": 3, "reward_amount": "50.00", "icon": "silver"},
    ]
    assert APIClient().get("/api/referrals/packs/").json() == response.json()


def test_my_referrals_show_first_names_only_never_emails_or_balances(referrer):
    response = api_for(referrer).get("/api/referrals/my-referrals/")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (3, None, None)
    rows = body["results"]
    assert [set(row) for row in rows] == [{"id", "name", "joined_at", "has_invested", "commission_earned"}] * 3
    assert [(row["name"], row["has_invested"], row["commission_earned"]) for row in rows] == [
        ("Noor", True, "30.00"),
        ("Noor", True, "30.00"),
        ("Sam", False, "0.00"),
    ]
    assert "sam@example.com" not in response.text and "balance" not in response.text
    assert "@" not in response.text


def test_my_referrals_are_paginated_with_constant_queries(referrer):
    client = api_for(referrer)
    page = client.get("/api/referrals/my-referrals/", {"page_size": 2, "page": 2}).json()
    assert (page["count"], len(page["results"]), page["next"]) == (3, 1, None)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/api/referrals/my-referrals/").status_code == 200
        return len(context)

    few = queries()
    referred_users(referrer, 10)
    assert queries() == few


def test_someone_elses_referrals_are_not_visible(referrer, investor_api):
    assert investor_api.get("/api/referrals/my-referrals/").json()["count"] == 0
    assert investor_api.get("/api/referrals/stats/").json()["total_referrals"] == 0


@pytest.mark.parametrize(
    "path",
    ["/api/referrals/my-code/", "/api/referrals/stats/", "/api/referrals/my-referrals/", "/api/admin/affiliates/"],
)
def test_private_endpoints_need_a_token(api_client, path):
    response = api_client.get(path)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_affiliates_for_staff(referrer, staff_api):
    response = staff_api.get("/api/admin/affiliates/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [row] = body["results"]
    assert row == {
        "id": referrer.pk,
        "user": referrer.pk,
        "user_email": referrer.email,
        "email": referrer.email,
        "name": referrer.full_name,
        "referral_code": referrer.referral_code,
        "is_active": True,
        "joined_at": row["joined_at"],
        "referral_count": 3,
        "total_referrals": 3,
        "qualified_referrals": 2,
        "total_commission": "60.00",
        "rewards": "25.00",
    }


def test_affiliates_refused_to_investors_and_staff_without_the_permission(referrer, investor_api):
    assert investor_api.get("/api/admin/affiliates/").status_code == 403
    assert api_for(StaffFactory()).get("/api/admin/affiliates/").status_code == 403


def test_every_referrals_path_is_in_the_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/referrals/my-code/",
        "/api/referrals/stats/",
        "/api/referrals/packs/",
        "/api/referrals/my-referrals/",
        "/api/admin/affiliates/",
    ):
        assert list(schema["paths"][path]) == ["get"], path
    packs = schema["paths"]["/api/referrals/packs/"]["get"]
    assert packs["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
    assert packs["security"] == [{}] or "security" not in packs or packs["security"] == []
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO(), stderr=io.StringIO())
