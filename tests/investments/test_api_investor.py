"""The investor's investment endpoints: plans on offer (public), buying (exact balances, every
refusal a clear 400 that changes nothing, idempotent replays), the preview, and the list."""

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.investments.models import Position, PositionStatus, RiskDisclosureAcceptance
from apps.investments.services.accrual import accrue_returns
from apps.investments.services.plans import plan_update
from apps.investments.services.positions import investment_open
from apps.referrals.models import Commission
from apps.wallet.models import IdempotencyRecord
from tests.factories import UserFactory
from tests.investments.api_helpers import DAY0, at, get_at, investment_body, pack_body
from tests.investments.helpers import make_plan
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import assert_ledger_ok, balances, fund

pytestmark = pytest.mark.django_db

D = Decimal
PACKS = "/api/investments/packs/"
MINE = "/api/investments/my-investments/"
CREATE = "/api/investments/create/"
QUOTE = "/api/investments/quote/"
PROFILE = "/api/users/profile/"
FORMAT = ['Send the amount as a number or a string such as "100.00" (digits, at most 2 decimals).']
TWO_DECIMALS = ["Ensure that there are no more than 2 decimal places."]
NOT_ACCEPTED = "Read and accept the plan's terms and risks first."
NOT_INTEGER = ["A valid integer is required."]
NOT_BOOLEAN = ["Must be a valid boolean."]
REQUIRED = ["This field is required."]
INVALID_PACK = "This plan does not exist or is no longer offered."
OUT_OF_RANGE = "Invest between 5000.00 and 20000.00 in this plan."


def business(message: str, code: str, field: str | None = None) -> dict:
    body = {"detail": message, "code": code}
    if field:
        body[field] = [message]
    return body


@pytest.fixture
def plan(staff):
    """5% a day for 60 days, 5,000 to 20,000."""
    return make_plan(actor=staff)


@pytest.fixture
def referred(staff):
    """An investor with 15,000 available, referred by another user."""
    referrer = UserFactory()
    investor = UserFactory(referred_by=referrer)
    fund(investor, "15000.00", approver=staff)
    return investor, referrer


def buy(client, plan, amount="10000.00", *, ip="127.0.0.1", **extra):
    body = {"pack_id": plan.pk, "amount": amount, "accept_terms": True, **extra}
    return client.post(CREATE, body, format="json", REMOTE_ADDR=ip)


# --- Plans on offer ----------------------------------------------------------------------------


def test_packs_are_the_active_plans_in_display_order(api_client, staff):
    later = make_plan(actor=staff, name="Elite", display_order=2, description="Big.")
    first = make_plan(actor=staff, name="Starter", display_order=1, min_amount="100.00", daily_rate=D("1.2345"))
    make_plan(actor=staff, name="Retired", is_active=False)
    at_maturity = make_plan(
        actor=staff, name="Patient", display_order=2, payout_schedule="at_maturity", capital_back=False, term_days=3650
    )

    response = api_client.get(PACKS)

    assert response.status_code == 200
    assert response.json() == [pack_body(first), pack_body(later), pack_body(at_maturity)]
    assert response.json()[0] == {
        "id": first.pk,
        "name": "Starter",
        "description": "",
        "min_amount": "100.00",
        "max_amount": "20000.00",
        "daily_return_rate": "1.2345",
        "duration_days": 60,
        "payout_schedule": "daily",
        "capital_back": True,
        "total_return_rate": "74.0700",
        "risk_disclosure": "You can lose money.",
        "is_active": True,
    }
    assert response.json()[2]["total_return_rate"] == "18250.0000"


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer ", "Basic Zm9vOmJhcg==", "Bearer a.b.c"])
def test_packs_are_public_even_with_a_stale_or_garbage_token(api_client, plan, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(PACKS)

    assert response.status_code == 200
    assert response.json() == [pack_body(plan)]


def test_packs_are_empty_without_plans(api_client, db):
    assert api_client.get(PACKS).json() == []


# --- Buying ------------------------------------------------------------------------------------


def test_the_worked_example_buy(referred, plan):
    """15,000 available; 10,000 into 5% a day for 60 days."""
    investor, referrer = referred
    with at(DAY0):
        response = buy(api_for(investor), plan)
        profile = api_for(investor).get(PROFILE).json()

    assert response.status_code == 201
    position = Position.objects.get()
    assert response.json() == {
        "id": position.pk,
        "user": investor.pk,
        "pack": {
            "id": plan.pk,
            "name": "Professional",
            "description": "",
            "min_amount": "5000.00",
            "max_amount": "20000.00",
            "daily_return_rate": "5.0000",
            "duration_days": 60,
            "payout_schedule": "daily",
            "capital_back": True,
            "total_return_rate": "300.0000",
            "risk_disclosure": "You can lose money.",
            "is_active": True,
        },
        "amount": "10000.00",
        "daily_return": "500.00",
        "daily_return_rate": "5.0000",
        "duration_days": 60,
        "payout_schedule": "daily",
        "capital_back": True,
        "start_date": "2026-03-02",
        "end_date": "2026-05-01",
        "days_elapsed": 0,
        "total_return": "0.00",
        "expected_total_return": "30000.00",
        "status": "active",
        "created_at": investment_body(position, total_return="0.00", days_elapsed=0)["created_at"],
    }
    assert (profile["balance"], profile["balance_invested"]) == ("5000.00", "10000.00")
    assert get_at(DAY0, referrer, PROFILE).json()["balance"] == "300.00"
    assert (position.user, position.terms_snapshot["risk_disclosure"]) == (investor, "You can lose money.")
    assert Commission.objects.get().amount == D("300.00")
    assert_ledger_ok()


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        ("5000", "5000.00"),
        (5000, "5000.00"),
        (" 12345.6 ", "12345.60"),
        (6000.5, "6000.50"),
        (6000.0, "6000.00"),
        (12345.67, "12345.67"),
    ],
)
def test_amounts_as_integers_and_plain_strings(referred, plan, amount, stored):
    investor, _ = referred

    response = buy(api_for(investor), plan, amount=amount)

    assert response.status_code == 201
    assert response.json()["amount"] == stored
    assert balances(investor) == (D("15000.00") - D(stored), D("0.00"), D(stored))


def test_the_edges_of_the_range_are_allowed(referred, staff):
    investor, _ = referred
    plan = make_plan(actor=staff, max_amount="15000.00")
    client = api_for(investor)

    assert buy(client, plan, amount="5000.00").status_code == 201
    assert buy(client, plan, amount="10000.00").status_code == 201
    assert balances(investor) == (D("0.00"), D("0.00"), D("15000.00"))


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"amount": "4999.99"}, business(OUT_OF_RANGE, "amount_out_of_range", "amount")),
        ({"amount": "20000.01"}, business(OUT_OF_RANGE, "amount_out_of_range", "amount")),
        ({"amount": "-6000"}, business("The amount must be greater than zero.", "invalid_amount", "amount")),
        ({"amount": "0"}, business("The amount must be greater than zero.", "invalid_amount", "amount")),
        ({"amount": "6000.001"}, {"amount": TWO_DECIMALS}),
        ({"amount": 6000.555}, {"amount": TWO_DECIMALS}),
        ({"amount": 4999.99}, business(OUT_OF_RANGE, "amount_out_of_range", "amount")),
        ({"amount": "abc"}, {"amount": FORMAT}),
        ({"amount": "1e4"}, {"amount": FORMAT}),
        ({"amount": "NaN"}, {"amount": FORMAT}),
        ({"amount": "6,000"}, {"amount": FORMAT}),
        ({"amount": ""}, {"amount": FORMAT}),
        ({"amount": [6000]}, {"amount": FORMAT}),
        ({"amount": True}, {"amount": FORMAT}),
        ({"amount": False}, {"amount": FORMAT}),
        ({"amount": {"value": 6000}}, {"amount": FORMAT}),
        ({"amount": None}, {"amount": ["This field may not be null."]}),
        ({"amount": "1" * 30}, {"amount": ["Ensure that there are no more than 20 digits in total."]}),
        ({"pack_id": 999999}, business(INVALID_PACK, "invalid_pack", "pack_id")),
        ({"pack_id": 2**63}, {"pack_id": ["Ensure this value is less than or equal to 9223372036854775807."]}),
        ({"pack_id": 0}, {"pack_id": ["Ensure this value is greater than or equal to 1."]}),
        ({"pack_id": "1"}, {"pack_id": NOT_INTEGER}),
        ({"pack_id": 1.0}, {"pack_id": NOT_INTEGER}),
        ({"pack_id": True}, {"pack_id": NOT_INTEGER}),
        ({"pack_id": [1]}, {"pack_id": NOT_INTEGER}),
        ({"pack_id": None}, {"pack_id": ["This field may not be null."]}),
        ({"accept_terms": False}, business(NOT_ACCEPTED, "terms_not_accepted", "accept_terms")),
        ({"accept_terms": "true"}, {"accept_terms": NOT_BOOLEAN}),
        ({"accept_terms": 1}, {"accept_terms": NOT_BOOLEAN}),
        ({"accept_terms": None}, {"accept_terms": ["This field may not be null."]}),
        ({"user_id": 1}, {"user_id": ["This field is not allowed."]}),
        (
            {"is_staff": True, "balance": "1"},
            {"balance": ["This field is not allowed."], "is_staff": ["This field is not allowed."]},
        ),
    ],
)
def test_refusals_are_clear_and_change_nothing(referred, plan, unchanged_db, body, errors):
    investor, _ = referred
    client = api_for(investor)
    full = {"pack_id": plan.pk, "amount": "10000.00", "accept_terms": True, **body}

    with unchanged_db():
        response = client.post(CREATE, full, format="json")

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize("number", ["1e4", "1E4", "10000.0e0", "1.0000E+4", "-0.5e4"])
def test_a_json_number_with_an_exponent_is_refused(referred, plan, unchanged_db, number):
    investor, _ = referred
    content = f'{{"pack_id": {plan.pk}, "amount": {number}, "accept_terms": true}}'
    client = api_for(investor)

    with unchanged_db():
        response = client.generic("POST", CREATE, content, content_type="application/json")

    assert (response.status_code, response.json()) == (400, {"amount": FORMAT})


def test_a_json_number_is_read_from_its_text_never_as_a_float(referred, plan):
    """``5000.015`` rounds to a float just below it: read exactly, it has 3 decimals."""
    investor, _ = referred
    client = api_for(investor)
    content = '{"pack_id": %d, "amount": %s, "accept_terms": true}'

    refused = client.generic("POST", CREATE, content % (plan.pk, "5000.015"), content_type="application/json")
    bought = client.generic("POST", CREATE, content % (plan.pk, "5000.10"), content_type="application/json")

    assert (refused.status_code, refused.json()) == (400, {"amount": TWO_DECIMALS})
    assert (bought.status_code, bought.json()["amount"]) == (201, "5000.10")
    assert balances(investor) == (D("9999.90"), D("0.00"), D("5000.10"))


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"amount": "6000"}, {"pack_id": REQUIRED}),
        ({"pack_id": "PLAN"}, {"amount": REQUIRED}),
        ({}, {"pack_id": REQUIRED, "amount": REQUIRED}),
    ],
)
def test_missing_fields(referred, plan, unchanged_db, body, errors):
    investor, _ = referred
    body = {key: plan.pk if value == "PLAN" else value for key, value in body.items()}

    client = api_for(investor)

    with unchanged_db():
        response = client.post(CREATE, body, format="json")

    assert (response.status_code, response.json()) == (400, errors)


def test_a_first_purchase_without_accept_terms_is_refused(referred, plan, unchanged_db):
    investor, _ = referred

    client = api_for(investor)

    with unchanged_db():
        response = client.post(CREATE, {"pack_id": plan.pk, "amount": "6000"}, format="json")

    assert response.status_code == 400
    assert response.json() == business(NOT_ACCEPTED, "terms_not_accepted", "accept_terms")


# --- Risk disclosure acceptance ----------------------------------------------------------------


def acceptances() -> list[tuple]:
    rows = RiskDisclosureAcceptance.objects.order_by("id")
    return list(rows.values_list("user_id", "plan_id", "version", "text_sha256", "accepted_at", "ip_address"))


def test_the_disclosure_is_accepted_once_then_purchases_need_no_accept_terms(referred, plan, unchanged_db):
    investor, _ = referred
    with at(DAY0):
        client = api_for(investor)
        first = buy(client, plan, amount="5000.00", ip="203.0.113.7")
        second = client.post(CREATE, {"pack_id": plan.pk, "amount": "5000.00"}, format="json")
        third = buy(client, plan, amount="5000.00", ip="198.51.100.1")  # true again: nothing new
        with unchanged_db():
            body = {"pack_id": plan.pk, "amount": "5000.00", "accept_terms": False}
            declined = client.post(CREATE, body, format="json")

    assert [first.status_code, second.status_code, third.status_code] == [201, 201, 201]
    assert declined.status_code == 400
    assert declined.json() == business(NOT_ACCEPTED, "terms_not_accepted", "accept_terms")
    sha = hashlib.sha256(b"You can lose money.").hexdigest()
    assert acceptances() == [(investor.pk, plan.pk, 1, sha, datetime(2026, 3, 2, 12, tzinfo=UTC), "203.0.113.7")]
    assert balances(investor) == (D("0.00"), D("0.00"), D("15000.00"))


def test_a_changed_disclosure_must_be_accepted_again(referred, plan, staff_api, unchanged_db):
    investor, _ = referred
    client = api_for(investor)
    assert buy(client, plan, amount="5000.00").status_code == 201
    change = {"risk_disclosure": "Returns are not guaranteed."}
    changed = staff_api.patch(f"/api/admin/packs/{plan.pk}/", change, format="json")
    assert changed.status_code == 200

    with unchanged_db():
        refused = client.post(CREATE, {"pack_id": plan.pk, "amount": "5000.00"}, format="json")
    accepted = buy(client, plan, amount="5000.00", ip="2001:db8::7")

    assert (refused.status_code, refused.json()["code"]) == (400, "terms_not_accepted")
    assert accepted.status_code == 201
    assert accepted.json()["pack"]["risk_disclosure"] == "Returns are not guaranteed."
    assert [row[2:4] for row in acceptances()] == [
        (1, hashlib.sha256(b"You can lose money.").hexdigest()),
        (2, hashlib.sha256(b"Returns are not guaranteed.").hexdigest()),
    ]
    assert acceptances()[1][5] == "2001:db8::7"


def test_a_plan_without_a_disclosure_needs_no_accept_terms(referred, staff):
    investor, _ = referred
    plan = make_plan(actor=staff, risk_disclosure="")

    response = api_for(investor).post(CREATE, {"pack_id": plan.pk, "amount": "5000.00"}, format="json")

    assert response.status_code == 201
    assert acceptances() == []
    assert balances(investor) == (D("10000.00"), D("0.00"), D("5000.00"))


def test_a_refused_purchase_records_no_acceptance(referred, staff, unchanged_db):
    investor, _ = referred
    plan = make_plan(actor=staff, max_amount="50000.00")
    client = api_for(investor)

    with unchanged_db():
        response = buy(client, plan, amount="15000.01")

    assert response.json()["code"] == "insufficient_balance"


def test_not_enough_money(referred, staff, unchanged_db):
    investor, _ = referred
    plan = make_plan(actor=staff, max_amount="50000.00")

    client = api_for(investor)

    with unchanged_db():
        response = buy(client, plan, amount="15000.01")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Not enough funds: available balance is 15000.00.",
        "code": "insufficient_balance",
    }


def test_an_inactive_plan_is_refused(referred, staff, unchanged_db):
    investor, _ = referred
    plan = make_plan(actor=staff, is_active=False)

    client = api_for(investor)

    with unchanged_db():
        response = buy(client, plan)

    assert (response.status_code, response.json()) == (400, business(INVALID_PACK, "invalid_pack", "pack_id"))


@pytest.mark.parametrize(
    ("content", "content_type", "status", "errors"),
    [
        (
            '{"pack_id": 1, "amount": "6000"',
            "application/json",
            400,
            {"detail": "JSON parse error - Expecting ',' delimiter: line 1 column 32 (char 31)", "code": "parse_error"},
        ),
        (
            "pack_id=1&amount=6000",
            "application/x-www-form-urlencoded",
            415,
            {
                "detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.',
                "code": "unsupported_media_type",
            },
        ),
        (
            '["pack_id", 1]',
            "application/json",
            400,
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
        ),
        (
            '"text"',
            "application/json",
            400,
            {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
        ),
        ("null", "application/json", 400, {"non_field_errors": ["No data provided"]}),
    ],
)
def test_malformed_bodies_are_refused(referred, plan, unchanged_db, content, content_type, status, errors):
    investor, _ = referred
    client = api_for(investor)

    with unchanged_db():
        response = client.generic("POST", CREATE, content, content_type=content_type)

    assert (response.status_code, response.json()) == (status, errors)


def test_anonymous_callers_are_refused(api_client, plan, unchanged_db):
    with unchanged_db():
        responses = [
            api_client.post(CREATE, {"pack_id": plan.pk, "amount": "6000", "accept_terms": True}, format="json"),
            api_client.get(MINE),
            api_client.get(f"{QUOTE}?pack_id={plan.pk}&amount=6000"),
        ]

    assert [response.status_code for response in responses] == [401, 401, 401]
    assert {response.json()["code"] for response in responses} == {"not_authenticated"}


# --- Idempotency -------------------------------------------------------------------------------


def test_a_replayed_buy_returns_the_first_response_and_buys_once(referred, plan, unchanged_db):
    investor, referrer = referred
    client = api_for(investor)
    body = {"pack_id": plan.pk, "amount": "10000.00", "accept_terms": True}
    first = client.post(CREATE, body, format="json", HTTP_IDEMPOTENCY_KEY="buy-1")

    with unchanged_db():
        replay = client.post(CREATE, body, format="json", HTTP_IDEMPOTENCY_KEY="buy-1")

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert Position.objects.count() == 1
    assert balances(investor) == (D("5000.00"), D("0.00"), D("10000.00"))
    assert balances(referrer)[0] == D("300.00")
    record = IdempotencyRecord.objects.get()
    assert (record.scope, record.response_status) == ("investments/create", 201)


def test_a_reused_key_with_another_body_is_a_conflict(referred, plan, unchanged_db):
    investor, _ = referred
    client = api_for(investor)
    client.post(
        CREATE,
        {"pack_id": plan.pk, "amount": "6000", "accept_terms": True},
        format="json",
        HTTP_IDEMPOTENCY_KEY="buy-1",
    )

    with unchanged_db():
        response = client.post(
            CREATE,
            {"pack_id": plan.pk, "amount": "7000", "accept_terms": True},
            format="json",
            HTTP_IDEMPOTENCY_KEY="buy-1",
        )

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert Position.objects.get().principal == D("6000.00")


def test_a_refused_buy_is_replayed_as_refused(referred, staff):
    """Business errors are stored too: the same key keeps its answer even once money arrives."""
    investor, _ = referred
    plan = make_plan(actor=staff, max_amount="50000.00")
    client = api_for(investor)
    body = {"pack_id": plan.pk, "amount": "20000.00", "accept_terms": True}
    first = client.post(CREATE, body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    fund(investor, "5000.00", approver=staff)

    replay = client.post(CREATE, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert (first.status_code, replay.status_code) == (400, 400)
    assert (
        replay.json()
        == first.json()
        == {
            "detail": "Not enough funds: available balance is 15000.00.",
            "code": "insufficient_balance",
        }
    )
    assert not Position.objects.exists()
    assert client.post(CREATE, body, format="json", HTTP_IDEMPOTENCY_KEY="k2").status_code == 201


# --- Preview -----------------------------------------------------------------------------------


def test_the_quote_shows_what_investing_would_do(investor, staff, unchanged_db):
    plan = make_plan(actor=staff, payout_schedule="at_maturity", daily_rate=D("0.3333"), term_days=30)

    with at(DAY0):
        client = api_for(investor)
        with unchanged_db():
            response = client.get(f"{QUOTE}?pack_id={plan.pk}&amount=10000")

    assert response.status_code == 200
    assert response.json() == {
        "pack": {"id": plan.pk, "name": "Professional"},
        "amount": "10000.00",
        "daily_return_rate": "0.3333",
        "duration_days": 30,
        "payout_schedule": "at_maturity",
        "capital_back": True,
        "risk_disclosure": "You can lose money.",
        "daily_return": "33.33",
        "expected_total_return": "999.90",
        "start_date": "2026-03-02",
        "first_accrual_date": "2026-03-03",
        "end_date": "2026-04-01",
        "payable_at_maturity": "10999.90",
    }


@pytest.mark.parametrize(
    ("query", "status", "errors"),
    [
        ("pack_id=abc&amount=6000", 400, {"pack_id": NOT_INTEGER}),
        ("pack_id=1.0&amount=6000", 400, {"pack_id": NOT_INTEGER}),
        ("pack_id=-1&amount=6000", 400, {"pack_id": NOT_INTEGER}),
        (
            "pack_id=99999999999999999999999&amount=6000",
            400,
            {"pack_id": ["Ensure this value is less than or equal to 9223372036854775807."]},
        ),
        ("pack_id=999999&amount=6000", 400, business(INVALID_PACK, "invalid_pack", "pack_id")),
        ("amount=6000", 400, {"pack_id": REQUIRED}),
        ("pack_id=PLAN", 400, {"amount": REQUIRED}),
        ("pack_id=PLAN&amount=abc", 400, {"amount": FORMAT}),
        ("pack_id=PLAN&amount=6000.001", 400, {"amount": ["Ensure that there are no more than 2 decimal places."]}),
        ("pack_id=PLAN&amount=100", 400, business(OUT_OF_RANGE, "amount_out_of_range", "amount")),
        ("pack_id=PLAN&amount=0", 400, business("The amount must be greater than zero.", "invalid_amount", "amount")),
    ],
)
def test_quote_refusals(investor_api, plan, query, status, errors):
    response = investor_api.get(f"{QUOTE}?{query.replace('PLAN', str(plan.pk))}")

    assert (response.status_code, response.json()) == (status, errors)


# --- The caller's investments ------------------------------------------------------------------


def test_my_investments_are_mine_only_newest_first_with_credited_returns(referred, plan, staff):
    investor, _ = referred
    other = UserFactory()
    fund(other, "6000.00", approver=staff)
    with at(DAY0):
        first = investment_open(user=investor, plan_id=plan.pk, amount="6000.00", terms_accepted=True)
        theirs = investment_open(user=other, plan_id=plan.pk, amount="6000.00", terms_accepted=True)
    with at(DAY0 + timedelta(days=2)):
        second = investment_open(user=investor, plan_id=plan.pk, amount="5000.00", terms_accepted=True)
    with at(DAY0 + timedelta(days=4)):
        accrue_returns()

    response = get_at(DAY0 + timedelta(days=4), investor, MINE)

    assert response.status_code == 200
    assert response.json() == [
        investment_body(second, total_return="500.00", days_elapsed=2),
        investment_body(first, total_return="1200.00", days_elapsed=4),
    ]
    assert response.json()[1]["daily_return"] == "300.00"
    assert [(row["user"], row["pack"]) for row in response.json()] == [(investor.pk, pack_body(plan))] * 2
    assert theirs.pk not in [row["id"] for row in response.json()]


def test_days_elapsed_is_capped_at_the_term(referred, staff):
    investor, _ = referred
    plan = make_plan(actor=staff, term_days=3)
    with at(DAY0):
        position = investment_open(user=investor, plan_id=plan.pk, amount="6000.00", terms_accepted=True)

    late = get_at(DAY0 + timedelta(days=10), investor, MINE).json()

    assert late == [investment_body(position, total_return="0.00", days_elapsed=3, status=PositionStatus.ACTIVE)]


def test_a_new_investor_has_no_investments(investor_api):
    assert investor_api.get(MINE).json() == []


def test_the_pack_is_the_plan_as_offered_now(referred, plan, staff):
    """The nested pack is the plan's current row (renamed, withdrawn); the terms bought stay."""
    investor, _ = referred
    position = investment_open(user=investor, plan_id=plan.pk, amount="6000.00", terms_accepted=True)
    plan_update(plan_id=plan.pk, actor=staff, fields={"name": "Pro", "daily_rate": "4.0000", "is_active": False})

    [row] = api_for(investor).get(MINE).json()

    assert row["pack"] == pack_body(plan, name="Pro", daily_return_rate="4.0000", total_return_rate="240.0000")
    assert row["pack"]["is_active"] is False
    assert (row["id"], row["daily_return_rate"], row["daily_return"]) == (position.pk, "5.0000", "300.00")


def _positions_bought(investor, plan, count: int) -> list[Position]:
    """``count`` positions, one a minute from DAY0 noon (rows only: the list reads nothing else)."""
    noon = datetime(2026, 3, 2, 12, tzinfo=UTC)
    rows = [
        Position(
            user=investor,
            plan=plan,
            principal=D("100.00"),
            daily_rate=plan.daily_rate,
            term_days=plan.term_days,
            payout_schedule=plan.payout_schedule,
            capital_back=plan.capital_back,
            start_date=DAY0,
            maturity_date=DAY0 + timedelta(days=plan.term_days),
            terms_accepted_at=noon,
            created_at=noon + timedelta(minutes=index),
        )
        for index in range(count)
    ]
    return Position.objects.bulk_create(rows)


def test_my_investments_are_capped_at_the_newest_500(investor, plan):
    positions = _positions_bought(investor, plan, 501)

    rows = get_at(DAY0, investor, MINE).json()

    assert len(rows) == 500
    assert [row["id"] for row in rows] == [position.pk for position in reversed(positions[1:])]
    assert positions[0].pk not in {row["id"] for row in rows}


@pytest.mark.parametrize("rows", [3, 20])
def test_my_investments_cost_the_same_queries_for_3_or_20(investor, staff, rows):
    plan = make_plan(actor=staff, min_amount="100.00")
    fund(investor, "100000.00", approver=staff)
    with at(DAY0):
        for _ in range(rows):
            investment_open(user=investor, plan_id=plan.pk, amount="100.00", terms_accepted=True)
    with at(DAY0 + timedelta(days=2)):
        accrue_returns()
        client = api_for(investor)

        with CaptureQueriesContext(connection) as queries:
            response = client.get(MINE)

    assert len(response.json()) == rows
    assert {row["total_return"] for row in response.json()} == {"10.00"}
    assert {row["pack"]["id"] for row in response.json()} == {plan.pk}
    # The user behind the token, then the rows (the pack and the credited returns included).
    assert len(queries) == 2, [query["sql"] for query in queries]
