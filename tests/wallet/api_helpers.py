"""Helpers for the wallet API tests: clients for any user, staff with chosen permissions."""

from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from apps.accounts.services import auth_tokens_issue
from tests.factories import StaffFactory


def api_for(user) -> APIClient:
    client = APIClient()
    # as the sign-in issues them (a staff member's code checked now: step-up is fresh)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_tokens_issue(user=user, otp_verified=True)['access']}")
    client.user = user
    return client


def staff_with(*codenames: str):
    """A staff member (not a superuser) holding exactly these ``wallet`` permissions."""
    user = StaffFactory()
    permissions = Permission.objects.filter(content_type__app_label="wallet", codename__in=codenames)
    assert permissions.count() == len(codenames), codenames
    user.user_permissions.add(*permissions)
    return user


def iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")
