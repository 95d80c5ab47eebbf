"""Moved to ``apps.common.admin.changelist`` (the lower apps' admins use it too); this name stays for the
modules that import it from here."""

from apps.common.admin.changelist import ModelAdmin

__all__ = ["ModelAdmin"]
