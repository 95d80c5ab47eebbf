"""django-axes hooks: lock-out is counted per account, whatever identifier was typed; and what
the admin reads of an account's lock-out."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
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


# --- reads: an account's lock-out as django-axes counts it ---------------------------------------


def lockout_usernames(*, user) -> list[str]:
    """The names axes files this account's records under: failures under the lower-cased email
    (``lockout_username``), successful sign-ins under the email as stored."""
    return sorted({user.email, user.email.lower()})


@dataclass(frozen=True)
class LockoutStatus:
    failures: int  # failed sign-ins axes still counts (within the cool-off)
    locked: bool
    until: datetime | None  # when the lock-out lifts by itself


def lockout_status_for_user(*, user, now: datetime | None = None) -> LockoutStatus:
    """Whether axes refuses this account's sign-ins now (one query): the failures recorded within
    the cool-off, from any address or browser, reach the limit. A lock-out lifts by itself
    ``AXES_COOLOFF_TIME`` after the last failure."""
    from axes.models import AccessAttempt

    cooloff = settings.AXES_COOLOFF_TIME
    since = (now or timezone.now()) - cooloff
    row = AccessAttempt.objects.filter(username__in=lockout_usernames(user=user), attempt_time__gte=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures = row["failures"] or 0
    locked = failures >= settings.AXES_FAILURE_LIMIT
    return LockoutStatus(failures=failures, locked=locked, until=row["last"] + cooloff if locked else None)
