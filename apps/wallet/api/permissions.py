"""The staff permission of the API lives in ``apps.common.api.permissions`` (every app's staff
endpoints use it); this name stays for the apps that import it from here."""

from apps.common.api.permissions import StaffWithPermission

__all__ = ["StaffWithPermission"]
