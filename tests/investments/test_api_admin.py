"""Staff endpoints: every investor's investments, and plan management (create, change,
deactivate) through the plan services, each with its Django permission; bad input is a 400 on
the API's field name and changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.investments.models import Plan, PlanChange, PositionStatus
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.maturity import mature_investments
from apps.investments.services.positions import investment_open
from tests.factories import UserFactory
from tests.investments.api_helpers import DAY0, admin_pack_body, at, investment_body, pack_body, staff_with
from tests.investments.helpers import make_plan
from tests.wallet.api_helpers import api_for, iso
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db

D = Decimal
INVESTMENTS = "/api/admin/investments/"
PACKS = "/api/admin/packs/"
PUBLIC_PACKS = "/api/investments/packs/"
FORBIDDEN = {"detail": "Only staff with the matching permission can do this.", "code": "permission_denied"}
NEW_PLAN = {
    "name": "Starter",
    "min_amount": "100.00",
    "max_amount": "999.00",
    "daily_return_rate": "1.5",
    "duration_days": 30,
}


def pack_url(plan_or_id) -> str:
    return f"{PACKS}{getattr(plan_or_id, 'pk', plan_or_id)}/"


def admin_investment(position, **kwargs) -> dict:
    position.refresh_from_db()
    return {**investment_body(position, **kwargs), "user_email": position.user.email}


# --- Investments -------------------------------------------------------------------------------


@pytest.fixture
def book(staff):
    """Two investors: one position matured on day 3, two still running, bought on DAY0 and day 1."""
    first, second = UserFactory(), UserFactory()
    short = make_plan(actor=staff, name="Short", min_amount="100.00", term_days=3)
    long = make_plan(actor=staff, name="Long", min_amount="100.00")
    with at(DAY0):
        fund(first, "1000.00", approver=staff)
        fund(second, "1000.00", approver=staff)
        matured = investment_open(user=first, plan_id=short.pk, amount="100.00", terms_accepted=True)
        running = investment_open(user=first, plan_id=long.pk, amount="200.00", terms_accepted=True)
    with at(DAY0 + timedelta(days=1)):
        theirs = investment_open(user=second, plan_id=long.pk, amount="300.00", terms_accepted=True)
    with at(DAY0 + timedelta(days=3)):
        accrue_returns()
        mature_investments()
    return {"first": first, "second": second, "matured": matured, "running": running, "theirs": theirs}


def test_staff_see_every_investment_newest_first(book):
    with at(DAY0 + timedelta(days=3)):
        response = api_for(staff_with("view_position")).get(INVESTMENTS)

    assert response.status_code == 200
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [
            admin_investment(book["theirs"], total_return="30.00", days_elapsed=2),
            admin_investment(book["running"], total_return="30.00", days_elapsed=3),
            admin_investment(book["matured"], total_return="15.00", days_elapsed=3, status="matured"),
        ],
    }
    first, second = book["first"], book["second"]
    assert [(row["user"], row["user_email"], row["pack"]["name"]) for row in response.json()["results"]] == [
        (second.pk, second.email, "Long"),
        (first.pk, first.email, "Long"),
        (first.pk, first.email, "Short"),
    ]
    assert "user_id" not in response.json()["results"][0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=active", ["theirs", "running"]),
        ("status=matured", ["matured"]),
        ("user=FIRST", ["running", "matured"]),
        ("user=FIRST&status=active", ["running"]),
        ("user=SECOND&status=matured", []),
        ("user=999999", []),
        ("user=&status=", ["theirs", "running", "matured"]),  # sent empty: no filter, as the schema says
    ],
)
def test_staff_filter_investments_by_status_and_user(book, query, expected):
    query = query.replace("FIRST", str(book["first"].pk)).replace("SECOND", str(book["second"].pk))

    response = api_for(staff_with("change_position")).get(f"{INVESTMENTS}?{query}")

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [book[name].pk for name in expected]


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("status=cancelled", {"status": ['"cancelled" is not a valid choice.']}),
        ("user=abc", {"user": ["A valid integer is required."]}),
        ("user=1.5", {"user": ["A valid integer is required."]}),
        ("user=-1", {"user": ["A valid integer is required."]}),
        ("user=0", {"user": ["Ensure this value is greater than or equal to 1."]}),
        ("user=99999999999999999999", {"user": ["Ensure this value is less than or equal to 9223372036854775807."]}),
    ],
)
def test_bad_investment_filters_are_a_400(staff_api, query, errors):
    response = staff_api.get(f"{INVESTMENTS}?{query}")

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize("rows", [3, 20])
def test_the_investment_list_costs_the_same_queries(staff, rows):
    plan = make_plan(actor=staff, min_amount="100.00")
    for _ in range(rows):
        investor = UserFactory()
        fund(investor, "100.00", approver=staff)
        investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
    client = api_for(staff_with("view_position"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{INVESTMENTS}?page_size=100")

    assert response.json()["count"] == rows
    # The user, their permissions (user and group), the count, the page.
    assert len(queries) == 5, [query["sql"] for query in queries]


def test_investments_need_staff_with_the_permission(investor_api, investor):
    from django.contrib.auth.models import Permission

    investor.user_permissions.add(*Permission.objects.filter(content_type__app_label="investments"))
    for client in (investor_api, api_for(staff_with("view_plan")), api_for(staff_with())):
        response = client.get(INVESTMENTS)
        assert (response.status_code, response.json()) == (403, FORBIDDEN)


# --- Plans: list and create --------------------------------------------------------------------


def test_staff_list_every_plan_including_inactive(staff):
    active = make_plan(actor=staff, display_order=2)
    inactive = make_plan(actor=staff, name="Old", is_active=False, display_order=1)

    response = api_for(staff_with("view_plan")).get(PACKS)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [admin_pack_body(inactive), admin_pack_body(active)],
    }


def test_staff_create_a_plan_with_the_defaults(staff):
    creator = staff_with("add_plan")

    response = api_for(creator).post(PACKS, NEW_PLAN, format="json")

    assert response.status_code == 201
    plan = Plan.objects.get()
    assert response.json() == {
        "id": plan.pk,
        "name": "Starter",
        "description": "",
        "min_amount": "100.00",
        "max_amount": "999.00",
        "daily_return_rate": "1.5000",
        "duration_days": 30,
        "payout_schedule": "daily",
        "capital_back": True,
        "total_return_rate": "45.0000",
        "risk_disclosure": "",
        "is_active": True,
        "display_order": 0,
        "created_at": iso(plan.created_at),
        "updated_at": iso(plan.updated_at),
    }
    change = PlanChange.objects.get()
    assert (change.plan, change.actor, change.changes["daily_rate"], change.changes["term_days"]) == (
        plan,
        creator,
        ["None", "1.5000"],
        ["None", "30"],
    )
    assert api_for(creator).get(PUBLIC_PACKS).json() == [pack_body(plan)]


def test_staff_create_a_plan_with_every_field(staff_api):
    body = {
        **NEW_PLAN,
        "description": "Paid once.",
        "risk_disclosure": "You can lose it all.",
        "payout_schedule": "at_maturity",
        "capital_back": False,
        "is_active": False,
        "display_order": 7,
        "daily_return_rate": "0.1234",
        "max_amount": 100,
    }

    response = staff_api.post(PACKS, body, format="json")

    assert response.status_code == 201
    plan = Plan.objects.get()
    assert response.json() == admin_pack_body(plan)
    assert (plan.daily_rate, plan.max_amount, plan.payout_schedule, plan.capital_back, plan.is_active) == (
        D("0.1234"),
        D("100.00"),
        "at_maturity",
        False,
        False,
    )
    assert (plan.description, plan.risk_disclosure, plan.display_order) == ("Paid once.", "You can lose it all.", 7)


def business(message: str, code: str, field: str) -> dict:
    return {"detail": message, "code": code, field: [message]}


RATE_RANGE = "The daily rate must be above 0 and at most 100%."
FOUR_DECIMALS = "Ensure that there are no more than 4 decimal places."
RATE_FORMAT = ['Send the rate as a number or a string such as "1.5" (digits, at most 4 decimals).']
AMOUNT_FORMAT = ['Send the amount as a number or a string such as "100.00" (digits, at most 2 decimals).']
TERM_RANGE = "Enter a number from 1 to 3650."
BAD_PLANS = [
    ({"daily_return_rate": "-1"}, business(RATE_RANGE, "invalid_rate", "daily_return_rate")),
    ({"daily_return_rate": "0"}, business(RATE_RANGE, "invalid_rate", "daily_return_rate")),
    ({"daily_return_rate": "100.0001"}, business(RATE_RANGE, "invalid_rate", "daily_return_rate")),
    ({"daily_return_rate": "1.23456"}, {"daily_return_rate": ["Ensure that there are no more than 4 decimal places."]}),
    ({"daily_return_rate": 1.23456}, {"daily_return_rate": ["Ensure that there are no more than 4 decimal places."]}),
    ({"daily_return_rate": "1e1"}, {"daily_return_rate": RATE_FORMAT}),
    ({"daily_return_rate": True}, {"daily_return_rate": RATE_FORMAT}),
    ({"daily_return_rate": -1.5}, business(RATE_RANGE, "invalid_rate", "daily_return_rate")),
    ({"duration_days": -5}, business(TERM_RANGE, "invalid", "duration_days")),
    ({"duration_days": 0}, business(TERM_RANGE, "invalid", "duration_days")),
    ({"duration_days": 3651}, business(TERM_RANGE, "invalid", "duration_days")),
    ({"duration_days": "30"}, {"duration_days": ["A valid integer is required."]}),
    ({"duration_days": 30.0}, {"duration_days": ["A valid integer is required."]}),
    ({"min_amount": "1000.00"}, business("The maximum must not be below the minimum.", "invalid", "max_amount")),
    ({"min_amount": "-1"}, business("The amount must be greater than zero.", "invalid_amount", "min_amount")),
    ({"max_amount": 999.555}, {"max_amount": ["Ensure that there are no more than 2 decimal places."]}),
    ({"max_amount": True}, {"max_amount": AMOUNT_FORMAT}),
    ({"max_amount": 99.5}, business("The maximum must not be below the minimum.", "invalid", "max_amount")),
    ({"max_amount": "1.001"}, {"max_amount": ["Ensure that there are no more than 2 decimal places."]}),
    ({"name": 123}, {"name": ["Not a valid string."]}),
    ({"name": "  "}, {"name": ["This field may not be blank."]}),
    ({"name": "x" * 101}, {"name": ["Ensure this field has no more than 100 characters."]}),
    ({"payout_schedule": "weekly"}, {"payout_schedule": ['"weekly" is not a valid choice.']}),
    ({"capital_back": "yes"}, {"capital_back": ["Must be a valid boolean."]}),
    ({"is_active": 1}, {"is_active": ["Must be a valid boolean."]}),
    ({"display_order": -1}, business("Enter a number from 0 to 1000000.", "invalid", "display_order")),
    ({"daily_rate": "1.5"}, {"daily_rate": ["This field is not allowed."]}),
    (
        {"id": 5, "created_at": "2020-01-01"},
        {"created_at": ["This field is not allowed."], "id": ["This field is not allowed."]},
    ),
]


@pytest.mark.parametrize(("change", "errors"), BAD_PLANS)
def test_bad_new_plans_are_refused_and_change_nothing(staff_api, unchanged_db, change, errors):
    with unchanged_db():
        response = staff_api.post(PACKS, {**NEW_PLAN, **change}, format="json")

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize(
    ("content", "errors"),
    [
        ('"daily_return_rate": 1e1', {"daily_return_rate": RATE_FORMAT}),
        ('"daily_return_rate": 1.5E0', {"daily_return_rate": RATE_FORMAT}),
        ('"max_amount": 1e3', {"max_amount": AMOUNT_FORMAT}),
        ('"daily_return_rate": 1.00001', {"daily_return_rate": [FOUR_DECIMALS]}),
    ],
)
def test_json_numbers_with_an_exponent_or_too_many_decimals_are_refused(staff_api, unchanged_db, content, errors):
    fields = {"name": '"Starter"', "min_amount": '"100.00"', "max_amount": '"999.00"', "duration_days": "30"}
    fields["daily_return_rate"] = '"1.5"'
    sent = content.split(":")[0].strip('"')
    body = "{" + ", ".join([f'"{k}": {v}' for k, v in fields.items() if k != sent] + [content]) + "}"

    with unchanged_db():
        response = staff_api.generic("POST", PACKS, body, content_type="application/json")

    assert (response.status_code, response.json()) == (400, errors)


def test_money_and_rates_may_be_json_numbers_read_exactly(staff_api):
    body = '{"name": "Starter", "min_amount": 100.1, "max_amount": 999, "daily_return_rate": 1.2345, '
    body += '"duration_days": 30}'

    response = staff_api.generic("POST", PACKS, body, content_type="application/json")

    assert response.status_code == 201
    plan = Plan.objects.get()
    assert (plan.min_amount, plan.max_amount, plan.daily_rate) == (D("100.10"), D("999.00"), D("1.2345"))
    assert (response.json()["min_amount"], response.json()["daily_return_rate"]) == ("100.10", "1.2345")


@pytest.mark.parametrize("missing", ["name", "min_amount", "max_amount", "daily_return_rate", "duration_days"])
def test_a_new_plan_needs_its_required_fields(staff_api, unchanged_db, missing):
    body = {name: value for name, value in NEW_PLAN.items() if name != missing}

    with unchanged_db():
        response = staff_api.post(PACKS, body, format="json")

    assert (response.status_code, response.json()) == (400, {missing: ["This field is required."]})


def test_a_malformed_plan_body_is_a_400(staff_api, unchanged_db):
    with unchanged_db():
        response = staff_api.generic("POST", PACKS, '{"name": ', content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (400, "parse_error")


# --- Plans: change and deactivate --------------------------------------------------------------


def test_staff_change_some_fields_of_a_plan(staff):
    plan = make_plan(actor=staff)
    changer = staff_with("change_plan")

    response = api_for(changer).patch(
        pack_url(plan), {"daily_return_rate": "2.25", "duration_days": 90, "name": "Pro"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == admin_pack_body(plan)
    assert (response.json()["daily_return_rate"], response.json()["duration_days"], response.json()["name"]) == (
        "2.2500",
        90,
        "Pro",
    )
    assert (plan.min_amount, plan.payout_schedule, plan.capital_back, plan.is_active) == (
        D("5000.00"),
        "daily",
        True,
        True,
    )
    change = PlanChange.objects.filter(plan=plan).latest("id")
    assert (change.actor, change.changes) == (
        changer,
        {"name": ["Professional", "Pro"], "daily_rate": ["5.0000", "2.2500"], "term_days": ["60", "90"]},
    )


def test_a_partial_change_applies_no_defaults(staff):
    plan = make_plan(actor=staff, is_active=False, capital_back=False, payout_schedule="at_maturity")

    response = api_for(staff_with("change_plan")).patch(pack_url(plan), {"name": "Renamed"}, format="json")

    assert response.status_code == 200
    plan.refresh_from_db()
    assert (plan.name, plan.is_active, plan.capital_back, plan.payout_schedule) == (
        "Renamed",
        False,
        False,
        "at_maturity",
    )


def test_a_change_never_touches_open_positions(staff, investor):
    plan = make_plan(actor=staff, min_amount="100.00")
    fund(investor, "100.00", approver=staff)
    position = investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)

    api_for(staff_with("change_plan")).patch(pack_url(plan), {"daily_return_rate": "1"}, format="json")
    api_for(staff_with("change_plan")).delete(pack_url(plan))

    position.refresh_from_db()
    assert (position.daily_rate, position.term_days, position.status) == (D("5.0000"), 60, PositionStatus.ACTIVE)


def test_an_empty_change_changes_nothing(staff, unchanged_db):
    plan = make_plan(actor=staff)
    client = api_for(staff_with("change_plan"))

    with unchanged_db():
        response = client.patch(pack_url(plan), {}, format="json")

    assert (response.status_code, response.json()) == (200, admin_pack_body(plan))


@pytest.mark.parametrize(("change", "errors"), BAD_PLANS)
def test_bad_changes_are_refused_and_change_nothing(staff, staff_api, unchanged_db, change, errors):
    plan = make_plan(actor=staff, min_amount="100.00", max_amount="999.00")

    with unchanged_db():
        response = staff_api.patch(pack_url(plan), change, format="json")

    assert (response.status_code, response.json()) == (400, errors)


def test_max_below_the_current_min_is_refused(staff, staff_api, unchanged_db):
    plan = make_plan(actor=staff)

    with unchanged_db():
        response = staff_api.patch(pack_url(plan), {"max_amount": "4999.99"}, format="json")

    assert response.status_code == 400
    assert response.json() == business("The maximum must not be below the minimum.", "invalid", "max_amount")


def test_delete_deactivates_and_keeps_the_plan(staff, api_client):
    plan = make_plan(actor=staff)
    changer = staff_with("change_plan")

    response = api_for(changer).delete(pack_url(plan))

    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.is_active is False
    assert response.json() == admin_pack_body(plan, is_active=False)
    assert api_client.get(PUBLIC_PACKS).json() == []
    change = PlanChange.objects.filter(plan=plan).latest("id")
    assert (change.actor, change.changes) == (changer, {"is_active": ["True", "False"]})
    again = api_for(changer).delete(pack_url(plan))
    assert (again.status_code, again.json()["is_active"], PlanChange.objects.filter(plan=plan).count()) == (
        200,
        False,
        2,
    )


def test_staff_read_one_plan(staff):
    plan = make_plan(actor=staff, is_active=False)

    response = api_for(staff_with("view_plan")).get(pack_url(plan))

    assert (response.status_code, response.json()) == (200, admin_pack_body(plan))


@pytest.mark.parametrize("plan_id", [999999, 2**63, 10**30])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_an_unknown_plan_is_a_404(staff_api, unchanged_db, plan_id, method):
    with unchanged_db():
        response = getattr(staff_api, method)(pack_url(plan_id), {}, format="json")

    assert (response.status_code, response.json()) == (404, {"detail": "No such plan.", "code": "not_found"})


@pytest.mark.parametrize("path", ["abc/", "-1/", "1.5/"])
def test_a_malformed_plan_id_is_not_found(staff_api, path):
    assert staff_api.get(f"{PACKS}{path}").status_code == 404


# --- Plans: permissions ------------------------------------------------------------------------


def test_plan_management_needs_each_permission(staff, investor_api, unchanged_db):
    plan = make_plan(actor=staff)
    viewer = api_for(staff_with("view_plan"))
    creator = api_for(staff_with("add_plan"))
    changer = api_for(staff_with("change_plan"))
    bare = api_for(staff_with())

    def attempts(client) -> list[int]:
        return [
            client.get(PACKS).status_code,
            client.get(pack_url(plan)).status_code,
            client.post(PACKS, NEW_PLAN, format="json").status_code,
            client.patch(pack_url(plan), {"name": "X"}, format="json").status_code,
            client.delete(pack_url(plan)).status_code,
        ]

    with unchanged_db():
        assert attempts(viewer) == [200, 200, 403, 403, 403]
        assert attempts(bare) == [403] * 5
        assert attempts(investor_api) == [403] * 5
    assert attempts(creator) == [403, 403, 201, 403, 403]
    assert attempts(changer) == [200, 200, 403, 200, 200]


def test_refusals_say_why(investor_api, staff):
    plan = make_plan(actor=staff)

    for response in (
        investor_api.get(PACKS),
        investor_api.post(PACKS, NEW_PLAN, format="json"),
        investor_api.patch(pack_url(plan), {"name": "X"}, format="json"),
        investor_api.delete(pack_url(plan)),
    ):
        assert (response.status_code, response.json()) == (403, FORBIDDEN)


def test_anonymous_staff_calls_are_a_401(api_client, staff):
    plan = make_plan(actor=staff)

    for response in (api_client.get(PACKS), api_client.delete(pack_url(plan)), api_client.get(INVESTMENTS)):
        assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
