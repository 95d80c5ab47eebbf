"""Every write of the referrals app: commissions (paid when a referred investor buys a plan),
commission rules and milestones (staff), and milestone grants (the ``grant_milestones`` job)."""

from apps.referrals.services.commissions import commissions_pay

__all__ = ["commissions_pay"]
