"""Two-factor test material: a confirmed device, its current code, and a signed-in admin client
whose session gave a code at a chosen moment."""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.mfa import services
from apps.accounts.mfa.selectors import SESSION_VERIFIED_AT


def device_for(user) -> TOTPDevice:
    return services.totp_device_create(user=user, confirmed=True)


def totp_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The device's code now (``offset_steps`` 30-second steps later)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    right = totp_code(device)
    return "000000" if right != "000000" else "111111"


def verified_client(user, device: TOTPDevice, *, verified_at: float | None = None) -> Client:
    """A client signed in as ``user`` whose session gave a code at ``verified_at`` (now)."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_VERIFIED_AT] = int(time.time() if verified_at is None else verified_at)
    session.save()
    return client
