"""The grant_milestones job: exact rewards, once per (user, milestone), only qualified referrals,
deactivated referrers and inactive milestones skipped, catch-up, re-runs, crashes and locks."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.common.errors import ApplicationError
from apps.investments.models import Position
from apps.messaging.models import Notification
from apps.referrals.models import MilestoneAward
from apps.referrals.services import grants as grants_module
from apps.referrals.services.grants import grant_milestones
from apps.referrals.services.milestones import milestone_active_set
from apps.wallet.models import AccountKind, Entry
from apps.wallet.services.ledger import platform_account
from tests.factories import UserFactory
from tests.referrals.helpers import DAY0, at, make_milestone, referred_users, small_plan
from tests.wallet.helpers import assert_ledger_ok, balances
from workers.jobs import lock_acquire
from workers.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def plan(staff):
    with at(DAY0):
        return small_plan(staff)


@pytest.fixture
def bronze(staff):
    return make_milestone(actor=staff)


@pytest.fixture
def referrer_of_five(staff, plan, bronze):
    """A referrer whose five referred users each bought 100.00 of the plan on DAY0 (5 × 3.00
    commission), plus one referred user who never invested."""
    referrer = UserFactory(first_name="Rita")
    with at(DAY0):
        referred_users(referrer, 5, staff=staff, plan=plan)
        referred_users(referrer, 1)
    return referrer


def test_five_qualified_referrals_earn_the_reward_exactly_once(referrer_of_five, bronze, unchanged_db):
    assert balances(referrer_of_five) == (D("15.00"), D("0.00"), D("0.00"))
    with at(DAY0):
        [run] = grant_milestones()
    assert (run.business_date, run.status, run.processed, run.created, run.total_amount, run.chunks) == (
        DAY0,
        JobStatus.SUCCEEDED,
        1,
        1,
        D("100.00"),
        1,
    )
    assert balances(referrer_of_five) == (D("115.00"), D("0.00"), D("0.00"))
    award = MilestoneAward.objects.get()
    assert (award.user, award.milestone, award.amount, award.qualified_referrals, award.business_date) == (
        referrer_of_five,
        bronze,
        D("100.00"),
        5,
        DAY0,
    )
    assert (award.entry.kind, award.entry.natural_key, award.entry.business_date) == (
        "reward",
        f"milestone:{referrer_of_five.pk}:{bronze.pk}",
        DAY0,
    )
    assert platform_account(AccountKind.REWARD_EXPENSE).balance == D("-100.00")
    notice = Notification.objects.get(user=referrer_of_five, kind="milestone_awarded")
    assert notice.body == "You reached Bronze: 100.00 USD was added to your available balance."
    assert_ledger_ok()

    with at(DAY0 + timedelta(hours=3)), unchanged_db():
        assert grant_milestones() == []  # today is done and nothing new is due


def test_a_replay_and_a_sixth_referral_grant_nothing_more(referrer_of_five, staff, plan):
    with at(DAY0):
        grant_milestones()
        [replay] = grant_milestones(only=DAY0)
    assert (replay.created, replay.total_amount) == (0, D("0.00"))
    with at(DAY0 + timedelta(days=1)):
        referred_users(referrer_of_five, 1, staff=staff, plan=plan)
        [run] = grant_milestones()
    assert (run.business_date, run.created, run.total_amount) == (DAY0 + timedelta(days=1), 0, D("0.00"))
    assert MilestoneAward.objects.count() == 1
    assert balances(referrer_of_five)[0] == D("118.00")  # 6 commissions of 3.00 + one reward
    assert_ledger_ok()


def test_referred_users_without_a_plan_do_not_count(staff, plan, bronze):
    referrer = UserFactory()
    with at(DAY0):
        referred_users(referrer, 4, staff=staff, plan=plan)
        referred_users(referrer, 3)  # signed up, never bought a plan
        [run] = grant_milestones()
    assert (run.processed, run.created) == (0, 0)
    assert not MilestoneAward.objects.exists() and not Entry.objects.filter(kind="reward").exists()
    assert balances(referrer)[0] == D("12.00")


def test_a_past_date_counts_only_plans_bought_by_then(staff, plan, bronze):
    referrer = UserFactory()
    with at(DAY0):
        referred_users(referrer, 4, staff=staff, plan=plan)
    with at(DAY0 + timedelta(days=2)):
        referred_users(referrer, 1, staff=staff, plan=plan)
        [early] = grant_milestones(only=DAY0 + timedelta(days=1))
        assert early.created == 0
        [late] = grant_milestones(only=DAY0 + timedelta(days=2))
    assert (late.created, late.total_amount) == (1, D("100.00"))
    assert MilestoneAward.objects.get().business_date == DAY0 + timedelta(days=2)


def test_deactivated_referrers_are_skipped_until_reactivated(referrer_of_five, staff):
    type(referrer_of_five).objects.filter(pk=referrer_of_five.pk).update(is_active=False)
    with at(DAY0):
        [run] = grant_milestones()
    assert run.created == 0 and not MilestoneAward.objects.exists()
    type(referrer_of_five).objects.filter(pk=referrer_of_five.pk).update(is_active=True)
    with at(DAY0 + timedelta(days=1)):
        [run] = grant_milestones()
    assert (run.created, run.total_amount) == (1, D("100.00"))
    assert balances(referrer_of_five)[0] == D("115.00")


def test_inactive_milestones_are_not_granted(referrer_of_five, bronze, staff):
    milestone_active_set(milestone_id=bronze.pk, actor=staff, is_active=False)
    with at(DAY0):
        [run] = grant_milestones()
    assert run.created == 0 and not MilestoneAward.objects.exists()
    assert balances(referrer_of_five)[0] == D("15.00")


def test_every_milestone_reached_is_granted_in_one_run(staff, plan, bronze):
    silver = make_milestone(actor=staff, name="Silver", required_referrals=10, reward_amount="250.00")
    make_milestone(actor=staff, name="Gold", required_referrals=25, reward_amount="750.00")
    best, second = UserFactory(), UserFactory()
    with at(DAY0):
        referred_users(best, 10, staff=staff, plan=plan)
        referred_users(second, 5, staff=staff, plan=plan)
        [run] = grant_milestones()
    assert (run.created, run.total_amount) == (3, D("450.00"))
    awards = MilestoneAward.objects.order_by("user_id", "milestone_id").values_list("user", "milestone", "amount")
    assert list(awards) == [
        (best.pk, bronze.pk, D("100.00")),
        (best.pk, silver.pk, D("250.00")),
        (second.pk, bronze.pk, D("100.00")),
    ]
    assert balances(best)[0] == D("380.00")  # 10 × 3.00 + 100.00 + 250.00
    assert balances(second)[0] == D("115.00")
    assert platform_account(AccountKind.REWARD_EXPENSE).balance == D("-450.00")
    assert_ledger_ok()


def test_missed_days_are_run_in_order(referrer_of_five):
    with at(DAY0):
        grant_milestones()
    with at(DAY0 + timedelta(days=3)):
        runs = grant_milestones()
    assert [run.business_date for run in runs] == [DAY0 + timedelta(days=d) for d in (1, 2, 3)]
    assert [run.created for run in runs] == [0, 0, 0]


@pytest.mark.parametrize("crash_after", [1, 2])
def test_a_crash_after_chunk_k_then_a_rerun_ends_like_an_uninterrupted_run(
    staff, plan, bronze, monkeypatch, crash_after
):
    referrers = [UserFactory() for _ in range(3)]
    with at(DAY0):
        for referrer in referrers:
            referred_users(referrer, 5, staff=staff, plan=plan)
    monkeypatch.setattr(grants_module, "CHUNK_SIZE", 1)

    def crash(index):
        if index == crash_after:
            raise RuntimeError("killed")

    monkeypatch.setattr(grants_module, "_after_chunk", crash)
    with at(DAY0), pytest.raises(RuntimeError):
        grant_milestones()
    failed = JobRun.objects.get(job="grant_milestones")
    assert (failed.status, failed.chunks, failed.created) == (JobStatus.FAILED, crash_after, crash_after)
    monkeypatch.setattr(grants_module, "_after_chunk", lambda index: None)
    with at(DAY0):
        [run] = grant_milestones()
    assert (run.created, run.chunks) == (3 - crash_after, 3 - crash_after)
    assert {balances(referrer)[0] for referrer in referrers} == {D("115.00")}
    assert Entry.objects.filter(kind="reward").count() == 3
    assert_ledger_ok()


def test_a_locked_job_refuses_to_start(referrer_of_five, unchanged_db):
    assert lock_acquire(name="grant_milestones", holder="someone-else")
    with at(DAY0), unchanged_db(), pytest.raises(ApplicationError) as error:
        grant_milestones()
    assert error.value.code == "job_locked"


def test_future_dates_are_refused(referrer_of_five, unchanged_db):
    with at(DAY0), unchanged_db():
        for kwargs in ({"only": DAY0 + timedelta(days=1)}, {"through": DAY0 + timedelta(days=1)}):
            with pytest.raises(ApplicationError) as error:
                grant_milestones(**kwargs)
            assert error.value.code == "future_date"


def test_the_command_grants_and_refuses_future_or_malformed_dates(referrer_of_five, unchanged_db):
    with at(DAY0), unchanged_db():
        for option in (["--date", "2026-03-03"], ["--through", "2026-03-03"], ["--date", "03/02/2026"]):
            with pytest.raises(CommandError):
                call_command("grant_milestones", *option, stdout=StringIO())
    out = StringIO()
    with at(DAY0):
        call_command("grant_milestones", "--date", "2026-03-02", stdout=out)
    assert out.getvalue() == "2026-03-02: 1 award(s), 100.00 paid\n"
    run = JobRun.objects.get(job="grant_milestones")
    assert (run.trigger, run.created) == ("command", 1)
    out = StringIO()
    with at(DAY0 + timedelta(hours=1)):
        call_command("grant_milestones", stdout=out)
    assert out.getvalue() == "Nothing to grant: every business date is done.\n"


def test_the_task_grants_and_is_scheduled(referrer_of_five):
    from workers.schedule import SCHEDULE
    from workers.tasks import grant_milestones_task

    with at(DAY0):
        grant_milestones_task.delay()
    assert MilestoneAward.objects.filter(user=referrer_of_five).count() == 1
    job = next(job for job in SCHEDULE if job.task == "workers.tasks.grant_milestones_task")
    assert job.name == "referral-milestones"


def test_position_rows_are_what_qualifies(referrer_of_five):
    """Guard for the fixture: five positions among six referred users."""
    assert Position.objects.filter(user__referred_by=referrer_of_five).count() == 5
