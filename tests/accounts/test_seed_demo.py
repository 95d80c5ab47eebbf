from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.investments.models import Plan
from apps.referrals.models import Milestone

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert "admin@bursar.local / bursar-admin-2026" in out.getvalue()
    assert "investor@bursar.local / bursar-investor-2026" in out.getvalue()
    staff = User.objects.get(email="admin@bursar.local")
    investor = User.objects.get(email="investor@bursar.local")
    assert (staff.is_superuser, staff.is_staff, investor.is_staff, investor.referred_by) == (True, True, False, staff)
    assert User.objects.count() == 2
    assert list(Plan.objects.values_list("name", flat=True)) == ["Starter", "Professional", "Horizon"]
    assert [(m.name, m.required_referrals, str(m.reward_amount), m.is_active) for m in Milestone.objects.all()] == [
        ("Bronze", 5, "100.00", True),
        ("Silver", 10, "250.00", True),
        ("Gold", 25, "750.00", True),
    ]
    assert staff.check_password("bursar-admin-2026") and investor.check_password("bursar-investor-2026")
