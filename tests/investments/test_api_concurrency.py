"""PostgreSQL only: buying through the API from many threads at once, each with its own
connection. The investor never overspends, a plan is never bought twice for one
Idempotency-Key, and no request ends in a 500."""

from decimal import Decimal

import pytest
from django.db import transaction

from apps.investments.models import Position, RiskDisclosureAcceptance
from apps.investments.services.risk import risk_disclosure_accept
from apps.referrals.models import Commission, CommissionRule
from tests.factories import StaffFactory, UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import assert_ledger_ok, balances, fund
from tests.wallet.test_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal
CREATE = "/api/investments/create/"
THREADS = 16


@pytest.fixture
def setup():
    # Transactional tests flush the database, data migrations included: make sure of the default
    # level-1 rule whatever ran before.
    CommissionRule.objects.get_or_create(level=1, defaults={"rate": D("3.0000")})
    staff = StaffFactory()
    referrer = UserFactory()
    investor = UserFactory(referred_by=referrer)
    fund(investor, "15000.00", approver=staff)
    plan = make_plan(actor=staff)
    clients = [api_for(investor) for _ in range(THREADS)]
    return investor, referrer, plan, clients


def test_racing_buys_never_overspend(setup):
    investor, referrer, plan, clients = setup
    body = {"pack_id": plan.pk, "amount": "5000.00", "accept_terms": True}

    responses = run_in_threads(THREADS, lambda i: clients[i].post(CREATE, body, format="json"))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] * 3 + [400] * (THREADS - 3)
    refusals = [response.json() for response in responses if response.status_code == 400]
    assert all(refusal["code"] == "insufficient_balance" for refusal in refusals)
    assert Position.objects.count() == 3
    assert balances(investor) == (D("0.00"), D("0.00"), D("15000.00"))
    assert balances(referrer)[0] == D("450.00")
    assert Commission.objects.count() == 3
    assert_ledger_ok()


def test_racing_replays_of_one_key_buy_once(setup):
    investor, _, plan, clients = setup
    body = {"pack_id": plan.pk, "amount": "10000.00", "accept_terms": True}

    responses = run_in_threads(
        THREADS, lambda i: clients[i].post(CREATE, body, format="json", HTTP_IDEMPOTENCY_KEY="same-key")
    )

    created = [response for response in responses if response.status_code == 201]
    assert {response.status_code for response in responses} <= {201, 409}
    assert created and all(response.json() == created[0].json() for response in created)
    assert all(
        response.json()["code"] == "idempotency_in_progress" for response in responses if response.status_code == 409
    )
    assert Position.objects.count() == 1
    assert balances(investor) == (D("5000.00"), D("0.00"), D("10000.00"))
    assert_ledger_ok()


def test_racing_first_purchases_record_one_acceptance_and_never_fail_on_it(setup):
    """Every thread accepts the disclosure with its purchase: one acceptance is recorded, the
    others skip it (insert-or-skip), and no purchase fails on the unique constraint."""
    investor, _, plan, clients = setup
    body = {"pack_id": plan.pk, "amount": "5000.00", "accept_terms": True}

    responses = run_in_threads(3, lambda i: clients[i].post(CREATE, body, format="json"))

    assert sorted(response.status_code for response in responses) == [201, 201, 201]
    assert list(RiskDisclosureAcceptance.objects.values_list("user", "plan", "version")) == [(investor.pk, plan.pk, 1)]
    assert balances(investor) == (D("0.00"), D("0.00"), D("15000.00"))


def test_racing_acceptances_outside_the_plan_lock_are_skipped(setup):
    """The insert itself is insert-or-skip: two transactions recording the same acceptance at
    once (without the plan's row lock a purchase takes) both succeed, one row is kept."""
    investor, _, plan, _ = setup

    def accept(index: int):
        with transaction.atomic():
            return risk_disclosure_accept(user=investor, plan=plan, ip_address=f"203.0.113.{index + 1}").pk

    results = run_in_threads(THREADS, accept)

    assert not [result for result in results if isinstance(result, Exception)], results
    assert RiskDisclosureAcceptance.objects.count() == 1
    assert set(results) == {RiskDisclosureAcceptance.objects.get().pk}
