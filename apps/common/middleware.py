"""Response headers every page and API answer gets (issue 12's security headers), and the
session-side middleware that the JSON API passes over (issue 13 §2)."""

from collections.abc import Callable

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django_otp.middleware import OTPMiddleware

API_PREFIX = "/api/"

# Nothing here uses the camera, microphone, location, payment or USB APIs: no page may ask.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


class PrivateResponseMiddleware:
    """``Cache-Control: no-store`` on every API answer and on every page for a signed-in user
    (their balances, exports, documents), so neither a shared cache nor the browser's back button
    keeps a copy; and a ``Permissions-Policy`` on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path_info.startswith(API_PREFIX) or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# --- Passed over under /api/ -----------------------------------------------------------------------
# The API authenticates by bearer token only (``REST_FRAMEWORK``'s authentication classes): DRF sets
# ``request.user`` itself once the view runs. The session's signed-in user (and django-otp's
# verification of it) and the flash messages are for the pages; working them out on every API
# request was a fifth of its middleware time. Sessions themselves still run there (django-axes
# notes a session on a failed API sign-in), as do CSRF, the locale and every response header.


class ApiSkippedMiddleware:
    """A mixin: the middleware does nothing for a request under ``API_PREFIX``."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)


class PageAuthenticationMiddleware(ApiSkippedMiddleware, AuthenticationMiddleware):
    """Django's session user, for the pages only."""


class PageOTPMiddleware(ApiSkippedMiddleware, OTPMiddleware):
    """django-otp's verified-device check of the session user, for the pages only."""


class PageMessageMiddleware(ApiSkippedMiddleware, MessageMiddleware):
    """Flash messages, for the pages only."""
