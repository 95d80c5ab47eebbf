"""Canned replies: ready answers in English and Arabic, picked in a thread's reply box and filled
in for its investor. Saved through ``canned_reply_save`` (which refuses unknown ``{variables}``
as an error on the text). They are switched off, not deleted (no service deletes them)."""

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.contrib.filters.admin import BooleanRadioFilter
from unfold.decorators import display

from apps.backoffice.changelist import ModelAdmin
from apps.messaging.admin.common import ServiceFormMixin, date_cell
from apps.messaging.admin.forms import CannedReplyForm
from apps.messaging.models import CannedReply
from apps.messaging.services.canned import canned_reply_save

PREVIEW_CHARS = 60


@admin.register(CannedReply)
class CannedReplyAdmin(ServiceFormMixin, ModelAdmin):
    form = CannedReplyForm
    list_display = ("title", "display_text", "display_arabic", "is_active", "display_updated")
    list_display_links = ("title",)
    list_filter = (("is_active", BooleanRadioFilter),)
    list_filter_submit = True
    list_per_page = 50
    search_fields = ("title", "body_en", "body_ar")
    search_help_text = gettext_lazy("Title or text")
    ordering = ("title", "id")
    fields = ("title", "body_en", "body_ar", "is_active")
    actions = None

    class Media:
        css = {"all": ("backoffice/messaging/admin.css",)}

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        """Switch a reply off instead: nothing deletes staff texts but a service, and none does."""
        return False

    def service_save(self, request: HttpRequest, form, obj) -> CannedReply:
        data = form.cleaned_data
        return canned_reply_save(
            staff=request.user,
            title=data.get("title", ""),
            body_en=data.get("body_en", ""),
            body_ar=data.get("body_ar", ""),
            is_active=data.get("is_active", False),
            canned_reply=obj,
        )

    def service_saved_message(self, obj: CannedReply, *, added: bool) -> str:
        return _("The canned reply “%(title)s” was saved.") % {"title": obj.title}

    @display(description=gettext_lazy("Text (English)"))
    def display_text(self, obj: CannedReply) -> str:
        return format_html('<span class="msg-cell">{}</span>', Truncator(obj.body_en).chars(PREVIEW_CHARS))

    @display(description=gettext_lazy("Arabic"), boolean=True)
    def display_arabic(self, obj: CannedReply) -> bool:
        return bool(obj.body_ar)

    @display(description=gettext_lazy("Updated"), ordering="updated_at")
    def display_updated(self, obj: CannedReply) -> str:
        return date_cell(obj.updated_at)
