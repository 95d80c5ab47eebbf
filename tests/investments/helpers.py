from decimal import Decimal

from apps.investments.services.plans import plan_create


def make_plan(*, actor=None, **overrides):
    fields = {
        "name": "Professional",
        "min_amount": "5000.00",
        "max_amount": "20000.00",
        "daily_rate": Decimal("5.0000"),
        "term_days": 60,
        "payout_schedule": "daily",
        "capital_back": True,
        "risk_disclosure": "You can lose money.",
    }
    fields.update(overrides)
    return plan_create(actor=actor, **fields)
