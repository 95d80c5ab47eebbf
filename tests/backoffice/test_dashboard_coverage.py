"""The staff dashboard's coverage panel (what the platform has against what it owes, for the next
7, 30 and 90 days) and queue health (how many wait, how long the oldest has), with exact figures on
the history of ``dashboard_history``; who sees them; one sign convention for platform cash."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest

from apps.backoffice.dashboard.coverage import age_text
from apps.backoffice.selectors import (
    coverage_get,
    deposit_queue_health,
    kyc_queue_health,
    support_queue_health,
    withdrawal_queue_health,
)
from apps.wallet.services.treasury import treasury_balance_record
from tests.backoffice.dashboard_history import DAY3, TODAY, at, history_build, moment

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def history(superuser, finance, settings, kyc_storage):
    return history_build(superuser=superuser, finance=finance)


def text_of(html: str) -> str:
    """What a reader sees: tags dropped, white space collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


# --- coverage ---------------------------------------------------------------------------------------


def test_coverage_figures_are_exact(history):
    with at(TODAY):
        coverage = coverage_get(today=TODAY, paid_through=DAY3)
    # Available: A 10,450.00 (10,000 − 5,000 + 3 × 50 + 5,000 back + 300), B 1,435.00 (2,000 − 1,000
    # − 502.50 + 1,040.00 at maturity − 102.50 held), R 150.00, C 307.50 (1,000 − 700 + 3 × 2.50).
    assert (coverage.investor_available, coverage.investor_held) == (D("12342.50"), D("102.50"))
    assert coverage.payable_now == D("12445.00")
    # Cash: 13,300.00 deposited − 500.00 paid out (the 2.50 fee stays); the treasury count of DAY3.
    assert (coverage.platform_cash, coverage.treasury_amount, coverage.has) == (
        D("12800.00"),
        D("1000.00"),
        D("13800.00"),
    )
    assert coverage.threshold == D("1.10")
    horizons = [
        (h.days, h.through, h.due_returns, h.due_principal, h.owed, h.ratio, h.below_threshold)
        for h in coverage.horizons
    ]
    assert horizons == [
        # Long: days 4 … 11 (8 × 2.50); Month matures on DAY0 + 20.
        (7, TODAY + timedelta(days=7), D("20.00"), D("0.00"), D("12465.00"), D("1.10"), False),
        # Long: days 4 … 34 (77.50); Month: 40.00 and its 200.00.
        (30, TODAY + timedelta(days=30), D("117.50"), D("200.00"), D("12762.50"), D("1.08"), True),
        # Long to its end (80 × 2.50 − 7.50 paid = 192.50, its 500.00 back); Month.
        (90, TODAY + timedelta(days=90), D("232.50"), D("700.00"), D("13377.50"), D("1.03"), True),
    ]
    assert coverage.below_threshold is True


def test_the_warning_compares_exactly_not_the_rounded_ratio(history, runtime_config):
    """13,800.00 ÷ 12,465.00 = 1.107099…: shown as 1.10 (rounded down), yet not below 1.1070."""
    runtime_config(COVERAGE_WARNING_RATIO=D("1.1070"))
    with at(TODAY):
        week = coverage_get(today=TODAY, paid_through=DAY3).horizons[0]
    assert (week.ratio, week.below_threshold) == (D("1.10"), False)
    runtime_config(COVERAGE_WARNING_RATIO=D("1.1071"))
    with at(TODAY):
        week = coverage_get(today=TODAY, paid_through=DAY3).horizons[0]
    assert (week.ratio, week.below_threshold) == (D("1.10"), True)


def test_a_lower_threshold_clears_the_warning(history, finance, admin_client_for, runtime_config):
    runtime_config(COVERAGE_WARNING_RATIO=D("1.00"))
    with at(TODAY):
        response = admin_client_for(finance).get("/admin/")
    panel = response.context["coverage"]
    assert (panel["warning"], [h["warning"] for h in panel["horizons"]]) == (False, [False, False, False])
    assert 'data-warning="true"' not in response.text
    assert "at least 1.00×" in response.text


def test_the_panel_shows_the_figures(history, finance, admin_client_for):
    with at(TODAY):
        response = admin_client_for(finance).get("/admin/")
    panel = response.context["coverage"]
    assert (panel["has"], panel["platform_cash"], panel["treasury"]) == (
        "13,800.00 USD",
        "12,800.00 USD",
        "1,000.00 USD",
    )
    assert (panel["payable"], panel["available"], panel["held"]) == ("12,445.00 USD", "12,342.50 USD", "102.50 USD")
    assert [(h["id"], h["ratio"], h["owed"], h["warning"]) for h in panel["horizons"]] == [
        ("coverage-7", "1.10", "12,465.00 USD", False),
        ("coverage-30", "1.08", "12,762.50 USD", True),
        ("coverage-90", "1.03", "13,377.50 USD", True),
    ]
    assert (panel["warning"], panel["threshold"], panel["treasury_stale"]) == (True, "1.10", False)
    html = response.text
    assert 'id="coverage" data-warning="true"' in html
    assert 'id="coverage-30" data-warning="true"' in html
    assert "below 1.10×" in html
    text = text_of(html)
    # Who counted the treasury and when, and the way to its history.
    assert "Counted 5 Mar 2026, 18:00, recorded by " + finance.email + "." in text
    assert panel["history_link"] == "/admin/wallet/treasurybalance/"
    assert panel["record_link"] == "/admin/wallet/treasurybalance/add/"  # Finance may record one
    # Amounts never run into the next word.
    assert "incl. due by 5 Apr: returns 117.50 USD · principal 200.00 USD" in text
    assert "returns 20.00 USD · principal 0.00 USD" in text


def test_operations_sees_the_history_but_may_not_record(history, operations, admin_client_for):
    with at(TODAY):
        panel = admin_client_for(operations).get("/admin/").context["coverage"]
    assert (panel["history_link"], panel["record_link"]) == ("/admin/wallet/treasurybalance/", None)


def test_without_a_treasury_count_cash_alone_is_what_the_platform_has(superuser, finance, admin_client_for):
    response = admin_client_for(finance).get("/admin/")
    panel = response.context["coverage"]
    assert (panel["has"], panel["treasury"], panel["treasury_record"]) == ("0.00 USD", "0.00 USD", None)
    # Nothing owed: no ratio, no warning.
    assert [(h["ratio"], h["warning"]) for h in panel["horizons"]] == [(None, False)] * 3
    assert "No treasury balance recorded yet: platform cash only." in response.text


def test_a_treasury_count_over_a_week_old_is_flagged(history, finance, admin_client_for):
    with at(DAY3 + timedelta(days=8)):
        response = admin_client_for(finance).get("/admin/")
    assert response.context["coverage"]["treasury_stale"] is True
    assert "More than a week old." in response.text


def test_the_latest_count_is_the_one_used(history, finance):
    with at(TODAY, 11):
        treasury_balance_record(amount="2500.00", actor=finance, as_of=moment(TODAY, 9))
    with at(TODAY):
        coverage = coverage_get(today=TODAY, paid_through=DAY3)
    assert (coverage.treasury_amount, coverage.has, coverage.horizons[0].ratio) == (
        D("2500.00"),
        D("15300.00"),
        D("1.22"),
    )


def test_platform_cash_has_one_sign_on_the_dashboard_and_the_accounts_list(history, finance, admin_client_for):
    client = admin_client_for(finance)
    with at(TODAY):
        dashboard = client.get("/admin/")
        accounts = client.get(dashboard.context["coverage"]["cash_link"])
    cards = {card["id"]: card["amount"] for card in dashboard.context["money_cards"]}
    assert cards["platform-cash"] == dashboard.context["coverage"]["platform_cash"] == "12,800.00 USD"
    assert "data-shown>12,800.00 USD</span>" in accounts.text
    assert "stored as -12,800.00 USD" in accounts.text
    explained = text_of(re.search(r'<p[^>]*id="sign-convention">(.*?)</p>', dashboard.text, re.S).group(1))
    assert "Every figure is on its normal side" in explained


@pytest.mark.parametrize("role", ["support", "kyc_reviewer"])
def test_staff_without_the_permissions_do_not_see_the_panel(history, request, admin_client_for, role):
    with at(TODAY):
        response = admin_client_for(request.getfixturevalue(role)).get("/admin/")
    assert response.status_code == 200
    assert "coverage" not in response.context
    assert 'id="coverage"' not in response.text
    assert "13,800.00" not in response.text


# --- queue health -----------------------------------------------------------------------------------


def test_queue_health_counts_and_ages(history):
    with at(TODAY):
        now = moment(TODAY)
        queues = [deposit_queue_health(), withdrawal_queue_health(), kyc_queue_health(), support_queue_health()]
    assert [(q.key, q.count, q.oldest, q.age(now=now), q.total) for q in queues] == [
        ("deposits", 1, moment(TODAY, 10, 30), timedelta(hours=1, minutes=30), D("250.00")),
        ("withdrawals", 1, moment(DAY3, 9), timedelta(hours=27), D("100.00")),
        ("kyc", 1, moment(TODAY, 11, 50), timedelta(minutes=10), None),
        ("support", 1, moment(TODAY, 11, 58), timedelta(minutes=2), None),
    ]


def test_the_queue_panel(history, superuser, admin_client_for):
    with at(TODAY):
        response = admin_client_for(superuser).get("/admin/")
    rows = [(q["id"], q["count"], q["age"], q["late"], q["total"], q["link"]) for q in response.context["queues"]]
    assert rows == [
        ("queue-deposits", 1, "1 hour", False, "250.00 USD", "/admin/wallet/deposit/?status__exact=pending"),
        ("queue-withdrawals", 1, "1 day", True, "100.00 USD", "/admin/wallet/withdrawal/?status__exact=pending"),
        ("queue-kyc", 1, "10 minutes", False, None, "/admin/kyc/submission/?status__exact=pending"),
        ("queue-support", 1, "2 minutes", False, None, "/admin/messaging/thread/?queue=waiting_staff"),
    ]
    assert "oldest waiting 1 day · 100.00 USD" in text_of(response.text)


def test_queues_show_only_to_staff_who_work_them(history, finance, kyc_reviewer, support, admin_client_for):
    def queue_ids(user):
        with at(TODAY):
            return [q["id"] for q in admin_client_for(user).get("/admin/").context.get("queues", [])]

    assert queue_ids(finance) == ["queue-deposits", "queue-withdrawals"]
    assert queue_ids(kyc_reviewer) == ["queue-kyc"]
    assert queue_ids(support) == ["queue-deposits", "queue-withdrawals", "queue-kyc", "queue-support"]


def test_empty_queues_say_nothing_waits(superuser, admin_client_for):
    response = admin_client_for(superuser).get("/admin/")
    assert [(q["count"], q["age"], q["total"]) for q in response.context["queues"]] == [(0, None, None)] * 4
    assert response.text.count("nothing waiting") == 4


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (timedelta(seconds=59), "under a minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=59, seconds=59), "59 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=23, minutes=59), "23 hours"),
        (timedelta(days=1), "1 day"),
        (timedelta(days=12, hours=23), "12 days"),
    ],
)
def test_age_text_gives_the_largest_whole_unit(age, text):
    assert age_text(age) == text


def test_the_investment_cards_keep_a_space_between_their_amounts(history, finance, admin_client_for):
    """Seen before: "returns 80.50 USDprincipal 0.00 USD"."""
    with at(TODAY):
        html = admin_client_for(finance).get("/admin/").text
    due = re.search(r'id="due-30">(.*?)</div>\s*</div>', html, re.S).group(1)
    assert text_of(due) == "event_upcoming Due in the next 30 days 317.50 USD returns 117.50 USD · principal 200.00 USD"
