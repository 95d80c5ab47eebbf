"""The referrals part of the staff admin: commission rules and milestones (written through
``apps.referrals.services``), commissions and awards (read-only), top referrers and each user's
referral tree."""

from apps.referrals.admin.awards import MilestoneAwardAdmin
from apps.referrals.admin.commissions import CommissionAdmin
from apps.referrals.admin.milestones import MilestoneAdmin
from apps.referrals.admin.referrers import ReferrerAdmin
from apps.referrals.admin.rules import CommissionRuleAdmin

__all__ = ["CommissionAdmin", "CommissionRuleAdmin", "MilestoneAdmin", "MilestoneAwardAdmin", "ReferrerAdmin"]
