"""Staff two-factor in the back office: the sign-in form's code, enrolment on the first sign-in
(nothing else of the admin opens until then), the code step of an unverified session, recovery
codes at sign-in, and wrong codes counted toward the lock-out."""

import re
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.lockout import lockout_status_for_user
from apps.accounts.mfa import services
from apps.accounts.mfa.models import RecoveryCode
from apps.accounts.models import UserEvent
from tests.factories import DEFAULT_PASSWORD, StaffFactory, SuperuserFactory, UserFactory
from tests.mfa import device_code, force_login_unverified, staff_device, totp_code

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
ENROL = "/admin/mfa/enrol/"


def sign_in(client: Client, user, otp: str | None = None):
    data = {"username": user.email, "password": DEFAULT_PASSWORD}
    if otp is not None:
        data["otp"] = otp
    return client.post(LOGIN, data)


def form_errors(response) -> list[str]:
    return [str(error) for error in response.context["form"].non_field_errors()]


def test_the_sign_in_form_has_a_code_field():
    page = Client().get("/admin/login/")
    assert page.status_code == 200
    assert re.search(r'<input type="text" name="otp"[^>]*autocomplete="one-time-code"', page.text)
    assert 'action="/admin/login/?next=/admin/"' in page.text


def test_staff_without_a_device_sign_in_with_the_password_and_reach_only_enrolment():
    staff = StaffFactory()
    client = Client()
    response = sign_in(client, staff)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    for path in ["/admin/", "/admin/accounts/user/", "/admin/wallet/deposit/", "/admin/reports/", "/admin/mfa/verify/"]:
        response = client.get(path)
        assert (path, response.status_code, response["Location"]) == (path, 302, ENROL)
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed is False
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    assert b32decode(secret + "=" * (-len(secret) % 8)).hex() == device.key
    assert "<svg" in page.text and "<script" not in page.text.split('id="mfa-enrol"')[1].split("</form>")[0]
    # Reloading keeps the same secret (the app may be half set up).
    assert secret in client.get(ENROL).text.replace(" ", "")
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_enrolment_confirms_with_a_code_and_shows_the_recovery_codes_once(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    staff = StaffFactory()
    client = Client()
    sign_in(client, staff)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=staff)
    wrong = client.post(ENROL, {"code": "000000" if totp_code(device.key) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors == {"code": ["This code is not valid. Check your phone's clock and try again."]}
    device.refresh_from_db()
    assert (device.confirmed, lockout_status_for_user(user=staff).failures) == (False, 1)
    response = client.post(ENROL, {"code": totp_code(device.key)})
    assert (response.status_code, response["Location"]) == (302, "/admin/mfa/recovery-codes/")
    shown = client.get("/admin/mfa/recovery-codes/")
    codes = re.findall(r"<li[^>]*>\s*([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\s*</li>", shown.text)
    assert len(codes) == 10 == RecoveryCode.objects.filter(user=staff, used_at__isnull=True).count()
    again = client.get("/admin/mfa/recovery-codes/")
    assert (again.status_code, again["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    assert client.get(ENROL)["Location"] == "/admin/"  # enrolled: no second device
    assert list(UserEvent.objects.filter(user=staff).values_list("kind", flat=True).order_by("id")) == [
        UserEvent.Kind.MFA_RECOVERY_CODES_GENERATED,
        UserEvent.Kind.MFA_ENROLLED,
    ]
    # One of those codes signs in, once.
    other = Client()
    assert sign_in(other, staff, otp=codes[0])["Location"] == "/admin/"
    assert other.get("/admin/").status_code == 200
    refused = sign_in(Client(), staff, otp=codes[0])
    assert form_errors(refused) == ["This code is not valid."]


def test_enrolled_staff_give_the_code_with_the_password():
    staff = StaffFactory()
    device = staff_device(staff)
    client = Client()
    missing = sign_in(client, staff)
    assert form_errors(missing) == ["Enter the code from your authenticator app."]
    assert lockout_status_for_user(user=staff).failures == 0  # no code typed: not a guess
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    response = sign_in(client, staff, otp=device_code(device))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    assert isinstance(client.session["mfa_verified_at"], int)


def test_a_wrong_code_at_sign_in_is_a_failure_and_five_lock_the_account_out(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    staff = StaffFactory()
    device = staff_device(staff)
    client = Client()
    for attempt in range(1, 5):
        response = sign_in(client, staff, otp="999999" if device_code(device) != "999999" else "888888")
        assert form_errors(response) == ["This code is not valid."]
        assert lockout_status_for_user(user=staff).failures == attempt
    assert sign_in(client, staff, otp="12").status_code == 429
    locked = sign_in(client, staff, otp=device_code(device))
    assert locked.status_code == 429
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"


def test_an_unverified_staff_session_is_sent_to_the_code_step_and_back():
    staff = SuperuserFactory()
    device = staff_device(staff)
    client = Client()
    force_login_unverified(client, staff)
    response = client.get("/admin/wallet/deposit/?status__exact=pending")
    assert (response.status_code, response["Location"]) == (
        302,
        "/admin/mfa/verify/?next=%2Fadmin%2Fwallet%2Fdeposit%2F%3Fstatus__exact%3Dpending",
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="next" value="/admin/wallet/deposit/?status__exact=pending"' in page.text
    wrong = client.post("/admin/mfa/verify/", {"code": "abc", "next": "/admin/wallet/deposit/"})
    assert wrong.context["form"].errors == {"code": ["This code is not valid."]}
    assert lockout_status_for_user(user=staff).failures == 1
    right = client.post("/admin/mfa/verify/", {"code": device_code(device), "next": "/admin/wallet/deposit/"})
    assert (right.status_code, right["Location"]) == (302, "/admin/wallet/deposit/")
    assert client.get("/admin/wallet/deposit/").status_code == 200


def test_the_code_step_never_sends_anyone_to_another_site():
    staff = StaffFactory()
    device = staff_device(staff)
    client = Client()
    force_login_unverified(client, staff)
    response = client.post("/admin/mfa/verify/", {"code": device_code(device), "next": "https://evil.example/"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_the_two_factor_pages_are_for_signed_in_staff_only(investor):
    assert Client().get(ENROL)["Location"] == "/admin/login/?next=/admin/mfa/enrol/"
    client = Client()
    client.force_login(investor)
    for path in [ENROL, "/admin/mfa/verify/", "/admin/mfa/recovery-codes/"]:
        assert client.get(path)["Location"] == f"/admin/login/?next={path}"
    assert not TOTPDevice.objects.exists()


def test_investors_with_a_device_still_cannot_enter_the_admin():
    investor = UserFactory()
    device = services.totp_device_create(user=investor, confirmed=True)
    response = sign_in(Client(), investor, otp=device_code(device))
    assert response.status_code == 200
    assert "Please enter the correct email address and password for a staff account" in form_errors(response)[0]


def test_a_wrong_code_is_masked_in_the_kept_failure_like_the_password():
    from axes.models import AccessAttempt

    staff = StaffFactory()
    device = staff_device(staff)
    wrong = "999999" if device_code(device) != "999999" else "888888"
    sign_in(Client(), staff, otp=wrong)
    (failure,) = AccessAttempt.objects.filter(username=staff.email)
    assert wrong not in failure.post_data and DEFAULT_PASSWORD not in failure.post_data
    assert "otp=********************" in failure.post_data
