"""The staff figures endpoint (``GET admin/stats/``): exact figures on a ledger built through the
services (the original system's eight fields, then Bursar's: money in and out, exposure,
obligations, coverage, queue health), the same figures as the staff dashboard, a constant number
of queries, and who may read it (Finance and Operations; 403 for other staff and investors, 401
without a token)."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from openapi_spec_validator import validate

from apps.accounts import services as account_services
from apps.backoffice.api.views import STATS_PERMISSIONS
from apps.investments.selectors import investment_summary_for_dashboard
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.positions import investment_open
from apps.wallet.services.deposits import deposit_reject, deposit_request_create
from apps.wallet.services.treasury import treasury_balance_record
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_request_create
from tests.factories import StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.kyc.helpers import submit
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import assert_ledger_ok, fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
STATS = "/api/admin/stats/"
FORBIDDEN = {"detail": "Only staff with the matching permission can do this.", "code": "permission_denied"}
DAY0 = date(2026, 3, 2)
TODAY = DAY0 + timedelta(days=3)
# Whatever the data: authentication (1), the caller's permissions (2, staff without superuser),
# head counts (1), the investment summary (6: exposure, returns paid, the last accrual date, the
# 7- and 30-day obligations, the last accrual run), the three queues (3), approved deposits and
# withdrawals (2), commissions (1), coverage (4: balances, platform cash, treasury, obligations)
# and the newest investors with their balances (1).
QUERIES = 21
# The original system's fields, in its order, then Bursar's.
ORIGINAL_FIELDS = [
    "total_users",
    "active_investments",
    "pending_deposits",
    "pending_withdrawals",
    "pending_kyc",
    "total_platform_balance",
    "total_earnings",
    "recent_users",
]
ORIGINAL_USER_FIELDS = {
    "id",
    "email",
    "username",
    "first_name",
    "last_name",
    "balance",
    "referral_code",
    "is_verified",
    "is_kyc_verified",
    "created_at",
    "role",
    "language",
}


def at(day: date, hour: int = 12):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo("UTC")), tick=False)


@pytest.fixture
def ledger(superuser, finance, kyc_storage):
    """Six investors, each made through the services:

    - Old joined the day before and did nothing (the sixth newest: not in ``recent_users``).
    - Ann deposited 3,000.00 and referred Ben (3 % level-1 commission on what he invests).
    - Ben deposited 16,000.00 and bought, on DAY0: 10,000.00 at 5 % a day for 60 days and 1,000.00
      at 1.2345 % a day for 60 days (both paid daily), and 5,000.00 at 1 % a day for 10 days (paid
      at maturity with the principal). Ann earned 300.00 + 30.00 + 150.00 = 480.00.
    - Cat deposited 2,000.00, withdrew 500.00 (paid), and on TODAY at 10:00 asked for 300.00 (pending).
    - Eve's 100.00 deposit was rejected, then she was deactivated.
    - Dan joined on TODAY at 09:00, asked to deposit 250.00 and sent his KYC documents (both pending).

    Returns are accrued through TODAY (3 days: 3 × 500.00 + round(3 × 12.345) = 1,537.04 to Ben)
    and finance recorded a treasury balance of 1,000.00."""
    with at(DAY0 - timedelta(days=1), 8):
        UserFactory(email="old@example.com")
    with at(DAY0, 9):
        ann = UserFactory(email="ann@example.com")
        fund(ann, "3000.00", approver=superuser)
    with at(DAY0, 10):
        ben = UserFactory(email="ben@example.com", referred_by=ann)
        fund(ben, "16000.00", approver=superuser)
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
            investment_open(user=ben, plan_id=plan.pk, amount=amount, terms_accepted=True)
    with at(DAY0, 11):
        cat = UserFactory(email="cat@example.com")
        kyc_approve(cat)
        fund(cat, "2000.00", approver=superuser)
        paid = withdrawal_request_create(user=cat, amount="500.00", address="bc1-cat")
        withdrawal_approve(withdrawal_id=paid.pk, actor=superuser, payout_hash="0xpaid")
    with at(DAY0, 12):
        eve = UserFactory(email="eve@example.com")
        refused = deposit_request_create(user=eve, amount="100.00")
        deposit_reject(deposit_id=refused.pk, actor=superuser, note="No funds arrived.")
        account_services.user_active_set(user=eve, is_active=False, actor=superuser)
    with at(TODAY, 9):
        dan = UserFactory(email="dan@example.com")
        deposit_request_create(user=dan, amount="250.00")
        submit(dan)
    with at(TODAY, 10):
        withdrawal_request_create(user=cat, amount="300.00", address="bc1-cat")
    with at(TODAY, 12):
        accrue_returns()
        treasury_balance_record(amount="1000.00", actor=finance)
    assert_ledger_ok()
    return {"ann": ann, "ben": ben, "cat": cat, "dan": dan, "eve": eve}


def stats_for(user, *, hour: int = 15) -> dict:
    with at(TODAY, hour):
        response = api_for(user).get(STATS)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_original_fields_come_first_with_the_original_meaning(ledger, finance):
    body = stats_for(finance)

    assert list(body)[:8] == ORIGINAL_FIELDS
    assert {name: body[name] for name in ORIGINAL_FIELDS[:-1]} == {
        "total_users": 6,  # every investor, Eve (deactivated) too; staff are not users here
        "active_investments": 3,
        "pending_deposits": 1,
        "pending_withdrawals": 1,
        "pending_kyc": 1,
        # Available balances: Ann 3,000.00 + 480.00, Ben the returns 1,537.04, Cat 2,000.00 − 500.00 − 300.00.
        "total_platform_balance": "6217.04",
        "total_earnings": "1537.04",
    }


def test_recent_users_are_the_five_newest_investors_as_the_users_list_shows_them(ledger, finance):
    body = stats_for(finance)

    recent = body["recent_users"]
    assert [(user["email"], user["balance"], user["is_active"]) for user in recent] == [
        ("dan@example.com", "0.00", True),
        ("eve@example.com", "0.00", False),
        ("cat@example.com", "1200.00", True),
        ("ben@example.com", "1537.04", True),
        ("ann@example.com", "3480.00", True),
    ]
    assert [(user["balance_held"], user["balance_invested"]) for user in recent[2:4]] == [
        ("300.00", "0.00"),
        ("0.00", "16000.00"),
    ]
    assert all(set(user) >= ORIGINAL_USER_FIELDS for user in recent)
    assert {user["role"] for user in recent} == {"customer"}
    with at(TODAY, 15):
        listed = api_for(finance).get("/api/admin/users/", {"role": "customer"}).json()["results"]
    assert recent == listed[:5]


def test_bursar_figures_are_exact(ledger, finance):
    body = stats_for(finance)

    assert {name: body[name] for name in list(body)[8:] if name not in ("coverage", "queues")} == {
        "business_date": "2026-03-05",
        "generated_at": "2026-03-05T15:00:00Z",
        "currency": "USD",
        "active_users": 5,
        "deposits": {
            "approved_count": 3,
            "approved_total": "21000.00",  # Eve's rejected 100.00 and Dan's pending 250.00 apart
            "pending_count": 1,
            "pending_total": "250.00",
        },
        "withdrawals": {
            "approved_count": 1,
            "approved_total": "500.00",
            "pending_count": 1,
            "pending_total": "300.00",
        },
        "invested_principal": "16000.00",
        "commissions_paid": "480.00",
        "obligations": [
            # Through DAY0 + 10: days 4 … 10 of the daily plans (7 × 500.00; 123.45 − 37.04 = 86.41),
            # the at-maturity plan's whole return (500.00) and its principal.
            {"days": 7, "through": "2026-03-12", "returns": "4086.41", "principal": "5000.00", "total": "9086.41"},
            # Through DAY0 + 33: days 4 … 33 (30 × 500.00; round(407.385) − 37.04 = 370.35) + 500.00.
            {"days": 30, "through": "2026-04-04", "returns": "15870.35", "principal": "5000.00", "total": "20870.35"},
        ],
    }


def test_coverage_compares_what_is_owed_with_what_the_platform_has(ledger, finance):
    coverage = stats_for(finance)["coverage"]

    assert coverage == {
        "platform_cash": "20500.00",  # 21,000.00 received − 500.00 paid out
        "treasury": "1000.00",
        "treasury_as_of": "2026-03-05T12:00:00Z",
        "has": "21500.00",
        "investor_available": "6217.04",
        "investor_held": "300.00",
        "payable_now": "6517.04",
        "threshold": "1.10",
        "below_threshold": True,
        "horizons": [
            # 21,500.00 ÷ 15,603.45 = 1.3779… (not below 1.10)
            {
                "days": 7,
                "through": "2026-03-12",
                "due_returns": "4086.41",
                "due_principal": "5000.00",
                "owed": "15603.45",
                "ratio": "1.37",
                "below_threshold": False,
            },
            # 21,500.00 ÷ 27,387.39 = 0.7850…
            {
                "days": 30,
                "through": "2026-04-04",
                "due_returns": "15870.35",
                "due_principal": "5000.00",
                "owed": "27387.39",
                "ratio": "0.78",
                "below_threshold": True,
            },
            # Everything left: 60 × 500.00 − 1,500.00, round(740.70) − 37.04, 500.00; all the principal.
            {
                "days": 90,
                "through": "2026-06-03",
                "due_returns": "29703.66",
                "due_principal": "16000.00",
                "owed": "52220.70",
                "ratio": "0.41",
                "below_threshold": True,
            },
        ],
    }


def test_queue_health_counts_what_waits_and_how_long_the_oldest_has(ledger, finance):
    queues = stats_for(finance, hour=15)["queues"]

    assert queues == {
        "deposits": {"count": 1, "oldest_at": "2026-03-05T09:00:00Z", "oldest_age_seconds": 6 * 3600},
        "withdrawals": {"count": 1, "oldest_at": "2026-03-05T10:00:00Z", "oldest_age_seconds": 5 * 3600},
        "kyc": {"count": 1, "oldest_at": "2026-03-05T09:00:00Z", "oldest_age_seconds": 6 * 3600},
    }


def test_the_figures_are_the_dashboards(ledger, finance, admin_client_for):
    with at(TODAY, 15):
        body = api_for(finance).get(STATS).json()
        panel = admin_client_for(finance).get("/admin/").context["investments"]
    summary = investment_summary_for_dashboard(today=TODAY)
    assert [card["value"] for card in panel["cards"]] == ["3", "16,000.00 USD", "1,537.04 USD"]
    assert (body["active_investments"], D(body["invested_principal"]), D(body["total_earnings"])) == (
        summary.active_positions,
        summary.invested_principal,
        summary.returns_paid,
    )
    assert [(due["days"], D(due["returns"]), D(due["principal"])) for due in body["obligations"]] == [
        (obligation.days, obligation.returns, obligation.principal) for obligation in summary.obligations
    ]


def test_an_empty_platform(finance):
    with at(TODAY, 15):
        body = api_for(finance).get(STATS).json()

    assert body == {
        "total_users": 0,
        "active_investments": 0,
        "pending_deposits": 0,
        "pending_withdrawals": 0,
        "pending_kyc": 0,
        "total_platform_balance": "0.00",
        "total_earnings": "0.00",
        "recent_users": [],
        "business_date": "2026-03-05",
        "generated_at": "2026-03-05T15:00:00Z",
        "currency": "USD",
        "active_users": 0,
        "deposits": {"approved_count": 0, "approved_total": "0.00", "pending_count": 0, "pending_total": "0.00"},
        "withdrawals": {"approved_count": 0, "approved_total": "0.00", "pending_count": 0, "pending_total": "0.00"},
        "invested_principal": "0.00",
        "commissions_paid": "0.00",
        "obligations": [
            {"days": 7, "through": "2026-03-12", "returns": "0.00", "principal": "0.00", "total": "0.00"},
            {"days": 30, "through": "2026-04-04", "returns": "0.00", "principal": "0.00", "total": "0.00"},
        ],
        "coverage": {
            "platform_cash": "0.00",
            "treasury": "0.00",
            "treasury_as_of": None,
            "has": "0.00",
            "investor_available": "0.00",
            "investor_held": "0.00",
            "payable_now": "0.00",
            "threshold": "1.10",
            "below_threshold": False,
            "horizons": [
                {
                    "days": days,
                    "through": through,
                    "due_returns": "0.00",
                    "due_principal": "0.00",
                    "owed": "0.00",
                    "ratio": None,
                    "below_threshold": False,
                }
                for days, through in ((7, "2026-03-12"), (30, "2026-04-04"), (90, "2026-06-03"))
            ],
        },
        "queues": {
            "deposits": {"count": 0, "oldest_at": None, "oldest_age_seconds": None},
            "withdrawals": {"count": 0, "oldest_at": None, "oldest_age_seconds": None},
            "kyc": {"count": 0, "oldest_at": None, "oldest_age_seconds": None},
        },
    }


def test_the_threshold_follows_the_setting(ledger, finance, runtime_config):
    runtime_config(COVERAGE_WARNING_RATIO=Decimal("0.50"))

    coverage = stats_for(finance)["coverage"]

    assert coverage["threshold"] == "0.50"
    assert [horizon["below_threshold"] for horizon in coverage["horizons"]] == [False, False, True]
    assert coverage["below_threshold"] is True


# --- queries ---------------------------------------------------------------------------------------


def test_an_empty_platform_costs_the_same_queries(finance, django_assert_num_queries):
    client = api_for(finance)
    with django_assert_num_queries(QUERIES):
        assert client.get(STATS).status_code == 200


def test_a_populated_platform_costs_the_same_queries(ledger, finance, superuser, django_assert_num_queries):
    with at(TODAY, 13):
        for number in range(5):
            investor = UserFactory(email=f"more{number}@example.com")
            fund(investor, "200.00", approver=superuser)
            deposit_request_create(user=investor, amount="50.00")
    with at(TODAY, 15):
        client = api_for(finance)
        with django_assert_num_queries(QUERIES):
            response = client.get(STATS)
    assert (response.json()["total_users"], response.json()["pending_deposits"]) == (11, 6)


# --- who may read it -------------------------------------------------------------------------------


def test_finance_operations_and_superusers_may_read_it(finance, operations, superuser):
    for member in (finance, operations, superuser):
        assert api_for(member).get(STATS).status_code == 200, member


def test_other_staff_and_investors_are_refused(ledger, support, kyc_reviewer, unchanged_db):
    clients = [api_for(support), api_for(kyc_reviewer), api_for(StaffFactory()), api_for(ledger["ann"])]
    with unchanged_db():
        responses = [client.get(STATS) for client in clients]

    assert [(response.status_code, response.json()) for response in responses] == [(403, FORBIDDEN)] * 4


@pytest.mark.parametrize("missing", STATS_PERMISSIONS)
def test_every_permission_is_needed(missing):
    member = StaffFactory()
    for name in STATS_PERMISSIONS:
        if name != missing:
            app_label, codename = name.split(".")
            member.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))

    response = api_for(member).get(STATS)

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_the_permissions_alone_are_enough():
    member = StaffFactory()
    for name in STATS_PERMISSIONS:
        app_label, codename = name.split(".")
        member.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))

    assert api_for(member).get(STATS).status_code == 200


def test_a_deactivated_staff_member_is_refused(finance):
    client = api_for(finance)
    type(finance).objects.filter(pk=finance.pk).update(is_active=False)

    assert client.get(STATS).status_code in (401, 403)


def test_it_needs_a_token(api_client):
    response = api_client.get(STATS)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_it_is_read_only(finance, unchanged_db):
    client = api_for(finance)
    with unchanged_db():
        for method in ("post", "patch", "put", "delete"):
            assert getattr(client, method)(STATS, {}, format="json").status_code == 405


# --- the schema ------------------------------------------------------------------------------------


def test_it_is_in_the_schema_with_every_figure_described(client):
    schema = client.get("/api/schema/?format=json").json()
    validate(schema)
    operation = schema["paths"]["/api/admin/stats/"]["get"]
    assert list(schema["paths"]["/api/admin/stats/"]) == ["get"]
    assert sorted(operation["responses"]) == ["200", "401", "403"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AdminStats"
    }
    for permission in STATS_PERMISSIONS:
        assert f"`{permission}`" in operation["description"]
    components = schema["components"]["schemas"]
    stats = components["AdminStats"]["properties"]
    assert list(stats)[:8] == ORIGINAL_FIELDS
    assert stats["total_platform_balance"]["format"] == "decimal"
    undescribed = [
        f"{name}.{field}"
        for name in [
            "AdminStats",
            "AdminStatsDepositFigures",
            "AdminStatsWithdrawalFigures",
            "AdminStatsObligation",
            "AdminStatsCoverage",
            "AdminStatsCoverageHorizon",
            "AdminStatsQueues",
            "AdminStatsQueueHealth",
        ]
        for field, spec in components[name]["properties"].items()
        if not spec.get("description")
    ]
    assert undescribed == []
