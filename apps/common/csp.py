"""The Content-Security-Policy of each part of the site (django-csp builds the header).

Every page gets the strict policy of ``CONTENT_SECURITY_POLICY`` (settings): scripts only from our
own origin or carrying the request's nonce, no inline styles, no plugins, never framed. The admin
alone is looser, because django-unfold runs on Alpine.js's standard build, which evaluates the
expressions in its ``x-data``/``x-on`` attributes with ``new Function`` (``'unsafe-eval'``; unfold
ships no CSP build of Alpine, and its templates use expressions the CSP build cannot parse), and
writes ``style`` attributes and a ``<style>`` block of theme colours (``'unsafe-inline'`` styles).
The admin still refuses inline scripts and every other origin.
"""

from collections.abc import Callable

from csp.constants import NONCE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from django.http import HttpRequest, HttpResponse

ADMIN_PREFIX = "/admin/"
ADMIN_POLICY = {
    "script-src": [SELF, NONCE, UNSAFE_EVAL],
    # No nonce here: a nonce in style-src would make browsers ignore 'unsafe-inline'.
    "style-src": [SELF, UNSAFE_INLINE],
}


class SectionPolicyMiddleware:
    """The admin's policy on every ``/admin/`` answer; placed after django-csp's middleware so that
    its answer passes here first. A view that set its own policy keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(ADMIN_PREFIX) and getattr(response, "_csp_replace", None) is None:
            response._csp_replace = ADMIN_POLICY
        return response
