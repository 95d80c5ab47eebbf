"""Idempotent sample data for a first look: one staff superuser and one investor (and, as later
parts of the system land, sample plans and referral milestones). Prints the credentials."""

from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts import selectors, services

DEMO_STAFF = {"email": "admin@bursar.local", "password": "bursar-admin-2026", "first_name": "Ada", "last_name": "Staff"}
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
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  staff:    {DEMO_STAFF['email']} / {DEMO_STAFF['password']}")
        self.stdout.write(f"  investor: {DEMO_INVESTOR['email']} / {DEMO_INVESTOR['password']}")

    def _ensure(self, data: dict, **extra):
        user = selectors.user_get_by_identifier(identifier=data["email"])
        if user is not None:
            return user
        return services.user_create(is_email_verified=True, **data, **extra)
