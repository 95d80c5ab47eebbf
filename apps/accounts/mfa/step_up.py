"""Step-up: a sensitive staff action (approving a withdrawal or an adjustment, paying a task
reward, saving runtime settings) asks for a fresh code when the last one is older than
``MFA_STEP_UP_MINUTES``.

In the back office the code is asked on the page of the action itself: a code field joins the
action's form (the approval dialog, the bulk review page) while the session's last code is stale
(``step_up_form``), or, for a page whose form we do not own (the runtime settings), an
interstitial page re-posts what was submitted together with the code (``step_up_admin_refusal``).
In the API the access token carries the moment its sign-in checked a code (``otp_verified_at``,
set by ``auth_login``) and a stale token sends the code in the ``X-OTP`` header
(``step_up_api_require``).

A wrong code changes nothing and counts toward the account's lock-out (``mfa_code_check``); the
failure that locks the account out also ends the session and revokes its API refresh tokens, so a
stolen session cannot go on guessing once the lock-out lifts."""

import time

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from drf_spectacular.utils import OpenApiParameter

from apps.accounts.lockout import lockout_status_for_user
from apps.accounts.mfa import selectors, services
from apps.accounts.models import User
from apps.common.errors import ApplicationError

# The form field (admin) and header (API) that carry a step-up code.
STEP_UP_FIELD = "otp"
STEP_UP_HEADER = "X-OTP"
# The JWT claim: epoch seconds of the sign-in's code check (absent: no code was checked).
TOKEN_CLAIM = "otp_verified_at"
# The interstitial page re-posts the original POST with this extra field.
REPOST_FIELD = "_step_up_otp"
CODE_MAX_LENGTH = 32
CLOCK_TOLERANCE_SECONDS = 60  # as ``selectors.mfa_step_up_fresh``


def _django_request(request):
    return getattr(request, "_request", request)


def _locked_out_end(*, request, user: User) -> None:
    """The account is locked out by wrong step-up codes: end this session and the API's."""
    from apps.accounts.services import auth_tokens_revoke_all

    auth_tokens_revoke_all(user=user)
    django_request = _django_request(request)
    if getattr(django_request, "session", None) is not None and getattr(django_request, "user", None) == user:
        logout(django_request)


def _locked_error() -> ApplicationError:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many wrong codes: you were signed out. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    return ApplicationError(message, code="login_locked", status_code=429)


def step_up_code_verify(*, request, user: User, code: str, mark_session: bool) -> None:
    """Check a step-up code of ``user`` (TOTP or a recovery code, spent). With ``mark_session``
    the session counts as freshly verified from now on. Raises ``otp_invalid`` (403) on a wrong
    code, ``login_locked`` (429, and the session ends) once the account is locked out."""
    try:
        device = services.mfa_code_check(request=request, user=user, code=code)
    except ApplicationError as exc:
        if exc.code == "login_locked":
            _locked_out_end(request=request, user=user)
            raise _locked_error() from exc
        raise
    if device is None:
        if lockout_status_for_user(user=user).locked:
            _locked_out_end(request=request, user=user)
            raise _locked_error()
        raise ApplicationError(_("This code is not valid."), code="otp_invalid", status_code=403)
    if mark_session:
        services.mfa_session_verified_mark(request=request, device=device)


# --- the back office: a code field on the action's own form ---------------------------------------


def step_up_needed(*, request: HttpRequest) -> bool:
    return not selectors.mfa_step_up_fresh(request=request)


def step_up_code_field() -> forms.CharField:
    from unfold.widgets import BASE_INPUT_CLASSES

    return forms.CharField(
        label=gettext_lazy("Authentication code"),
        max_length=CODE_MAX_LENGTH,
        help_text=ngettext(
            "Your last code is more than %(minutes)d minute old: enter the current 6-digit code from your "
            "authenticator app (or a recovery code) to confirm.",
            "Your last code is more than %(minutes)d minutes old: enter the current 6-digit code from your "
            "authenticator app (or a recovery code) to confirm.",
            settings.MFA_STEP_UP_MINUTES,
        )
        % {"minutes": settings.MFA_STEP_UP_MINUTES},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": " ".join(BASE_INPUT_CLASSES),
            }
        ),
    )


class StepUpFormMixin:
    """Adds the ``otp`` field while the session's last code is stale and checks it once the rest of
    the form is valid (so a code is never spent on a form refused for another reason). The request
    is the dialog form's own (``request=``, unfold's ``BaseDialogForm``) or ``step_up_request=``."""

    def __init__(self, *args, step_up_request: HttpRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step_up_request = step_up_request or getattr(self, "request", None)
        if self.step_up_request is None:
            raise TypeError("A step-up form needs the request.")
        if step_up_needed(request=self.step_up_request):
            self.fields[STEP_UP_FIELD] = step_up_code_field()

    def clean(self):
        cleaned = super().clean()
        if STEP_UP_FIELD in self.fields and not self.errors and cleaned.get(STEP_UP_FIELD):
            request = self.step_up_request
            try:
                step_up_code_verify(request=request, user=request.user, code=cleaned[STEP_UP_FIELD], mark_session=True)
            except ApplicationError as exc:
                self.add_error(STEP_UP_FIELD, exc.message)
        return cleaned


def step_up_form(form_class: type[forms.Form]) -> type[forms.Form]:
    """``form_class`` with step-up (``StepUpFormMixin``)."""
    return type(f"StepUp{form_class.__name__}", (StepUpFormMixin, form_class), {"__module__": __name__})


# --- the back office: an interstitial page for a form we do not own --------------------------------


class _RepostCodeForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[REPOST_FIELD] = step_up_code_field()


def step_up_admin_refusal(request: HttpRequest, *, title: str) -> HttpResponse | None:
    """For a POST of the back office that needs step-up: ``None`` when the session's code is fresh
    (or the re-posted code is right: the session is fresh from now on); otherwise the page that asks
    for the code and posts the original fields again with it (files cannot be carried over)."""
    if not step_up_needed(request=request):
        return None
    form = _RepostCodeForm(request.POST if REPOST_FIELD in request.POST else None)
    if form.is_bound and form.is_valid():
        try:
            step_up_code_verify(
                request=request, user=request.user, code=form.cleaned_data[REPOST_FIELD], mark_session=True
            )
        except ApplicationError as exc:
            form.add_error(REPOST_FIELD, exc.message)
        else:
            return None
    from django.contrib import admin

    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", REPOST_FIELD}
        for value in values
    ]
    context = {**admin.site.each_context(request), "title": title, "form": form, "carried": carried}
    return TemplateResponse(request, "admin/mfa/step_up.html", context, status=403 if form.is_bound else 200)


# --- the API: the token's code check, or the X-OTP header ----------------------------------------

STEP_UP_PARAMETER = OpenApiParameter(
    name=STEP_UP_HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description=(
        "Step-up two-factor code (staff). Needed when the access token's sign-in checked its code more than "
        "`MFA_STEP_UP_MINUTES` (default 15) minutes ago: the current 6-digit code of the authenticator app, or "
        "an unused recovery code (spent). Without it such a call answers 403 `otp_step_up_required` and "
        "changes nothing; a wrong code is 403 `otp_invalid` and counts toward the account's lock-out. A code "
        "works once: to approve many requests in a row, sign in again (`auth/login/` with `otp`) for a fresh token."
    ),
)
STEP_UP_CODES = ("otp_step_up_required", "otp_invalid")


def token_otp_verified_at(*, request) -> int | None:
    """When the sign-in that issued the request's access token checked a code (epoch seconds)."""
    token = getattr(request, "auth", None)
    value = token.get(TOKEN_CLAIM) if token is not None and hasattr(token, "get") else None
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def step_up_api_fresh(*, request) -> bool:
    verified_at = token_otp_verified_at(request=request)
    if verified_at is None:
        return False
    age = time.time() - verified_at
    return -CLOCK_TOLERANCE_SECONDS <= age <= settings.MFA_STEP_UP_MINUTES * 60


def step_up_api_require(*, request) -> None:
    """Let the action go on when the access token's code check is fresh, or the ``X-OTP`` header
    holds a right code; else ``otp_step_up_required`` (403) without a code, ``otp_invalid`` (403)
    with a wrong one, ``login_locked`` (429) once locked out. Nothing is written but the check."""
    if step_up_api_fresh(request=request):
        return
    code = request.headers.get(STEP_UP_HEADER, "")
    if not code.strip():
        raise ApplicationError(
            _(
                "This action needs a fresh two-factor code: send the current code of your authenticator app in "
                "the X-OTP header, or sign in again."
            ),
            code="otp_step_up_required",
            status_code=403,
        )
    step_up_code_verify(request=request, user=request.user, code=code, mark_session=False)
