"""The investments part of the staff admin: plans (changed only through ``services.plans``, with
their history), positions (read-only, with their schedule) and the investors' acceptances of the
plans' risk disclosures (read-only)."""

from apps.investments.admin.acceptances import RiskDisclosureAcceptanceAdmin
from apps.investments.admin.plans import PlanAdmin, PlanChangeInline
from apps.investments.admin.positions import PositionAdmin

__all__ = ["PlanAdmin", "PlanChangeInline", "PositionAdmin", "RiskDisclosureAcceptanceAdmin"]
