"""Risk disclosure acceptances: whether an investor accepted a plan's current disclosure."""

from apps.investments.models import Plan, RiskDisclosureAcceptance

__all__ = ["risk_acceptance_current"]


def risk_acceptance_current(*, user, plan: Plan) -> RiskDisclosureAcceptance | None:
    """``user``'s acceptance of the version of ``plan``'s disclosure that ``plan`` carries (as
    read by the caller), or ``None``."""
    return RiskDisclosureAcceptance.objects.filter(user=user, plan=plan, version=plan.risk_disclosure_version).first()
