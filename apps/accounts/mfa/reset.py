"""Removing an account's second factor: a superuser's reset of another account (its owner lost the
phone and the recovery codes), and an investor turning their optional authenticator app off.

Either removes every TOTP device of the account and its recovery codes, records an account event
(``mfa_reset``, with the actor) and revokes the account's API refresh tokens (they were issued
against the removed device). A staff member without a device is sent to enrolment at their next
sign-in (``StaffMfaMiddleware``; the API answers ``otp_enrolment_required``)."""

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.mfa import selectors, services
from apps.accounts.mfa.models import RecoveryCode
from apps.accounts.models import User, UserEvent
from apps.accounts.services import auth_tokens_revoke_all, user_event_record
from apps.common.errors import ApplicationError


def _second_factor_remove(*, user: User, actor: User, data: dict) -> None:
    locked = User.objects.select_for_update().get(pk=user.pk)
    devices = TOTPDevice.objects.filter(user=locked)
    if not devices.filter(confirmed=True).exists():
        raise ApplicationError(_("This account has no authenticator app set up."), code="mfa_not_enrolled")
    device_count = devices.delete()[0]
    code_count = RecoveryCode.objects.filter(user=locked).delete()[0]
    user_event_record(
        user=locked,
        kind=UserEvent.Kind.MFA_RESET,
        actor=actor,
        data={**data, "devices": device_count, "recovery_codes": code_count},
    )
    auth_tokens_revoke_all(user=locked)


@transaction.atomic
def mfa_reset(*, user: User, actor: User) -> None:
    """A superuser resets another account's two-factor authentication. Refused to anyone else
    (``permission_denied``, 403) and on the superuser's own account (``mfa_reset_self``, 403): a
    session alone must never be enough to strip its own second factor (whoever took over a
    superuser's session could then enrol their own phone); a superuser who lost theirs uses a
    recovery code, asks another superuser, or runs ``manage.py totp_device_create --replace``."""
    if not (actor.is_active and actor.is_superuser):
        raise ApplicationError(
            _("Only a superuser can reset two-factor authentication."), code="permission_denied", status_code=403
        )
    if actor.pk == user.pk:
        raise ApplicationError(
            _("You cannot reset your own two-factor authentication: use a recovery code, or ask another superuser."),
            code="mfa_reset_self",
            status_code=403,
        )
    _second_factor_remove(user=user, actor=actor, data={"reset_by": actor.email})


def mfa_disable(*, request: HttpRequest, user: User, code: str) -> None:
    """An investor turns their authenticator app off, with a current code (or a recovery code). A
    wrong code counts toward the lock-out and changes nothing else. Staff cannot: their second
    factor is required (``mfa_required``)."""
    if user.is_staff:
        raise ApplicationError(
            _("Staff accounts must keep two-factor authentication."), code="mfa_required", status_code=403
        )
    if services.mfa_code_check(request=request, user=user, code=code) is None:
        raise ApplicationError(_("This code is not valid."), code="otp_invalid", field="code")
    with transaction.atomic():
        _second_factor_remove(user=user, actor=user, data={"disabled_by_owner": True})


def recovery_codes_regenerate(*, request: HttpRequest, user: User, code: str) -> list[str]:
    """A new set of recovery codes for the account's owner, with a current code (the old set stops
    working); returned once, to be shown once. A wrong code counts and changes nothing else."""
    if not selectors.mfa_enrolled(user=user):
        raise ApplicationError(_("This account has no authenticator app set up."), code="mfa_not_enrolled")
    if services.mfa_code_check(request=request, user=user, code=code) is None:
        raise ApplicationError(_("This code is not valid."), code="otp_invalid", field="code")
    return services.recovery_codes_generate(user=user, actor=user)
