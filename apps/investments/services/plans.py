"""Plans, managed by staff. Every change is recorded (``PlanChange``) with its actor.
Deactivating hides a plan from investors and never touches open positions. Changing the risk
disclosure's text raises the plan's ``risk_disclosure_version``, recorded with the change:
investors accept each version once (``services.risk``)."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.investments.models import RATE_DECIMAL_PLACES, PayoutSchedule, Plan, PlanChange
from apps.wallet.services.common import amount_clean

PLAN_FIELDS = (
    "name",
    "description",
    "min_amount",
    "max_amount",
    "daily_rate",
    "term_days",
    "payout_schedule",
    "capital_back",
    "is_active",
    "display_order",
    "risk_disclosure",
)
TERM_DAYS_MAX = 3650


def _rate_clean(value) -> Decimal:
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        rate = Decimal("NaN")
    if isinstance(value, float | bool) or not rate.is_finite():
        raise ApplicationError(
            _("Enter the daily rate as a number such as 1.5."), code="invalid_rate", field="daily_rate"
        )
    if rate <= 0 or rate > 100:
        raise ApplicationError(
            _("The daily rate must be above 0 and at most 100%."), code="invalid_rate", field="daily_rate"
        )
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_DECIMAL_PLACES)):
        raise ApplicationError(_("Use at most 4 decimal places for the rate."), code="invalid_rate", field="daily_rate")
    return rate.quantize(Decimal(1).scaleb(-RATE_DECIMAL_PLACES))


def _int_clean(value, *, field: str, minimum: int, maximum: int) -> int:
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


def _clean(fields: Mapping[str, object], *, current: Plan | None) -> dict:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise ApplicationError(_("This field cannot be set."), code="field_not_editable", field=name)
    cleaned: dict = {}
    for name, value in fields.items():
        if name in ("min_amount", "max_amount"):
            cleaned[name] = amount_clean(value, field=name)
        elif name == "daily_rate":
            cleaned[name] = _rate_clean(value)
        elif name == "term_days":
            cleaned[name] = _int_clean(value, field=name, minimum=1, maximum=TERM_DAYS_MAX)
        elif name == "display_order":
            cleaned[name] = _int_clean(value, field=name, minimum=0, maximum=1_000_000)
        elif name == "payout_schedule":
            if value not in PayoutSchedule.values:
                raise ApplicationError(_("Choose daily or at maturity."), code="invalid", field=name)
            cleaned[name] = value
        elif name in ("capital_back", "is_active"):
            if not isinstance(value, bool):
                raise ApplicationError(_("Choose yes or no."), code="invalid", field=name)
            cleaned[name] = value
        else:
            cleaned[name] = str(value or "").strip()
    if "name" in cleaned and not cleaned["name"]:
        raise ApplicationError(_("Give the plan a name."), code="invalid", field="name")
    if "name" in cleaned and len(cleaned["name"]) > 100:
        raise ApplicationError(_("Use at most 100 characters."), code="invalid", field="name")
    low = cleaned.get("min_amount", current.min_amount if current else None)
    high = cleaned.get("max_amount", current.max_amount if current else None)
    if low is not None and high is not None and high < low:
        raise ApplicationError(_("The maximum must not be below the minimum."), code="invalid", field="max_amount")
    return cleaned


def _changes(before: dict, after: dict) -> dict:
    return {name: [str(before.get(name)), str(value)] for name, value in after.items() if before.get(name) != value}


@transaction.atomic
def plan_create(*, actor, **fields) -> Plan:
    missing = [name for name in ("name", "min_amount", "max_amount", "daily_rate", "term_days") if name not in fields]
    if missing:
        raise ApplicationError(_("This field is required."), code="required", field=missing[0])
    cleaned = _clean(fields, current=None)
    plan = Plan.objects.create(**cleaned)
    recorded = {**cleaned, "risk_disclosure_version": plan.risk_disclosure_version}
    PlanChange.objects.create(plan=plan, actor=actor, changes=_changes({}, recorded))
    return plan


@transaction.atomic
def plan_update(*, plan_id: int, actor, fields: Mapping[str, object]) -> Plan:
    plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise ApplicationError(_("No such plan."), code="not_found", status_code=404)
    cleaned = _clean(fields, current=plan)
    before = {name: getattr(plan, name) for name in cleaned}
    changes = _changes(before, cleaned)
    if not changes:
        return plan
    if "risk_disclosure" in changes:
        # investors accept each version once: a new text must be accepted again (``services.risk``)
        version = plan.risk_disclosure_version
        cleaned["risk_disclosure_version"] = version + 1  # the row is locked
        changes["risk_disclosure_version"] = [str(version), str(version + 1)]
    for name, value in cleaned.items():
        setattr(plan, name, value)
    plan.save(update_fields=[*cleaned, "updated_at"])
    PlanChange.objects.create(plan=plan, actor=actor, changes=changes)
    return plan


def plan_deactivate(*, plan_id: int, actor) -> Plan:
    return plan_update(plan_id=plan_id, actor=actor, fields={"is_active": False})
