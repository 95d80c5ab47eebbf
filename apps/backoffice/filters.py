"""Moved to ``apps.common.admin.filters`` (the lower apps' admins use it too); this name stays for the
modules that import it from here."""

from apps.common.admin.filters import DateRangeFilter

__all__ = ["DateRangeFilter"]
