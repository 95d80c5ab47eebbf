"""django-axes hooks: lock-out is counted per account, whatever identifier was typed."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from apps.accounts import selectors


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The key failures are counted under: the account's email when the identifier names one."""
    identifier = ""
    if credentials:
        identifier = credentials.get("username") or credentials.get("email") or ""
    if not identifier and request is not None and request.method == "POST":
        identifier = request.POST.get("username", "")
    identifier = str(identifier).strip().lower()
    user = selectors.user_get_by_identifier(identifier=identifier) if identifier else None
    return user.email.lower() if user is not None else identifier


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The refusal of a locked-out sign-in; the account holder is told once per lock-out."""
    from apps.accounts.services import security_lockout_notify

    user = selectors.user_get_by_identifier(identifier=lockout_username(request, credentials))
    if user is not None:
        security_lockout_notify(user=user)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "login_locked"}, status=429)
    return render(request, "portal/locked_out.html", {"message": message}, status=429)
