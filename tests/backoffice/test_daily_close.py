"""The daily close: exact figures on a ledger built over four business dates with the real
services and jobs (deposits approved, positions bought with a commission, withdrawals paid and
rejected, accrual, maturity, the ledger check), bad dates, permissions, and the CSV equal to the
page."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.backoffice.reports.selectors import daily_close_get
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from apps.wallet.models import Account, AccountKind
from apps.wallet.services.ledger import investor_account
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request_create
from tests.backoffice.conftest import staff_with_role
from tests.factories import StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund, kyc_approve
from workers.models import JobRun
from workers.services import ledger_check_run
from workers.staff_jobs import ledger_check_recorded

pytestmark = pytest.mark.django_db
D = Decimal
DAY0 = date(2026, 3, 2)
DAY1, DAY2, DAY3, DAY4 = (DAY0 + timedelta(days=n) for n in range(1, 5))
PAGE = "/admin/reports/daily-close/"
CSV = "/admin/reports/daily-close/csv/"


def at(day: date, hour: int = 12, minute: int = 0):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("UTC")), tick=False)


@pytest.fixture
def ledger(superuser, runtime_config):
    """Four business dates of activity (amounts in the docstrings of the tests below).

    DAY0: A (referred by R) and B deposit 10,000 and 2,000; A buys 5,000 of a daily plan (1 % a
    day, 3 days; R earns 3 %, 150); B buys 1,000 of an at-maturity plan (2 % a day, 2 days) and
    asks for two withdrawals (500 and 100, fee 2.50 each). DAY1: returns accrued, the first
    withdrawal paid, the second rejected. DAY2: returns accrued, B's position matures (returns
    paid with it); the ledger check runs at 02:30 the next morning. DAY3: returns accrued, A's
    position matures; a cached balance is broken and the nightly check fails."""
    runtime_config(WITHDRAWAL_FEE_FIXED=D("2.50"))
    referrer = UserFactory(email="r@example.com")
    a = UserFactory(email="a@example.com", referred_by=referrer)
    b = UserFactory(email="b@example.com")
    kyc_approve(b)
    with at(DAY0):
        fund(a, "10000.00", approver=superuser)
        fund(b, "2000.00", approver=superuser)
        daily = make_plan(name="Daily", min_amount="100.00", max_amount="100000.00", daily_rate=D("1"), term_days=3)
        maturity = make_plan(
            name="Lump", min_amount="100.00", max_amount="100000.00", daily_rate=D("2"), term_days=2,
            payout_schedule="at_maturity",
        )  # fmt: skip
        investment_open(user=a, plan_id=daily.pk, amount="5000.00", terms_accepted=True)
        investment_open(user=b, plan_id=maturity.pk, amount="1000.00", terms_accepted=True)
        paid = withdrawal_request_create(user=b, amount="500.00", address="T-address-1")
        rejected = withdrawal_request_create(user=b, amount="100.00", address="T-address-2")
    with at(DAY1):
        accrue_returns()
        mature_investments()
        withdrawal_approve(withdrawal_id=paid.pk, actor=superuser, payout_hash="0xpaid")
        withdrawal_reject(withdrawal_id=rejected.pk, actor=superuser, note="Wrong address")
    with at(DAY2):
        accrue_returns()
        mature_investments()
    with at(DAY3, 2, 30):
        ledger_check_recorded(trigger="staff", actor=superuser)
    with at(DAY3):
        accrue_returns()
        mature_investments()
    with at(DAY3, 15):
        available = investor_account(user=a, kind=AccountKind.AVAILABLE)
        Account.objects.filter(pk=available.pk).update(balance=D("1.00"))  # the cache only
        assert ledger_check_run() is False
    return {"a": a, "b": b, "referrer": referrer}


def flows(close) -> dict:
    return {
        "deposits": (close.deposits.count, close.deposits.amount),
        "withdrawals": (close.withdrawals.count, close.withdrawals.amount, close.withdrawal_fees),
        "returns": (close.returns.count, close.returns.amount),
        "returns_at_maturity": (close.returns_at_maturity.count, close.returns_at_maturity.amount),
        "commissions": (close.commissions.count, close.commissions.amount),
        "opened": (close.positions_opened.count, close.positions_opened.amount),
        "matured": (close.positions_matured.count, close.positions_matured.amount),
    }


def balances(close) -> dict:
    rows = (*close.investor_balances, close.investor_total, *close.platform_balances, close.all_accounts_total)
    return {row.kind: (row.opening, row.closing) for row in rows}


def movements(close) -> list:
    return [(row.kind, row.entries, row.net) for row in close.movements]


def jobs(close) -> dict:
    return {job.job: (job.status, job.runs, job.succeeded, job.failed, job.created, job.amount) for job in close.jobs}


ZEROS = (D("0.00"), D("0.00"))


# --- exact figures ----------------------------------------------------------------------------------


def test_day0_deposits_purchases_commission_and_holds(ledger):
    with at(DAY4):
        close = daily_close_get(business_date=DAY0)
    assert close.is_over is True
    assert flows(close) == {
        "deposits": (2, D("12000.00")),
        "withdrawals": (0, D("0.00"), D("0.00")),
        "returns": (0, D("0.00")),
        "returns_at_maturity": (0, D("0.00")),
        "commissions": (1, D("150.00")),
        "opened": (2, D("6000.00")),
        "matured": (0, D("0.00")),
    }
    assert balances(close) == {
        "available": (D("0.00"), D("5545.00")),  # A 5,000 + B 395 + R 150
        "held": (D("0.00"), D("605.00")),  # two requests of 500 and 100, each with its 2.50 fee
        "invested": (D("0.00"), D("6000.00")),
        "investor_total": (D("0.00"), D("12150.00")),
        "cash": (D("0.00"), D("-12000.00")),
        "return_expense": ZEROS,
        "referral_expense": (D("0.00"), D("-150.00")),
        "reward_expense": ZEROS,
        "task_reward_expense": ZEROS,
        "fee_income": ZEROS,
        "adjustments": ZEROS,
        "all_accounts": ZEROS,
    }
    assert movements(close) == [
        ("deposit", 2, D("12000.00")),
        ("withdrawal_hold", 2, D("0.00")),
        ("investment", 2, D("0.00")),
        ("commission", 1, D("150.00")),
    ]
    assert close.movements_total == D("12150.00")


def test_day1_a_payout_a_rejection_and_the_first_returns(ledger):
    with at(DAY4):
        close = daily_close_get(business_date=DAY1)
    assert flows(close) == {
        "deposits": (0, D("0.00")),
        "withdrawals": (1, D("500.00"), D("2.50")),  # the rejected request is not money out
        "returns": (1, D("50.00")),  # the at-maturity position accrues 20.00 but is not paid
        "returns_at_maturity": (0, D("0.00")),
        "commissions": (0, D("0.00")),
        "opened": (0, D("0.00")),
        "matured": (0, D("0.00")),
    }
    assert balances(close) == {
        "available": (D("5545.00"), D("5697.50")),  # + 50.00 returns + 102.50 released
        "held": (D("605.00"), D("0.00")),
        "invested": (D("6000.00"), D("6000.00")),
        "investor_total": (D("12150.00"), D("11697.50")),
        "cash": (D("-12000.00"), D("-11500.00")),
        "return_expense": (D("0.00"), D("-50.00")),
        "referral_expense": (D("-150.00"), D("-150.00")),
        "reward_expense": ZEROS,
        "task_reward_expense": ZEROS,
        "fee_income": (D("0.00"), D("2.50")),
        "adjustments": ZEROS,
        "all_accounts": ZEROS,
    }
    assert movements(close) == [
        ("withdrawal_payout", 1, D("-502.50")),
        ("withdrawal_release", 1, D("0.00")),
        ("return", 1, D("50.00")),
    ]
    assert close.movements_total == close.investor_total.change == D("-452.50")


def test_day2_returns_paid_at_maturity_and_the_check_after_the_close(ledger, superuser):
    with at(DAY4):
        close = daily_close_get(business_date=DAY2)
    assert flows(close) == {
        "deposits": (0, D("0.00")),
        "withdrawals": (0, D("0.00"), D("0.00")),
        "returns": (2, D("90.00")),  # A's daily 50.00, and B's two days of 20.00 paid at maturity
        "returns_at_maturity": (1, D("40.00")),
        "commissions": (0, D("0.00")),
        "opened": (0, D("0.00")),
        "matured": (1, D("1000.00")),
    }
    assert balances(close)["available"] == (D("5697.50"), D("6787.50"))
    assert balances(close)["invested"] == (D("6000.00"), D("5000.00"))
    assert balances(close)["return_expense"] == (D("-50.00"), D("-140.00"))
    assert movements(close) == [("return", 1, D("50.00")), ("maturity", 1, D("40.00"))]
    check = close.ledger_check
    assert (check.status, check.processed, check.trigger, check.actor) == ("succeeded", 26, "staff", superuser)
    assert jobs(close) == {
        "accrue_returns": ("succeeded", 1, 1, 0, 2, D("50.00")),
        "mature_investments": ("succeeded", 1, 1, 0, 1, D("1040.00")),
        "grant_milestones": ("not_run", 0, 0, 0, 0, D("0.00")),
        "ledger_check": ("not_run", 0, 0, 0, 0, D("0.00")),
    }


def test_day3_balances_come_from_postings_not_from_the_broken_cache(ledger):
    with at(DAY4):
        close = daily_close_get(business_date=DAY3)
    assert flows(close)["returns"] == (1, D("50.00"))
    assert flows(close)["matured"] == (1, D("5000.00"))
    assert balances(close)["available"] == (D("6787.50"), D("11837.50"))  # not the cached 1.00 of A
    assert balances(close)["invested"] == (D("5000.00"), D("0.00"))
    assert balances(close)["all_accounts"] == ZEROS
    assert close.ledger_check is None  # nothing ran the morning after
    assert jobs(close) == {
        "accrue_returns": ("succeeded", 1, 1, 0, 1, D("50.00")),
        "mature_investments": ("succeeded", 1, 1, 0, 1, D("5000.00")),
        "grant_milestones": ("not_run", 0, 0, 0, 0, D("0.00")),
        "ledger_check": ("failed", 2, 1, 1, 0, D("0.00")),  # the staff run at 02:30, the nightly at 15:00
    }
    nightly = close.jobs[3].last
    assert (nightly.trigger, nightly.actor) == ("schedule", None)
    assert "The ledger check found 2 problem(s)" in nightly.error


def test_a_date_without_activity_is_all_zero(ledger):
    with at(DAY4):
        close = daily_close_get(business_date=DAY0 - timedelta(days=30))
    assert set(flows(close).values()) == {(0, D("0.00")), (0, D("0.00"), D("0.00"))}
    assert set(balances(close).values()) == {ZEROS}
    assert movements(close) == []
    assert close.ledger_check is None
    assert {job.status for job in close.jobs} == {"not_run"}


def test_today_is_marked_as_not_over(ledger):
    with at(DAY3, 18):
        close = daily_close_get(business_date=DAY3)
    assert close.is_over is False


def test_a_fixed_number_of_queries_whatever_the_date(ledger):
    with at(DAY4):
        for day in (DAY0, DAY2, DAY0 - timedelta(days=30)):
            with CaptureQueriesContext(connection) as queries:
                daily_close_get(business_date=day)
            assert len(queries) == 9, day
        with CaptureQueriesContext(connection) as queries:
            daily_close_get(business_date=DAY2, with_jobs=False)
        assert len(queries) == 8


# --- the page and the CSV ----------------------------------------------------------------------------

FIGURE = re.compile(r'data-figure="([^"]+)" data-value="([^"]*)"')


def page_figures(html: str) -> dict[str, str]:
    found = [(key, unescape(value)) for key, value in FIGURE.findall(html)]
    assert len(found) == len(dict(found)), "a figure appears twice on the page"
    return dict(found)


def csv_figures(response) -> dict[str, str]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["business_date", "section", "item", "measure", "value"]
    assert len({row[0] for row in rows[1:]}) == 1
    return {f"{section}.{item}.{measure}": value for _day, section, item, measure, value in rows[1:]}


@pytest.mark.parametrize("day", [DAY0, DAY1, DAY2, DAY3, DAY0 - timedelta(days=30)])
def test_the_csv_is_exactly_the_figures_on_the_page(ledger, finance, admin_client_for, day):
    client = admin_client_for(finance)
    with at(DAY4):
        page = client.get(PAGE, {"date": day.isoformat()})
        download = client.get(CSV, {"date": day.isoformat()})
    assert page.status_code == 200
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="daily-close-{day.isoformat()}.csv"'
    on_page = page_figures(page.text)
    assert on_page == csv_figures(download)
    assert on_page["close.business_date.value"] == day.isoformat()


def test_page_shows_the_exact_figures_of_a_busy_date(ledger, finance, admin_client_for):
    with at(DAY4):
        figures = page_figures(admin_client_for(finance).get(PAGE, {"date": DAY2.isoformat()}).text)
    assert {key: figures[key] for key in figures if key.startswith("flows.")} == {
        "flows.deposits_in.count": "0",
        "flows.deposits_in.amount": "0.00",
        "flows.withdrawals_out.count": "0",
        "flows.withdrawals_out.amount": "0.00",
        "flows.withdrawal_fees.amount": "0.00",
        "flows.returns_paid.count": "2",
        "flows.returns_paid.amount": "90.00",
        "flows.returns_paid_at_maturity.count": "1",
        "flows.returns_paid_at_maturity.amount": "40.00",
        "flows.commissions_paid.count": "0",
        "flows.commissions_paid.amount": "0.00",
        "flows.positions_opened.count": "0",
        "flows.positions_opened.principal": "0.00",
        "flows.positions_matured.count": "1",
        "flows.positions_matured.principal": "1000.00",
    }
    assert figures["balances.investor_total.closing"] == "11787.50"
    assert figures["balances.cash.closing"] == "-11500.00"
    assert figures["balances.all_accounts.closing"] == "0.00"
    assert figures["ledger_check.after_close.status"] == "succeeded"
    assert figures["ledger_check.after_close.started_at"] == "2026-03-05T02:30:00+00:00"
    assert figures["jobs.mature_investments.amount"] == "1040.00"
    assert figures["jobs.grant_milestones.status"] == "not_run"


def test_the_default_date_is_yesterday(ledger, finance, admin_client_for):
    with at(DAY4, 9):
        response = admin_client_for(finance).get(PAGE)
    figures = page_figures(response.text)
    assert figures["close.business_date.value"] == DAY3.isoformat()
    assert figures["close.is_over.value"] == "true"
    assert 'href="/admin/reports/daily-close/?date=2026-03-04"' in response.text  # previous day
    assert 'href="/admin/reports/daily-close/?date=2026-03-06"' in response.text  # next day: today


@pytest.mark.parametrize(
    "value, message",
    [
        ("2026-02-30", "Enter a date as YYYY-MM-DD, for example 2026-03-02."),
        ("yesterday", "Enter a date as YYYY-MM-DD, for example 2026-03-02."),
        ("02/03/2026", "Enter a date as YYYY-MM-DD, for example 2026-03-02."),
        ("99999-01-01", "Enter a date as YYYY-MM-DD, for example 2026-03-02."),
        ("2026-03-07", "2026-03-07 is in the future: a close can be read for dates up to today (2026-03-06)."),
    ],
)
@pytest.mark.parametrize("url", [PAGE, CSV])
def test_a_bad_date_is_a_message_on_the_page(ledger, finance, admin_client_for, unchanged_db, url, value, message):
    client = admin_client_for(finance)
    with at(DAY4), unchanged_db():
        response = client.get(url, {"date": value})
    assert response.status_code == 200
    assert response.streaming is False
    assert "No close to show for this date." in response.text
    assert unescape(response.text).count(message) == 1
    assert page_figures(response.text) == {}


def test_today_can_be_read_so_far(ledger, finance, admin_client_for):
    with at(DAY4):
        response = admin_client_for(finance).get(PAGE, {"date": DAY4.isoformat()})
    assert page_figures(response.text)["close.is_over.value"] == "false"
    assert "today: figures so far" in response.text.lower()
    assert 'id="close-next"' not in response.text  # no day after today


def test_the_page_reads_in_a_fixed_number_of_queries(ledger, finance, admin_client_for):
    client = admin_client_for(finance)
    counts = []
    with at(DAY4):
        client.get(PAGE, {"date": DAY0.isoformat()})  # warm caches (content types, permissions)
        for day in (DAY0, DAY2, DAY0 - timedelta(days=30)):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(PAGE, {"date": day.isoformat()}).status_code == 200
            counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]


# --- who may see it ------------------------------------------------------------------------------


def test_finance_and_operations_see_it_in_the_sidebar(ledger, finance, operations, admin_client_for):
    for user in (finance, operations):
        with at(DAY4):
            response = admin_client_for(user).get("/admin/")
        assert 'href="/admin/reports/daily-close/"' in response.text


@pytest.mark.parametrize("url", [PAGE, CSV])
def test_staff_without_the_ledger_permission_are_refused(ledger, support, kyc_reviewer, admin_client_for, url):
    for user in (support, kyc_reviewer):
        client = admin_client_for(user)
        with at(DAY4):
            assert client.get(url, {"date": DAY1.isoformat()}).status_code == 403
            assert 'href="/admin/reports/daily-close/"' not in client.get("/admin/").text


@pytest.mark.parametrize("url", [PAGE, CSV])
def test_investors_and_visitors_are_sent_to_the_admin_sign_in(ledger, client, admin_client_for, url):
    for browser in (client, admin_client_for(ledger["a"])):
        response = browser.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_without_the_job_runs_permission_the_jobs_are_left_out_of_page_and_csv(ledger, admin_client_for):
    ledger_reader = StaffFactory()
    ledger_reader.user_permissions.add(Permission.objects.get(content_type__app_label="wallet", codename="view_entry"))
    client = admin_client_for(ledger_reader)
    with at(DAY4):
        page = client.get(PAGE, {"date": DAY2.isoformat()})
        download = client.get(CSV, {"date": DAY2.isoformat()})
    figures = page_figures(page.text)
    assert figures == csv_figures(download)
    assert figures["flows.returns_paid.amount"] == "90.00"
    assert not [key for key in figures if key.startswith(("jobs.", "ledger_check."))]
    assert 'id="close-jobs"' not in page.text


def test_the_nightly_check_is_recorded_and_is_the_check_after_the_close(superuser):
    staff_with_role("Finance")
    with at(DAY0):
        fund(UserFactory(), "25.00", approver=superuser)
    with at(DAY1, 2, 30):
        assert ledger_check_run() is True
    run = JobRun.objects.get(job="ledger_check")
    assert (run.business_date, run.status, run.trigger, run.processed) == (DAY1, "succeeded", "schedule", 2)
    with at(DAY1, 12):
        assert daily_close_get(business_date=DAY0).ledger_check == run
        assert daily_close_get(business_date=DAY1).ledger_check is None


def shown(html: str, key: str) -> str:
    """The text a figure's element shows (not its raw value)."""
    match = re.search(rf'data-figure="{re.escape(key)}" data-value="[^"]*">([^<]*)<', html)
    assert match, key
    return unescape(match.group(1))


@pytest.mark.parametrize(
    ("language", "cash", "opened"),
    [
        ("en", "-11,500.00", "1,000.00"),
        # Isolated left to right (LRI … PDI): in a right-to-left page a bare "-11,500.00" is drawn
        # with its minus on the right ("11,500.00-").
        ("ar", "\u2066-11,500.00\u2069", "\u20661,000.00\u2069"),
    ],
)
def test_amounts_keep_their_minus_in_front_in_a_right_to_left_page(
    ledger, finance, admin_client_for, language, cash, opened
):
    client = admin_client_for(finance)
    client.cookies["django_language"] = language
    with at(DAY4):
        html = client.get(PAGE, {"date": DAY2.isoformat()}).text

    assert f'lang="{language}"' in html
    assert shown(html, "balances.cash.closing") == cash
    assert shown(html, "flows.positions_matured.principal") == opened
    assert page_figures(html)["balances.cash.closing"] == "-11500.00"  # the raw value as in the CSV
