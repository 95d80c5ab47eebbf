"""The dashboard's investment panel: open positions, their principal, returns paid, what is due in
the next 7 and 30 days (returns + principal), and how far the accrual job has got. Exact figures,
for staff allowed to see positions only."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.investments.selectors import investment_summary_for_dashboard, obligations_due
from apps.investments.services.accrual import JOB as ACCRUAL_JOB
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund
from workers.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db

D = Decimal
DAY0 = date(2026, 3, 2)
TODAY = DAY0 + timedelta(days=3)


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("UTC")), tick=False)


@pytest.fixture
def book(superuser):
    """Bought on DAY0, accrued through DAY0 + 3 (= TODAY):
    - 10,000.00 at 5% a day for 60 days, paid daily (500.00 a day);
    - 1,000.00 at 1.2345% a day for 60 days, paid daily (12.345 a day exactly: the cents drift-free);
    - 5,000.00 at 1% a day for 10 days, paid at maturity with the principal (on DAY0 + 10)."""
    investor = UserFactory()
    with at(DAY0):
        fund(investor, "16000.00", approver=superuser)
        big = make_plan(actor=superuser, min_amount="100.00")
        odd = make_plan(actor=superuser, name="Odd", min_amount="100.00", daily_rate="1.2345")
        saver = make_plan(
            actor=superuser,
            name="Saver",
            min_amount="100.00",
            daily_rate="1.0000",
            term_days=10,
            payout_schedule="at_maturity",
        )
        for plan, amount in ((big, "10000.00"), (odd, "1000.00"), (saver, "5000.00")):
            investment_open(user=investor, plan_id=plan.pk, amount=amount, terms_accepted=True)
    with at(TODAY):
        accrue_returns()
    return investor


def test_summary_figures_are_exact(book):
    summary = investment_summary_for_dashboard(today=TODAY)
    assert (summary.active_positions, summary.invested_principal) == (3, D("16000.00"))
    # Paid: 3 × 500.00 + round(3 × 12.345) = 1,500.00 + 37.04; the at-maturity accruals wait.
    assert summary.returns_paid == D("1537.04")
    [week, month] = summary.obligations
    # Through DAY0 + 10: days 4 … 10 of the daily plans (7 × 500.00; 123.45 − 37.04 = 86.41), the
    # at-maturity plan's whole return (10 × 50.00) and its principal.
    assert (week.days, week.through, week.returns, week.principal, week.total) == (
        7,
        DAY0 + timedelta(days=10),
        D("3500.00") + D("86.41") + D("500.00"),
        D("5000.00"),
        D("9086.41"),
    )
    # Through DAY0 + 33: days 4 … 33 of the daily plans (30 × 500.00; round(407.385) − 37.04 = 370.35).
    assert (month.returns, month.principal, month.total) == (
        D("15000.00") + D("370.35") + D("500.00"),
        D("5000.00"),
        D("20870.35"),
    )
    assert summary.accrued_through == TODAY
    assert (summary.last_accrual_run.business_date, summary.last_accrual_run.status) == (TODAY, "succeeded")


def test_days_the_job_has_not_paid_yet_are_owed(book):
    """Two days later with no accrual run: those two days are owed on top."""
    [week] = obligations_due(today=TODAY + timedelta(days=2), paid_through=TODAY, windows=(7,))
    # Days 4 … 12 of the daily plans (9 × 500.00; round(148.14) − 37.04 = 111.10); the saver matures.
    assert (week.returns, week.principal) == (D("4500.00") + D("111.10") + D("500.00"), D("5000.00"))


def test_capital_kept_plans_owe_no_principal(superuser):
    investor = UserFactory()
    with at(DAY0):
        fund(investor, "1000.00", approver=superuser)
        plan = make_plan(actor=superuser, min_amount="100.00", term_days=5, capital_back=False)
        investment_open(user=investor, plan_id=plan.pk, amount="1000.00", terms_accepted=True)
    [week] = obligations_due(today=DAY0, paid_through=None, windows=(7,))
    assert (week.returns, week.principal) == (D("250.00"), D("0.00"))


def test_the_dashboard_shows_the_panel(book, finance, admin_client_for):
    with at(TODAY):
        response = admin_client_for(finance).get("/admin/")
    panel = response.context["investments"]
    assert [(card["id"], card["value"]) for card in panel["cards"]] == [
        ("active-positions", "3"),
        ("invested-principal", "16,000.00 USD"),
        ("returns-paid", "1,537.04 USD"),
    ]
    assert [(due["id"], due["total"], due["returns"], due["principal"]) for due in panel["obligations"]] == [
        ("due-7", "9,086.41 USD", "4,086.41 USD", "5,000.00 USD"),
        ("due-30", "20,870.35 USD", "15,870.35 USD", "5,000.00 USD"),
    ]
    text = response.text
    assert 'id="investment-cards"' in text
    assert "20,870.35 USD" in text
    assert "Returns accrued through 5 Mar 2026" in text
    assert "Last run: 5 Mar 2026, Succeeded" in text
    assert panel["accrual_days_behind"] == 0
    assert "not accrued yet" not in text
    assert panel["runs_link"] == "/admin/workers/jobrun/?job__exact=accrue_returns"
    assert panel["cards"][0]["link"] == "/admin/investments/position/?status__exact=active"


def test_a_failed_accrual_shows_on_the_dashboard(book, operations, admin_client_for):
    with at(TODAY + timedelta(days=1)):
        JobRun.objects.create(job=ACCRUAL_JOB, business_date=TODAY + timedelta(days=1), status=JobStatus.FAILED)
        response = admin_client_for(operations).get("/admin/")
    panel = response.context["investments"]
    assert (panel["accrued_through"], panel["last_run"].status, panel["last_run_variant"]) == (
        TODAY,
        "failed",
        "danger",
    )
    assert "Last run: 6 Mar 2026, Failed" in response.text
    assert panel["accrual_days_behind"] == 1
    assert "1 business date not accrued yet" in response.text


def test_an_empty_platform(superuser, admin_client_for):
    response = admin_client_for(superuser).get("/admin/")
    panel = response.context["investments"]
    assert [card["value"] for card in panel["cards"]] == ["0", "0.00 USD", "0.00 USD"]
    assert [due["total"] for due in panel["obligations"]] == ["0.00 USD", "0.00 USD"]
    assert "No business date accrued yet" in response.text
    assert "The accrual job has not run yet." in response.text


def test_only_staff_who_see_positions_get_the_panel(support, admin_client_for):
    response = admin_client_for(support).get("/admin/")
    assert "investments" not in response.context
    assert 'id="investment-cards"' not in response.text
