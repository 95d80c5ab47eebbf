"""The Content-Security-Policy of each part of the site (django-csp builds the header).

Every page gets the strict policy of ``CONTENT_SECURITY_POLICY`` (settings): scripts only from our
own origin or carrying the request's nonce, no inline styles, no plugins, never framed. The admin
alone is looser, because django-unfold runs on Alpine.js's standard build, which evaluates the
expressions in its ``x-data``/``x-on`` attributes with ``new Function`` (``'unsafe-eval'``; unfold
ships no CSP build of Alpine, and its templates use expressions the CSP build cannot parse), and
writes ``style`` attributes and a ``<style>`` block of theme colours (``'unsafe-inline'`` styles).
The admin still refuses inline scripts and every other origin.
"""

import functools
from collections.abc import Callable

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF, UNSAFE_EVAL, UNSAFE_INLINE
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# --- django-csp, with the common header built once -------------------------------------------------

# What a view or a middleware may set on a response for a policy of its own (django-csp's names).
RESPONSE_POLICY_ATTRIBUTES = (
    *("_csp_config", "_csp_update", "_csp_replace"),
    *("_csp_config_ro", "_csp_update_ro", "_csp_replace_ro"),
)
# (header, the response attribute exempting from it, the setting it comes from, report only)
HEADERS = (
    (HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY", False),
    (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
)


@functools.cache
def settings_policy(report_only: bool) -> str:
    """The header of the settings' policy alone (no nonce, nothing per response)."""
    return build_policy(report_only=report_only)


@receiver(setting_changed)
def settings_policy_forget(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        settings_policy.cache_clear()


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, except that an answer with nothing of its own in its policy (no
    nonce drawn, no per-view policy: every API answer) gets headers built once per process rather
    than twice per response, the same headers under the same conditions (issue 13 §2: a tenth of
    an API request's middleware time). Anything else goes django-csp's own way."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        own = getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in RESPONSE_POLICY_ATTRIBUTES
        )
        if own:
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:  # django-csp leaves the debug pages
            return response
        for header, exempt, setting, report_only in HEADERS:
            policy = settings_policy(report_only)
            excluded = tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ())
            wanted = policy and header not in response and not getattr(response, exempt, False)
            if wanted and not request.path_info.startswith(excluded):
                response[header] = policy
        # As django-csp: a nonce asked for after the header was written is an error, not a silent gap.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
