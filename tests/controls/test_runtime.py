"""The runtime settings are read through one accessor: nothing reads ``settings.<NAME>`` of a
runtime setting (that is only its environment default), and every default is a valid value."""

import re
from pathlib import Path

from django.conf import settings

from apps.controls.services import runtime_values_errors

ROOT = Path(__file__).resolve().parent.parent.parent
# The environment defaults keep their old names in config/settings/base.py.
LEGACY_NAMES = [
    "DEPOSIT_MIN",
    "DEPOSIT_MAX",
    "WITHDRAWAL_MIN",
    "WITHDRAWAL_MAX",
    "WITHDRAWAL_DAILY_LIMIT",
    "WITHDRAWAL_FEE_FIXED",
    "WITHDRAWAL_FEE_PERCENT",
    "KYC_REQUIRED_FOR_WITHDRAWAL",
    "FOUR_EYES_THRESHOLD",
    "RISK_ADDRESS_NEW_DAYS",
    "RISK_ACCOUNT_NEW_DAYS",
    "COVERAGE_WARNING_RATIO",
    "SUPPORT_SLA_FIRST_RESPONSE_HOURS",
    "SUPPORT_SLA_NEXT_RESPONSE_HOURS",
    "SUPPORT_AUTO_CLOSE_DAYS",
    "MESSAGE_SEND_LIMIT_PER_HOUR",
    "TASK_DEFAULT_EXPIRY_DAYS",
    "MAINTENANCE_MODE",
]
DIRECT_READ = re.compile(r"\bsettings\.({})\b".format("|".join(LEGACY_NAMES)))


def test_no_code_reads_a_runtime_setting_from_django_settings():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("apps", "workers", "tests")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf8").splitlines(), start=1)
        if DIRECT_READ.search(line) and path.name != "test_runtime.py" and "environment default" not in line
    ]
    assert offenders == []


def test_every_default_is_a_valid_value():
    defaults = {name: options[0] for name, options in settings.CONSTANCE_CONFIG.items()}
    assert runtime_values_errors(values=defaults) == {}


def test_every_setting_is_in_exactly_one_fieldset_of_the_page():
    listed = [name for _title, fieldset in settings.CONSTANCE_CONFIG_FIELDSETS for name in fieldset["fields"]]
    assert sorted(listed) == sorted(settings.CONSTANCE_CONFIG)
    assert len(listed) == len(set(listed))
