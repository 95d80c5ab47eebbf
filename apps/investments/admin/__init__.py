"""The investments part of the staff admin: plans (changed only through ``services.plans``, with
their history) and positions (read-only, with their schedule)."""

from apps.investments.admin.plans import PlanAdmin, PlanChangeInline
from apps.investments.admin.positions import PositionAdmin

__all__ = ["PlanAdmin", "PlanChangeInline", "PositionAdmin"]
