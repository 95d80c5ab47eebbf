from io import StringIO

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.investments.models import Plan
from apps.kyc.models import Document, Submission
from apps.messaging.models import Announcement, Attachment, CannedReply, Notification, Task, TaskAssignment, Thread
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
    assert len([path for path in kyc_storage.iterdir() if path.is_file()]) == 2  # attachments: messages/
    assert list(Plan.objects.values_list("name", flat=True)) == ["Starter", "Professional", "Horizon"]
    assert [(m.name, m.required_referrals, str(m.reward_amount), m.is_active) for m in Milestone.objects.all()] == [
        ("Bronze", 5, "100.00", True),
        ("Silver", 10, "250.00", True),
        ("Gold", 25, "750.00", True),
    ]
    assert staff.check_password("bursar-admin-2026") and investor.check_password("bursar-investor-2026")


def test_seed_demo_shows_the_messaging_center(kyc_storage):
    """An open ticket with its attachment, a resolved one, a task whose proof waits for review,
    a pinned announcement delivered to every investor, and canned replies; once."""
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    investor = User.objects.get(email="investor@bursar.local")
    tickets = Thread.objects.filter(investor=investor, kind="support").order_by("id")
    assert [(t.category, t.status) for t in tickets] == [("deposit", "open"), ("referral", "resolved")]
    assert Attachment.objects.get().message.thread == tickets[0]
    assert [path.name for path in (kyc_storage / "messages").iterdir()] == [Attachment.objects.get().object_name[9:]]
    task = Task.objects.get()
    assert (task.title, str(task.reward), task.status, task.delivered_count) == (
        "Follow us on Instagram",
        "5.00",
        "sent",
        1,
    )
    assert list(TaskAssignment.objects.values_list("user__email", "status")) == [("investor@bursar.local", "submitted")]
    announcement = Announcement.objects.get()
    assert (announcement.pinned, announcement.status, announcement.delivered_count) == (True, "sent", 2)
    assert Notification.objects.filter(announcement=announcement).count() == 2
    assert sorted(CannedReply.objects.values_list("title", flat=True)) == ["Closing the ticket", "Deposit received"]
