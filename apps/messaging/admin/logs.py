"""Read-only logs of the messaging center: who opened which attachment (one row per look,
written by the service before the file is served), and the notices sent to users."""

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy
from unfold.contrib.filters.admin import AutocompleteSelectFilter, BooleanRadioFilter, ChoicesDropdownFilter
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.backoffice.filters import DateRangeFilter
from apps.messaging.admin.common import LINK_CLASS, date_cell
from apps.messaging.models import AttachmentAccess, Notification
from apps.messaging.selectors.backoffice import attachment_access_list
from apps.wallet.admin.base import ReadOnlyAdminMixin, user_link


@admin.register(AttachmentAccess)
class AttachmentAccessAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = (
        "id",
        "display_accessed",
        "display_user",
        "display_file",
        "display_thread",
        "display_investor",
        "display_ip",
        "via",
    )
    list_display_links = ("id",)
    list_filter = (
        ("via", ChoicesDropdownFilter),
        ("accessed_at", DateRangeFilter),
        ("user", AutocompleteSelectFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("user__email", "attachment__message__thread__investor__email", "=ip_address")
    search_help_text = gettext_lazy("Email of who looked or of the investor, or exact IP address")
    ordering = ("-accessed_at", "-id")
    fields = (
        "display_accessed",
        "display_user",
        "display_file",
        "display_thread",
        "display_investor",
        "display_ip",
        "user_agent",
        "via",
    )
    readonly_fields = fields
    actions = None

    class Media:
        css = {"all": ("backoffice/messaging/admin.css",)}

    def get_queryset(self, request: HttpRequest):
        return attachment_access_list()

    @display(description=gettext_lazy("When"), ordering="accessed_at")
    def display_accessed(self, obj: AttachmentAccess) -> str:
        return date_cell(obj.accessed_at)

    @display(description=gettext_lazy("Who"), ordering="user__email")
    def display_user(self, obj: AttachmentAccess) -> str:
        return user_link(obj.user)

    @display(description=gettext_lazy("File"))
    def display_file(self, obj: AttachmentAccess) -> str:
        return obj.attachment.name

    @display(description=gettext_lazy("Conversation"))
    def display_thread(self, obj: AttachmentAccess) -> str:
        thread = obj.attachment.message.thread
        url = reverse("admin:messaging_thread_change", args=(thread.pk,))
        return format_html('<a href="{}" class="{}">{}</a>', url, LINK_CLASS, thread.ticket_number)

    @display(description=gettext_lazy("Investor"))
    def display_investor(self, obj: AttachmentAccess) -> str:
        return user_link(obj.attachment.message.thread.investor)

    @display(description=gettext_lazy("IP address"), ordering="ip_address")
    def display_ip(self, obj: AttachmentAccess) -> str:
        return obj.ip_address or "-"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """What a user was told, for support questions ("did I get the notice?")."""

    list_display = ("id", "display_created", "display_user", "category", "kind", "display_title", "is_read")
    list_display_links = ("id",)
    list_filter = (
        ("category", ChoicesDropdownFilter),
        ("is_read", BooleanRadioFilter),
        ("user", AutocompleteSelectFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("user__email", "title")
    search_help_text = gettext_lazy("User email or title")
    ordering = ("-created_at", "-id")
    fields = ("user", "kind", "category", "title", "body", "link", "is_read", "emailed_at", "created_at")
    readonly_fields = fields
    actions = None

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("user")

    @display(description=gettext_lazy("Sent at"), ordering="created_at")
    def display_created(self, obj: Notification) -> str:
        return date_cell(obj.created_at)

    @display(description=gettext_lazy("User"), ordering="user__email")
    def display_user(self, obj: Notification) -> str:
        return user_link(obj.user)

    @display(description=gettext_lazy("Title"))
    def display_title(self, obj: Notification) -> str:
        return Truncator(obj.title).chars(80)
