"""The API's JWT authentication (apps.accounts.authentication): a deactivated user's access token
is refused on the very next request (bound: zero, docs/security.md), however recently the same
token was accepted; the token's claims kept per process never outlive its expiry; nothing of the
user is kept between requests."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.services import auth_tokens_issue, user_active_set

pytestmark = pytest.mark.django_db

PROFILE = "/api/users/profile/"
INACTIVE = {"detail": "User is inactive", "code": "user_inactive"}
EXPIRED_CODE = "token_not_valid"


def _client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_tokens_issue(user=user)['access']}")
    return client


def test_a_deactivated_users_token_is_refused_on_the_next_request(investor, superuser):
    client = _client(investor)
    for _ in range(3):  # accepted, and its claims kept by this process
        assert client.get(PROFILE).status_code == 200

    user_active_set(user=investor, is_active=False, actor=superuser)

    response = client.get(PROFILE)  # the same second: no grace period
    assert (response.status_code, response.json()) == (401, INACTIVE)


def test_a_reactivated_users_token_works_again_at_once(investor, superuser):
    client = _client(investor)
    user_active_set(user=investor, is_active=False, actor=superuser)
    assert client.get(PROFILE).status_code == 401

    user_active_set(user=investor, is_active=True, actor=superuser)

    assert client.get(PROFILE).status_code == 200


def test_a_kept_token_is_refused_once_expired(investor, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = _client(investor)
        assert client.get(PROFILE).status_code == 200
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]

    with time_machine.travel(start + lifetime - timedelta(seconds=5), tick=False):
        assert client.get(PROFILE).status_code == 200
    with time_machine.travel(start + lifetime + timedelta(seconds=1), tick=False):
        response = client.get(PROFILE)

    assert response.status_code == 401
    assert response.json()["code"] == EXPIRED_CODE


def test_nothing_of_the_user_is_kept_between_requests(investor):
    client = _client(investor)
    assert client.get(PROFILE).json()["first_name"] == investor.first_name

    type(investor).objects.filter(pk=investor.pk).update(first_name="Changed")

    assert client.get(PROFILE).json()["first_name"] == "Changed"
