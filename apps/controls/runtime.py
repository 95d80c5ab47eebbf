"""The one accessor of the runtime settings, and the maintenance-mode guard.

Every business setting staff may change in the admin (``settings.CONSTANCE_CONFIG``: limits, fees,
the KYC gate, the four-eyes threshold, SLA hours, maintenance mode…) is read here, never through
``django.conf.settings`` (those are only the environment defaults) nor ``constance.config``
(which writes the default into the database on the first read of a setting nobody saved).

The values saved in the admin live in constance's table. This module keeps one snapshot of them
(a dict of the saved ones) in the ``default`` cache, which every process shares (a file cache by
default, Redis in production): a save replaces the snapshot after its commit, so the next read in
any process sees it, without a restart. A reader that finds no snapshot reads the table (one
query) and stores it with ``add`` (never over a newer one a writer just stored). The snapshot also
expires after ``RUNTIME_SETTINGS_CACHE_SECONDS``, as a bound on any change made outside
``apps.controls.services`` (a database restore).

This module imports no app: every app (wallet, kyc, messaging, accounts…) may import it.
"""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError

SNAPSHOT_KEY = "controls:runtime-settings:v1"
MAINTENANCE_CODE = "maintenance"


class MaintenanceError(ApplicationError):
    """A money command refused while maintenance mode is on (HTTP 503 with Retry-After)."""

    status_code = 503

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code=MAINTENANCE_CODE)
        self.retry_after = retry_after


def runtime_setting_names() -> tuple[str, ...]:
    return tuple(settings.CONSTANCE_CONFIG)


def runtime_setting_default(name: str) -> Any:
    return settings.CONSTANCE_CONFIG[name][0]


def runtime_setting_key(name: str) -> str:
    return f"{getattr(settings, 'CONSTANCE_DATABASE_PREFIX', '')}{name}"


def runtime_values_stored_read() -> dict[str, Any]:
    """The values saved so far, straight from the database ({} before ``migrate``)."""
    from constance.codecs import loads
    from constance.models import Constance

    names = {runtime_setting_key(name): name for name in settings.CONSTANCE_CONFIG}
    try:
        rows = list(Constance.objects.filter(key__in=names).values_list("key", "value"))
    except DatabaseError:
        return {}
    return {names[key]: loads(value) for key, value in rows if value is not None}


def _stored_values() -> dict[str, Any]:
    values = cache.get(SNAPSHOT_KEY)
    if values is None:
        values = runtime_values_stored_read()
        cache.add(SNAPSHOT_KEY, values, settings.RUNTIME_SETTINGS_CACHE_SECONDS)
    return values


def runtime_snapshot_refresh() -> None:
    """Store the snapshot afresh from the database (a writer calls this after its commit)."""
    cache.set(SNAPSHOT_KEY, runtime_values_stored_read(), settings.RUNTIME_SETTINGS_CACHE_SECONDS)


def runtime_setting(name: str) -> Any:
    """The value in force now: the one saved in the admin, else the environment's default."""
    default = runtime_setting_default(name)  # KeyError for a name that is not a runtime setting
    return _stored_values().get(name, default)


def runtime_settings_current() -> dict[str, Any]:
    """Every runtime setting's value in force now, in declaration order."""
    stored = _stored_values()
    return {name: stored.get(name, options[0]) for name, options in settings.CONSTANCE_CONFIG.items()}


# --- maintenance mode ---------------------------------------------------------------------------


def maintenance_mode_on() -> bool:
    return bool(runtime_setting("MAINTENANCE_MODE"))


def maintenance_message() -> str:
    message = (runtime_setting("MAINTENANCE_MESSAGE") or "").strip()
    return message or _("The platform is under maintenance: money operations are paused. Please try again later.")


def maintenance_check() -> None:
    """Refuse a money command while maintenance mode is on. Every money service calls this first."""
    if maintenance_mode_on():
        raise MaintenanceError(
            maintenance_message(), retry_after=max(1, int(runtime_setting("MAINTENANCE_RETRY_AFTER_SECONDS")))
        )


def runtime_snapshot_changed(**kwargs) -> None:
    """constance's ``config_updated``: drop the snapshot now, store it afresh after the commit."""
    from django.db import transaction

    cache.delete(SNAPSHOT_KEY)
    transaction.on_commit(runtime_snapshot_refresh)
