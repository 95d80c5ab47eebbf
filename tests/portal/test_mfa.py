"""Investors' optional two-factor authentication in the portal: set up (QR code, first code,
recovery codes shown once), the code step of the sign-in, recovery codes used once, new recovery
codes, turning it off; and the API sign-in of an investor with an authenticator app."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.lockout import lockout_status_for_user
from apps.accounts.mfa import services as mfa_services
from apps.accounts.mfa.models import RecoveryCode
from apps.accounts.models import UserEvent
from tests.accounts.mfa_helpers import device_for, totp_code, wrong_code
from tests.factories import DEFAULT_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal:login")
LOGIN_CODE = reverse("portal:login_code")
SECURITY = reverse("portal:security")
SETUP = reverse("portal:security_setup")
CODES = reverse("portal:security_codes")
REGENERATE = reverse("portal:security_regenerate")
DISABLE = reverse("portal:security_disable")
PROFILE = reverse("portal:profile")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield


@pytest.fixture
def enrolled(investor):
    """The investor with an authenticator app and a set of recovery codes."""
    investor.device = device_for(investor)
    investor.recovery = mfa_services.recovery_codes_generate(user=investor, actor=investor)
    return investor


def password_step(client: Client, user, **extra):
    return client.post(LOGIN, {"username": user.email, "password": DEFAULT_PASSWORD, **extra})


def signed_in_as(client: Client):
    return client.session.get("_auth_user_id")


def devices(user) -> list[tuple[bool]]:
    return list(TOTPDevice.objects.filter(user=user).values_list("confirmed", flat=True))


# --- setting it up ----------------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_turns_on_with_the_first_code(investor, investor_client):
    page = investor_client.get(SETUP)
    device = TOTPDevice.objects.get(user=investor)
    wrong = investor_client.post(SETUP, {"code": wrong_code(device)})
    state_after_wrong = devices(investor)
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=False):  # past django-otp's throttle
        right = investor_client.post(SETUP, {"code": totp_code(device)})
    codes_page = investor_client.get(CODES)
    again = investor_client.get(CODES)

    assert page.status_code == 200
    assert "<svg" in page.text and 'id="mfa-secret"' in page.text
    assert "This code is not valid. Check your phone&#x27;s clock and try again." in wrong.text
    assert state_after_wrong == [False]
    assert lockout_status_for_user(user=investor).failures == 1
    assert right.status_code == 302 and right.url == CODES
    assert devices(investor) == [True]
    shown = re.findall(r"<code>([A-Z0-9-]{14})</code>", codes_page.text)
    assert len(shown) == 10
    assert RecoveryCode.objects.filter(user=investor, used_at__isnull=True).count() == 10
    assert (again.status_code, again.url) == (302, SECURITY)
    assert [str(m) for m in codes_page.context["messages"]] == [
        "Two-factor authentication is on: you will enter a code at each sign-in."
    ]


def test_the_profile_links_to_the_security_page(investor_client):
    page = investor_client.get(PROFILE)

    assert SECURITY in page.text
    assert 'id="security-card"' in page.text


# --- signing in --------------------------------------------------------------------------------------


def test_sign_in_asks_for_the_code_after_the_password(enrolled):
    client = Client()

    password = password_step(client, enrolled, next="/wallet/")
    waiting = signed_in_as(client)
    profile_before = client.get(PROFILE)
    code_page = client.get(LOGIN_CODE)
    signed = client.post(LOGIN_CODE, {"code": totp_code(enrolled.device)})

    assert (password.status_code, password.url) == (302, LOGIN_CODE)
    assert waiting is None
    assert profile_before.status_code == 302 and profile_before.url.startswith(LOGIN)
    assert 'autocomplete="one-time-code"' in code_page.text
    assert (signed.status_code, signed.url) == (302, "/wallet/")
    assert signed_in_as(client) == str(enrolled.pk)
    assert client.get(PROFILE).status_code == 200


def test_a_wrong_code_signs_nobody_in_and_counts(enrolled):
    client = Client()
    password_step(client, enrolled)

    response = client.post(LOGIN_CODE, {"code": wrong_code(enrolled.device)})

    assert response.status_code == 200
    assert response.context["form"].errors == {"code": ["This code is not valid."]}
    assert signed_in_as(client) is None
    assert lockout_status_for_user(user=enrolled).failures == 1


def test_wrong_codes_lock_the_account_out(enrolled, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    password_step(client, enrolled)

    client.post(LOGIN_CODE, {"code": wrong_code(enrolled.device)})
    locked = client.post(LOGIN_CODE, {"code": wrong_code(enrolled.device)})
    after = Client()
    password_again = password_step(after, enrolled)

    assert locked.status_code == 429
    assert signed_in_as(client) is None
    assert lockout_status_for_user(user=enrolled).locked is True
    assert password_again.status_code == 429


def test_the_code_step_expires(enrolled):
    client = Client()
    password_step(client, enrolled)

    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        response = client.post(LOGIN_CODE, {"code": totp_code(enrolled.device)})

    assert (response.status_code, response.url) == (302, LOGIN)
    assert signed_in_as(client) is None


def test_the_code_step_without_a_password_goes_back_to_login():
    response = Client().get(LOGIN_CODE)

    assert (response.status_code, response.url) == (302, LOGIN)


def test_a_recovery_code_signs_in_once(enrolled):
    code = enrolled.recovery[0]
    first, second = Client(), Client()

    password_step(first, enrolled)
    used = first.post(LOGIN_CODE, {"code": code.lower()})
    password_step(second, enrolled)
    reused = second.post(LOGIN_CODE, {"code": code})

    assert used.status_code == 302
    assert signed_in_as(first) == str(enrolled.pk)
    assert reused.context["form"].errors == {"code": ["This code is not valid."]}
    assert signed_in_as(second) is None
    assert RecoveryCode.objects.filter(user=enrolled, used_at__isnull=False).count() == 1


def test_an_investor_without_an_app_signs_in_with_the_password(investor):
    client = Client()

    response = password_step(client, investor)

    assert response.status_code == 302 and response.url != LOGIN_CODE
    assert signed_in_as(client) == str(investor.pk)


# --- recovery codes and turning it off ----------------------------------------------------------------


def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(enrolled, investor_client):
    old = enrolled.recovery

    wrong = investor_client.post(REGENERATE, {"regenerate-code": wrong_code(enrolled.device)})
    kept = set(RecoveryCode.objects.filter(user=enrolled).values_list("code_hash", flat=True))
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=False):
        right = investor_client.post(REGENERATE, {"regenerate-code": totp_code(enrolled.device)})
    shown = re.findall(r"<code>([A-Z0-9-]{14})</code>", investor_client.get(CODES).text)
    client = Client()
    password_step(client, enrolled)
    old_refused = client.post(LOGIN_CODE, {"code": old[1]})
    with time_machine.travel(timezone.now() + timedelta(seconds=80), tick=False):
        new_accepted = client.post(LOGIN_CODE, {"code": shown[0]})

    assert wrong.status_code == 400
    assert wrong.context["regenerate_form"].errors == {"code": ["This code is not valid."]}
    assert len(kept) == 10
    assert right.status_code == 302 and right.url == CODES
    assert len(shown) == 10 and not set(shown) & set(old)
    assert old_refused.context["form"].errors == {"code": ["This code is not valid."]}
    assert new_accepted.status_code == 302


def test_turning_it_off_needs_a_current_code(enrolled, investor_client):
    wrong = investor_client.post(DISABLE, {"disable-code": wrong_code(enrolled.device)})
    state_after_wrong = (devices(enrolled), RecoveryCode.objects.filter(user=enrolled).count())
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=False):
        right = investor_client.post(DISABLE, {"disable-code": totp_code(enrolled.device)})
    client = Client()
    sign_in = password_step(client, enrolled)

    assert wrong.status_code == 400
    assert wrong.context["disable_form"].errors == {"code": ["This code is not valid."]}
    assert state_after_wrong == ([True], 10)
    assert (right.status_code, right.url) == (302, SECURITY)
    assert (devices(enrolled), RecoveryCode.objects.filter(user=enrolled).count()) == ([], 0)
    assert list(UserEvent.objects.filter(user=enrolled, kind="mfa_reset").values_list("actor_id", "data")) == [
        (enrolled.pk, {"disabled_by_owner": True, "devices": 1, "recovery_codes": 10})
    ]
    assert sign_in.url != LOGIN_CODE and signed_in_as(client) == str(enrolled.pk)


def test_staff_cannot_turn_it_off_in_the_portal():
    staff = StaffFactory()
    device = device_for(staff)
    client = Client()
    client.force_login(staff)

    page = client.get(SECURITY)
    response = client.post(DISABLE, {"disable-code": totp_code(device)})

    assert 'id="mfa-disable-form"' not in page.text
    assert response.status_code == 400
    assert response.context["disable_form"].errors == {
        "__all__": ["Staff accounts must keep two-factor authentication."]
    }
    assert devices(staff) == [True]


# --- the API sign-in ------------------------------------------------------------------------------------


def test_the_api_sign_in_of_an_investor_with_an_app_needs_the_code(enrolled, api_client):
    body = {"email": enrolled.email, "password": DEFAULT_PASSWORD}

    missing = api_client.post("/api/auth/login/", body, format="json")
    accepted = api_client.post("/api/auth/login/", {**body, "otp": totp_code(enrolled.device)}, format="json")

    assert (missing.status_code, missing.json()["code"]) == (401, "otp_required")
    assert "access" not in missing.json()
    assert accepted.status_code == 200 and accepted.json()["access"]
