"""Reads of two-factor authentication: a user's TOTP device, whether they must give a code, and
whether the session's last code is fresh enough for a sensitive action (step-up)."""

import time

from django.conf import settings
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import User

# The session key of the moment (epoch seconds) the session last gave a valid code.
SESSION_VERIFIED_AT = "mfa_verified_at"


def totp_device_get(*, user: User, confirmed: bool = True) -> TOTPDevice | None:
    """The user's TOTP device (confirmed, or the one waiting for its first code), newest first."""
    if user is None or not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def mfa_enrolled(*, user: User) -> bool:
    """Whether the user has a confirmed TOTP device."""
    return totp_device_get(user=user, confirmed=True) is not None


def mfa_required_for(*, user: User) -> bool:
    """Staff always give a second factor; investors only once they have set up a device."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_staff) or mfa_enrolled(user=user)


def session_verified(*, request: HttpRequest) -> bool:
    """Whether this session gave a valid code (django-otp's ``is_verified``: a confirmed device of
    the signed-in user is bound to the session)."""
    user = getattr(request, "user", None)
    is_verified = getattr(user, "is_verified", None)
    return bool(user is not None and user.is_authenticated and is_verified is not None and is_verified())


def mfa_step_up_fresh(*, request: HttpRequest) -> bool:
    """Whether the session's last valid code is at most ``MFA_STEP_UP_MINUTES`` old (and the
    session is still verified: a device removed since then makes it stale)."""
    verified_at = request.session.get(SESSION_VERIFIED_AT)
    if not isinstance(verified_at, int | float) or isinstance(verified_at, bool):
        return False
    age = time.time() - verified_at
    # a minute of clock difference between processes is tolerated
    return -60 <= age <= settings.MFA_STEP_UP_MINUTES * 60 and session_verified(request=request)


def recovery_code_count_unused(*, user: User) -> int:
    return user.recovery_codes.filter(used_at__isnull=True).count()


def user_active_get(*, user_id: object) -> User | None:
    """An active account by id (the portal's sign-in waiting for its code); ``None`` for a bad id."""
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()
