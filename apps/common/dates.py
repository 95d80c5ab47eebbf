"""The business date: the platform's local date in ``PLATFORM_TIME_ZONE``."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def platform_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.PLATFORM_TIME_ZONE)


def business_date_today() -> date:
    return timezone.localdate(timezone=platform_time_zone())


def business_date_of(moment: datetime) -> date:
    return timezone.localdate(moment, timezone=platform_time_zone())


def age_on(born: date, today: date) -> int:
    """Whole years from ``born`` to ``today`` (a birthday not yet reached this year does not count)."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def business_day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a business date as aware datetimes."""
    from datetime import time, timedelta

    zone = platform_time_zone()
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end
