from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from workers.models import Heartbeat
from workers.selectors import heartbeat_is_alive


@admin.register(Heartbeat)
class HeartbeatAdmin(ModelAdmin):
    """Written by the heartbeat task only; staff read it to see that beat and the workers run."""

    list_display = ("name", "display_status", "last_beat_at", "beats")
    fields = ("name", "last_beat_at", "beats")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @display(description=_("Status"), label={"alive": "success", "stale": "danger"})
    def display_status(self, obj: Heartbeat):
        return ("alive", _("alive")) if heartbeat_is_alive(heartbeat=obj) else ("stale", _("stale"))
