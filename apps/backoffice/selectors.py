"""Reads the back office needs that belong to no domain app (third-party tables)."""

from django.conf import settings
from django.utils import timezone


def locked_out_account_count(*, now=None) -> int:
    """Accounts django-axes is locking out right now (failures at the limit within the cool-off)."""
    from axes.models import AccessAttempt

    since = (now or timezone.now()) - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    )
    return attempts.values("username").distinct().count()
