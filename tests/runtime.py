"""Runtime settings for tests (``apps.controls``): set them the way a save in the admin stores them."""

from constance.codecs import dumps
from constance.models import Constance
from django.conf import settings

from apps.controls.runtime import runtime_setting_key, runtime_snapshot_refresh


def runtime_values_set(**values) -> None:
    """``runtime_values_set(DEPOSIT_MIN=Decimal("25.00"))``: the rows go with the test's database,
    and the shared snapshot is stored afresh, as after a save. No change-log row, no checks."""
    for name, value in values.items():
        if name not in settings.CONSTANCE_CONFIG:
            raise KeyError(f"{name} is not a runtime setting")
        Constance.objects.update_or_create(key=runtime_setting_key(name), defaults={"value": dumps(value)})
    runtime_snapshot_refresh()
