"""Changelist filters shared by the admins."""

from django.core.validators import EMPTY_VALUES
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.utils import parse_date_str


class DateRangeFilter(RangeDateFilter):
    """unfold's date range, for datetime fields too: compares calendar days in the current time
    zone (``__date``), so "to 7 May" includes all of 7 May and no naive datetimes reach the ORM."""

    def queryset(self, request, queryset):
        filters = {}
        for suffix, lookup in (("_from", "gte"), ("_to", "lte")):
            value = self.used_parameters.get(f"{self.parameter_name}{suffix}")
            if value in EMPTY_VALUES:
                continue
            day = parse_date_str(value)
            if day is None:
                return queryset.none()
            filters[f"{self.parameter_name}__date__{lookup}"] = day
        return queryset.filter(**filters)
