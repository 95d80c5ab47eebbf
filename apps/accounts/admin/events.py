"""Account events (``UserEvent``): the audit trail, read-only everywhere."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import display

from apps.accounts.models import UserEvent
from apps.common.admin.changelist import ModelAdmin
from apps.common.admin.filters import DateRangeFilter

KIND_LABELS = {
    UserEvent.Kind.DEACTIVATED: "danger",
    UserEvent.Kind.REACTIVATED: "success",
    UserEvent.Kind.KYC_STATUS_SET: "warning",
    UserEvent.Kind.ROLES_CHANGED: "primary",
    UserEvent.Kind.SIGNED_UP: "info",
}


def _actor(event: UserEvent) -> str:
    if event.actor_id is None:
        return _("system")
    if event.actor_id == event.user_id:
        return _("the user")
    return event.actor.email


class _ReadOnly:
    """Audit rows are written by services only; whoever may see a user may see their events."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm("accounts.view_userevent") or request.user.has_perm("accounts.view_user")


class UserEventInline(_ReadOnly, TabularInline):
    model = UserEvent
    fk_name = "user"
    fields = ("created_at", "display_kind", "display_actor", "data")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    extra = 0
    max_num = 0
    can_delete = False
    per_page = 10
    tab = True
    hide_title = True
    verbose_name = _("account event")
    verbose_name_plural = _("Account events")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("actor")

    @display(description=_("Event"))
    def display_kind(self, obj: UserEvent) -> str:
        return obj.get_kind_display()  # read-only form fields show text, not list labels

    @display(description=_("By"))
    def display_actor(self, obj: UserEvent) -> str:
        return _actor(obj)


@admin.register(UserEvent)
class UserEventAdmin(_ReadOnly, ModelAdmin):
    list_display = ("display_created", "display_user", "display_kind", "display_actor", "data")
    list_filter = (("kind", ChoicesDropdownFilter), ("created_at", DateRangeFilter))
    list_filter_submit = True
    search_fields = ("user__email", "actor__email")
    search_help_text = _("Email of the user or of the staff member who acted")
    show_full_result_count = False
    list_per_page = 50
    fields = ("created_at", "user", "actor", "kind", "data")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user", "actor")

    @display(description=_("When"), ordering="created_at")
    def display_created(self, obj: UserEvent) -> str:
        return formats.date_format(timezone.localtime(obj.created_at), "j M Y, H:i")

    @display(description=_("User"), ordering="user__email")
    def display_user(self, obj: UserEvent):
        url = reverse("admin:accounts_user_change", args=(obj.user_id,))
        return format_html('<a href="{}" class="text-primary-600 dark:text-primary-500">{}</a>', url, obj.user.email)

    @display(description=_("Event"), label=KIND_LABELS, ordering="kind")
    def display_kind(self, obj: UserEvent):
        return obj.kind, obj.get_kind_display()

    @display(description=_("By"))
    def display_actor(self, obj: UserEvent) -> str:
        return _actor(obj)
