"""Two-factor authentication in the portal (optional for investors): the code step of a sign-in
whose password was right, and the security page (set up an authenticator app with a QR code, see
the recovery codes once, make new ones, turn it off). Each view parses a form, calls one service
of ``apps.accounts.mfa`` and renders; every wrong code counts toward the account's lock-out."""

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.mfa import reset, selectors, services
from apps.common.errors import ApplicationError
from apps.portal.forms.mfa import CodeForm
from apps.portal.views.common import safe_next

# A sign-in whose password was right and that waits for its code: {"user", "backend", "at", "next"}.
SESSION_PENDING = "portal_mfa_pending"
PENDING_SECONDS = 5 * 60
# Recovery codes just made, kept in the session until shown (once).
SESSION_CODES = "portal_mfa_codes_to_show"


# --- the sign-in's code step ------------------------------------------------------------------


def login_pending_start(request: HttpRequest, *, user, next_url: str) -> HttpResponse:
    """Called by the login view once the password was right for an account with an authenticator
    app: nobody is signed in yet (django-axes forgets failures only at the real sign-in)."""
    request.session[SESSION_PENDING] = {
        "user": user.pk,
        "backend": user.backend,
        "at": int(time.time()),
        "next": next_url,
    }
    return redirect("portal:login_code")


def _pending_user(request: HttpRequest):
    pending = request.session.get(SESSION_PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("at"), int):
        return None, None
    if time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(SESSION_PENDING, None)
        return None, None
    user = selectors.user_active_get(user_id=pending.get("user"))
    return user, pending


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None or not selectors.mfa_enrolled(user=user):
        messages.info(request, _("Log in again: the sign-in took too long."))
        return redirect("portal:login")
    form = CodeForm(data=request.POST if request.method == "POST" else None, autofocus=True)
    if form.is_bound and form.is_valid():
        try:
            device = services.mfa_code_check(request=request, user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:  # locked out
            request.session.pop(SESSION_PENDING, None)
            return render(request, "portal/locked_out.html", {"message": error.message}, status=429)
        if device is not None:
            request.session.pop(SESSION_PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            services.mfa_session_verified_mark(request=request, device=device)
            return _signed_in(request, user, pending.get("next") or "")
        form.add_error("code", _("This code is not valid."))
    return render(request, "portal/login_code.html", {"form": form})


def _signed_in(request: HttpRequest, user, next_url: str) -> HttpResponse:
    from apps.portal.views.accounts import _language_activate, _language_cookie_set

    _language_activate(request, user.language)
    messages.success(request, _("Welcome back."))
    target = safe_next(request, next_url, settings.LOGIN_REDIRECT_URL)
    return _language_cookie_set(redirect(target), user.language)


# --- the security page --------------------------------------------------------------------------


def _qr_svg(uri: str) -> str:
    # Inline SVG with its own width and height: no style attribute (the CSP refuses inline styles).
    return mark_safe(  # noqa: S308 - segno writes only the code's modules, nothing of the URI's text
        segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#111827", light="#ffffff")
    )


def _security_page(request: HttpRequest, *, regenerate_form=None, disable_form=None, status: int = 200):
    user = request.user
    context = {
        "enrolled": selectors.mfa_enrolled(user=user),
        "recovery_left": selectors.recovery_code_count_unused(user=user),
        "regenerate_form": regenerate_form or CodeForm(prefix="regenerate"),
        "disable_form": disable_form or CodeForm(prefix="disable"),
    }
    return render(request, "portal/security.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    return _security_page(request)


@sensitive_post_parameters("code")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def security_setup(request: HttpRequest) -> HttpResponse:
    """The QR code and the secret of a new device (made on the first visit), and its first code."""
    user = request.user
    if user.is_staff or selectors.mfa_enrolled(user=user):
        return redirect("portal:security")
    device = selectors.totp_device_get(user=user, confirmed=False)
    if device is None:
        device = services.totp_device_create(user=user, confirmed=False)
    form = CodeForm(data=request.POST if request.method == "POST" else None, autofocus=True, help_text="")
    if form.is_bound and form.is_valid():
        try:
            codes = services.totp_device_confirm(request=request, user=user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            request.session[SESSION_CODES] = codes
            messages.success(request, _("Two-factor authentication is on: you will enter a code at each sign-in."))
            return redirect("portal:security_codes")
    secret = services.totp_secret_base32(device=device)
    context = {
        "form": form,
        "qr_svg": _qr_svg(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "portal/security_setup.html", context)


@login_required
@never_cache
@require_http_methods(["GET"])
def security_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made: shown once."""
    codes = request.session.pop(SESSION_CODES, None)
    if not codes:
        return redirect("portal:security")
    return render(request, "portal/security_codes.html", {"codes": codes})


@sensitive_post_parameters("regenerate-code")
@login_required
@require_POST
def security_regenerate(request: HttpRequest) -> HttpResponse:
    form = CodeForm(data=request.POST, prefix="regenerate")
    if form.is_valid():
        try:
            codes = reset.recovery_codes_regenerate(request=request, user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            request.session[SESSION_CODES] = codes
            messages.success(request, _("New recovery codes were made: the old ones no longer work."))
            return redirect("portal:security_codes")
    return _security_page(request, regenerate_form=form, status=400)


@sensitive_post_parameters("disable-code")
@login_required
@require_POST
def security_disable(request: HttpRequest) -> HttpResponse:
    form = CodeForm(data=request.POST, prefix="disable")
    if form.is_valid():
        try:
            reset.mfa_disable(request=request, user=request.user, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Two-factor authentication is off: you sign in with your password alone."))
            return redirect("portal:security")
    return _security_page(request, disable_form=form, status=400)
