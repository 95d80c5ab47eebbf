"""Who an announcement or a task goes to: every investor, or one segment of them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Segment(models.TextChoices):
    ALL = "all", _("All investors")
    KYC_STATUS = "kyc_status", _("By KYC status")
    ACTIVE_POSITION = "active_position", _("Has an active position")
    NO_POSITION = "no_position", _("No position yet")
    COUNTRY = "country", _("By country")
    LANGUAGE = "language", _("By language")


# Segments that need a value (the KYC status, the country, the language).
SEGMENTS_WITH_VALUE = (Segment.KYC_STATUS, Segment.COUNTRY, Segment.LANGUAGE)


class Audience(models.Model):
    segment = models.CharField(_("audience"), max_length=16, choices=Segment.choices, default=Segment.ALL)
    segment_value = models.CharField(
        _("audience value"),
        max_length=100,
        blank=True,
        help_text=_("The KYC status, country or language of the segment."),
    )

    class Meta:
        abstract = True


class DeliveryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", pgettext_lazy("delivery status", "Sent")
    CANCELLED = "cancelled", _("Cancelled")


class Delivery(Audience):
    """Delivery in chunks of recipients by ascending user id: ``delivered_through`` is the last
    user id done, written in the same transaction as the chunk, so a killed delivery resumes
    where it stopped (and a unique constraint per recipient makes a replayed chunk a no-op)."""

    status = models.CharField(
        _("status"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.DRAFT, db_index=True
    )
    delivered_through = models.BigIntegerField(default=0, editable=False)
    delivered_count = models.PositiveIntegerField(_("delivered"), default=0, editable=False)
    delivery_started_at = models.DateTimeField(_("delivery started"), null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True
