"""Every write on accounts. Interfaces (portal, API, admin, commands) call these."""

import secrets
import time
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from apps.accounts import selectors, tokens
from apps.accounts.models import (
    REFERRAL_CODE_ALPHABET,
    REFERRAL_CODE_LENGTH,
    STAFF_NOTE_MAX_LENGTH,
    Language,
    StaffNote,
    User,
    UserEvent,
)
from apps.common.errors import ApplicationError
from apps.common.notices import notice_send, notice_sent_since

PROFILE_FIELDS = ("username", "first_name", "last_name", "phone", "country", "language")
_REFERRAL_CODE_ATTEMPTS = 12


def referral_code_generate() -> str:
    return "".join(secrets.choice(REFERRAL_CODE_ALPHABET) for _ in range(REFERRAL_CODE_LENGTH))


def user_event_record(*, user: User, kind: str, actor: User | None = None, data: Mapping | None = None) -> UserEvent:
    return UserEvent.objects.create(user=user, actor=actor, kind=kind, data=dict(data or {}))


def _password_validate(*, password: str, user: User, field: str = "password") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="password_invalid", field=field) from exc


def _profile_clean(*, user: User, fields: Mapping[str, object]) -> dict:
    """Validate profile fields with the model's validators; return the cleaned values."""
    cleaned = {}
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ApplicationError(_("This field cannot be changed."), code="field_not_editable", field=name)
        value = "" if value is None else str(value).strip()
        if name == "username":
            value = value or None
            if value and selectors.user_username_taken(username=value, exclude_id=user.pk):
                raise ApplicationError(_("This username is taken."), code="username_taken", field="username")
        if name == "language" and value not in Language.values:
            raise ApplicationError(_("Choose English or Arabic."), code="language_invalid", field="language")
        try:
            if value:
                User._meta.get_field(name).run_validators(value)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), code="invalid", field=name) from exc
        max_length = User._meta.get_field(name).max_length
        if value and max_length and len(value) > max_length:
            raise ApplicationError(_("Too long."), code="invalid", field=name)
        cleaned[name] = value
    return cleaned


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    referred_by: User | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    is_email_verified: bool = False,
    actor: User | None = None,
    **profile,
) -> User:
    """Create a user with a fresh referral code (insert-or-retry over the unique constraint)."""
    email = User.objects.normalize_email((email or "").strip())
    if not email:
        raise ApplicationError(_("Enter an email address."), code="email_required", field="email")
    if selectors.user_email_taken(email=email):
        raise ApplicationError(_("An account with this email already exists."), code="email_taken", field="email")
    user = User(
        email=email,
        referred_by=referred_by,
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
        is_email_verified=is_email_verified,
    )
    for name, value in _profile_clean(user=user, fields=profile).items():
        setattr(user, name, value)
    user.set_password(password) if password else user.set_unusable_password()
    for _attempt in range(_REFERRAL_CODE_ATTEMPTS):
        user.referral_code = referral_code_generate()
        try:
            with transaction.atomic():
                user.save()
            break
        except IntegrityError:
            if selectors.user_email_taken(email=email):
                raise ApplicationError(
                    _("An account with this email already exists."), code="email_taken", field="email"
                ) from None
            if profile.get("username") and selectors.user_username_taken(username=profile["username"]):
                raise ApplicationError(_("This username is taken."), code="username_taken", field="username") from None
    else:  # pragma: no cover - 31^8 codes; twelve clashes in a row means something else is wrong
        raise ApplicationError(_("Could not allocate a referral code."), code="referral_code_exhausted")
    user_event_record(
        user=user,
        kind=UserEvent.Kind.SIGNED_UP,
        actor=actor,
        data={"referred_by": referred_by.pk if referred_by else None},
    )
    return user


def user_signup(*, email: str, password: str, referral_code: str | None = None, **profile) -> User:
    """Public sign-up: validates the password and the optional referral code, then creates."""
    referrer = None
    if referral_code and referral_code.strip():
        referrer = selectors.user_get_by_referral_code(code=referral_code)
        if referrer is None:
            raise ApplicationError(
                _("This referral code does not exist."), code="referral_code_invalid", field="referral_code"
            )
        if referrer.email.lower() == (email or "").strip().lower():
            raise ApplicationError(
                _("You cannot use your own referral code."), code="referral_code_invalid", field="referral_code"
            )
    candidate = User(email=email, **{k: v for k, v in profile.items() if k in PROFILE_FIELDS})
    _password_validate(password=password, user=candidate)
    with transaction.atomic():
        user = user_create(email=email, password=password, referred_by=referrer, **profile)
        email_verification_send(user=user)
    return user


def email_verification_send(*, user: User) -> None:
    from apps.accounts.tasks import email_verification_send_task

    if not user.is_email_verified:
        transaction.on_commit(lambda: email_verification_send_task.delay(user.pk))


@transaction.atomic
def user_email_verify(*, token: str) -> User:
    parsed = tokens.email_verification_token_read(token=token or "")
    user = User.objects.select_for_update().filter(pk=parsed[0]).first() if parsed else None
    if user is None or user.email.lower() != parsed[1]:
        raise ApplicationError(
            _("This verification link is invalid or has expired."), code="token_invalid", field="token"
        )
    if not user.is_email_verified:
        user.is_email_verified = True
        user.save(update_fields=["is_email_verified", "updated_at"])
        user_event_record(user=user, kind=UserEvent.Kind.EMAIL_VERIFIED, actor=user)
    return user


def password_reset_request(*, email: str) -> None:
    """Send a reset link if an active account has this email; say nothing either way."""
    from apps.accounts.tasks import password_reset_email_send_task

    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is not None and user.has_usable_password():
        transaction.on_commit(lambda: password_reset_email_send_task.delay(user.pk))


@transaction.atomic
def password_reset_confirm(*, token: str, new_password: str) -> User:
    parsed = tokens.password_reset_token_read(token=token or "")
    user = User.objects.select_for_update().filter(pk=parsed[0], is_active=True).first() if parsed else None
    if user is None or not tokens.password_reset_token_check(user=user, inner_token=parsed[1]):
        raise ApplicationError(_("This reset link is invalid or has expired."), code="token_invalid", field="token")
    _password_validate(password=new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    user_event_record(user=user, kind=UserEvent.Kind.PASSWORD_RESET, actor=user)
    auth_tokens_revoke_all(user=user)  # whoever knew the old password loses their API sessions
    security_password_changed_notify(user=user)
    return user


@transaction.atomic
def password_change(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password or ""):
        raise ApplicationError(_("Your current password is wrong."), code="password_wrong", field="old_password")
    _password_validate(password=new_password, user=user, field="new_password")
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    user_event_record(user=user, kind=UserEvent.Kind.PASSWORD_CHANGED, actor=user)
    # Whoever knew the old password loses their API sessions; browser sessions end with the
    # password hash (the portal keeps the current one with ``update_session_auth_hash``).
    auth_tokens_revoke_all(user=user)
    security_password_changed_notify(user=user)
    return user


@transaction.atomic
def user_profile_update(*, user: User, fields: Mapping[str, object], actor: User | None = None) -> User:
    """Change profile fields only; anything else (email, roles, balances, codes) is refused."""
    cleaned = _profile_clean(user=user, fields=fields)
    changed = {name: value for name, value in cleaned.items() if getattr(user, name) != value}
    if not changed:
        return user
    for name, value in changed.items():
        setattr(user, name, value)
    try:
        with transaction.atomic():
            user.save(update_fields=[*changed, "updated_at"])
    except IntegrityError:
        raise ApplicationError(_("This username is taken."), code="username_taken", field="username") from None
    user_event_record(
        user=user, kind=UserEvent.Kind.PROFILE_UPDATED, actor=actor or user, data={"fields": sorted(changed)}
    )
    return user


def user_language_set(*, user: User, language: str) -> User:
    return user_profile_update(user=user, fields={"language": language})


@transaction.atomic
def user_active_set(*, user: User, is_active: bool, actor: User) -> User:
    """Deactivate or reactivate; users are never deleted once they exist."""
    if user.pk == actor.pk and not is_active:
        raise ApplicationError(_("You cannot deactivate yourself."), code="cannot_deactivate_self")
    if user.is_superuser and not actor.is_superuser:
        raise ApplicationError(_("Only a superuser can change a superuser."), code="permission_denied", status_code=403)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == is_active:
        return locked
    locked.is_active = is_active
    locked.save(update_fields=["is_active", "updated_at"])
    kind = UserEvent.Kind.REACTIVATED if is_active else UserEvent.Kind.DEACTIVATED
    user_event_record(user=locked, kind=kind, actor=actor)
    if not is_active:
        auth_tokens_revoke_all(user=locked)
    return locked


@transaction.atomic
def user_roles_set(
    *, user: User, actor: User, is_staff: bool, is_superuser: bool, groups: Iterable | None = None
) -> User:
    """Set a user's staff flag, superuser flag and roles (groups). Only superusers change roles; a
    superuser is always staff, only staff hold roles, and nobody drops their own superuser status."""
    if not actor.is_superuser:
        raise ApplicationError(_("Only a superuser can change roles."), code="permission_denied", status_code=403)
    is_staff = is_staff or is_superuser
    if user.pk == actor.pk and not is_superuser:
        raise ApplicationError(
            _("You cannot remove your own superuser status."), code="cannot_demote_self", field="is_superuser"
        )
    locked = User.objects.select_for_update().get(pk=user.pk)
    groups = sorted(set(groups), key=lambda group: group.pk) if groups is not None else list(locked.groups.all())
    if groups and not is_staff:
        raise ApplicationError(_("Only staff can hold roles."), code="roles_need_staff", field="groups")
    before = _roles_snapshot(locked)
    locked.is_staff, locked.is_superuser = is_staff, is_superuser
    locked.save(update_fields=["is_staff", "is_superuser", "updated_at"])
    locked.groups.set(groups)
    after = _roles_snapshot(locked)
    if after != before:
        user_event_record(
            user=locked, kind=UserEvent.Kind.ROLES_CHANGED, actor=actor, data={"from": before, "to": after}
        )
    return locked


def _roles_snapshot(user: User) -> dict:
    return {
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


@transaction.atomic
def user_password_set(*, user: User, password: str | None, actor: User) -> User:
    """A superuser sets another account's password (``None`` disables password sign-in). The
    user's refresh tokens are revoked; their sessions end with the password hash."""
    if not actor.is_superuser:
        raise ApplicationError(_("Only a superuser can set passwords."), code="permission_denied", status_code=403)
    locked = User.objects.select_for_update().get(pk=user.pk)
    if password is None:
        locked.set_unusable_password()
    else:
        _password_validate(password=password, user=locked, field="password1")
        locked.set_password(password)
    locked.save(update_fields=["password", "updated_at"])
    user_event_record(
        user=locked, kind=UserEvent.Kind.PASSWORD_CHANGED, actor=actor, data={"usable": password is not None}
    )
    auth_tokens_revoke_all(user=locked)
    security_password_changed_notify(user=locked)
    return locked


# --- security notices (always emailed, whatever the user's email preferences) ------------------
# Sent through apps.common.notices: messaging delivers them, and accounts sits below messaging.


def security_password_changed_notify(*, user: User) -> None:
    """Tell the account holder their password changed: if it was not them, they act at once."""
    notice_send(
        user=user,
        kind="security_password_changed",
        title=lambda: _("Your password was changed"),
        body=lambda: _(
            "The password of your account was just changed. If it was not you, reset it now from the "
            "sign-in page and contact support."
        ),
        link="/password/forgot/",
    )


@transaction.atomic
def security_lockout_notify(*, user: User) -> bool:
    """Tell the account holder that sign-ins are locked after repeated failures; once per lock-out
    period however many attempts are refused meanwhile. Returns whether a notice was written."""
    from django.utils import timezone

    locked = User.objects.select_for_update().filter(pk=user.pk, is_active=True).first()
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if locked is None or notice_sent_since(user=locked, kind="security_locked_out", since=since):
        return False
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    notice_send(
        user=locked,
        kind="security_locked_out",
        title=lambda: _("Sign-ins to your account are paused"),
        body=lambda: (
            ngettext(
                "There were too many failed sign-in attempts, so sign-ins are paused for %(minutes)d minute. "
                "If it was not you, change your password once you are back in.",
                "There were too many failed sign-in attempts, so sign-ins are paused for %(minutes)d minutes. "
                "If it was not you, change your password once you are back in.",
                minutes,
            )
            % {"minutes": minutes}
        ),
        link="/login/",
    )
    return True


# --- API tokens -------------------------------------------------------------------------------


def auth_login(
    *, request: HttpRequest, identifier: str, password: str, otp: str | None = None
) -> tuple[User, dict[str, str]]:
    """API sign-in by email or username: authenticate through Django so django-axes counts the
    failures and locks the account out, refuse deactivated accounts, ask for the second factor of
    staff and of investors who set one up (``otp``; a wrong code counts as a failure), record the
    login (``last_login``, axes' reset on success: only once both factors passed) and issue a token
    pair."""
    from apps.accounts.mfa.services import mfa_login_check

    user = authenticate(request, username=identifier, password=password)
    if getattr(request, "axes_locked_out", False):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        message = _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
        raise ApplicationError(message, code="login_locked", status_code=429)
    if user is None:
        raise ApplicationError(_("Invalid credentials"), code="invalid_credentials", status_code=401)
    if not user.is_active:
        raise ApplicationError(_("This account is deactivated."), code="account_inactive", status_code=403)
    device = mfa_login_check(request=request, user=user, code=otp)
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return user, auth_tokens_issue(user=user, otp_verified=device is not None)


def auth_tokens_issue(*, user: User, otp_verified: bool = False) -> dict[str, str]:
    """A token pair. ``otp_verified``: the sign-in checked a two-factor code just now; the tokens
    carry the moment (claim ``otp_verified_at``, kept by refreshed tokens) for step-up
    (``apps.accounts.mfa.step_up``)."""
    refresh = RefreshToken.for_user(user)
    if otp_verified:
        refresh["otp_verified_at"] = int(time.time())
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


def auth_refresh_revoke(*, user: User, refresh: str) -> None:
    """Log out: blacklist the caller's refresh token (a token of another user is refused)."""
    try:
        token = RefreshToken(refresh)
    except TokenError as exc:
        raise ApplicationError(
            _("This refresh token is invalid or expired."), code="token_invalid", field="refresh"
        ) from exc
    if str(token.get("user_id")) != str(user.pk):
        raise ApplicationError(_("This refresh token is invalid or expired."), code="token_invalid", field="refresh")
    token.blacklist()


def auth_tokens_revoke_all(*, user: User) -> None:
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    outstanding = OutstandingToken.objects.filter(user=user).exclude(blacklistedtoken__isnull=False)
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


# --- staff on an investor's account (the Investor 360) -----------------------------------------


@transaction.atomic
def staff_note_add(*, user: User, author: User, body: str) -> StaffNote:
    """An internal note about ``user``, by a staff member who may write notes. Notes are never
    changed or deleted: a correction is another note."""
    if not (author.is_staff and author.is_active and author.has_perm("accounts.add_staffnote")):
        raise ApplicationError(_("You may not write staff notes."), code="permission_denied", status_code=403)
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("Write the note."), code="note_required", field="body")
    if len(body) > STAFF_NOTE_MAX_LENGTH:
        message = _("Keep the note under %(limit)d characters.") % {"limit": STAFF_NOTE_MAX_LENGTH}
        raise ApplicationError(message, code="note_too_long", field="body")
    return StaffNote.objects.create(user=user, author=author, body=body)


@transaction.atomic
def user_unlock(*, user: User, actor: User) -> int:
    """Lift the lock-out django-axes put on an account after failed sign-ins: its failures are
    forgotten (through axes, from every address and browser) and the unlock is recorded with the
    staff member who did it. Returns how many failed sign-ins were forgotten."""
    from axes.utils import reset

    from apps.accounts.lockout import lockout_status_for_user, lockout_usernames

    if not actor.has_perm("accounts.unlock_user"):
        raise ApplicationError(_("You may not unlock accounts."), code="permission_denied", status_code=403)
    locked = User.objects.select_for_update().get(pk=user.pk)
    status = lockout_status_for_user(user=locked)
    if not status.locked:
        raise ApplicationError(_("This account is not locked."), code="not_locked")
    for username in lockout_usernames(user=locked):
        reset(username=username)
    user_event_record(user=locked, kind=UserEvent.Kind.UNLOCKED, actor=actor, data={"failures": status.failures})
    return status.failures


@transaction.atomic
def email_verification_resend(*, user: User, actor: User) -> User:
    """Staff send the verification link again (after commit), recorded with who asked."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_email_verified:
        raise ApplicationError(_("This email address is already verified."), code="already_verified")
    if not locked.is_active:
        raise ApplicationError(_("This account is deactivated."), code="account_inactive")
    email_verification_send(user=locked)
    user_event_record(user=locked, kind=UserEvent.Kind.VERIFICATION_SENT, actor=actor)
    return locked
