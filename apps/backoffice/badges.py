"""Sidebar badges (see ``navigation.py``): each takes the request and returns what to show, or
nothing. Pending-queue counts of later apps go here, each reading through a selector."""

from django.http import HttpRequest
from django.utils.translation import gettext as _

from apps.backoffice.selectors import locked_out_account_count
from workers.selectors import scheduler_health_get


def scheduler_stale(request: HttpRequest) -> str | None:
    return None if scheduler_health_get().is_alive else _("stale")


def accounts_locked_out(request: HttpRequest) -> int:
    return locked_out_account_count()
