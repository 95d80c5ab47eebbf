"""Commission rules, managed by staff: one rule per level (1 = the investor's referrer), a rate
in percent of the amount invested (0 < rate ≤ 100, 4 decimals at most) and an active flag.
Rules are deactivated, never deleted; every change is recorded with its actor."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.referrals.models import CommissionRule, ReferralChange
from apps.referrals.services.common import (
    bool_clean,
    change_record,
    changes_between,
    int_clean,
    unknown_fields_refuse,
)

RULE_FIELDS = ("level", "rate", "is_active")
LEVEL_MAX = 10
RATE_PLACES = Decimal("0.0001")


def rate_clean(value, *, field: str = "rate") -> Decimal:
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        rate = Decimal("NaN")
    if isinstance(value, float | bool) or not rate.is_finite():
        raise ApplicationError(_("Enter the rate as a number such as 3 or 1.5."), code="invalid_rate", field=field)
    if rate <= 0 or rate > 100:
        raise ApplicationError(_("The rate must be above 0 and at most 100%."), code="invalid_rate", field=field)
    if rate != rate.quantize(RATE_PLACES):
        raise ApplicationError(_("Use at most 4 decimal places for the rate."), code="invalid_rate", field=field)
    return rate.quantize(RATE_PLACES)


def commission_rule_clean(fields: Mapping[str, object], *, current: CommissionRule | None = None) -> dict:
    """The checked values of ``fields`` (also used by the admin form to show errors in place)."""
    unknown_fields_refuse(fields, allowed=RULE_FIELDS)
    cleaned: dict = {}
    if "level" in fields:
        cleaned["level"] = int_clean(fields["level"], field="level", minimum=1, maximum=LEVEL_MAX)
        taken = CommissionRule.objects.filter(level=cleaned["level"])
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            raise ApplicationError(_("There is already a rule for this level."), code="level_taken", field="level")
    if "rate" in fields:
        cleaned["rate"] = rate_clean(fields["rate"])
    if "is_active" in fields:
        cleaned["is_active"] = bool_clean(fields["is_active"], field="is_active")
    return cleaned


@transaction.atomic
def commission_rule_create(*, actor, level, rate, is_active: bool = True) -> CommissionRule:
    cleaned = commission_rule_clean({"level": level, "rate": rate, "is_active": is_active})
    try:
        with transaction.atomic():
            rule = CommissionRule.objects.create(**cleaned)
    except IntegrityError:
        raise ApplicationError(
            _("There is already a rule for this level."), code="level_taken", field="level"
        ) from None
    change_record(subject=ReferralChange.Subject.RULE, obj=rule, actor=actor, changes=changes_between({}, cleaned))
    return rule


@transaction.atomic
def commission_rule_update(*, rule_id: int, actor, fields: Mapping[str, object]) -> CommissionRule:
    rule = CommissionRule.objects.select_for_update().filter(pk=rule_id).first()
    if rule is None:
        raise ApplicationError(_("No such commission rule."), code="not_found", status_code=404)
    cleaned = commission_rule_clean(fields, current=rule)
    changes = changes_between({name: getattr(rule, name) for name in cleaned}, cleaned)
    if not changes:
        return rule
    for name, value in cleaned.items():
        setattr(rule, name, value)
    try:
        with transaction.atomic():
            rule.save(update_fields=[*cleaned, "updated_at"])
    except IntegrityError:
        raise ApplicationError(
            _("There is already a rule for this level."), code="level_taken", field="level"
        ) from None
    change_record(subject=ReferralChange.Subject.RULE, obj=rule, actor=actor, changes=changes)
    return rule
