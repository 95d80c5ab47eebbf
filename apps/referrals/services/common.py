"""Input checks and the change history shared by the rule and milestone services."""

from collections.abc import Mapping

from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.referrals.models import ReferralChange


def int_clean(value, *, field: str, minimum: int, maximum: int) -> int:
    """A whole number in ``minimum…maximum`` (an int or its text); anything else is a clear error."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ApplicationError(_("Enter a whole number."), code="invalid", field=field)
    try:
        number = int(value)
    except ValueError:
        raise ApplicationError(_("Enter a whole number."), code="invalid", field=field) from None
    if not minimum <= number <= maximum:
        raise ApplicationError(
            _("Enter a number from %(min)d to %(max)d.") % {"min": minimum, "max": maximum}, code="invalid", field=field
        )
    return number


def bool_clean(value, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise ApplicationError(_("Choose yes or no."), code="invalid", field=field)
    return value


def unknown_fields_refuse(fields: Mapping[str, object], *, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ApplicationError(_("This field cannot be set."), code="field_not_editable", field=unknown[0])


def changes_between(before: Mapping[str, object], after: Mapping[str, object]) -> dict:
    """``{field: [old, new]}`` for each field whose value changed (as text, for the history)."""
    return {
        name: [None if before.get(name) is None else str(before.get(name)), str(value)]
        for name, value in after.items()
        if before.get(name) != value
    }


def change_record(*, subject: str, obj, actor, changes: dict) -> ReferralChange:
    return ReferralChange.objects.create(
        subject=subject, object_id=obj.pk, label=str(obj)[:100], actor=actor, changes=changes
    )
