"""Audience segments of announcements and tasks: which investors a segment means, checked input,
and the count the composer shows before sending. Only active investors are ever recipients."""

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _

from apps.accounts.models import KycStatus, User
from apps.common.errors import ApplicationError
from apps.common.text import single_line
from apps.investments.models import Position, PositionStatus
from apps.messaging.models import Segment
from apps.messaging.models.audience import SEGMENTS_WITH_VALUE


def segment_clean(*, segment, value) -> tuple[str, str]:
    """A known segment with the value it needs (and none it does not)."""
    if segment not in Segment.values:
        raise ApplicationError(_("Choose an audience."), code="invalid_segment", field="segment")
    value = single_line(value)
    if segment not in SEGMENTS_WITH_VALUE:
        return segment, ""
    if segment == Segment.KYC_STATUS and value not in KycStatus.values:
        raise ApplicationError(_("Choose a KYC status."), code="invalid_segment_value", field="segment_value")
    if segment == Segment.LANGUAGE and value not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Choose a language."), code="invalid_segment_value", field="segment_value")
    if segment == Segment.COUNTRY and not 0 < len(value) <= 100:
        raise ApplicationError(_("Enter a country."), code="invalid_segment_value", field="segment_value")
    return segment, value


def segment_users(*, segment: str, value: str = "") -> QuerySet:
    """The active investors of a segment (not ordered)."""
    users = User.objects.filter(is_staff=False, is_active=True)
    if segment == Segment.KYC_STATUS:
        return users.filter(kyc_status=value)
    if segment == Segment.COUNTRY:
        return users.filter(country__iexact=value)
    if segment == Segment.LANGUAGE:
        return users.filter(language=value)
    if segment in (Segment.ACTIVE_POSITION, Segment.NO_POSITION):
        positions = Position.objects.filter(user=OuterRef("pk"))
        if segment == Segment.ACTIVE_POSITION:
            return users.filter(Exists(positions.filter(status=PositionStatus.ACTIVE)))
        return users.filter(~Exists(positions))
    return users


def segment_count(*, segment, value="") -> int:
    segment, value = segment_clean(segment=segment, value=value)
    return segment_users(segment=segment, value=value).count()


def segment_describe(*, segment: str, value: str) -> str:
    """``By KYC status: approved``, for lists and the composer."""
    label = str(Segment(segment).label) if segment in Segment.values else segment
    if segment == Segment.KYC_STATUS and value in KycStatus.values:
        value = str(KycStatus(value).label)
    elif segment == Segment.LANGUAGE:
        value = str(dict(settings.LANGUAGES).get(value, value))
    return f"{label}: {value}" if value else label
