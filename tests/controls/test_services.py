"""Runtime settings: the save (validated as a whole, logged, all or nothing) and the read (the
value in force, effective at once in every process through the shared cache)."""

from decimal import Decimal as D

import pytest
from constance.models import Constance
from django.core.cache.backends.filebased import FileBasedCache

from apps.common.errors import ApplicationError
from apps.controls.models import SettingChange
from apps.controls.runtime import SNAPSHOT_KEY, runtime_setting, runtime_settings_current
from apps.controls.services import runtime_settings_update


def changes() -> list[tuple]:
    return list(SettingChange.objects.order_by("id").values_list("actor", "name", "old_value", "new_value"))


def test_an_unsaved_setting_is_its_environment_default(db, settings):
    assert runtime_setting("DEPOSIT_MIN") == settings.DEPOSIT_MIN == D("10.00")  # reads the environment default
    assert runtime_setting("MAINTENANCE_MODE") is False
    assert runtime_setting("SUPPORT_SLA_FIRST_RESPONSE_HOURS_URGENT") == 2
    assert list(runtime_settings_current())[:3] == [
        "MAINTENANCE_MODE",
        "MAINTENANCE_MESSAGE",
        "MAINTENANCE_RETRY_AFTER_SECONDS",
    ]
    assert Constance.objects.count() == 0  # reading stores nothing


def test_a_save_logs_each_change_with_its_author_old_and_new_value(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        written = runtime_settings_update(
            actor=staff,
            values={"DEPOSIT_MIN": D("25.00"), "DEPOSIT_MAX": D("1000000.00"), "MAINTENANCE_MODE": True},
        )

    assert [change.name for change in written] == ["MAINTENANCE_MODE", "DEPOSIT_MIN"]  # DEPOSIT_MAX unchanged
    assert changes() == [
        (staff.pk, "MAINTENANCE_MODE", "false", "true"),
        (staff.pk, "DEPOSIT_MIN", "10.00", "25.00"),
    ]
    assert (runtime_setting("DEPOSIT_MIN"), runtime_setting("MAINTENANCE_MODE")) == (D("25.00"), True)

    with django_capture_on_commit_callbacks(execute=True):
        runtime_settings_update(actor=staff, values={"DEPOSIT_MIN": D("30.00")})
    assert changes()[-1] == (staff.pk, "DEPOSIT_MIN", "25.00", "30.00")
    assert runtime_setting("DEPOSIT_MIN") == D("30.00")


def test_saving_the_same_values_writes_nothing(staff, unchanged_db):
    with unchanged_db():
        assert runtime_settings_update(actor=staff, values={"DEPOSIT_MIN": D("10.00"), "MAINTENANCE_MODE": False}) == []


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        (
            {"DEPOSIT_MIN": D("500.00"), "DEPOSIT_MAX": D("100.00")},
            {"DEPOSIT_MIN": ["This cannot be above DEPOSIT_MAX (100.00)."]},
        ),
        ({"WITHDRAWAL_MIN": D("200000.00")}, {"WITHDRAWAL_MIN": ["This cannot be above WITHDRAWAL_MAX (100000.00)."]}),
        (
            {"WITHDRAWAL_FEE_FIXED": D("-1.00")},
            {"WITHDRAWAL_FEE_FIXED": ["Enter zero or more; a negative value is not allowed."]},
        ),
        ({"WITHDRAWAL_FEE_PERCENT": D("100.01")}, {"WITHDRAWAL_FEE_PERCENT": ["A percentage cannot be above 100."]}),
        ({"FOUR_EYES_THRESHOLD": D("0.00")}, {"FOUR_EYES_THRESHOLD": ["Enter a value greater than zero."]}),
        ({"DEPOSIT_MIN": D("10.001")}, {"DEPOSIT_MIN": ["Use at most 2 decimal places."]}),
        ({"COVERAGE_WARNING_RATIO": D("0")}, {"COVERAGE_WARNING_RATIO": ["Enter a value greater than zero."]}),
        (
            {"SUPPORT_SLA_FIRST_RESPONSE_HOURS_HIGH": 0},
            {"SUPPORT_SLA_FIRST_RESPONSE_HOURS_HIGH": ["Enter a whole number from 1 to 87600."]},
        ),
        ({"SUPPORT_AUTO_CLOSE_DAYS": 0}, {"SUPPORT_AUTO_CLOSE_DAYS": ["Enter a whole number from 1 to 3650."]}),
        ({"TASK_DEFAULT_EXPIRY_DAYS": -3}, {"TASK_DEFAULT_EXPIRY_DAYS": ["Enter a whole number from 1 to 3650."]}),
        ({"RISK_ADDRESS_NEW_DAYS": 0}, {"RISK_ADDRESS_NEW_DAYS": ["Enter a whole number from 1 to 3650."]}),
        (
            {"MESSAGE_SEND_LIMIT_PER_HOUR": 0},
            {"MESSAGE_SEND_LIMIT_PER_HOUR": ["Enter a whole number from 1 to 100000."]},
        ),
        (
            {"MAINTENANCE_RETRY_AFTER_SECONDS": 0},
            {"MAINTENANCE_RETRY_AFTER_SECONDS": ["Enter a whole number from 1 to 86400."]},
        ),
        ({"MAINTENANCE_MODE": "yes"}, {"MAINTENANCE_MODE": ["Choose on or off."]}),
        ({"DEPOSIT_MAX": 5}, {"DEPOSIT_MAX": ["Enter a number."]}),
        ({"MAINTENANCE_MESSAGE": "x" * 501}, {"MAINTENANCE_MESSAGE": ["At most 500 characters."]}),
    ],
)
def test_each_invalid_value_is_a_field_error_and_nothing_is_saved(staff, unchanged_db, values, errors):
    # A valid change alongside: it is not saved either.
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        runtime_settings_update(actor=staff, values={"MAINTENANCE_MODE": True, **values})

    assert (error.value.code, error.value.message) == (
        "invalid_settings",
        "Some settings are not valid: nothing was saved.",
    )
    assert error.value.field_errors == errors
    assert runtime_setting("MAINTENANCE_MODE") is False


def test_the_pairs_are_checked_against_the_values_in_force(staff, runtime_config, unchanged_db):
    runtime_config(DEPOSIT_MAX=D("300.00"))
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        runtime_settings_update(actor=staff, values={"DEPOSIT_MIN": D("300.01")})
    assert error.value.field_errors == {"DEPOSIT_MIN": ["This cannot be above DEPOSIT_MAX (300.00)."]}


def test_an_unknown_setting_is_refused(staff, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        runtime_settings_update(actor=staff, values={"SECRET_KEY": "x", "MAINTENANCE_MODE": True})
    assert (error.value.code, error.value.message) == ("unknown_setting", "Unknown setting: SECRET_KEY.")


# --- effective at once, in every process ----------------------------------------------------------------


@pytest.fixture
def shared_cache(settings, tmp_path):
    """The default cache is a file cache, as on the embedded default (Redis in production)."""
    location = tmp_path / "cache"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": location}
    }
    settings.RUNTIME_SETTINGS_CACHE_SECONDS = 60
    return location


def test_a_save_is_seen_by_another_process_through_the_shared_cache(
    staff, shared_cache, django_capture_on_commit_callbacks, django_assert_num_queries
):
    other_process = FileBasedCache(str(shared_cache), {})  # another worker's own cache client
    assert runtime_setting("WITHDRAWAL_MAX") == D("100000.00")  # the snapshot is now cached
    assert other_process.get(SNAPSHOT_KEY) == {}

    with django_capture_on_commit_callbacks(execute=True):
        runtime_settings_update(actor=staff, values={"WITHDRAWAL_MAX": D("5000.00")})

    assert other_process.get(SNAPSHOT_KEY) == {"WITHDRAWAL_MAX": D("5000.00")}
    with django_assert_num_queries(0):  # read from the shared cache, not the database
        assert runtime_setting("WITHDRAWAL_MAX") == D("5000.00")


def test_a_process_without_the_snapshot_reads_the_database(staff, shared_cache, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        runtime_settings_update(actor=staff, values={"FOUR_EYES_THRESHOLD": D("750.00")})
    FileBasedCache(str(shared_cache), {}).clear()  # e.g. Redis restarted

    assert runtime_setting("FOUR_EYES_THRESHOLD") == D("750.00")


def test_a_value_set_through_constance_itself_replaces_the_snapshot(db, django_capture_on_commit_callbacks):
    from constance import config

    assert runtime_setting("DEPOSIT_MAX") == D("1000000.00")
    with django_capture_on_commit_callbacks(execute=True):
        config.DEPOSIT_MAX = D("9000.00")  # as ``manage.py constance set`` does

    assert runtime_setting("DEPOSIT_MAX") == D("9000.00")


def test_the_save_is_one_transaction_with_its_log(staff, monkeypatch, unchanged_db):
    """A failure while writing the log rolls the stored values back too."""

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SettingChange.objects, "bulk_create", broken)
    with unchanged_db(), pytest.raises(RuntimeError):
        runtime_settings_update(actor=staff, values={"DEPOSIT_MIN": D("20.00")})
    assert runtime_setting("DEPOSIT_MIN") == D("10.00")
