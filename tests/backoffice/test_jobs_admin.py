"""The job runs admin: read-only runs (failures easy to find, with their traceback), job locks,
the beat schedule linked from the page, and "Run now": the real services, synchronously, recorded
as started by the staff member; future dates, held locks and missing permissions refused."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from apps.wallet.ledger_check import LedgerReport
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import balances, fund
from workers.jobs import lock_acquire
from workers.models import JobLock, JobRun, JobStatus

pytestmark = pytest.mark.django_db

RUNS = "/admin/workers/jobrun/"
RUN_NOW = "/admin/workers/jobrun/run-now/"
LOCKS = "/admin/workers/joblock/"
DAY0 = date(2026, 3, 2)
D = Decimal


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("UTC")), tick=False)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def run_now(client, **data):
    return client.post(RUN_NOW, {"_form_submitted": "True", "job": "accrue_returns", "through": "", **data})


@pytest.fixture
def position(superuser):
    """10,000.00 in a plan paying 5% a day for 60 days, bought on DAY0."""
    investor = UserFactory()
    with at(DAY0):
        fund(investor, "10000.00", approver=superuser)
        plan = make_plan(actor=superuser)
        return investment_open(user=investor, plan_id=plan.pk, amount="10000.00", terms_accepted=True)


def failed_run(job: str = "accrue_returns", day: date = DAY0, error: str = "Traceback …\nKeyError: 'boom'") -> JobRun:
    return JobRun.objects.create(
        job=job, business_date=day, status=JobStatus.FAILED, error=error, finished_at=timezone.now()
    )


# --- Run now ----------------------------------------------------------------------------------------


def test_run_now_accrues_returns_for_a_real_position(position, operations, admin_client_for):
    client = admin_client_for(operations)
    with at(DAY0 + timedelta(days=2)):
        assert client.get(RUN_NOW).status_code == 200  # the dialog
        response = run_now(client)
    assert response.status_code == 200
    assert response["HX-Redirect"] == RUNS
    assert balances(position.user) == (D("1000.00"), D("0.00"), D("10000.00"))
    runs = list(JobRun.objects.order_by("business_date"))
    assert [(run.job, run.business_date, run.status, run.trigger, run.actor) for run in runs] == [
        ("accrue_returns", DAY0 + timedelta(days=1), "succeeded", "staff", operations),
        ("accrue_returns", DAY0 + timedelta(days=2), "succeeded", "staff", operations),
    ]
    assert [(run.created, run.total_amount) for run in runs] == [(1, D("500.00")), (1, D("500.00"))]
    assert messages_of(response) == [
        "Accrue returns: 2 runs for 2026-03-03 – 2026-03-04, 2 rows written, 1,000.00 USD paid."
    ]


def test_run_now_through_a_past_date_stops_there(position, superuser, admin_client_for):
    client = admin_client_for(superuser)
    with at(DAY0 + timedelta(days=5)):
        run_now(client, through=(DAY0 + timedelta(days=1)).isoformat())
    assert balances(position.user)[0] == D("500.00")
    client.get(RUNS)  # shows (and so consumes) the first run's message
    with at(DAY0 + timedelta(days=5)):
        response = run_now(client, through=(DAY0 + timedelta(days=1)).isoformat())
    assert messages_of(response) == ["Nothing to do: every business date is already done."]


def test_run_now_refuses_a_future_date(position, operations, admin_client_for, unchanged_db):
    client = admin_client_for(operations)
    with at(DAY0 + timedelta(days=1)), unchanged_db():
        response = run_now(client, through=(DAY0 + timedelta(days=2)).isoformat())
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert response.context["form"].errors == {
        "through": ["2026-03-04 is in the future: jobs run only for dates up to today (2026-03-03)."]
    }
    assert JobRun.objects.count() == 0


def test_run_now_reports_a_held_lock(position, operations, admin_client_for, unchanged_db):
    assert lock_acquire(name="accrue_returns", holder="a-running-worker")
    client = admin_client_for(operations)
    with at(DAY0 + timedelta(days=1)), unchanged_db():
        response = run_now(client)
    assert response["HX-Redirect"] == RUNS
    assert messages_of(response) == ["Another copy of accrue_returns is running."]
    assert balances(position.user)[0] == D("0.00")


def test_run_now_reports_the_services_refusal(position, operations, admin_client_for, unchanged_db):
    """Maturity before the accrual has caught up is refused by the service, with its message."""
    client = admin_client_for(operations)
    with at(DAY0 + timedelta(days=60)), unchanged_db():
        response = run_now(client, job="mature_investments")
    assert messages_of(response) == [
        "Returns are accrued through no date yet: run accrue_returns through 2026-05-01 first."
    ]


def test_run_now_ledger_check_is_recorded(position, operations, admin_client_for):
    response = run_now(admin_client_for(operations), job="ledger_check")
    run = JobRun.objects.get()
    assert (run.job, run.status, run.trigger, run.actor, run.business_date) == (
        "ledger_check",
        "succeeded",
        "staff",
        operations,
        timezone.localdate(),
    )
    assert run.processed == 4  # the deposit's and the purchase's postings
    assert messages_of(response) == ["Ledger check passed: 4 postings checked."]


def test_run_now_ledger_check_failure_is_a_failed_run(operations, admin_client_for, monkeypatch):
    monkeypatch.setattr(
        "apps.wallet.ledger_check.ledger_check",
        lambda **kwargs: LedgerReport(accounts=1, entries=1, postings=2, problems=["I4 account 7: 10.00 != 9.00"]),
    )
    response = run_now(admin_client_for(operations), job="ledger_check")
    run = JobRun.objects.get()
    assert (run.status, run.processed) == ("failed", 2)
    assert "I4 account 7: 10.00 != 9.00" in run.error
    assert response["HX-Redirect"] == f"{RUNS}?status__exact=failed"
    assert messages_of(response) == ["The ledger check found 1 problem(s): I4 account 7: 10.00 != 9.00"]


def test_a_job_that_crashes_is_reported_not_a_server_error(position, operations, admin_client_for, monkeypatch):
    from apps.investments.services import accrual

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(accrual, "_chunk_generic", crash)
    monkeypatch.setattr(accrual, "_chunk_postgresql", crash)
    with at(DAY0 + timedelta(days=1)):
        response = run_now(admin_client_for(operations))
    assert response["HX-Redirect"] == f"{RUNS}?status__exact=failed"
    assert messages_of(response) == [
        "accrue_returns failed: disk full. The failed run and its traceback are listed below."
    ]
    run = JobRun.objects.get()
    assert run.status == "failed"
    assert "RuntimeError: disk full" in run.error


@pytest.mark.parametrize("role", ["support", "finance"])
def test_only_staff_allowed_to_run_jobs_can(role, position, request, admin_client_for, unchanged_db):
    client = admin_client_for(request.getfixturevalue(role))
    with at(DAY0 + timedelta(days=1)), unchanged_db():
        assert client.get(RUN_NOW).status_code == 403
        assert run_now(client).status_code == 403
    assert balances(position.user)[0] == D("0.00")


def test_the_run_now_button_shows_only_to_those_allowed(operations, finance, admin_client_for):
    def buttons(user) -> list[str]:
        return [str(action["title"]) for action in admin_client_for(user).get(RUNS).context["actions_list"]]

    assert buttons(operations) == ["Run now"]
    assert buttons(finance) == []


def test_support_cannot_see_job_runs(support, admin_client_for):
    client = admin_client_for(support)
    assert client.get(RUNS).status_code == 403
    assert client.get(LOCKS).status_code == 403


# --- the runs, read-only -----------------------------------------------------------------------------


def test_job_runs_list_and_detail(position, finance, admin_client_for):
    with at(DAY0 + timedelta(days=1)):
        [run] = accrue_returns()
    failed = failed_run()
    client = admin_client_for(finance)
    response = client.get(RUNS)
    assert [row.pk for row in response.context["cl"].result_list] == [failed.pk, run.pk]
    text = response.text
    assert "500.00 USD" in text
    assert "Succeeded" in text and "Failed" in text
    assert "3 Mar 2026" in text

    page = client.get(reverse("admin:workers_jobrun_change", args=(run.pk,)))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert [name for name, _options in page.context["adminform"].fieldsets] == ["Run", "Time", "Work done"]

    page = client.get(reverse("admin:workers_jobrun_change", args=(failed.pk,)))
    assert [name for name, _options in page.context["adminform"].fieldsets] == ["Run", "Error", "Time", "Work done"]
    assert 'id="job-error"' in page.text
    assert "KeyError: &#x27;boom&#x27;" in page.text


def test_failures_filter_hides_those_a_later_run_put_right(position, finance, admin_client_for):
    with at(DAY0 + timedelta(days=1)):
        fixed = failed_run(day=DAY0 + timedelta(days=1))
    with time_machine.travel(datetime(2026, 3, 3, 13, tzinfo=ZoneInfo("UTC")), tick=False):
        accrue_returns()
        open_failure = failed_run(job="ledger_check", day=DAY0 + timedelta(days=1))
    client = admin_client_for(finance)
    listed = [row.pk for row in client.get(f"{RUNS}?attention=unresolved").context["cl"].result_list]
    assert listed == [open_failure.pk]
    listed = [row.pk for row in client.get(f"{RUNS}?status__exact=failed").context["cl"].result_list]
    assert listed == [open_failure.pk, fixed.pk]


def test_job_runs_list_costs_the_same_queries_for_2_and_12_runs(operations, admin_client_for):
    client = admin_client_for(operations)
    for day in range(2):
        failed_run(day=DAY0 + timedelta(days=day))
    client.get(RUNS)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(RUNS).status_code == 200
        return len(context.captured_queries)

    few = queries()
    for day in range(2, 12):
        JobRun.objects.create(job="accrue_returns", business_date=DAY0 + timedelta(days=day), actor=operations)
    assert queries() == few


def test_job_runs_are_read_only(superuser, admin_client_for, unchanged_db):
    run = failed_run()
    client = admin_client_for(superuser)
    with unchanged_db():
        assert client.get(f"{RUNS}add/").status_code == 403
        assert client.post(reverse("admin:workers_jobrun_change", args=(run.pk,)), {"status": "ok"}).status_code == 403
        assert client.post(reverse("admin:workers_jobrun_delete", args=(run.pk,)), {"post": "yes"}).status_code == 403


# --- locks and the schedule --------------------------------------------------------------------------


def test_a_held_lock_shows_with_its_expiry(operations, admin_client_for, unchanged_db):
    assert lock_acquire(name="mature_investments", holder="worker-7")
    lock = JobLock.objects.get()
    client = admin_client_for(operations)
    response = client.get(LOCKS)
    assert [row.name for row in response.context["cl"].result_list] == ["mature_investments"]
    assert "worker-7" in response.text
    assert "held" in response.text
    runs_page = client.get(RUNS)
    assert [item.name for item in runs_page.context["job_locks"]] == ["mature_investments"]
    assert timezone.localtime(lock.expires_at).strftime("%H:%M:%S") in runs_page.text
    with unchanged_db():
        assert client.get(f"{LOCKS}add/").status_code == 403
        assert client.post(reverse("admin:workers_joblock_delete", args=(lock.pk,)), {"post": "yes"}).status_code == 403


def test_an_expired_lock_says_so(operations, admin_client_for):
    now = timezone.now()
    JobLock.objects.create(
        name="accrue_returns",
        holder="dead",
        acquired_at=now - timedelta(hours=1),
        expires_at=now - timedelta(minutes=30),
    )
    assert "expired" in admin_client_for(operations).get(LOCKS).text


def test_the_schedule_shows_in_beat_and_is_linked_from_the_job_runs_page(operations, admin_client_for):
    call_command("schedule_sync", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = admin_client_for(operations)
    beat = client.get("/admin/django_celery_beat/periodictask/?q=bursar%3A")
    tasks = {task.name: task.task for task in beat.context["cl"].result_list}
    assert tasks["bursar:investment-jobs"] == "workers.tasks.daily_investment_jobs_task"
    assert tasks["bursar:ledger-check"] == "workers.tasks.ledger_check_task"
    runs_page = client.get(RUNS)
    assert [task.name for task in runs_page.context["job_schedule"]] == sorted(tasks)
    assert 'href="/admin/django_celery_beat/periodictask/?q=bursar%3A"' in runs_page.text
    for name in ("bursar:investment-jobs", "bursar:ledger-check"):
        task_id = next(task.pk for task in runs_page.context["job_schedule"] if task.name == name)
        assert f'href="{reverse("admin:django_celery_beat_periodictask_change", args=(task_id,))}"' in runs_page.text
    assert "5 * * * *" in runs_page.text  # the hourly investment jobs (crontab)
