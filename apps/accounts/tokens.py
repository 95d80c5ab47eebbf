"""Signed, single-string tokens for email verification and password reset.

A verification token names the user and the email it was sent to, so it dies when the email
changes. A reset token wraps Django's password-reset token, which dies when the password
changes or the user signs in again.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing

_VERIFY_SALT = "bursar.accounts.email-verify"
_RESET_SALT = "bursar.accounts.password-reset"


def email_verification_token_make(*, user) -> str:
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=_VERIFY_SALT, compress=True)


def email_verification_token_read(*, token: str) -> tuple[int, str] | None:
    max_age = settings.EMAIL_VERIFICATION_MAX_AGE_DAYS * 86400
    try:
        payload = signing.loads(token, salt=_VERIFY_SALT, max_age=max_age)
        return int(payload["u"]), str(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def password_reset_token_make(*, user) -> str:
    return signing.dumps({"u": user.pk, "t": default_token_generator.make_token(user)}, salt=_RESET_SALT, compress=True)


def password_reset_token_read(*, token: str) -> tuple[int, str] | None:
    try:
        payload = signing.loads(token, salt=_RESET_SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
        return int(payload["u"]), str(payload["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def password_reset_token_check(*, user, inner_token: str) -> bool:
    return default_token_generator.check_token(user, inner_token)
