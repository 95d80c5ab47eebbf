"""Changing a password (API or portal) revokes every refresh token of the account and ends its
other browser sessions; the portal keeps the session that made the change."""

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.accounts.models import UserEvent
from apps.accounts.services import auth_tokens_issue
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-Strong-77"
REFRESH = "/api/auth/token/refresh/"
REFUSED = {"detail": "Token is blacklisted", "code": "token_not_valid"}


def _refresh(token: str):
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_api_change_revokes_every_refresh_token(investor):
    phone, laptop = auth_tokens_issue(user=investor), auth_tokens_issue(user=investor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {phone['access']}")

    response = client.post(
        "/api/auth/change-password/",
        {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        format="json",
    )

    assert (response.status_code, response.json()) == (200, {"message": "Your password has been changed."})
    assert BlacklistedToken.objects.filter(token__user=investor).count() == 2
    assert OutstandingToken.objects.filter(user=investor).count() == 2
    for tokens in (phone, laptop):
        refused = _refresh(tokens["refresh"])
        assert (refused.status_code, refused.json()) == (401, REFUSED)
    assert list(investor.events.values_list("kind", flat=True)) == [UserEvent.Kind.PASSWORD_CHANGED]


def test_api_change_ends_browser_sessions(investor):
    browser = _signed_in(investor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_tokens_issue(user=investor)['access']}")
    client.post(
        "/api/auth/change-password/", {"old_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD}, format="json"
    )
    response = browser.get("/profile/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/profile/")


def test_portal_change_revokes_tokens_and_other_sessions_but_keeps_its_own(investor):
    tokens = auth_tokens_issue(user=investor)
    current, other = _signed_in(investor), _signed_in(investor)

    response = current.post(
        "/password/change/", {"old_password": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert (response.status_code, response["Location"]) == (302, "/profile/")
    assert current.get("/profile/").status_code == 200
    logged_out = other.get("/profile/")
    assert (logged_out.status_code, logged_out["Location"]) == (302, "/login/?next=/profile/")
    refused = _refresh(tokens["refresh"])
    assert (refused.status_code, refused.json()) == (401, REFUSED)
    assert list(investor.events.values_list("kind", flat=True)) == [UserEvent.Kind.PASSWORD_CHANGED]


def test_a_refused_change_keeps_the_tokens(investor, unchanged_db):
    tokens = auth_tokens_issue(user=investor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    with unchanged_db():
        response = client.post(
            "/api/auth/change-password/", {"old_password": "Wrong-1", "new_password": NEW_PASSWORD}, format="json"
        )
    assert response.status_code == 400
    assert _refresh(tokens["refresh"]).status_code == 200
