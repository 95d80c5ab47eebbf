"""apps.accounts.mfa services and selectors: TOTP devices (RFC 6238, checked against a code computed
here with hmac/hashlib), recovery codes (single-use, stored as HMAC digests), failures counted
toward the django-axes lock-out, and the session's freshness for step-up."""

import hashlib
import hmac
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.lockout import lockout_status_for_user
from apps.accounts.mfa import selectors, services
from apps.accounts.mfa.models import RecoveryCode
from apps.accounts.models import UserEvent
from apps.common.errors import ApplicationError
from tests.factories import StaffFactory, UserFactory
from tests.mfa import device_code, totp_code

pytestmark = pytest.mark.django_db


def signed_in_request(user, session=None):
    """A request of ``user``'s session as the middleware stack sees it (``user.is_verified()``)."""
    request = RequestFactory().post("/admin/mfa/verify/")
    request.session = session or SessionStore()
    request.user = user
    return OTPMiddleware(lambda req: req)(request)


def kinds(user) -> list[str]:
    return list(UserEvent.objects.filter(user=user).order_by("id").values_list("kind", flat=True))


def test_a_device_follows_rfc_6238_with_the_django_otp_defaults():
    staff = StaffFactory(email="ada@bursar.example")
    device = services.totp_device_create(user=staff, confirmed=True)
    assert (device.step, device.digits, device.t0, device.tolerance, device.confirmed) == (30, 6, 0, 1, True)
    assert re.fullmatch(r"[0-9a-f]{40}", device.key)  # 20 random bytes
    secret = services.totp_secret_base32(device=device)
    assert device.config_url == (
        f"otpauth://totp/Bursar%3Aada%40bursar.example?secret={secret}&algorithm=SHA1&digits=6&period=30&issuer=Bursar"
    )
    request = signed_in_request(staff)
    assert services.mfa_verify(request=request, user=staff, code=totp_code(device.key)) is True
    assert kinds(staff) == [UserEvent.Kind.MFA_ENROLLED]


def test_the_rfc_6238_test_vector_is_reproduced():
    # RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); the 6-digit code is its last six.
    key = b"12345678901234567890".hex()
    assert totp_code(key, counter=59 // 30, digits=8) == "94287082"
    assert totp_code(key, counter=59 // 30) == "287082"


def test_a_code_is_accepted_once():
    staff = StaffFactory()
    device = services.totp_device_create(user=staff, confirmed=True)
    code = device_code(device)
    assert services.mfa_verify(request=signed_in_request(staff), user=staff, code=code) is True
    assert services.mfa_verify(request=signed_in_request(staff), user=staff, code=code) is False


def test_a_second_device_is_refused_unless_replaced(unchanged_db):
    staff = StaffFactory()
    first = services.totp_device_create(user=staff, confirmed=True)
    services.recovery_codes_generate(user=staff)
    with unchanged_db(), pytest.raises(ApplicationError) as refused:
        services.totp_device_create(user=staff, confirmed=True)
    assert refused.value.code == "mfa_device_exists"
    second = services.totp_device_create(user=staff, confirmed=True, replace=True)
    assert list(TOTPDevice.objects.filter(user=staff).values_list("pk", flat=True)) == [second.pk]
    assert second.key != first.key
    assert RecoveryCode.objects.filter(user=staff).count() == 0


def test_required_for_staff_always_and_for_investors_with_a_confirmed_device():
    staff, investor, enrolling, enrolled = StaffFactory(), UserFactory(), UserFactory(), UserFactory()
    services.totp_device_create(user=enrolling, confirmed=False)
    services.totp_device_create(user=enrolled, confirmed=True)
    assert [selectors.mfa_required_for(user=user) for user in (staff, investor, enrolling, enrolled)] == [
        True,
        False,
        False,
        True,
    ]


def test_recovery_codes_are_single_use_and_stored_as_digests_only():
    staff = StaffFactory()
    services.totp_device_create(user=staff, confirmed=True)
    codes = services.recovery_codes_generate(user=staff, actor=staff)
    assert len(codes) == 10 == len(set(codes))
    assert all(re.fullmatch(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}", code) for code in codes)
    stored = list(RecoveryCode.objects.filter(user=staff).values_list("code_hash", flat=True))
    key = hashlib.sha256(("apps.accounts.mfa.recovery_code" + settings.SECRET_KEY).encode()).digest()
    expected = {hmac.new(key, code.replace("-", "").encode(), hashlib.sha256).hexdigest() for code in codes}
    assert set(stored) == expected
    assert not any(code.replace("-", "") in digest.upper() for code in codes for digest in stored)

    # Typed in lower case with spaces: accepted once, recorded; the second time it counts as a failure.
    typed = codes[3].lower().replace("-", " ")
    assert services.mfa_verify(request=signed_in_request(staff), user=staff, code=typed) is True
    event = UserEvent.objects.filter(user=staff, kind=UserEvent.Kind.MFA_RECOVERY_CODE_USED).get()
    assert (event.actor_id, event.data) == (staff.pk, {"remaining": 9})
    assert services.mfa_verify(request=signed_in_request(staff), user=staff, code=codes[3]) is False
    assert lockout_status_for_user(user=staff).failures == 1
    assert RecoveryCode.objects.filter(user=staff, used_at__isnull=True).count() == 9


def test_new_recovery_codes_end_the_old_ones():
    staff = StaffFactory()
    services.totp_device_create(user=staff, confirmed=True)
    old = services.recovery_codes_generate(user=staff)
    new = services.recovery_codes_generate(user=staff)
    assert services.mfa_verify(request=signed_in_request(staff), user=staff, code=old[0]) is False
    assert services.mfa_verify(request=signed_in_request(staff), user=staff, code=new[0]) is True
    assert kinds(staff).count(UserEvent.Kind.MFA_RECOVERY_CODES_GENERATED) == 2


def test_wrong_codes_count_toward_the_lock_out_and_a_locked_account_is_refused_with_a_right_code(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own per-device delay is tested by django-otp
    staff = StaffFactory()
    device = services.totp_device_create(user=staff, confirmed=True)
    for attempt in range(1, 5):
        assert services.mfa_verify(request=signed_in_request(staff), user=staff, code="000000") is False
        assert lockout_status_for_user(user=staff).failures == attempt
    request = signed_in_request(staff)
    assert services.mfa_verify(request=request, user=staff, code="not a code") is False
    assert request.axes_locked_out is True
    assert lockout_status_for_user(user=staff).locked is True
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [staff.email.lower()]
    request = signed_in_request(staff)
    with pytest.raises(ApplicationError) as refused:
        services.mfa_verify(request=request, user=staff, code=device_code(device))
    assert (refused.value.code, refused.value.status_code) == ("login_locked", 429)
    assert "mfa_verified_at" not in request.session
    assert request.user.is_verified() is False


def test_enrolment_confirms_the_device_with_its_first_code_and_makes_recovery_codes(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    staff = StaffFactory()
    device = services.totp_device_create(user=staff, confirmed=False)
    request = signed_in_request(staff)
    with pytest.raises(ApplicationError) as refused:
        services.totp_device_confirm(request=request, user=staff, code="123 45")
    assert refused.value.code == "otp_invalid"
    device.refresh_from_db()
    assert (device.confirmed, RecoveryCode.objects.count(), lockout_status_for_user(user=staff).failures) == (
        False,
        0,
        1,
    )
    codes = services.totp_device_confirm(request=request, user=staff, code=device_code(device))
    device.refresh_from_db()
    assert (device.confirmed, len(codes), RecoveryCode.objects.filter(user=staff).count()) == (True, 10, 10)
    assert kinds(staff) == [UserEvent.Kind.MFA_RECOVERY_CODES_GENERATED, UserEvent.Kind.MFA_ENROLLED]
    assert isinstance(request.session["mfa_verified_at"], int)
    with pytest.raises(ApplicationError) as again:
        services.totp_device_confirm(request=request, user=staff, code="000000")
    assert again.value.code == "mfa_device_exists"


def test_step_up_is_fresh_for_the_configured_minutes(settings):
    settings.MFA_STEP_UP_MINUTES = 15
    staff = StaffFactory()
    device = services.totp_device_create(user=staff, confirmed=True)
    session = SessionStore()
    assert selectors.mfa_step_up_fresh(request=signed_in_request(staff, session)) is False
    start = time.time()
    with time_machine.travel(start, tick=False):
        assert services.mfa_verify(request=signed_in_request(staff, session), user=staff, code=device_code(device))
        assert session["mfa_verified_at"] == int(start)
    with time_machine.travel(int(start) + 15 * 60, tick=False):
        assert selectors.mfa_step_up_fresh(request=signed_in_request(staff, session)) is True
    with time_machine.travel(int(start) + 15 * 60 + 1, tick=False):
        assert selectors.mfa_step_up_fresh(request=signed_in_request(staff, session)) is False
    # A device replaced since then: the session is no longer verified, so not fresh either.
    with time_machine.travel(int(start) + 60, tick=False):
        services.totp_device_create(user=staff, confirmed=True, replace=True)
        assert selectors.mfa_step_up_fresh(request=signed_in_request(staff, session)) is False


def _settings_value(name: str, **env) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env={
            **{key: value for key, value in os.environ.items() if key != "MFA_STEP_UP_MINUTES"},
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_step_up_minutes_come_from_the_environment_and_must_be_at_least_one():
    assert _settings_value("MFA_STEP_UP_MINUTES", MFA_STEP_UP_MINUTES="30").stdout.strip() == "30"
    assert _settings_value("MFA_STEP_UP_MINUTES").stdout.strip() == "15"
    refused = _settings_value("MFA_STEP_UP_MINUTES", MFA_STEP_UP_MINUTES="0")
    assert refused.returncode != 0
    assert "ImproperlyConfigured: MFA_STEP_UP_MINUTES must be at least 1." in refused.stderr
