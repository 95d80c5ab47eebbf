"""Two-factor helpers for tests. Staff sessions are verified the real way: a confirmed TOTP device
of the user bound to the session by django-otp (as the code step does), or a code computed here
and typed into the sign-in form. ``totp_code`` is RFC 6238 written out with ``hmac``/``hashlib``
(not django-otp), so a test that logs in with it also proves the server follows the standard."""

import hashlib
import hmac
import struct
import time
from binascii import unhexlify

from django.http import HttpRequest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

# Django's own force_login, kept before tests/conftest.py wraps it (staff sessions verified).
FORCE_LOGIN = Client.force_login


def totp_code(key_hex: str, *, counter: int | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 (HOTP of RFC 4226 over the time step): HMAC-SHA-1, dynamic truncation."""
    if counter is None:
        counter = int(time.time() // step)
    mac = hmac.new(unhexlify(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{value:0{digits}d}"


def device_code(device: TOTPDevice) -> str:
    """A code the device accepts now: the current step's, or a later one within its tolerance when
    the current one was used already (a code is never accepted twice)."""
    device.refresh_from_db()
    center = int(time.time() // device.step) + device.drift
    counter = max(center, device.last_t + 1)
    if counter > center + device.tolerance:  # pragma: no cover - every allowed step used: wait one
        time.sleep((counter - center - device.tolerance) * device.step)
    return totp_code(device.key, counter=counter, step=device.step, digits=device.digits)


def staff_device(user) -> TOTPDevice:
    """The user's confirmed TOTP device, made when missing (a fixture: no account event)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def session_verify(client: Client, user) -> TOTPDevice:
    """Bind the user's confirmed device to the client's signed-in session, as a right code at the
    code step does (``mfa_session_verified_mark``: django_otp.login and ``mfa_verified_at``)."""
    from apps.accounts.mfa.services import mfa_session_verified_mark

    device = staff_device(user)
    session = client.session
    request = HttpRequest()
    request.session = session
    request.user = user
    mfa_session_verified_mark(request=request, device=device)
    session.save()
    return device


def force_login_unverified(client: Client, user) -> None:
    """Sign in without the second factor (what a password alone gives): for tests of enforcement."""
    FORCE_LOGIN(client, user)


def admin_code_for(email: str) -> str:
    """For a browser test typing into the admin's sign-in form: a code of this staff member's
    device (made when missing)."""
    from apps.accounts.models import User

    return device_code(staff_device(User.objects.get(email__iexact=email)))


def staff_otp(user) -> str:
    """The ``otp`` of an API sign-in: a code of the user's device (made when missing)."""
    return device_code(staff_device(user))
