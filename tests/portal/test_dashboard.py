"""The investor dashboard (the signed-in ``/``): exact figures on a ledger built with the real
services and jobs, the returns chart and its periods, what it asks the investor to do next,
junk ``?period=``, a constant number of queries, and ``users/stats/`` and
``investments/chart-data/`` agreeing with the page."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.accounts.models import KycStatus
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from apps.wallet.api.serializers import API_TYPE_NAMES
from apps.wallet.services.deposits import deposit_address_save, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.factories import UserFactory
from tests.investments.api_helpers import DAY0, at, get_at
from tests.investments.helpers import make_plan
from tests.portal.conftest import HEADER_QUERIES
from tests.wallet.helpers import assert_ledger_ok, fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
HOME = reverse("portal:home")
SESSION = "apps.accounts.backends.EmailOrUsernameBackend"


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def page_at(n: int, user, query: str = "", language: str = "en"):
    """The dashboard as ``user`` sees it on ``day(n)`` (at noon UTC)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with at(day(n)):
        client.force_login(user, backend=SESSION)
        return client.get(HOME + query)


def text_of(html: str, element_id: str) -> str:
    """The text of the element with ``id`` (tags stripped, spaces collapsed); the element must
    not hold another element of its own tag."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, flags=re.S)
    assert match, element_id
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


@pytest.fixture
def ledger(staff):
    """Layla's month, through the real services and jobs (5% a day keeps the sums readable):

    - DAY0: deposit 20,000.00 approved; buys Professional (daily, 5 %/day, 60 days) for 10,000.00.
    - day 1: Sami, whom she invited, buys Professional for 5,000.00: her commission, 3 %, 150.00.
      Rana, also invited, never invests.
    - day 2: she buys Vault (1 %/day, 10 days, paid at maturity, capital back) for 2,000.00.
    - day 5: the accrual job has paid days 1-5 of Professional (5 × 500.00); Vault has recorded
      days 3-5 (unpaid until maturity). She asks to withdraw 100.00 (held).
    """
    layla = UserFactory(first_name="Layla", email="layla@example.com")
    kyc_approve(layla)
    sami = UserFactory(first_name="Sami", referred_by=layla)
    UserFactory(first_name="Rana", referred_by=layla)
    professional = make_plan(actor=staff)
    vault = make_plan(
        actor=staff,
        name="Vault",
        min_amount="100.00",
        daily_rate=D("1.0000"),
        term_days=10,
        payout_schedule="at_maturity",
    )
    with at(DAY0, hour=9):
        fund(layla, "20000.00", approver=staff)
        fund(sami, "5000.00", approver=staff)
    with at(DAY0, hour=10):
        daily = investment_open(user=layla, plan_id=professional.pk, amount="10000.00", terms_accepted=True)
    with at(day(1)):
        investment_open(user=sami, plan_id=professional.pk, amount="5000.00", terms_accepted=True)
    with at(day(2)):
        at_maturity = investment_open(user=layla, plan_id=vault.pk, amount="2000.00", terms_accepted=True)
    with at(day(5)):
        accrue_returns()
    with at(day(5), hour=15):
        withdrawal_request_create(user=layla, amount="100.00", address="TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")
    return layla, daily, at_maturity


def test_every_figure_on_a_hand_built_ledger(ledger):
    layla, daily, at_maturity = ledger

    response = page_at(5, layla)

    assert response.status_code == 200
    html = response.content.decode()
    # 20,000 − 10,000 − 2,000 + 150 commission + 2,500 returns − 100 held
    assert text_of(html, "balance-available") == "10,550.00 USD"
    assert text_of(html, "balance-held") == "100.00 USD"
    assert text_of(html, "balance-invested") == "12,000.00 USD"
    assert text_of(html, "returns-total") == "2,500.00 USD"
    # Day 5 is paid: next comes day 6 of Professional; Vault pays 20 × … only on day 12.
    assert text_of(html, "next-payout") == "Next payout 500.00 USD March 8, 2026 · returns from 1 plan"
    # Vault matures on day 12 (within 30 days) and gives its 2,000.00 back; Professional on day 60.
    assert text_of(html, "principal-due") == (
        "Principal back in the next 30 days 2,000.00 USD 1 plan matures by April 6, 2026."
    )
    assert text_of(html, "referred-count") == "2"
    assert text_of(html, "qualified-count") == "1"
    assert text_of(html, "commissions-total") == "150.00 USD"
    assert text_of(html, "referral-code") == layla.referral_code
    assert f'value="{settings.SITE_URL}/r/{layla.referral_code}/"' in html

    outlook = response.context["outlook"]
    assert [(o.position, o.row.days_elapsed, o.row.credited) for o in outlook.positions] == [
        (daily, 5, D("2500.00")),
        (at_maturity, 3, D("0.00")),
    ]
    assert [(o.next_payout.date, o.next_payout.returns, o.next_payout.principal) for o in outlook.positions] == [
        (day(6), D("500.00"), D("0.00")),
        (day(12), D("200.00"), D("2000.00")),  # 10 × 20.00 of returns, with the capital
    ]
    assert '<progress value="5" max="60"' in html and "5 of 60 days" in html
    assert '<progress value="3" max="10"' in html and "3 of 10 days" in html
    assert response.context["dashboard"].actions == []
    assert_ledger_ok()


def test_the_latest_ten_movements_newest_first(ledger):
    layla, _, _ = ledger

    activity = page_at(5, layla).context["dashboard"].activity

    assert [(row.kind, row.direction, row.amount, row.status) for row in activity] == [
        ("withdrawal", "debit", D("100.00"), "pending"),
        *[("return", "credit", D("500.00"), "completed")] * 5,
        ("investment", "debit", D("2000.00"), "completed"),
        ("commission", "credit", D("150.00"), "completed"),
        ("investment", "debit", D("10000.00"), "completed"),
        ("deposit", "credit", D("20000.00"), "approved"),
    ]
    assert [row.label for row in activity[:2]] == ["Withdrawal", "Daily return"]


def test_returns_chart_per_day_and_cumulative(ledger):
    layla, _, _ = ledger

    response = page_at(5, layla, "?period=7d")

    chart = response.context["chart"]
    assert [(d.date, d.credited, d.cumulative) for d in chart.days] == [
        (day(-1), D("0.00"), D("0.00")),
        (day(0), D("0.00"), D("0.00")),
        *[(day(n), D("500.00"), D(500 * n)) for n in range(1, 6)],
    ]
    html = response.content.decode()
    assert text_of(html, "returns-in-period") == "2,500.00 USD"
    assert '<a href="?period=7d#returns" aria-current="page">7 days</a>' in html
    # The drawing: 7 days of 10 units; the cumulative scale tops at 2,500, the daily one at 500.
    drawing = response.context["drawing"]
    assert (drawing.width, drawing.cumulative_scale, drawing.credited_scale) == (70, D("2500.00"), D("500.00"))
    assert drawing.line == "5.00,100.00 15.00,100.00 25.00,80.80 35.00,61.60 45.00,42.40 55.00,23.20 65.00,4.00"
    assert [(bar.x, bar.y, bar.height) for bar in drawing.bars] == [
        (f"{x}.50", "4.00", "96.00") for x in (21, 31, 41, 51, 61)
    ]
    assert '<svg class="chart chart-cumulative" viewBox="0 0 70 100"' in html
    # The table beside it, newest first, is the same figures.
    rows = re.findall(r"<tr>\s*<td data-label=\"Date\">.*?</tr>", html, flags=re.S)
    assert len(rows) == 7
    assert "March 7, 2026" in rows[0] and "500.00 USD" in rows[0] and "2,500.00 USD" in rows[0]
    assert '<time datetime="2026-03-07">March 7, 2026</time>' in rows[0]
    assert [bar.title for bar in drawing.bars] == [f"March {n}, 2026: 500.00 USD" for n in range(3, 8)]
    assert "<title>March 7, 2026: 500.00 USD</title></rect>" in html


def test_at_maturity_returns_count_on_the_maturity_date(ledger):
    layla, _, _ = ledger
    with at(day(12)):
        accrue_returns()
        mature_investments()

    response = page_at(12, layla, "?period=all")

    chart = response.context["chart"]
    assert chart.days[0].date == DAY0 and chart.days[-1].date == day(12)
    assert [d.credited for d in chart.days] == [D("0.00")] + [D("500.00")] * 11 + [D("700.00")]
    assert chart.total == D("6200.00")  # 12 × 500.00 and Vault's 200.00
    html = response.content.decode()
    assert text_of(html, "returns-total") == "6,200.00 USD"
    assert text_of(html, "balance-invested") == "10,000.00 USD"
    assert "No plan matures by April 13, 2026." in text_of(html, "principal-due")


@pytest.mark.parametrize(
    "query",
    ["", "?period=", "?period=1y", "?period=7D", "?period=all%00", "?period=30d&period=zz", "?period=" + "9" * 5000],
)
def test_a_junk_period_is_the_default_30_days(ledger, query):
    layla, _, _ = ledger

    response = page_at(5, layla, query)

    assert response.status_code == 200
    assert response.context["period"] == "30d"
    assert len(response.context["chart"].days) == 30
    assert '<a href="?period=30d#returns" aria-current="page">30 days</a>' in response.content.decode()


@pytest.mark.parametrize("period", ["7d", "30d", "90d", "all"])
def test_the_api_agrees_with_the_page(ledger, period):
    layla, _, _ = ledger

    dashboard = page_at(5, layla, f"?period={period}").context["dashboard"]
    chart = get_at(day(5), layla, f"/api/investments/chart-data/?period={period}").json()
    stats = get_at(day(5), layla, "/api/users/stats/").json()

    assert chart == [{"date": d.date.isoformat(), "value": f"{d.cumulative:.2f}"} for d in dashboard.chart.days]
    figures = dashboard.figures
    assert {key: stats[key] for key in stats if key != "recent_activities"} == {
        "total_balance": f"{figures.balances.total:.2f}",
        "active_investments": figures.outlook.active_count,
        "total_earnings": f"{figures.returns_total:.2f}",
        "total_referrals": figures.referrals,
        "pending_withdrawals": figures.pending_withdrawals.count,
        "pending_withdrawals_amount": f"{figures.pending_withdrawals.total:.2f}",
    }
    assert stats["total_balance"] == "22650.00"  # 10,550 + 100 + 12,000
    assert (stats["active_investments"], stats["total_earnings"], stats["total_referrals"]) == (2, "2500.00", 2)
    assert (stats["pending_withdrawals"], stats["pending_withdrawals_amount"]) == (1, "100.00")
    assert [(a["type"], a["amount"]) for a in stats["recent_activities"]] == [
        (API_TYPE_NAMES.get(row.kind, row.kind), f"{row.amount:.2f}") for row in dashboard.activity
    ]  # the API names returns `earning` and commissions `referral_commission`, as the original did


# --- what the dashboard asks for -----------------------------------------------------------------


def actions_of(user, n: int = 0) -> list[str]:
    return page_at(n, user).context["dashboard"].actions


def test_a_new_investor_is_asked_to_confirm_verify_and_deposit():
    deposit_address_save(network="TRC20", address="TXplatformDepositAddress01")
    deposit_address_save(network="BTC", address="bc1qplatform", is_active=False)
    nadia = UserFactory(first_name="Nadia", email="nadia@example.com", is_email_verified=False)

    response = page_at(0, nadia)

    assert response.context["dashboard"].actions == ["verify_email", "kyc_start", "first_deposit"]
    html = response.content.decode()
    assert '<form method="post" action="/verify-email/">' in html
    assert '<input type="hidden" name="next" value="/">' in html
    assert '<a class="button button-secondary button-small" href="/kyc/">Start the identity check</a>' in html
    # Only active addresses, each selectable in a read-only field (the copy button needs JavaScript).
    assert re.findall(r'<input id="deposit-address-\d+" type="text" value="([^"]+)" readonly', html) == [
        "TXplatformDepositAddress01"
    ]
    assert 'data-copy-target="deposit-address-' in html and " hidden>Copy</button>" in html
    assert text_of(html, "balance-available") == "0.00 USD"
    assert text_of(html, "returns-empty").startswith("Your returns will show here")
    assert 'class="period-switch"' not in html  # nothing to chart yet
    assert text_of(html, "next-payout") == "Next payout — Nothing is due: you have no running plan."


@pytest.mark.parametrize(
    ("kyc_status", "expected"),
    [
        (KycStatus.NOT_SUBMITTED, ["kyc_start"]),
        (KycStatus.PENDING, ["kyc_pending"]),
        (KycStatus.REJECTED, ["kyc_resubmit"]),
        (KycStatus.APPROVED, []),
    ],
)
def test_the_identity_check_call_follows_the_kyc_status(staff, kyc_status, expected):
    investor = UserFactory(kyc_status=kyc_status)
    plan = make_plan(actor=staff, min_amount="100.00")
    with at(DAY0):
        fund(investor, "100.00", approver=staff)
        investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)

    assert actions_of(investor) == expected


def test_a_pending_first_deposit_is_a_note_then_money_without_a_plan_asks_for_one(staff):
    investor = UserFactory(kyc_status=KycStatus.APPROVED)
    with at(DAY0):
        deposit = deposit_request_create(user=investor, amount="500.00")
    assert actions_of(investor) == ["deposit_pending"]

    from apps.wallet.services.deposits import deposit_approve

    with at(DAY0):
        deposit_approve(deposit_id=deposit.pk, actor=staff)
    response = page_at(0, investor)
    assert response.context["dashboard"].actions == ["first_investment"]
    assert "You have 500.00 USD available and no running plan." in response.content.decode()


def test_staff_get_no_identity_check_call(staff):
    assert actions_of(staff) == ["first_deposit"]


def test_a_new_link_asked_from_the_dashboard_comes_back_to_it(client, mailoutbox, django_capture_on_commit_callbacks):
    nadia = UserFactory(email="nadia@example.com", is_email_verified=False)
    client.force_login(nadia, backend=SESSION)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:verify_email_resend"), {"next": "/"})

    assert (response.status_code, response["Location"]) == (302, "/")
    assert [message.to for message in mailoutbox] == [["nadia@example.com"]]
    unsafe = client.post(reverse("portal:verify_email_resend"), {"next": "https://evil.example/"})
    assert unsafe["Location"] == reverse("portal:profile")


# --- cost -----------------------------------------------------------------------------------------

# session, user; balances, active positions, returns by date, referral counts, pending
# withdrawals, latest activity (the shared figures); deposits, commissions (the dashboard)
DASHBOARD_QUERIES = 2 + 6 + 2


def test_the_page_costs_the_same_queries_for_1_or_50_positions_and_many_movements(staff, django_assert_num_queries):
    investor = UserFactory(kyc_status=KycStatus.APPROVED)
    plan = make_plan(actor=staff, min_amount="100.00", daily_rate=D("0.5000"), term_days=365)
    with at(DAY0):
        fund(investor, "10000.00", approver=staff)
        investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
    with at(day(3)):
        accrue_returns()
    client = Client()
    with at(day(3)):
        client.force_login(investor, backend=SESSION)
        with django_assert_num_queries(DASHBOARD_QUERIES + HEADER_QUERIES):
            first = client.get(HOME)
    assert first.context["outlook"].active_count == 1

    for n in range(49):
        with at(day(3 + n % 7)):
            investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
            fund(investor, "10.00", approver=staff)
    with at(day(40)):
        accrue_returns()
        client.force_login(investor, backend=SESSION)
        for period in ("7d", "90d"):
            with django_assert_num_queries(DASHBOARD_QUERIES + HEADER_QUERIES):
                response = client.get(HOME, {"period": period})
        with django_assert_num_queries(DASHBOARD_QUERIES + HEADER_QUERIES + 1):  # "all": the first purchase
            client.get(HOME, {"period": "all"})
    assert response.context["outlook"].active_count == 50
    assert len(response.context["dashboard"].positions) == 10
    assert response.context["dashboard"].more_positions == 40
    assert "All 50 investments" in response.content.decode()


def test_a_new_investor_page_costs_one_more_query_for_the_deposit_addresses(investor, django_assert_num_queries):
    client = Client()
    client.force_login(investor, backend=SESSION)
    with django_assert_num_queries(DASHBOARD_QUERIES + HEADER_QUERIES + 1):
        response = client.get(HOME)
    assert response.context["dashboard"].actions == ["kyc_start", "first_deposit"]


# --- languages and layout ---------------------------------------------------------------------


def test_the_dashboard_in_arabic_is_right_to_left_with_amounts_kept_left_to_right(ledger):
    layla, _, _ = ledger

    html = page_at(5, layla, language="ar").content.decode()

    assert '<html lang="ar" dir="rtl">' in html
    assert "<title>لوحة المعلومات · Bursar</title>" in html
    assert '<a href="/" aria-current="page">لوحة المعلومات</a>' in html
    # Each amount is isolated left to right (LRI … PDI), so it never reads "USD 10,550.00".
    assert text_of(html, "balance-available") == "\u206610,550.00 USD\u2069"
    assert '<figure class="returns-chart" dir="ltr" id="returns-chart">' in html
    # The chart's days are written in Arabic too: the table's dates and the bars' titles.
    assert '<time datetime="2026-03-07">7 مارس، 2026</time>' in html
    assert "<title>7 مارس، 2026: \u2066500.00 USD\u2069</title>" in html
    # The periods' names in Arabic come from the catalogue's existing day counts.
    assert '<a href="?period=30d#returns" aria-current="page">30 يومًا</a>' in html


def test_visitors_still_get_the_welcome_page(client):
    response = client.get(HOME)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:1] == ["portal/home.html"]


def test_the_dashboard_only_answers_get_and_head(investor_client):
    assert investor_client.post(HOME).status_code == 405
    assert investor_client.head(HOME).status_code == 200
