"""``seed_demo``: the logins, the people, the messaging center's material, and about a month of
money history made by the real services and jobs on past business dates. Run twice, it changes
nothing the second time."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from apps.accounts.models import User
from apps.investments.models import Accrual, Plan, Position
from apps.investments.services.accrual import accrual_dates_pending
from apps.kyc.models import Document, Submission
from apps.messaging.models import Announcement, Attachment, CannedReply, Notification, Task, TaskAssignment, Thread
from apps.referrals.models import Commission, Milestone
from apps.wallet.ledger_check import ledger_check
from apps.wallet.models import Deposit, DepositAddress, Entry, Withdrawal
from apps.wallet.selectors import Balances, balances_for_user
from apps.wallet.services.transactions import transaction_approve
from workers.models import JobRun

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
D = Decimal


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.fixture
def seeded(kyc_storage, unchanged_db):
    """The demo, loaded on ``TODAY`` (noon UTC), then loaded again: the second run writes nothing."""
    out = StringIO()
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        call_command("seed_demo", stdout=out)
        with unchanged_db():
            call_command("seed_demo", stdout=StringIO())
    return out.getvalue()


def test_seed_demo_prints_every_login(seeded):
    for login in (
        "admin@bursar.local / bursar-admin-2026",
        "finance@bursar.local / bursar-finance-2026",
        "investor@bursar.local / bursar-investor-2026",
        "referred@bursar.local / bursar-investor-2026",
        "applicant@bursar.local / bursar-investor-2026",
    ):
        assert login in seeded
    assert "staff (Finance, the second approver): finance@bursar.local / bursar-finance-2026" in seeded


def test_seed_demo_people(seeded, kyc_storage):
    people = {user.email: user for user in User.objects.all()}
    staff, finance = people["admin@bursar.local"], people["finance@bursar.local"]
    investor, referred = people["investor@bursar.local"], people["referred@bursar.local"]
    applicant = people["applicant@bursar.local"]

    assert len(people) == 5
    assert (staff.is_superuser, staff.is_staff) == (True, True)
    assert (finance.is_superuser, finance.is_staff, list(finance.groups.values_list("name", flat=True))) == (
        False,
        True,
        ["Finance"],
    )
    assert (investor.is_staff, investor.referred_by, investor.kyc_status) == (False, None, "approved")
    assert (referred.referred_by, referred.kyc_status) == (investor, "not_submitted")
    assert (applicant.referred_by, applicant.kyc_status) == (staff, "pending")
    assert staff.check_password("bursar-admin-2026") and finance.check_password("bursar-finance-2026")
    assert investor.check_password("bursar-investor-2026") and referred.check_password("bursar-investor-2026")
    assert sorted(Submission.objects.values_list("user__email", "status", "id_type", "id_number")) == [
        ("applicant@bursar.local", "pending", "passport", "N0001234"),
        ("investor@bursar.local", "approved", "passport", "N0004321"),
    ]
    assert sorted(Document.objects.values_list("submission__user__email", "side", "content_type")) == [
        ("applicant@bursar.local", "id_front", "image/jpeg"),
        ("applicant@bursar.local", "selfie", "image/jpeg"),
        ("investor@bursar.local", "id_front", "image/jpeg"),
        ("investor@bursar.local", "selfie", "image/jpeg"),
    ]
    assert len([path for path in kyc_storage.iterdir() if path.is_file()]) == 4  # attachments: messages/
    assert list(Plan.objects.values_list("name", flat=True)) == ["Starter", "Professional", "Horizon"]
    assert [(m.name, m.required_referrals, str(m.reward_amount), m.is_active) for m in Milestone.objects.all()] == [
        ("Bronze", 5, "100.00", True),
        ("Silver", 10, "250.00", True),
        ("Gold", 25, "750.00", True),
    ]
    assert list(DepositAddress.objects.values_list("network", "address", "is_active")) == [
        ("TRC20", "TBursarDemoDepositAddress0000001", True)
    ]


def test_seed_demo_history_is_made_by_the_services_and_jobs_on_past_dates(seeded):
    investor = User.objects.get(email="investor@bursar.local")
    referred = User.objects.get(email="referred@bursar.local")

    assert sorted(Entry.objects.filter(kind="deposit").values_list("business_date", "postings__amount")) == [
        (days_ago(35), D("-30000.00")),
        (days_ago(35), D("30000.00")),
        (days_ago(30), D("-6000.00")),
        (days_ago(30), D("6000.00")),
    ]
    assert list(Deposit.objects.order_by("id").values_list("user__email", "amount", "status")) == [
        ("investor@bursar.local", D("30000.00"), "approved"),
        ("referred@bursar.local", D("6000.00"), "approved"),
    ]
    positions = Position.objects.order_by("id")
    assert [
        (p.user.email, p.plan.name, p.principal, p.start_date, p.maturity_date, p.status, p.open_entry.business_date)
        for p in positions
    ] == [
        ("investor@bursar.local", "Starter", D("2000.00"), days_ago(34), days_ago(4), "matured", days_ago(34)),
        ("investor@bursar.local", "Professional", D("10000.00"), days_ago(33), days_ago(-27), "active", days_ago(33)),
        ("investor@bursar.local", "Horizon", D("5000.00"), days_ago(20), days_ago(-70), "active", days_ago(20)),
        ("referred@bursar.local", "Professional", D("5000.00"), days_ago(29), days_ago(-31), "active", days_ago(29)),
    ]
    # Returns: one accrual per position and business date up to yesterday (today is the schedule's).
    assert [(p.accruals.count(), sum(a.amount for a in p.accruals.all())) for p in positions] == [
        (30, D("600.00")),
        (32, D("4800.00")),
        (19, D("760.00")),
        (28, D("2100.00")),
    ]
    assert Accrual.objects.filter(entry__isnull=True).count() == 19  # Horizon pays at maturity
    assert Accrual.objects.order_by("business_date").values_list("business_date", flat=True).first() == days_ago(33)
    assert Accrual.objects.order_by("business_date").values_list("business_date", flat=True).last() == days_ago(1)
    assert positions[0].maturity_entry.business_date == days_ago(4)
    [commission] = Commission.objects.all()
    assert (commission.referrer, commission.referred_user, commission.amount, commission.entry.business_date) == (
        investor,
        referred,
        D("150.00"),
        days_ago(29),
    )
    # 30,000 − 17,000 invested + 600 + 2,000 back + 4,800 + 150 commission − 12,000 held.
    assert balances_for_user(user=investor) == Balances(D("8550.00"), D("12000.00"), D("15000.00"))
    assert balances_for_user(user=referred) == Balances(D("3100.00"), D("0.00"), D("5000.00"))
    assert ledger_check(deep=True).ok


def test_seed_demo_jobs_ran_for_each_business_date_up_to_yesterday(seeded):
    dates = [days_ago(days) for days in range(33, 0, -1)]
    for job in ("accrue_returns", "mature_investments", "grant_milestones"):
        runs = JobRun.objects.filter(job=job).order_by("business_date")
        assert list(runs.values_list("business_date", flat=True)) == dates, job
        assert set(runs.values_list("status", "trigger")) == {("succeeded", "seed_demo")}, job
    assert JobRun.objects.get(job="mature_investments", business_date=days_ago(4)).created == 1
    assert accrual_dates_pending(through=TODAY) == [TODAY]  # left to the schedule


def test_seed_demo_shows_four_eyes_with_the_second_finance_member(seeded):
    staff = User.objects.get(email="admin@bursar.local")
    finance = User.objects.get(email="finance@bursar.local")
    [withdrawal] = Withdrawal.objects.all()
    assert (withdrawal.user.email, withdrawal.amount, withdrawal.status, withdrawal.needs_two_approvals) == (
        "investor@bursar.local",
        D("12000.00"),
        "pending",
        True,
    )

    transaction_approve(actor=staff, transaction_id=withdrawal.pk)
    transaction_approve(actor=finance, transaction_id=withdrawal.pk, payout_hash="0xdemo")

    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.first_approved_by, withdrawal.reviewed_by) == ("approved", staff, finance)


def test_seed_demo_shows_the_messaging_center(seeded, kyc_storage):
    """An open ticket with its attachment, a resolved one, a task whose proof waits for review,
    a pinned announcement delivered to every investor, and canned replies; once."""
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
    assert (announcement.pinned, announcement.status, announcement.delivered_count) == (True, "sent", 3)
    assert Notification.objects.filter(announcement=announcement).count() == 3
    assert sorted(CannedReply.objects.values_list("title", flat=True)) == ["Closing the ticket", "Deposit received"]
