"""``--date`` / ``--through`` parsing shared by the job commands."""

from datetime import date

from django.core.management.base import CommandError


def parse_date(value: str | None, *, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date like 2026-01-31, got {value!r}.") from None
