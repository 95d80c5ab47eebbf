"""Every write of the runtime settings: validated as a whole, stored in constance's table, one
``SettingChange`` row per changed setting in the same transaction, and the shared snapshot
replaced after the commit (``apps.controls.runtime``), so every process sees the change at once."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError, ConflictError
from apps.controls.models import SettingChange
from apps.controls.runtime import (
    SNAPSHOT_KEY,
    runtime_setting_default,
    runtime_setting_key,
    runtime_snapshot_refresh,
)

MONEY_LIMIT = Decimal("1e15")  # far above any limit; keeps every value inside a money column
# (smaller, larger) pairs: the first may not be above the second.
ORDERED_PAIRS = (
    ("DEPOSIT_MIN", "DEPOSIT_MAX"),
    ("WITHDRAWAL_MIN", "WITHDRAWAL_MAX"),
    ("WITHDRAWAL_MIN", "WITHDRAWAL_DAILY_LIMIT"),
)
# Decimals: (places, must be greater than zero); every other "money" setting has 2 places, ≥ 0.
DECIMAL_RULES = {"FOUR_EYES_THRESHOLD": (2, True), "COVERAGE_WARNING_RATIO": (4, True)}
PERCENT_SETTINGS = ("WITHDRAWAL_FEE_PERCENT",)
# Whole numbers: (lowest, highest); every other one is ≥ 1 and ≤ 10 years in hours.
INT_RANGES = {
    "RISK_ACCOUNT_NEW_DAYS": (0, 3650),
    "RISK_ADDRESS_NEW_DAYS": (1, 3650),
    "SUPPORT_AUTO_CLOSE_DAYS": (1, 3650),
    "TASK_DEFAULT_EXPIRY_DAYS": (1, 3650),
    "MESSAGE_SEND_LIMIT_PER_HOUR": (1, 100_000),
    "MAINTENANCE_RETRY_AFTER_SECONDS": (1, 86_400),
}
INT_RANGE_DEFAULT = (1, 87_600)
TEXT_MAX_LENGTH = 500


def runtime_setting_kind(name: str) -> str:
    """``money``, ``text``, ``bool`` or ``int``, as declared in ``CONSTANCE_CONFIG``."""
    options = settings.CONSTANCE_CONFIG[name]
    declared = options[2] if len(options) == 3 else type(options[0])
    return declared if isinstance(declared, str) else declared.__name__


def runtime_value_text(value: Any) -> str:
    """A value as the change log and the export show it: ``100.00``, ``24``, ``true``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _value_error(name: str, value: Any) -> str | None:
    kind = runtime_setting_kind(name)
    if kind == "bool":
        return None if isinstance(value, bool) else _("Choose on or off.")
    if kind == "text":
        if not isinstance(value, str):
            return _("Enter a text.")
        return _("At most %(count)s characters.") % {"count": TEXT_MAX_LENGTH} if len(value) > TEXT_MAX_LENGTH else None
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return _("Enter a whole number.")
        low, high = INT_RANGES.get(name, INT_RANGE_DEFAULT)
        if not low <= value <= high:
            return _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return None
    return _decimal_error(name, value)


def _decimal_error(name: str, value: Any) -> str | None:
    if not isinstance(value, Decimal) or not value.is_finite():
        return _("Enter a number.")
    places, positive = DECIMAL_RULES.get(name, (2, False))
    if value < 0:
        return _("Enter zero or more; a negative value is not allowed.")
    if positive and value == 0:
        return _("Enter a value greater than zero.")
    if value >= MONEY_LIMIT:
        return _("This value is too large.")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        return _("Use at most %(places)s decimal places.") % {"places": places}
    if name in PERCENT_SETTINGS and value > 100:
        return _("A percentage cannot be above 100.")
    return None


def runtime_values_errors(*, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors of a complete set of values (each one's type and range, then the pairs)."""
    errors = {name: [error] for name, value in values.items() if (error := _value_error(name, value))}
    for low, high in ORDERED_PAIRS:
        if low in errors or high in errors:
            continue
        if values[low] > values[high]:
            errors.setdefault(low, []).append(
                _("This cannot be above %(other)s (%(value)s).")
                % {"other": high, "value": runtime_value_text(values[high])}
            )
    return errors


def _stored_locked(names: list[str]) -> dict[str, Any]:
    from constance.codecs import loads
    from constance.models import Constance

    keys = {runtime_setting_key(name): name for name in names}
    rows = Constance.objects.select_for_update().filter(key__in=keys).order_by("pk").values_list("key", "value")
    return {keys[key]: loads(value) for key, value in rows if value is not None}


def _store(name: str, value: Any) -> None:
    from constance.codecs import dumps
    from constance.models import Constance

    key, text = runtime_setting_key(name), dumps(value)
    if Constance.objects.filter(key=key).update(value=text):
        return
    try:
        with transaction.atomic():
            Constance.objects.create(key=key, value=text)
    except IntegrityError:
        raise ConflictError(
            _("The settings were changed by someone else meanwhile: reload the page."), code="settings_conflict"
        ) from None


@transaction.atomic(durable=True)
def runtime_settings_update(*, actor, values: Mapping[str, Any]) -> list[SettingChange]:
    """Save ``values`` (some or all runtime settings) after checking the resulting set as a whole:
    a minimum above its maximum, a negative fee, a percentage above 100, a zero threshold, hours or
    days below 1… are field errors (``code="invalid_settings"``) and nothing is saved. Returns the
    change-log rows written (none when nothing changed). Step-up two-factor checks belong to the
    caller (``apps.controls.admin.RuntimeSettingsAdmin.save_refusal``)."""
    names = list(settings.CONSTANCE_CONFIG)
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ApplicationError(_("Unknown setting: %(names)s.") % {"names": ", ".join(unknown)}, code="unknown_setting")
    stored = _stored_locked(names)
    current = {name: stored.get(name, runtime_setting_default(name)) for name in names}
    proposed = {**current, **values}
    errors = runtime_values_errors(values=proposed)
    if errors:
        raise ApplicationError(
            _("Some settings are not valid: nothing was saved."), code="invalid_settings", field_errors=errors
        )
    now = timezone.now()
    changes = []
    for name in names:
        if name in values and proposed[name] != current[name]:
            _store(name, proposed[name])
            changes.append(
                SettingChange(
                    changed_at=now,
                    actor=actor,
                    name=name,
                    old_value=runtime_value_text(current[name]),
                    new_value=runtime_value_text(proposed[name]),
                )
            )
    SettingChange.objects.bulk_create(changes)
    if changes:
        cache.delete(SNAPSHOT_KEY)  # this transaction's own reads see the new values
        transaction.on_commit(runtime_snapshot_refresh)  # every process's, once committed
    return changes
