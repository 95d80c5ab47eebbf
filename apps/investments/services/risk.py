"""Risk disclosure acceptance: once per investor, plan and disclosure version.

A plan's ``risk_disclosure_version`` rises each time its text changes (``plan_update``). Buying a
plan whose disclosure is not empty needs an acceptance of its current version: one given before
(in the portal or through the API), or one given with this purchase, which is then recorded in
the purchase's transaction with its time, the investor's IP address and the SHA-256 of the text.
An explicit refusal (``terms_accepted=False``) never buys, whatever was accepted before."""

import hashlib

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.common.errors import ApplicationError
from apps.investments.models import Plan, RiskDisclosureAcceptance
from apps.investments.selectors.risk import risk_acceptance_current


def risk_disclosure_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _not_accepted() -> ApplicationError:
    return ApplicationError(
        _("Read and accept the plan's terms and risks first."), code="terms_not_accepted", field="accept_terms"
    )


def risk_disclosure_accept(*, user, plan: Plan, ip_address: str | None = None) -> RiskDisclosureAcceptance:
    """Record ``user``'s acceptance of ``plan``'s current disclosure and return the acceptance
    stored: this one, or the one already there (insert-or-skip over the unique
    ``investments_risk_accepted_once``, so two purchases at once never fail on it). Runs inside
    the purchase's transaction, with ``plan`` read under its row lock."""
    RiskDisclosureAcceptance.objects.bulk_create(
        [
            RiskDisclosureAcceptance(
                user=user,
                plan=plan,
                version=plan.risk_disclosure_version,
                text_sha256=risk_disclosure_sha256(plan.risk_disclosure),
                accepted_at=timezone.now(),
                ip_address=ip_address or None,
            )
        ],
        ignore_conflicts=True,
    )
    return risk_acceptance_current(user=user, plan=plan)


def risk_disclosure_settle(*, user, plan: Plan, terms_accepted: bool | None, ip_address: str | None = None) -> None:
    """The purchase's check: refuse an explicit ``False``; with a non-empty disclosure, require an
    acceptance of its current version, recording the one given now (``terms_accepted=True``)."""
    if terms_accepted is False:
        raise _not_accepted()
    if not plan.risk_disclosure:
        return
    if risk_acceptance_current(user=user, plan=plan) is not None:
        return
    if not terms_accepted:
        raise _not_accepted()
    risk_disclosure_accept(user=user, plan=plan, ip_address=ip_address)
