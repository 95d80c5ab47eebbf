"""Announcements: staff write once (English and Arabic) to every investor or a segment; a job
delivers one in-app notice per recipient (see ``Notification.announcement``) and emails copies to
those who allow them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.messaging.models.audience import Delivery
from apps.messaging.models.threads import BODY_MAX_LENGTH, SUBJECT_MAX_LENGTH


class Announcement(Delivery):
    title_en = models.CharField(_("title (English)"), max_length=SUBJECT_MAX_LENGTH)
    title_ar = models.CharField(_("title (Arabic)"), max_length=SUBJECT_MAX_LENGTH, blank=True)
    body_en = models.TextField(_("text (English)"), max_length=BODY_MAX_LENGTH)
    body_ar = models.TextField(_("text (Arabic)"), max_length=BODY_MAX_LENGTH, blank=True)
    link = models.CharField(
        _("link"),
        max_length=300,
        blank=True,
        help_text=_("Optional: a page of this site (/plans/) or an https:// address."),
    )
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Shown as a banner in the portal until the investor dismisses it.")
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True, help_text=_("Empty: as soon as it is sent."))
    emailed_count = models.PositiveIntegerField(_("emailed"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-created_at", "-id"]
        permissions = [("send_announcement", "Can send announcements to investors")]
        constraints = [
            models.CheckConstraint(condition=~Q(title_en=""), name="messaging_announcement_title_required"),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(send_at__isnull=False),
                name="messaging_announcement_scheduled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    def title_for(self, language: str) -> str:
        return self.title_ar if language == "ar" and self.title_ar else self.title_en

    def body_for(self, language: str) -> str:
        return self.body_ar if language == "ar" and self.body_ar else self.body_en
