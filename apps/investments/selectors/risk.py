"""Risk disclosure acceptances: whether an investor accepted a plan's current disclosure."""

from dataclasses import dataclass

from apps.investments.models import Plan, RiskDisclosureAcceptance

__all__ = [
    "RiskDisclosureState",
    "risk_acceptance_count_current",
    "risk_acceptance_current",
    "risk_disclosure_state_for",
]


def risk_acceptance_current(*, user, plan: Plan) -> RiskDisclosureAcceptance | None:
    """``user``'s acceptance of the version of ``plan``'s disclosure that ``plan`` carries (as
    read by the caller), or ``None``."""
    return RiskDisclosureAcceptance.objects.filter(user=user, plan=plan, version=plan.risk_disclosure_version).first()


@dataclass(frozen=True)
class RiskDisclosureState:
    """What buying ``plan`` asks of the investor about its risk disclosure."""

    text: str
    accepted: RiskDisclosureAcceptance | None  # the acceptance of the current version, if any

    @property
    def needs_acceptance(self) -> bool:
        """A disclosure to read and accept: not empty, and its current version not accepted yet."""
        return bool(self.text) and self.accepted is None


def risk_disclosure_state_for(*, user, plan: Plan) -> RiskDisclosureState:
    """One query (none for a plan without a disclosure)."""
    accepted = risk_acceptance_current(user=user, plan=plan) if plan.risk_disclosure else None
    return RiskDisclosureState(text=plan.risk_disclosure, accepted=accepted)


def risk_acceptance_count_current(*, plan: Plan) -> int:
    """How many investors accepted the current version of ``plan``'s disclosure."""
    return RiskDisclosureAcceptance.objects.filter(plan=plan, version=plan.risk_disclosure_version).count()
