"""Helpers every portal view module shares."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def bound(form_class, request: HttpRequest, **kwargs):
    """The form bound to the POST data on a POST, unbound otherwise."""
    return form_class(data=request.POST if request.method == "POST" else None, **kwargs)


def safe_next(request: HttpRequest, url: str | None, fallback: str) -> str:
    """``url`` if it stays on this site (no other host, no other scheme), else ``fallback``."""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else fallback
