"""Admin of accounts: users (``users.py``) and account events (``events.py``)."""

from apps.accounts.admin.events import UserEventAdmin, UserEventInline
from apps.accounts.admin.users import UserAdmin
from apps.accounts.mfa.admin import admin_site_install

admin_site_install()  # the sign-in form asks for the two-factor code

__all__ = ["UserAdmin", "UserEventAdmin", "UserEventInline"]
