"""The API login's second factor (``otp``): staff always, investors once they set up a device; a
missing code is a 401 ``otp_required`` with no token, a wrong one a 401 that counts toward the
lock-out, a staff member without a device is told to enrol in the back office first."""

import pytest
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from apps.accounts.lockout import lockout_status_for_user
from apps.accounts.mfa import services
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.mfa import device_code, staff_device

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"


def login(api_client, user, **extra):
    return api_client.post(LOGIN, {"email": user.email, "password": DEFAULT_PASSWORD, **extra}, format="json")


def test_staff_without_the_code_get_otp_required_and_no_token(api_client):
    staff = StaffFactory()
    staff_device(staff)
    for extra in ({}, {"otp": ""}, {"otp": "  "}):
        response = login(api_client, staff, **extra)
        assert response.status_code == 401
        assert response.json() == {
            "detail": "Enter the 6-digit code from your authenticator app (or a recovery code) as otp.",
            "code": "otp_required",
        }
    assert OutstandingToken.objects.count() == 0
    assert lockout_status_for_user(user=staff).failures == 0
    staff.refresh_from_db()
    assert staff.last_login is None


def test_staff_with_a_wrong_code_get_a_401_that_counts_toward_the_lock_out(api_client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    staff = StaffFactory()
    device = staff_device(staff)
    wrong = "123456" if device_code(device) != "123456" else "654321"
    for attempt in range(1, 5):
        response = login(api_client, staff, otp=wrong)
        assert (response.status_code, response.json()) == (
            401,
            {"detail": "This code is not valid.", "code": "otp_invalid"},
        )
        assert lockout_status_for_user(user=staff).failures == attempt
    fifth = login(api_client, staff, otp=wrong)
    assert (fifth.status_code, fifth.json()["code"]) == (429, "login_locked")
    locked = login(api_client, staff, otp=device_code(device))
    assert (locked.status_code, locked.json()["code"]) == (429, "login_locked")
    assert OutstandingToken.objects.count() == 0


def test_staff_with_the_right_code_get_their_tokens(api_client):
    staff = StaffFactory()
    device = staff_device(staff)
    response = login(api_client, staff, otp=device_code(device))
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "admin"
    assert set(response.json()) == {"access", "refresh", "user"}
    assert OutstandingToken.objects.filter(user=staff).count() == 1


def test_a_recovery_code_signs_staff_in_once(api_client):
    staff = StaffFactory()
    services.totp_device_create(user=staff, confirmed=True)
    code = services.recovery_codes_generate(user=staff)[0]
    assert login(api_client, staff, otp=code).status_code == 200
    again = login(api_client, staff, otp=code)
    assert (again.status_code, again.json()["code"]) == (401, "otp_invalid")


def test_staff_without_a_device_are_told_to_enrol_in_the_back_office(api_client):
    staff = StaffFactory()
    response = login(api_client, staff, otp="123456")
    assert (response.status_code, response.json()["code"]) == (401, "otp_enrolment_required")
    assert OutstandingToken.objects.count() == 0


def test_investors_without_a_device_sign_in_as_before(api_client):
    investor = UserFactory()
    assert login(api_client, investor).status_code == 200
    assert login(api_client, investor, otp="").status_code == 200


def test_investors_with_a_device_need_its_code(api_client):
    investor = UserFactory()
    device = services.totp_device_create(user=investor, confirmed=True)
    response = login(api_client, investor)
    assert (response.status_code, response.json()["code"]) == (401, "otp_required")
    assert login(api_client, investor, otp=device_code(device)).status_code == 200


def test_a_wrong_password_is_refused_before_the_code_is_looked_at(api_client):
    staff = StaffFactory()
    device = staff_device(staff)
    response = api_client.post(
        LOGIN, {"email": staff.email, "password": "wrong", "otp": device_code(device)}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (401, "invalid_credentials")
    device.refresh_from_db()
    assert device.last_t == -1  # the code was not spent


def test_the_schema_lists_otp_as_optional_and_the_401_codes(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    body = schema["paths"]["/api/auth/login/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    name = body["$ref"].rsplit("/", 1)[1]
    login_schema = schema["components"]["schemas"][name]
    assert set(login_schema["properties"]) == {"email", "password", "otp"}
    assert login_schema["required"] == ["email", "password"]
    assert login_schema["properties"]["otp"]["maxLength"] == 32
    description = schema["paths"]["/api/auth/login/"]["post"]["responses"]["401"]["description"]
    for code in ("invalid_credentials", "otp_required", "otp_invalid", "otp_enrolment_required"):
        assert f"`{code}`" in description
