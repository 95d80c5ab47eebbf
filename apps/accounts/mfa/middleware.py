"""Staff two-factor enforcement on the back office (everything under the admin's prefix).

A signed-in staff member whose session has not given a valid code reaches only the sign-in, the
sign-out and the two-factor pages: without a confirmed device they are sent to enrolment, with one
to the code step (then back where they were going). Installed right after django-otp's
``OTPMiddleware``, which tells whether the session is verified."""

import functools
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode

from apps.accounts.mfa.selectors import SESSION_VERIFIED_AT, mfa_enrolled, session_verified

# Set by the admin sign-in form when its code was accepted before ``auth.login`` (which may start
# a new session): the moment is written into the session once the response is made.
REQUEST_LOGIN_VERIFIED_AT = "mfa_login_verified_at"


def _open_paths() -> set[str]:
    """Admin pages an unverified staff session may reach."""
    return {
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("admin:jsi18n"),
        reverse("mfa:enrol"),
        reverse("mfa:verify"),
        reverse("mfa:recovery_codes"),
    }


@functools.lru_cache(maxsize=8)
def _admin_prefix(urlconf: str, script_prefix: str) -> str:
    """The admin's address, worked out once per URL configuration (it runs on every request)."""
    return reverse("admin:index", urlconf=urlconf)


class StaffMfaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        verified_at = getattr(request, REQUEST_LOGIN_VERIFIED_AT, None)
        if verified_at is not None and getattr(request.user, "otp_device", None) is not None:
            request.session[SESSION_VERIFIED_AT] = verified_at
        return response

    def _refusal(self, request: HttpRequest) -> HttpResponse | None:
        if not request.path_info.startswith(_admin_prefix(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())):
            return None
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return None  # the admin itself sends them to its sign-in page
        if request.path_info in _open_paths() or session_verified(request=request):
            return None
        if not mfa_enrolled(user=user):
            return HttpResponseRedirect(reverse("mfa:enrol"))
        return HttpResponseRedirect(f"{reverse('mfa:verify')}?{urlencode({'next': request.get_full_path()})}")


def login_verified_note(*, request: HttpRequest) -> None:
    setattr(request, REQUEST_LOGIN_VERIFIED_AT, int(time.time()))
