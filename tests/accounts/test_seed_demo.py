from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.investments.models import Plan

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
    assert staff.check_password("bursar-admin-2026") and investor.check_password("bursar-investor-2026")
