"""Milestones ("referral packs"), managed by staff. A milestone that has been awarded is never
deleted (its awards point at it): deactivate it instead, which stops new grants. Every change is
recorded with its actor."""

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError, ConflictError
from apps.referrals.models import Milestone, MilestoneAward, ReferralChange
from apps.referrals.services.common import (
    bool_clean,
    change_record,
    changes_between,
    int_clean,
    unknown_fields_refuse,
)
from apps.wallet.services.common import amount_clean

MILESTONE_FIELDS = ("name", "required_referrals", "reward_amount", "icon", "is_active", "display_order")
REQUIRED_FIELDS = ("name", "required_referrals", "reward_amount")
REQUIRED_REFERRALS_MAX = 1_000_000
NAME_MAX = Milestone._meta.get_field("name").max_length
ICON_MAX = Milestone._meta.get_field("icon").max_length


def _text_clean(value, *, field: str, maximum: int, message: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApplicationError(message, code="invalid", field=field)
    text = value.strip()
    if len(text) > maximum:
        raise ApplicationError(_("Use at most %(max)d characters.") % {"max": maximum}, code="invalid", field=field)
    return text


def milestone_clean(fields: Mapping[str, object]) -> dict:
    """The checked values of ``fields`` (also used by the admin form to show errors in place)."""
    unknown_fields_refuse(fields, allowed=MILESTONE_FIELDS)
    cleaned: dict = {}
    for name, value in fields.items():
        if name == "name":
            cleaned[name] = _text_clean(value, field=name, maximum=NAME_MAX, message=_("Give the milestone a name."))
        elif name == "icon":
            cleaned[name] = _text_clean(value, field=name, maximum=ICON_MAX, message=_("Choose an icon."))
        elif name == "required_referrals":
            cleaned[name] = int_clean(value, field=name, minimum=1, maximum=REQUIRED_REFERRALS_MAX)
        elif name == "display_order":
            cleaned[name] = int_clean(value, field=name, minimum=0, maximum=1_000_000)
        elif name == "reward_amount":
            cleaned[name] = amount_clean(value, field=name)
        else:
            cleaned[name] = bool_clean(value, field=name)
    return cleaned


@transaction.atomic
def milestone_create(*, actor, **fields) -> Milestone:
    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    if missing:
        raise ApplicationError(_("This field is required."), code="required", field=missing[0])
    cleaned = milestone_clean(fields)
    milestone = Milestone.objects.create(**cleaned)
    change_record(
        subject=ReferralChange.Subject.MILESTONE, obj=milestone, actor=actor, changes=changes_between({}, cleaned)
    )
    return milestone


def _milestone_locked(milestone_id) -> Milestone:
    milestone = Milestone.objects.select_for_update().filter(pk=milestone_id).first()
    if milestone is None:
        raise ApplicationError(_("No such milestone."), code="not_found", status_code=404)
    return milestone


@transaction.atomic
def milestone_update(*, milestone_id: int, actor, fields: Mapping[str, object]) -> Milestone:
    """Awards already granted keep the amount they were paid; the new values apply to later grants."""
    milestone = _milestone_locked(milestone_id)
    cleaned = milestone_clean(fields)
    changes = changes_between({name: getattr(milestone, name) for name in cleaned}, cleaned)
    if not changes:
        return milestone
    for name, value in cleaned.items():
        setattr(milestone, name, value)
    milestone.save(update_fields=[*cleaned, "updated_at"])
    change_record(subject=ReferralChange.Subject.MILESTONE, obj=milestone, actor=actor, changes=changes)
    return milestone


def milestone_active_set(*, milestone_id: int, actor, is_active: bool) -> Milestone:
    return milestone_update(milestone_id=milestone_id, actor=actor, fields={"is_active": is_active})


@transaction.atomic
def milestone_delete(*, milestone_id: int, actor) -> None:
    """Only a milestone nobody has been awarded; otherwise deactivate it."""
    milestone = _milestone_locked(milestone_id)
    if MilestoneAward.objects.filter(milestone=milestone).exists():
        raise ConflictError(
            _("This milestone has been awarded, so it stays on record: deactivate it instead."),
            code="milestone_awarded",
        )
    change_record(
        subject=ReferralChange.Subject.MILESTONE, obj=milestone, actor=actor, changes={"deleted": [None, "True"]}
    )
    milestone.delete()
