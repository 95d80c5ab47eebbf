"""Account pages of the investor portal: each view parses input, calls one service or selector, and renders.

Pages work without JavaScript. Service errors (``ApplicationError``) become form errors on the
field they name; a refused submit changes nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts import selectors, services
from apps.accounts.mfa import selectors as mfa_selectors
from apps.common.errors import ApplicationError
from apps.portal.forms import accounts as forms
from apps.portal.views import mfa as mfa_views
from apps.portal.views.common import bound as _bound
from apps.portal.views.common import safe_next as _safe_next

SESSION_BACKEND = "apps.accounts.backends.EmailOrUsernameBackend"
_PASSWORDS = ("password", "password1", "password2", "old_password")


# --- helpers ----------------------------------------------------------------------------------


def _language_activate(request: HttpRequest, language: str) -> None:
    """Use ``language`` for the rest of this request (messages added after this are in it)."""
    translation.activate(language)
    request.LANGUAGE_CODE = language


def _language_cookie_set(response: HttpResponse, language: str) -> HttpResponse:
    """What LocaleMiddleware reads on the next request (same attributes as Django's set_language)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


# --- pages ------------------------------------------------------------------------------------


@sensitive_post_parameters(*_PASSWORDS)
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, code: str = "") -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("portal:home")
    referral_code = (code or request.GET.get("ref", "")).strip()[:32]
    form = _bound(forms.SignupForm, request, initial={"referral_code": referral_code})
    if form.is_bound and form.is_valid():
        try:
            user = services.user_signup(**form.service_arguments(language=request.LANGUAGE_CODE))
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            auth_login(request, user, backend=SESSION_BACKEND)
            _language_activate(request, user.language)
            message = _("Welcome! We sent a link to %(email)s: open it to confirm your email address.")
            messages.success(request, message % {"email": user.email})
            return _language_cookie_set(redirect("portal:home"), user.language)
    referrer = selectors.user_get_by_referral_code(code=referral_code)
    context = {"form": form, "invited_with_code": referrer.referral_code if referrer else ""}
    return render(request, "portal/signup.html", context)


def signup_referral(request: HttpRequest, code: str) -> HttpResponse:
    """``/r/<code>/``: the sign-up page with the referral code filled in."""
    return signup(request, code=code)


class LoginView(auth_views.LoginView):
    """Django's login view: ``authenticate(request, …)`` runs, so django-axes counts failures
    and answers a locked-out account with ``portal/locked_out.html`` (HTTP 429)."""

    template_name = "portal/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if mfa_selectors.mfa_enrolled(user=user):  # the code next, before anyone is signed in
            return mfa_views.login_pending_start(self.request, user=user, next_url=self.get_redirect_url())
        auth_login(self.request, user)
        _language_activate(self.request, user.language)
        messages.success(self.request, _("Welcome back."))
        return _language_cookie_set(HttpResponseRedirect(self.get_success_url()), user.language)


login = LoginView.as_view()


def logout(request: HttpRequest) -> HttpResponse:
    """Log out by POST only (a link or a prefetch must not end a session)."""
    if request.method != "POST":
        response = render(request, "portal/logout.html", status=405)
        response["Allow"] = "POST"
        return response
    auth_logout(request)
    messages.info(request, _("You are logged out."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@require_GET
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.user_email_verify(token=token)
    except ApplicationError as error:
        return render(request, "portal/verify_email.html", {"error": error.message}, status=400)
    return render(request, "portal/verify_email.html", {"verified_email": user.email})


@require_POST
@login_required
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    if request.user.is_email_verified:
        messages.info(request, _("Your email address is already confirmed."))
    else:
        services.email_verification_send(user=request.user)
        messages.success(request, _("We sent a new confirmation link to %(email)s.") % {"email": request.user.email})
    return redirect(_safe_next(request, request.POST.get("next"), reverse("portal:profile")))


@require_http_methods(["GET", "POST"])
def password_forgot(request: HttpRequest) -> HttpResponse:
    form = _bound(forms.PasswordForgotForm, request)
    if form.is_bound and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        messages.success(
            request,
            _("If an account exists for %(email)s, we sent it a link to choose a new password.")
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("portal:password_forgot")
    return render(request, "portal/password_forgot.html", {"form": form})


@sensitive_post_parameters(*_PASSWORDS)
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, token: str) -> HttpResponse:
    form = _bound(forms.PasswordResetForm, request)
    if not form.is_bound:
        if selectors.user_get_by_password_reset_token(token=token) is None:
            return render(request, "portal/password_reset_invalid.html", status=400)
    elif form.is_valid():
        try:
            services.password_reset_confirm(token=token, new_password=form.cleaned_data["password1"])
        except ApplicationError as error:
            if error.field == "token":
                return render(request, "portal/password_reset_invalid.html", status=400)
            form.add_service_error(error)
        else:
            messages.success(request, _("Your password was changed. Log in with the new one."))
            return redirect("portal:login")
    return render(request, "portal/password_reset_confirm.html", {"form": form})


@sensitive_post_parameters(*_PASSWORDS)
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = _bound(forms.PasswordChangeForm, request)
    if form.is_bound and form.is_valid():
        try:
            user = services.password_change(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["password1"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password was changed."))
            return redirect("portal:profile")
    return render(request, "portal/password_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = forms.ProfileForm.for_user(user, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.user_profile_update(user=user, fields=form.cleaned_data)
        except ApplicationError as error:
            user.refresh_from_db()  # the page shows the stored values, not the refused ones
            form.add_service_error(error)
        else:
            _language_activate(request, user.language)
            messages.success(request, _("Your profile was saved."))
            return _language_cookie_set(redirect("portal:profile"), user.language)
    referral_path = reverse("portal:signup_referral", kwargs={"code": user.referral_code})
    context = {
        "form": form,
        "referral_link": settings.SITE_URL + referral_path,
        "mfa_enrolled": mfa_selectors.mfa_enrolled(user=user),
    }
    return render(request, "portal/profile.html", context)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The header's language switch: a cookie for everyone, saved on the account when signed in."""
    fallback = reverse("portal:home")
    response = HttpResponseRedirect(_safe_next(request, request.POST.get("next"), fallback))
    form = forms.LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose English or Arabic."))
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    return _language_cookie_set(response, language)
