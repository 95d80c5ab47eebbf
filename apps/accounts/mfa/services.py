"""Writes of two-factor authentication, and the code checks (which write: a used TOTP step, a used
recovery code, a failure counted toward the lock-out).

TOTP is django-otp's ``TOTPDevice`` with its defaults (RFC 6238: HMAC-SHA-1, 6 digits, 30-second
steps, one step of tolerance either way, a code never accepted twice). Recovery codes are our own
``RecoveryCode`` rows, HMAC-SHA256 digests only (see ``mfa.models``). Every wrong code is a failed
sign-in for django-axes (the same per-account counter as wrong passwords), and a locked-out account
is refused even with a right code.

Interface used by the admin, the API and step-up (``mfa_verify`` + ``mfa_step_up_fresh``):
``totp_device_create``, ``totp_device_confirm``, ``recovery_codes_generate``, ``mfa_verify``,
``mfa_code_check``, ``mfa_session_verified_mark``, ``mfa_login_check``; the reads
``mfa_required_for`` and ``mfa_step_up_fresh`` live in ``selectors`` and are re-exported here."""

import re
import secrets
import time
from base64 import b32encode

import django_otp
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.lockout import lockout_status_for_user
from apps.accounts.mfa.models import RecoveryCode
from apps.accounts.mfa.selectors import (
    SESSION_VERIFIED_AT,
    mfa_enrolled,
    mfa_required_for,
    mfa_step_up_fresh,
    totp_device_get,
)
from apps.accounts.models import User, UserEvent
from apps.accounts.services import user_event_record
from apps.common.errors import ApplicationError

__all__ = [
    "RECOVERY_CODE_LENGTH",
    "SESSION_VERIFIED_AT",
    "mfa_code_check",
    "mfa_login_check",
    "mfa_required_for",
    "mfa_session_verified_mark",
    "mfa_step_up_fresh",
    "mfa_verify",
    "recovery_codes_generate",
    "totp_device_confirm",
    "totp_device_create",
    "totp_secret_base32",
]

TOTP_DEVICE_NAME = "Authenticator app"
# 12 characters from an alphabet without look-alikes (31^12 ≈ 2^59), shown as XXXX-XXXX-XXXX.
RECOVERY_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
RECOVERY_CODE_LENGTH = 12
_RECOVERY_CODE_PATTERN = re.compile(rf"[{RECOVERY_CODE_ALPHABET}]{{{RECOVERY_CODE_LENGTH}}}")
_TOTP_PATTERN = re.compile(r"[0-9]{6}")
_HMAC_SALT = "apps.accounts.mfa.recovery_code"


def totp_secret_base32(*, device: TOTPDevice) -> str:
    """The device's secret as authenticator apps take it when typed in (base32, no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def _code_normalise(code: object) -> str:
    """What the user typed, without spaces and dashes, in capitals (recovery codes ignore case)."""
    text = "" if code is None else str(code)
    return "".join(ch for ch in text[:128] if not ch.isspace() and ch != "-").upper()


def _recovery_code_digest(normalised: str) -> str:
    return salted_hmac(_HMAC_SALT, normalised, algorithm="sha256").hexdigest()


def _recovery_code_new() -> str:
    raw = "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4))


def _django_request(request):
    """The Django request behind a DRF one (axes and sessions need the former)."""
    return getattr(request, "_request", request)


def _lockout_refuse(*, user: User) -> None:
    if lockout_status_for_user(user=user).locked:
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        message = _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
        raise ApplicationError(message, code="login_locked", status_code=429)


def _failure_record(*, request: HttpRequest, user: User) -> None:
    """A wrong code is a failed sign-in for django-axes, counted under the account like a wrong
    password (and the request is marked locked out when it reaches the limit)."""
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=_django_request(request))


# --- devices -----------------------------------------------------------------------------------


@transaction.atomic
def totp_device_create(
    *, user: User, confirmed: bool, replace: bool = False, key: str | None = None, actor: User | None = None
) -> TOTPDevice:
    """A TOTP device with a fresh random 20-byte secret (or ``key``, hex). An account has at most
    one confirmed device: with one already, ``replace=True`` removes it and its recovery codes,
    otherwise ``mfa_device_exists``. Devices still waiting for their first code are replaced.
    A device created confirmed is recorded as an enrolment."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    devices = TOTPDevice.objects.filter(user=locked)
    if devices.filter(confirmed=True).exists():
        if not replace:
            raise ApplicationError(_("This account already has an authenticator app set up."), code="mfa_device_exists")
        RecoveryCode.objects.filter(user=locked).delete()
        devices.delete()
    else:
        devices.filter(confirmed=False).delete()
    device = TOTPDevice(user=locked, name=TOTP_DEVICE_NAME, confirmed=confirmed)
    if key is not None:
        device.key = key
        device.full_clean(exclude=["user"])
    device.save()
    if confirmed:
        user_event_record(
            user=locked, kind=UserEvent.Kind.MFA_ENROLLED, actor=actor, data={"device": device.pk, "replaced": replace}
        )
    return device


def totp_device_confirm(*, request: HttpRequest, user: User, code: str) -> list[str]:
    """Enrolment: the first code from the app confirms the waiting device; the session counts as
    verified and a set of recovery codes is made (returned once, to be shown once). A wrong code
    counts toward the lock-out and changes nothing else."""
    _lockout_refuse(user=user)
    if mfa_enrolled(user=user):
        raise ApplicationError(_("This account already has an authenticator app set up."), code="mfa_device_exists")
    device = totp_device_get(user=user, confirmed=False)
    if device is None:
        raise ApplicationError(_("Start the set-up again."), code="mfa_enrolment_missing")
    normalised = _code_normalise(code)
    if not (_TOTP_PATTERN.fullmatch(normalised) and django_otp.verify_token(user, device.persistent_id, normalised)):
        _failure_record(request=request, user=user)
        raise ApplicationError(_("This code is not valid. Check your phone's clock and try again."), code="otp_invalid")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_generate(user=user, actor=user)
        user_event_record(user=user, kind=UserEvent.Kind.MFA_ENROLLED, actor=user, data={"device": device.pk})
    mfa_session_verified_mark(request=request, device=device)
    return codes


# --- recovery codes ----------------------------------------------------------------------------


@transaction.atomic
def recovery_codes_generate(*, user: User, actor: User | None = None) -> list[str]:
    """A new set of ``MFA_RECOVERY_CODE_COUNT`` one-time codes; the previous set stops working.
    Only their HMAC digests are stored: the returned codes are the only copy."""
    codes: list[str] = []
    while len(codes) < settings.MFA_RECOVERY_CODE_COUNT:
        code = _recovery_code_new()
        if code not in codes:
            codes.append(code)
    RecoveryCode.objects.filter(user=user).delete()
    now = timezone.now()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_recovery_code_digest(_code_normalise(c)), created_at=now) for c in codes]
    )
    user_event_record(
        user=user, kind=UserEvent.Kind.MFA_RECOVERY_CODES_GENERATED, actor=actor, data={"count": len(codes)}
    )
    return codes


def _recovery_code_use(*, user: User, normalised: str) -> bool:
    """Spend one unused recovery code (a conditional update: two requests never both spend it)."""
    if not _RECOVERY_CODE_PATTERN.fullmatch(normalised):
        return False
    with transaction.atomic():
        row = RecoveryCode.objects.filter(
            user=user, code_hash=_recovery_code_digest(normalised), used_at__isnull=True
        ).first()
        if row is None:
            return False
        if RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=timezone.now()) != 1:
            return False
        remaining = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
        user_event_record(
            user=user, kind=UserEvent.Kind.MFA_RECOVERY_CODE_USED, actor=user, data={"remaining": remaining}
        )
    return True


# --- checking a code ---------------------------------------------------------------------------


def mfa_code_check(*, request: HttpRequest, user: User, code: str) -> TOTPDevice | None:
    """The user's confirmed device when ``code`` is its current TOTP code or an unused recovery code
    (spent now), else ``None`` and a failure counted toward the lock-out. Does not touch the
    session (see ``mfa_verify``). A locked-out account is refused (``login_locked``, 429) even
    with a right code."""
    _lockout_refuse(user=user)
    device = totp_device_get(user=user, confirmed=True)
    normalised = _code_normalise(code)
    accepted = device is not None and (
        (_TOTP_PATTERN.fullmatch(normalised) and django_otp.verify_token(user, device.persistent_id, normalised))
        or _recovery_code_use(user=user, normalised=normalised)
    )
    if not accepted:
        _failure_record(request=request, user=user)
        return None
    device.refresh_from_db()
    return device


def mfa_session_verified_mark(*, request: HttpRequest, device: TOTPDevice) -> None:
    """Bind the device to the signed-in session (django-otp: ``user.is_verified()``) and note when
    (``request.session["mfa_verified_at"]``, epoch seconds) for step-up."""
    request = _django_request(request)
    django_otp.login(request, device)
    request.session[SESSION_VERIFIED_AT] = int(time.time())


def mfa_verify(*, request: HttpRequest, user: User, code: str) -> bool:
    """Check a code of the signed-in ``user`` (TOTP or recovery) and, when right, mark the session
    verified now (step-up fresh). A wrong code returns ``False`` and counts toward the lock-out; a
    locked-out account raises ``ApplicationError(code="login_locked")`` (429)."""
    device = mfa_code_check(request=request, user=user, code=code)
    if device is None:
        return False
    mfa_session_verified_mark(request=request, device=device)
    return True


def mfa_login_check(*, request: HttpRequest, user: User, code: str | None) -> TOTPDevice | None:
    """The second factor of a password sign-in (the API's ``otp``): nothing for an account that
    needs none; otherwise the device that accepted ``code``. Refusals are 401s:
    ``otp_enrolment_required`` (staff without a device: they enrol in the back office first),
    ``otp_required`` (no code given; not counted as a failure), ``otp_invalid`` (counted)."""
    if not mfa_required_for(user=user):
        return None
    if not mfa_enrolled(user=user):
        raise ApplicationError(
            _("Set up two-factor authentication by signing in to the back office first."),
            code="otp_enrolment_required",
            status_code=401,
        )
    if not _code_normalise(code):
        raise ApplicationError(
            _("Enter the 6-digit code from your authenticator app (or a recovery code) as otp."),
            code="otp_required",
            status_code=401,
        )
    device = mfa_code_check(request=request, user=user, code=code)
    if device is None:
        raise ApplicationError(_("This code is not valid."), code="otp_invalid", status_code=401)
    return device
