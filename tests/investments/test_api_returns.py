"""Returns through the API: the worked example bought over the API and run by the daily jobs,
then read back from my-investments, chart-data and users/stats with exact figures; at-maturity
plans; several positions summed per date; another investor's returns never shown."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.investments.models import Position
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from tests.factories import UserFactory
from tests.investments.api_helpers import DAY0, at, get_at, investment_body
from tests.investments.helpers import make_plan
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import assert_ledger_ok, fund

pytestmark = pytest.mark.django_db

D = Decimal
MINE = "/api/investments/my-investments/"
CREATE = "/api/investments/create/"
CHART = "/api/investments/chart-data/"
STATS = "/api/users/stats/"
PROFILE = "/api/users/profile/"


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


def points(*pairs) -> list[dict]:
    return [{"date": day(n).isoformat(), "value": value} for n, value in pairs]


def stats_figures(body: dict) -> tuple:
    return body["total_balance"], body["active_investments"], body["total_earnings"]


@pytest.fixture
def worked_example(staff):
    """15,000 available; POST create 10,000 into 5% a day for 60 days, on DAY0."""
    referrer = UserFactory()
    investor = UserFactory(referred_by=referrer)
    with at(DAY0):
        fund(investor, "15000.00", approver=staff)
        plan = make_plan(actor=staff)
        response = api_for(investor).post(
            CREATE, {"pack_id": plan.pk, "amount": "10000.00", "accept_terms": True}, format="json"
        )
    assert response.status_code == 201
    return investor, referrer, Position.objects.get(pk=response.json()["id"])


def test_the_worked_example_through_the_api(worked_example):
    investor, referrer, position = worked_example
    assert get_at(DAY0, investor, PROFILE).json()["balance"] == "5000.00"
    assert get_at(DAY0, referrer, PROFILE).json()["balance"] == "300.00"
    assert stats_figures(get_at(DAY0, investor, STATS).json()) == ("15000.00", 1, "0.00")

    with at(day(3)):
        assert len(accrue_returns()) == 3

    assert get_at(day(3), investor, MINE).json() == [investment_body(position, total_return="1500.00", days_elapsed=3)]
    assert get_at(day(3), investor, f"{CHART}?period=7d").json() == points(
        (-3, "0.00"), (-2, "0.00"), (-1, "0.00"), (0, "0.00"), (1, "500.00"), (2, "1000.00"), (3, "1500.00")
    )
    assert get_at(day(3), investor, PROFILE).json()["balance"] == "6500.00"
    assert stats_figures(get_at(day(3), investor, STATS).json()) == ("16500.00", 1, "1500.00")

    with at(day(60)):
        accrue_returns()
        mature_investments()

    assert get_at(day(60), investor, MINE).json() == [
        investment_body(position, total_return="30000.00", days_elapsed=60, status="matured")
    ]
    chart = get_at(day(60), investor, f"{CHART}?period=all").json()
    assert chart == points(*[(n, f"{500 * n}.00") for n in range(61)])
    assert get_at(day(60), investor, PROFILE).json()["balance"] == "45000.00"
    # 45,000 = 15,000 deposited + 30,000 of returns; the principal coming back is not earnings.
    assert stats_figures(get_at(day(60), investor, STATS).json()) == ("45000.00", 0, "30000.00")
    assert stats_figures(get_at(day(60), referrer, STATS).json()) == ("300.00", 0, "0.00")
    assert_ledger_ok()


def test_chart_sums_every_position_per_date(worked_example, staff):
    investor, _, _ = worked_example
    cheaper = make_plan(actor=staff, name="Second", daily_rate=D("0.3333"))
    with at(day(2)):
        second = investment_open(user=investor, plan_id=cheaper.pk, amount="5000.00", terms_accepted=True)
    with at(day(5)):
        accrue_returns()

    # 500 a day from day 1; 16.665 a day from day 3, posted drift-free: 16.67, 16.66, 16.67.
    assert get_at(day(5), investor, f"{CHART}?period=all").json() == points(
        (0, "0.00"), (1, "500.00"), (2, "1000.00"), (3, "1516.67"), (4, "2033.33"), (5, "2550.00")
    )
    assert get_at(day(5), investor, f"{CHART}?period=7d").json() == points(
        (-1, "0.00"), (0, "0.00"), (1, "500.00"), (2, "1000.00"), (3, "1516.67"), (4, "2033.33"), (5, "2550.00")
    )
    assert get_at(day(5), investor, MINE).json()[0] == investment_body(second, total_return="50.00", days_elapsed=3)
    assert stats_figures(get_at(day(5), investor, STATS).json())[1:] == (2, "2550.00")


@pytest.mark.parametrize(("period", "length"), [("7d", 7), ("30d", 30), ("90d", 90)])
def test_fixed_periods_end_today_and_start_from_what_was_credited_before(worked_example, period, length):
    investor, _, _ = worked_example
    with at(day(40)):
        accrue_returns()

    chart = get_at(day(40), investor, f"{CHART}?period={period}").json()

    assert len(chart) == length
    assert chart[-1] == {"date": day(40).isoformat(), "value": "20000.00"}
    first = 40 - length + 1
    assert chart[0] == {"date": day(first).isoformat(), "value": f"{500 * max(first, 0)}.00"}
    assert [point["date"] for point in chart] == [day(n).isoformat() for n in range(first, 41)]


def test_a_day_not_yet_accrued_shows_what_was_credited(worked_example):
    investor, _, _ = worked_example
    with at(day(2)):
        accrue_returns()

    assert get_at(day(4), investor, f"{CHART}?period=7d").json()[-4:] == points(
        (1, "500.00"), (2, "1000.00"), (3, "1000.00"), (4, "1000.00")
    )


def test_at_maturity_returns_count_when_paid(investor, staff):
    """A plan paying at maturity credits nothing until then: no total_return, no chart value, no
    earnings; at maturity its returns (not the principal) count, on the maturity date."""
    plan = make_plan(
        actor=staff, min_amount="100.00", daily_rate=D("1.0000"), term_days=4, payout_schedule="at_maturity"
    )
    with at(DAY0):
        fund(investor, "1000.00", approver=staff)
        position = investment_open(user=investor, plan_id=plan.pk, amount="1000.00", terms_accepted=True)
    with at(day(3)):
        accrue_returns()

    assert get_at(day(3), investor, MINE).json() == [investment_body(position, total_return="0.00", days_elapsed=3)]
    assert get_at(day(3), investor, f"{CHART}?period=all").json() == points(
        (0, "0.00"), (1, "0.00"), (2, "0.00"), (3, "0.00")
    )
    assert stats_figures(get_at(day(3), investor, STATS).json()) == ("1000.00", 1, "0.00")

    with at(day(4)):
        accrue_returns()
        mature_investments()

    assert get_at(day(4), investor, MINE).json() == [
        investment_body(position, total_return="40.00", days_elapsed=4, status="matured")
    ]
    assert get_at(day(5), investor, f"{CHART}?period=all").json() == points(
        (0, "0.00"), (1, "0.00"), (2, "0.00"), (3, "0.00"), (4, "40.00"), (5, "40.00")
    )
    assert stats_figures(get_at(day(4), investor, STATS).json()) == ("1040.00", 0, "40.00")


def test_capital_kept_plans_count_only_their_returns(investor, staff):
    plan = make_plan(actor=staff, min_amount="100.00", daily_rate=D("2.0000"), term_days=2, capital_back=False)
    with at(DAY0):
        fund(investor, "1000.00", approver=staff)
        investment_open(user=investor, plan_id=plan.pk, amount="500.00", terms_accepted=True)
    with at(day(2)):
        accrue_returns()
        mature_investments()

    assert stats_figures(get_at(day(2), investor, STATS).json()) == ("520.00", 0, "20.00")
    assert get_at(day(2), investor, f"{CHART}?period=all").json() == points((0, "0.00"), (1, "10.00"), (2, "20.00"))


def test_another_investors_returns_are_never_shown(worked_example, staff):
    _, referrer, _ = worked_example
    with at(day(3)):
        accrue_returns()

    for user in (referrer, UserFactory()):
        assert get_at(day(3), user, MINE).json() == []
        assert get_at(day(3), user, f"{CHART}?period=7d").json() == points(*[(n, "0.00") for n in range(-3, 4)])
        assert get_at(day(3), user, f"{CHART}?period=all").json() == []
        assert stats_figures(get_at(day(3), user, STATS).json())[1:] == (0, "0.00")


def test_chart_defaults_to_all_and_is_empty_before_any_purchase(investor_api):
    assert investor_api.get(CHART).json() == []


@pytest.mark.parametrize("period", ["1y", "7D", "7", "all ", "30d,7d", "-1"])
def test_chart_refuses_an_unknown_period(investor_api, period):
    response = investor_api.get(CHART, {"period": period})

    assert response.status_code == 400
    assert response.json() == {"period": [f'"{period}" is not a valid choice.']}


def test_chart_needs_a_token(api_client):
    response = api_client.get(CHART)

    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")


@pytest.mark.parametrize("positions", [1, 6])
def test_chart_is_one_aggregate_query(investor, staff, positions):
    plan = make_plan(actor=staff, min_amount="100.00")
    with at(DAY0):
        fund(investor, "100000.00", approver=staff)
        for _ in range(positions):
            investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
    with at(day(10)):
        accrue_returns()
        client = api_for(investor)

        with CaptureQueriesContext(connection) as queries:
            chart = client.get(f"{CHART}?period=30d").json()

    assert chart[-1] == {"date": day(10).isoformat(), "value": f"{50 * positions}.00"}
    # The user behind the token, then the credited returns grouped by date.
    assert len(queries) == 2, [query["sql"] for query in queries]
