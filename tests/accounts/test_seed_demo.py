from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.investments.models import Plan
from apps.kyc.models import Document, Submission
from apps.referrals.models import Milestone

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_logins(kyc_storage):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert "admin@bursar.local / bursar-admin-2026" in out.getvalue()
    assert "investor@bursar.local / bursar-investor-2026" in out.getvalue()
    staff = User.objects.get(email="admin@bursar.local")
    investor = User.objects.get(email="investor@bursar.local")
    assert (staff.is_superuser, staff.is_staff, investor.is_staff, investor.referred_by) == (True, True, False, staff)
    assert "applicant@bursar.local / bursar-investor-2026" in out.getvalue()
    assert User.objects.count() == 3
    applicant = User.objects.get(email="applicant@bursar.local")
    assert applicant.kyc_status == "pending"
    assert list(Submission.objects.values_list("user__email", "status", "id_type", "id_number")) == [
        ("applicant@bursar.local", "pending", "passport", "N0001234")
    ]
    assert sorted(Document.objects.values_list("side", "content_type")) == [
        ("id_front", "image/jpeg"),
        ("selfie", "image/jpeg"),
    ]
    assert len(list(kyc_storage.iterdir())) == 2
    assert list(Plan.objects.values_list("name", flat=True)) == ["Starter", "Professional", "Horizon"]
    assert [(m.name, m.required_referrals, str(m.reward_amount), m.is_active) for m in Milestone.objects.all()] == [
        ("Bronze", 5, "100.00", True),
        ("Silver", 10, "250.00", True),
        ("Gold", 25, "750.00", True),
    ]
    assert staff.check_password("bursar-admin-2026") and investor.check_password("bursar-investor-2026")
