"""Idempotent sample data for a first look: one staff superuser, one investor, a few plans and
referral milestones. Prints the credentials."""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts import selectors, services

DEMO_STAFF = {"email": "admin@bursar.local", "password": "bursar-admin-2026", "first_name": "Ada", "last_name": "Staff"}
DEMO_PLANS = (
    {"name": "Starter", "min_amount": "100.00", "max_amount": "4999.99", "daily_rate": "1.0000", "term_days": 30},
    {
        "name": "Professional",
        "min_amount": "5000.00",
        "max_amount": "20000.00",
        "daily_rate": "1.5000",
        "term_days": 60,
    },
    {
        "name": "Horizon",
        "min_amount": "1000.00",
        "max_amount": "100000.00",
        "daily_rate": "0.8000",
        "term_days": 90,
        "payout_schedule": "at_maturity",
    },
)
DEMO_MILESTONES = (
    {"name": "Bronze", "required_referrals": 5, "reward_amount": "100.00", "icon": "bronze"},
    {"name": "Silver", "required_referrals": 10, "reward_amount": "250.00", "icon": "silver"},
    {"name": "Gold", "required_referrals": 25, "reward_amount": "750.00", "icon": "gold"},
)
DEMO_RISK = "Returns are not guaranteed. You may lose part or all of the amount you invest."
DEMO_INVESTOR = {
    "email": "investor@bursar.local",
    "password": "bursar-investor-2026",
    "first_name": "Ivy",
    "last_name": "Investor",
}


class Command(BaseCommand):
    help = "Load idempotent demo data (a staff superuser and an investor) and print how to sign in."

    @transaction.atomic
    def handle(self, *args, **options):
        staff = self._ensure(DEMO_STAFF, is_superuser=True)
        self._ensure(DEMO_INVESTOR, referred_by=staff)
        self._plans(staff)
        self._milestones(staff)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  staff:    {DEMO_STAFF['email']} / {DEMO_STAFF['password']}")
        self.stdout.write(f"  investor: {DEMO_INVESTOR['email']} / {DEMO_INVESTOR['password']}")

    def _plans(self, staff) -> None:
        from apps.investments.models import Plan
        from apps.investments.services.plans import plan_create

        for order, plan in enumerate(DEMO_PLANS):
            if not Plan.objects.filter(name=plan["name"]).exists():
                plan_create(actor=staff, display_order=order, risk_disclosure=DEMO_RISK, **plan)

    def _milestones(self, staff) -> None:
        from apps.referrals.models import Milestone
        from apps.referrals.services.milestones import milestone_create

        for order, milestone in enumerate(DEMO_MILESTONES):
            if not Milestone.objects.filter(name=milestone["name"]).exists():
                milestone_create(actor=staff, display_order=order, **milestone)

    def _ensure(self, data: dict, **extra):
        user = selectors.user_get_by_identifier(identifier=data["email"])
        if user is not None:
            return user
        return services.user_create(is_email_verified=True, **data, **extra)
