"""Admin of accounts: users (``users.py``) and account events (``events.py``)."""

from apps.accounts.admin.events import UserEventAdmin, UserEventInline
from apps.accounts.admin.users import UserAdmin

__all__ = ["UserAdmin", "UserEventAdmin", "UserEventInline"]
