"""A superuser resets another account's two-factor authentication (device and recovery codes):
recorded in the account events with the actor, the account's API sign-ins revoked, the staff
member sent to enrolment at their next sign-in. Refused to other staff and on one's own account."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.accounts.mfa import services as mfa_services
from apps.accounts.mfa.models import RecoveryCode
from apps.accounts.mfa.reset import mfa_reset
from apps.accounts.models import UserEvent
from apps.accounts.services import auth_tokens_issue
from apps.common.errors import ApplicationError
from tests.accounts.mfa_helpers import device_for
from tests.factories import DEFAULT_PASSWORD, StaffFactory
from tests.mfa import force_login_unverified

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(db):
    """A staff member with an authenticator app, recovery codes and an API sign-in."""
    user = StaffFactory(email="bob@bursar.example")
    device_for(user)
    mfa_services.recovery_codes_generate(user=user, actor=user)
    auth_tokens_issue(user=user, otp_verified=True)
    return user


def second_factor(user) -> tuple[int, int, int]:
    """(devices, recovery codes, refresh tokens not revoked)"""
    live_tokens = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).count()
    return TOTPDevice.objects.filter(user=user).count(), RecoveryCode.objects.filter(user=user).count(), live_tokens


def reset_events(user) -> list[tuple]:
    return list(UserEvent.objects.filter(user=user, kind=UserEvent.Kind.MFA_RESET).values_list("actor_id", "data"))


def reset_url(user) -> str:
    return reverse("admin:accounts_user_mfa_reset_detail", args=(user.pk,))


def change_url(user) -> str:
    return reverse("admin:accounts_user_change", args=(user.pk,))


# --- the service ------------------------------------------------------------------------------------


def test_a_superuser_resets_another_account(bob, superuser):
    mfa_reset(user=bob, actor=superuser)

    assert second_factor(bob) == (0, 0, 0)
    assert reset_events(bob) == [
        (superuser.pk, {"reset_by": superuser.email, "devices": 1, "recovery_codes": 10}),
    ]


@pytest.mark.parametrize(
    ("actor_kind", "code"),
    [("staff", "permission_denied"), ("self", "mfa_reset_self")],
)
def test_refused_to_staff_and_on_ones_own_account(bob, superuser, actor_kind, code):
    target, actor = (bob, StaffFactory()) if actor_kind == "staff" else (superuser, superuser)
    device_for(superuser)
    before = second_factor(target)

    with pytest.raises(ApplicationError) as error:
        mfa_reset(user=target, actor=actor)

    assert (error.value.code, error.value.status_code) == (code, 403)
    assert second_factor(target) == before
    assert reset_events(target) == []


def test_an_account_without_a_device_is_refused(superuser):
    plain = StaffFactory()

    with pytest.raises(ApplicationError) as error:
        mfa_reset(user=plain, actor=superuser)

    assert error.value.code == "mfa_not_enrolled"
    assert reset_events(plain) == []


# --- the admin ----------------------------------------------------------------------------------------


def test_the_admin_action_resets_and_the_target_enrols_at_next_sign_in(bob, superuser):
    client = Client()
    client.force_login(superuser)

    page = client.get(change_url(bob))
    dialog = client.get(reset_url(bob))
    response = client.post(reset_url(bob), {"_form_submitted": "True"})
    messages = [str(m) for m in client.get(change_url(bob)).context["messages"]]
    bob_client = Client()
    force_login_unverified(bob_client, bob)
    next_sign_in = bob_client.get("/admin/")
    api_login = Client().post(
        "/api/auth/login/", {"email": bob.email, "password": DEFAULT_PASSWORD}, content_type="application/json"
    )

    assert reset_url(bob) in page.text
    assert "Reset this account" in dialog.text
    assert response.headers["HX-Redirect"] == change_url(bob)
    assert messages == [
        "Two-factor authentication was reset: they set up a new authenticator app at their next sign-in."
    ]
    assert second_factor(bob) == (0, 0, 0)
    assert [actor for actor, _ in reset_events(bob)] == [superuser.pk]
    assert (next_sign_in.status_code, next_sign_in.url) == (302, reverse("mfa:enrol"))
    assert (api_login.status_code, api_login.json()["code"]) == (401, "otp_enrolment_required")


def test_staff_who_may_change_users_cannot_reset(bob):
    manager = StaffFactory()
    manager.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
    client = Client()
    client.force_login(manager)
    before = second_factor(bob)

    page = client.get(change_url(bob))
    response = client.post(reset_url(bob), {"_form_submitted": "True"})

    assert page.status_code == 200
    assert reset_url(bob) not in page.text
    assert response.status_code == 403
    assert second_factor(bob) == before
    assert reset_events(bob) == []


def test_a_superuser_is_not_offered_and_is_refused_their_own_reset(superuser):
    client = Client()
    client.force_login(superuser)
    before = second_factor(superuser)

    page = client.get(change_url(superuser))
    response = client.post(reset_url(superuser), {"_form_submitted": "True"})
    messages = [str(m) for m in client.get(change_url(superuser)).context["messages"]]

    assert reset_url(superuser) not in page.text
    assert response.headers["HX-Redirect"] == change_url(superuser)
    assert messages == [
        "You cannot reset your own two-factor authentication: use a recovery code, or ask another superuser."
    ]
    assert second_factor(superuser) == before
    assert reset_events(superuser) == []
