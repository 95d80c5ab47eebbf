"""Response headers every page and API answer gets (issue 12's security headers)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

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
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True, private=True)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
