"""The back office's two-factor pages: enrolment (QR code, secret, first code), the recovery codes
shown once, and the code step of a signed-in session that has not given one. Each parses a form,
calls one service and renders; the admin site wraps them (staff only, never cached, CSRF)."""

import segno
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from apps.accounts.mfa import selectors, services
from apps.accounts.mfa.forms import CodeForm
from apps.common.errors import ApplicationError

# The recovery codes of a just-finished enrolment, kept in the session until shown (once).
SESSION_CODES_TO_SHOW = "mfa_recovery_codes_to_show"


def _context(request: HttpRequest, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else reverse("admin:index")


def _qr_svg(uri: str) -> str:
    # Inline SVG with its own width and height (no style attribute: the CSP refuses inline styles);
    # segno writes only a path of the code's modules, nothing of the URI's text.
    return mark_safe(  # noqa: S308
        segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#111827", light="#ffffff")
    )


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if selectors.mfa_enrolled(user=user):
        return HttpResponseRedirect(reverse("admin:index"))
    device = selectors.totp_device_get(user=user, confirmed=False)
    if device is None:
        device = services.totp_device_create(user=user, confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_device_confirm(request=request, user=user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            request.session[SESSION_CODES_TO_SHOW] = codes
            return HttpResponseRedirect(reverse("mfa:recovery_codes"))
    context = _context(
        request,
        title=_("Set up two-factor authentication"),
        form=form,
        qr_svg=_qr_svg(device.config_url),
        secret=_grouped(services.totp_secret_base32(device=device)),
    )
    return render(request, "admin/mfa/enrol.html", context)


def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(SESSION_CODES_TO_SHOW, None)
    if not codes:
        return HttpResponseRedirect(reverse("admin:index"))
    context = _context(request, title=_("Your recovery codes"), codes=codes)
    return render(request, "admin/mfa/recovery_codes.html", context)


def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.mfa_enrolled(user=user):
        return HttpResponseRedirect(reverse("mfa:enrol"))
    next_url = _next_url(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = services.mfa_verify(request=request, user=user, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            if verified:
                return HttpResponseRedirect(next_url)
            form.add_error("code", _("This code is not valid."))
    context = _context(request, title=_("Enter your authentication code"), form=form, next=next_url)
    return render(request, "admin/mfa/verify.html", context)
