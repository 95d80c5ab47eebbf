"""Announcements: staff compose one (English and Arabic, an optional link, pinned or not, an
audience and an optional time) as a draft through ``announcement_create``/``announcement_update``;
the draft's page shows it as investors will see it in each language (escaped) and how many
investors it goes to (``segment_count``) before anything is sent. "Send now", "Schedule" and
"Cancel schedule" are ``announcement_send``/``announcement_cancel`` (``messaging.send_announcement``).
Once sent an announcement is read-only and its page shows delivered, emailed and read counts."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from unfold.contrib.filters.admin import BooleanRadioFilter, ChoicesDropdownFilter
from unfold.decorators import action, display
from unfold.enums import ActionVariant

from apps.backoffice.changelist import ModelAdmin
from apps.common.errors import ApplicationError
from apps.messaging.admin.common import DELIVERY_LABELS, ServiceFormMixin, date_cell, dialog_done, label
from apps.messaging.admin.forms import AnnouncementDialogForm, AnnouncementForm
from apps.messaging.models import Announcement, DeliveryStatus
from apps.messaging.segments import segment_count, segment_describe
from apps.messaging.selectors import announcement_counts
from apps.messaging.services.announcements import (
    EDITABLE,
    SEND_PERMISSION,
    announcement_cancel,
    announcement_create,
    announcement_send,
    announcement_update,
)

SEND_NOW_DIALOG = {
    "title": gettext_lazy("Send this announcement now?"),
    "description": gettext_lazy("Every investor of the audience gets it as a notice, and by email if they allow it."),
    "form_class": AnnouncementDialogForm,
    "form_submit_text": gettext_lazy("Send now"),
}
SCHEDULE_DIALOG = {
    "title": gettext_lazy("Schedule this announcement?"),
    "description": gettext_lazy("It is sent at its time to the investors of the audience at that moment."),
    "form_class": AnnouncementDialogForm,
    "form_submit_text": pgettext_lazy("announcement action", "Schedule"),
}
CANCEL_DIALOG = {
    "title": gettext_lazy("Cancel the schedule?"),
    "description": gettext_lazy("The announcement goes back to being a draft; nothing was sent."),
    "form_class": AnnouncementDialogForm,
    "form_submit_text": gettext_lazy("Cancel the schedule"),
}


def recipient_count(announcement: Announcement) -> int | None:
    try:
        return segment_count(segment=announcement.segment, value=announcement.segment_value)
    except ApplicationError:
        return None


def announcement_summary(object_id) -> dict:
    """What a send/schedule/cancel dialog repeats: the audience, its size, the time."""
    announcement = Announcement.objects.filter(pk=_int(object_id)).first()
    if announcement is None:
        return {"announcement": None}
    return {
        "announcement": announcement,
        "audience": segment_describe(segment=announcement.segment, value=announcement.segment_value),
        "recipients": recipient_count(announcement),
    }


def _int(value) -> int | None:
    try:
        return int(unquote(str(value)))
    except (TypeError, ValueError):
        return None


@admin.register(Announcement)
class AnnouncementAdmin(ServiceFormMixin, ModelAdmin):
    form = AnnouncementForm
    list_display = (
        "title_en",
        "display_status",
        "display_audience",
        "pinned",
        "display_send_at",
        "display_delivered",
        "display_created",
        "created_by",
    )
    list_display_links = ("title_en",)
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("segment", ChoicesDropdownFilter),
        ("pinned", BooleanRadioFilter),
    )
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    search_fields = ("title_en", "title_ar")
    search_help_text = gettext_lazy("Title, in either language")
    ordering = ("-created_at", "-id")
    fieldsets = (
        (gettext_lazy("English"), {"fields": ("title_en", "body_en")}),
        (
            gettext_lazy("Arabic"),
            {
                "fields": ("title_ar", "body_ar"),
                "description": gettext_lazy("Optional: without it, investors who chose Arabic get the English text."),
            },
        ),
        (gettext_lazy("Delivery"), {"fields": ("link", "pinned", "segment", "segment_value", "send_at")}),
    )
    change_form_template = "backoffice/messaging/announcement_form.html"
    actions = None
    actions_detail = ("send_now", "schedule", "cancel_schedule")
    service_stay_on_page = True

    class Media:
        css = {"all": ("backoffice/messaging/admin.css",)}

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("created_by")

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        """Drafts and scheduled announcements can be changed; sent ones are read-only."""
        if obj is not None and obj.status not in EDITABLE:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_send_permission(self, request: HttpRequest, object_id=None) -> bool:
        return request.user.has_perm(SEND_PERMISSION)

    # --- the composer: saving is the service ------------------------------------------------------

    def service_save(self, request: HttpRequest, form, obj) -> Announcement:
        data = form.cleaned_data
        fields = {
            name: data.get(name, "")
            for name in ("title_en", "body_en", "title_ar", "body_ar", "link", "segment", "segment_value")
        }
        fields["send_at"] = data.get("send_at")
        if obj is None:
            return announcement_create(staff=request.user, pinned=data.get("pinned", False), **fields)
        return announcement_update(
            announcement_id=obj.pk, staff=request.user, pinned=data.get("pinned", False), **fields
        )

    def service_saved_message(self, obj: Announcement, *, added: bool) -> str:
        return _("The draft was saved. Check the preview and the recipients, then send it.")

    def render_change_form(self, request: HttpRequest, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._preview_context(obj))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def _preview_context(self, announcement: Announcement) -> dict:
        """The saved announcement as investors see it in each language, who gets it and, once it
        was sent, how far it went."""
        sent = announcement.status not in EDITABLE
        return {
            "preview": [
                {
                    "language": "en",
                    "name": _("English"),
                    "title": announcement.title_for("en"),
                    "body": announcement.body_for("en"),
                },
                {
                    "language": "ar",
                    "name": _("Arabic"),
                    "title": announcement.title_for("ar"),
                    "body": announcement.body_for("ar"),
                    "fallback": not announcement.title_ar,
                },
            ],
            "announcement": announcement,
            "status_label": label(announcement.get_status_display(), DELIVERY_LABELS.get(announcement.status)),
            "audience": segment_describe(segment=announcement.segment, value=announcement.segment_value),
            "recipients": None if sent else recipient_count(announcement),
            "counts": announcement_counts(announcement=announcement) if sent else None,
        }

    # --- columns ------------------------------------------------------------------------------------

    @display(description=gettext_lazy("Status"), label=DELIVERY_LABELS, ordering="status")
    def display_status(self, obj: Announcement):
        return obj.status, obj.get_status_display()

    @display(description=gettext_lazy("Audience"))
    def display_audience(self, obj: Announcement) -> str:
        return segment_describe(segment=obj.segment, value=obj.segment_value)

    @display(description=gettext_lazy("Send at"), ordering="send_at")
    def display_send_at(self, obj: Announcement) -> str:
        return date_cell(obj.send_at)

    @display(description=gettext_lazy("Delivered"), ordering="delivered_count")
    def display_delivered(self, obj: Announcement) -> str:
        return f"{obj.delivered_count:,}"

    @display(description=gettext_lazy("Written"), ordering="created_at")
    def display_created(self, obj: Announcement) -> str:
        return date_cell(obj.created_at)

    # --- send, schedule, cancel -----------------------------------------------------------------------

    def get_actions_detail(self, request: HttpRequest, object_id):
        """A draft is sent now (no time, or one already past) or scheduled (a future time); a
        scheduled one can go back to draft."""
        announcement = self._detail_target(request, object_id)
        offered = ()
        if announcement is not None and announcement.status == DeliveryStatus.DRAFT:
            future = announcement.send_at is not None and announcement.send_at > timezone.now()
            offered = ("schedule",) if future else ("send_now",)
        elif announcement is not None and announcement.status == DeliveryStatus.SCHEDULED:
            offered = ("cancel_schedule",)
        names = {f"{self.opts.app_label}_{self.opts.model_name}_{name}" for name in offered}
        return [item for item in super().get_actions_detail(request, object_id) if item.action_name in names]

    def _detail_target(self, request: HttpRequest, object_id) -> Announcement | None:
        cache = request.__dict__.setdefault("_announcement_targets", {})
        key = str(object_id)
        if key not in cache:
            cache[key] = self.get_object(request, unquote(key)) if object_id else None
        return cache[key]

    @action(
        description=gettext_lazy("Send now"),
        permissions=["send"],
        icon="send",
        variant=ActionVariant.PRIMARY,
        dialog=SEND_NOW_DIALOG,
    )
    def send_now(self, request: HttpRequest, form, object_id) -> HttpResponse:
        return self._deliver(request, object_id, announcement_send)

    @action(
        description=pgettext_lazy("announcement action", "Schedule"),
        permissions=["send"],
        icon="schedule_send",
        variant=ActionVariant.PRIMARY,
        dialog=SCHEDULE_DIALOG,
    )
    def schedule(self, request: HttpRequest, form, object_id) -> HttpResponse:
        return self._deliver(request, object_id, announcement_send)

    @action(
        description=gettext_lazy("Cancel schedule"),
        permissions=["send"],
        icon="cancel_schedule_send",
        variant=ActionVariant.DANGER,
        dialog=CANCEL_DIALOG,
    )
    def cancel_schedule(self, request: HttpRequest, form, object_id) -> HttpResponse:
        return self._deliver(request, object_id, announcement_cancel)

    def _deliver(self, request: HttpRequest, object_id, service) -> HttpResponse:
        announcement = self._detail_target(request, object_id)
        if announcement is None:
            raise Http404
        try:
            result = service(announcement_id=announcement.pk, staff=request.user)
        except ApplicationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, _delivery_message(result), messages.SUCCESS)
        return dialog_done(request, reverse("admin:messaging_announcement_change", args=(announcement.pk,)))


def _delivery_message(announcement: Announcement) -> str:
    if announcement.status == DeliveryStatus.SCHEDULED:
        return _("The announcement is scheduled for %(when)s.") % {
            "when": timezone.localtime(announcement.send_at).strftime("%d %b %Y, %H:%M")
        }
    if announcement.status == DeliveryStatus.DRAFT:
        return _("The schedule was cancelled: the announcement is a draft again.")
    return _("The announcement is being delivered.")
