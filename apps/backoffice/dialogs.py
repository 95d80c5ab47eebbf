"""Moved to ``apps.common.admin.dialogs`` (the lower apps' admins use it too); this name stays for the
modules that import it from here."""

from apps.common.admin.dialogs import dialog_service_call

__all__ = ["dialog_service_call"]
