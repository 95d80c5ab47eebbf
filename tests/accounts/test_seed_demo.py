"""``seed_demo``: the logins, the people, the messaging center's material, and about a month of
money history made by the real services and jobs, day by day, on past business dates (deposits and
withdrawals on their dates, returns, a maturity, commissions, a job run per job and date), so the
daily close and the dashboard's charts have data; a withdrawal waits for the Finance member's
second approval. Run twice, it changes nothing the second time and says so."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from apps.accounts.models import User
from apps.backoffice.reports.selectors import Flow, daily_close_get
from apps.backoffice.selectors.charts import chart_days, growth_by_day, money_flows_by_day, payouts_by_day
from apps.backoffice.selectors.coverage import coverage_get
from apps.common.errors import ApplicationError
from apps.controls.runtime import runtime_setting
from apps.investments.models import Accrual, Plan, Position
from apps.investments.services.accrual import accrual_dates_pending
from apps.kyc.models import Document, Submission
from apps.messaging.models import Announcement, Attachment, CannedReply, Notification, Task, TaskAssignment, Thread
from apps.referrals.models import Commission, Milestone
from apps.wallet.ledger_check import ledger_check
from apps.wallet.models import Deposit, DepositAddress, TreasuryBalance, Withdrawal
from apps.wallet.selectors import Balances, balances_for_user
from apps.wallet.selectors.balances import deposit_address_list_active
from apps.wallet.services.transactions import transaction_approve
from workers.models import JobRun

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
D = Decimal


NOW = datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC"))


def days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def moment(days: int, hour: int) -> datetime:
    """``hour`` o'clock, platform time (UTC in the tests), ``days`` days before ``TODAY``."""
    return datetime.combine(days_ago(days), time(hour), tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def seeded(kyc_storage, unchanged_db):
    """The demo, loaded on ``TODAY`` (noon UTC), then loaded again: the second run writes nothing
    and says so. Returns both outputs."""
    first, second = StringIO(), StringIO()
    before = row_counts()
    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        call_command("seed_demo", stdout=first)
        with unchanged_db():
            call_command("seed_demo", stdout=second)
    after = row_counts()
    # The rows the first run added, but the ledger check it recorded once done.
    added = sum(after[label] - before[label] for label in after) - 1
    return first.getvalue(), second.getvalue(), added


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models(include_auto_created=True)}


LOGINS = (
    "  Demo logins (email / password):",
    "    staff (superuser): admin@bursar.local / bursar-admin-2026",
    "    staff (Finance, the second approver): finance@bursar.local / bursar-finance-2026",
    "    investor: investor@bursar.local / bursar-investor-2026",
    "    investor referred by them: referred@bursar.local / bursar-investor-2026",
    "    investor with KYC to review: applicant@bursar.local / bursar-investor-2026",
    "  Staff also type an authenticator code (two-factor); the demo staff's, in development:",
    "    python manage.py totp_code admin@bursar.local  (or finance@bursar.local)",
)


def test_seed_demo_prints_every_login_and_says_when_nothing_changed(seeded):
    first, second, added = seeded
    assert first.splitlines() == [f"Demo data ready: {added} rows added.", *LOGINS]
    assert second.splitlines() == [
        "Demo data already loaded: nothing changed.",
        *LOGINS,
    ]


def test_seed_demo_logins_only_prints_them_and_loads_nothing(unchanged_db):
    out = StringIO()
    with unchanged_db():
        call_command("seed_demo", "--logins", stdout=out)
    assert out.getvalue().splitlines() == [*LOGINS]
    assert not User.objects.exists()


def test_the_makefile_run_target_prints_the_logins():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    run = makefile[makefile.index("\nrun: ") : makefile.index("\ntest: ")]
    assert "@$(PY) manage.py seed_demo --logins" in run


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
    assert finance.has_perm("wallet.change_withdrawal")
    assert (investor.is_staff, investor.referred_by, investor.kyc_status) == (False, None, "approved")
    assert (referred.referred_by, referred.kyc_status) == (investor, "not_submitted")
    assert (applicant.referred_by, applicant.kyc_status) == (staff, "pending")
    # The investors signed up before their first deposit; staff when the demo was loaded.
    assert [people[email].date_joined for email in sorted(people)] == [
        NOW,
        moment(6, 8),
        NOW,
        moment(36, 8),
        moment(31, 8),
    ]
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
    assert list(deposit_address_list_active()) == [DepositAddress.objects.get()]


def test_seed_demo_deposits_and_withdrawals_on_their_dates(seeded):
    assert list(
        Deposit.objects.order_by("id").values_list(
            "user__email", "amount", "status", "entry__business_date", "created_at", "reviewed_at"
        )
    ) == [
        ("investor@bursar.local", D("30000.00"), "approved", days_ago(35), moment(35, 9), moment(35, 11)),
        ("referred@bursar.local", D("6000.00"), "approved", days_ago(30), moment(30, 9), moment(30, 11)),
        ("referred@bursar.local", D("1500.00"), "approved", days_ago(14), moment(14, 9), moment(14, 11)),
        ("investor@bursar.local", D("3000.00"), "approved", days_ago(7), moment(7, 9), moment(7, 11)),
        ("applicant@bursar.local", D("800.00"), "approved", days_ago(5), moment(5, 9), moment(5, 11)),
    ]
    staff = User.objects.get(email="admin@bursar.local")
    finance = User.objects.get(email="finance@bursar.local")
    assert list(
        Withdrawal.objects.order_by("id").values_list(
            "amount",
            "status",
            "hold_entry__business_date",
            "close_entry__business_date",
            "created_at",
            "reviewed_at",
            "reviewed_by",
            "payout_hash",
        )
    ) == [
        (
            D("1000.00"),
            "approved",
            days_ago(24),
            days_ago(23),
            moment(24, 10),
            moment(23, 15),
            staff.pk,
            "demo-payout-investor-23",
        ),
        (
            D("2500.00"),
            "approved",
            days_ago(10),
            days_ago(9),
            moment(10, 10),
            moment(9, 15),
            finance.pk,
            "demo-payout-investor-9",
        ),
        (D("12000.00"), "pending", TODAY, None, NOW, None, None, ""),
    ]
    assert set(Withdrawal.objects.values_list("user__email", "address")) == {
        ("investor@bursar.local", "TIvyDemoPayoutAddress00000000001")
    }


def test_seed_demo_history_is_made_by_the_services_and_jobs_on_past_dates(seeded):
    investor = User.objects.get(email="investor@bursar.local")
    referred = User.objects.get(email="referred@bursar.local")
    applicant = User.objects.get(email="applicant@bursar.local")

    positions = Position.objects.order_by("id")
    assert [
        (p.user.email, p.plan.name, p.principal, p.start_date, p.maturity_date, p.status, p.open_entry.business_date)
        for p in positions
    ] == [
        ("investor@bursar.local", "Starter", D("2000.00"), days_ago(34), days_ago(4), "matured", days_ago(34)),
        ("investor@bursar.local", "Professional", D("10000.00"), days_ago(33), days_ago(-27), "active", days_ago(33)),
        ("referred@bursar.local", "Professional", D("5000.00"), days_ago(29), days_ago(-31), "active", days_ago(29)),
        ("investor@bursar.local", "Horizon", D("5000.00"), days_ago(20), days_ago(-70), "active", days_ago(20)),
        ("referred@bursar.local", "Starter", D("1000.00"), days_ago(13), days_ago(-17), "active", days_ago(13)),
    ]
    # Returns: one accrual per position and business date up to yesterday (today is the schedule's).
    assert [(p.accruals.count(), sum(a.amount for a in p.accruals.all())) for p in positions] == [
        (30, D("600.00")),
        (32, D("4800.00")),
        (28, D("2100.00")),
        (19, D("760.00")),
        (12, D("120.00")),
    ]
    assert Accrual.objects.filter(posting__isnull=True).count() == 19  # Horizon pays at maturity
    assert Accrual.objects.order_by("business_date").values_list("business_date", flat=True).first() == days_ago(33)
    assert Accrual.objects.order_by("business_date").values_list("business_date", flat=True).last() == days_ago(1)
    assert positions[0].maturity_entry.business_date == days_ago(4)
    assert list(
        Commission.objects.order_by("id").values_list(
            "referrer__email", "referred_user__email", "amount", "entry__business_date"
        )
    ) == [
        ("investor@bursar.local", "referred@bursar.local", D("150.00"), days_ago(29)),
        ("investor@bursar.local", "referred@bursar.local", D("30.00"), days_ago(13)),
    ]
    # 30,000 + 3,000 − 17,000 invested + 600 + 2,000 back + 4,800 + 180 commissions − 3,500 paid out
    # − 12,000 held for the withdrawal waiting for its second approval.
    assert balances_for_user(user=investor) == Balances(D("8080.00"), D("12000.00"), D("15000.00"))
    # 6,000 + 1,500 − 6,000 invested + 2,100 + 120.
    assert balances_for_user(user=referred) == Balances(D("3720.00"), D("0.00"), D("6000.00"))
    assert balances_for_user(user=applicant) == Balances(D("800.00"), D("0.00"), D("0.00"))
    assert ledger_check(deep=True).ok


def test_seed_demo_jobs_ran_for_each_business_date_up_to_yesterday(seeded):
    history = [days_ago(days) for days in range(35, 0, -1)]
    for job, dates in (
        ("accrue_returns", history[2:]),  # from the first date a position earns for
        ("mature_investments", history),
        ("grant_milestones", history),
    ):
        runs = JobRun.objects.filter(job=job).order_by("business_date")
        assert list(runs.values_list("business_date", flat=True)) == dates, job
        assert set(runs.values_list("status", "trigger")) == {("succeeded", "seed_demo")}, job
    assert list(JobRun.objects.filter(job="mature_investments", created=1).values_list("business_date")) == [
        (days_ago(4),)
    ]
    [check] = JobRun.objects.filter(job="ledger_check")
    assert (check.business_date, check.status, check.trigger) == (TODAY, "succeeded", "seed_demo")
    assert accrual_dates_pending(through=TODAY) == [TODAY]  # left to the schedule


def test_seed_demo_daily_close_and_charts_have_data(seeded):
    close = daily_close_get(business_date=days_ago(4))
    assert (close.positions_matured, close.returns) == (Flow(1, D("2000.00")), Flow(4, D("255.00")))
    assert close.all_accounts_total.closing == D("0.00")
    assert {job.job: (job.runs, job.status) for job in close.jobs} == {
        "accrue_returns": (1, "succeeded"),
        "mature_investments": (1, "succeeded"),
        "grant_milestones": (1, "succeeded"),
        "ledger_check": (0, "not_run"),
    }
    assert daily_close_get(business_date=days_ago(9)).withdrawals == Flow(1, D("2500.00"))
    assert daily_close_get(business_date=days_ago(13)).commissions == Flow(1, D("30.00"))
    assert daily_close_get(business_date=days_ago(1)).ledger_check == JobRun.objects.get(job="ledger_check")

    with time_machine.travel(datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC")), tick=False):
        since, through = chart_days(days=30)
        flows = money_flows_by_day(since=since, through=through)
        payouts = payouts_by_day(since=since, through=through)
        growth = growth_by_day(since=since, through=through)
    assert {day: value for day, value in zip(flows.days, flows.values["deposits"], strict=True) if value} == {
        days_ago(14): D("1500.00"),
        days_ago(7): D("3000.00"),
        days_ago(5): D("800.00"),
    }
    assert {day: value for day, value in zip(flows.days, flows.values["withdrawals"], strict=True) if value} == {
        days_ago(23): D("1000.00"),
        days_ago(9): D("2500.00"),
    }
    assert {day: value for day, value in zip(payouts.days, payouts.values["commissions"], strict=True) if value} == {
        days_ago(29): D("150.00"),
        days_ago(13): D("30.00"),
    }
    # Yesterday: 150 + 75 + 10 (Horizon's 40 is paid at maturity); today's returns are the schedule's.
    assert payouts.values["returns"][-2:] == [D("235.00"), D("0.00")]
    assert growth.total("first_deposits") == 1 and growth.total("investors") == 1  # the applicant


def test_seed_demo_coverage_has_a_treasury_history_recorded_by_finance(seeded):
    finance = User.objects.get(email="finance@bursar.local")
    assert list(TreasuryBalance.objects.values_list("amount", "as_of", "recorded_by", "note")) == [
        (D("20000.00"), moment(2, 17), finance.pk, "Bank account (demo)"),
        (D("18000.00"), moment(15, 17), finance.pk, "Bank account (demo)"),
    ]
    coverage = coverage_get(today=TODAY, paid_through=days_ago(1))
    # Platform cash: 41,300 deposited − 3,500 paid out; plus the latest treasury count.
    assert (coverage.platform_cash, coverage.treasury_amount, coverage.has) == (
        D("37800.00"),
        D("20000.00"),
        D("57800.00"),
    )
    assert [(horizon.days, horizon.below_threshold) for horizon in coverage.horizons] == [
        (7, False),
        (30, False),
        (90, True),
    ]


def test_seed_demo_shows_four_eyes_waiting_for_the_finance_member(seeded, unchanged_db):
    staff = User.objects.get(email="admin@bursar.local")
    finance = User.objects.get(email="finance@bursar.local")
    withdrawal = Withdrawal.objects.get(status="pending")
    assert (
        withdrawal.user.email,
        withdrawal.amount,
        withdrawal.needs_two_approvals,
        withdrawal.first_approved_by,
        withdrawal.admin_note,
    ) == ("investor@bursar.local", D("12000.00"), True, staff, "Demo: checked, over to Finance.")
    assert withdrawal.amount > runtime_setting("FOUR_EYES_THRESHOLD")

    with unchanged_db(), pytest.raises(ApplicationError) as refused:
        transaction_approve(actor=staff, transaction_id=withdrawal.pk, transaction_hash="0xdemo")
    assert refused.value.code == "four_eyes_required"

    transaction_approve(actor=finance, transaction_id=withdrawal.pk, transaction_hash="0xdemo")

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
