"""Risk disclosure acceptance: recorded once per investor, plan and disclosure version (time, IP,
SHA-256 of the text) in the purchase's own transaction; a later purchase under the same
disclosure needs no new acceptance, a changed disclosure must be accepted again, a plan without
one needs none, and an explicit refusal (``terms_accepted=False``) never buys. The acceptances
are append-only in the database."""

import hashlib
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from apps.common.errors import ApplicationError
from apps.investments.models import PlanChange, Position, RiskDisclosureAcceptance
from apps.investments.selectors import risk_acceptance_current
from apps.investments.services.plans import plan_update
from apps.investments.services.positions import investment_open
from apps.investments.services.risk import risk_disclosure_accept
from tests.factories import UserFactory
from tests.investments.api_helpers import DAY0, at
from tests.investments.helpers import make_plan
from tests.wallet.helpers import assert_ledger_ok, balances, fund

pytestmark = pytest.mark.django_db
D = Decimal
NOON = datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC"))
SHA_LOSE = hashlib.sha256(b"You can lose money.").hexdigest()
NOT_ACCEPTED = "Read and accept the plan's terms and risks first."


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def plan(staff):
    """5% a day for 60 days, 5,000 to 20,000, disclosure "You can lose money."."""
    return make_plan(actor=staff)


@pytest.fixture
def funded(investor, staff):
    fund(investor, "30000.00", approver=staff)
    return investor


def acceptances() -> list[tuple]:
    return list(
        RiskDisclosureAcceptance.objects.order_by("id").values_list(
            "user_id", "plan_id", "version", "text_sha256", "accepted_at", "ip_address"
        )
    )


def buy(user, plan, amount="5000.00", **kwargs):
    return investment_open(user=user, plan_id=plan.pk, amount=amount, **kwargs)


def refused(user, plan, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        buy(user, plan, **kwargs)
    return error.value


# --- the plan's disclosure version -------------------------------------------------------------


def test_a_new_plan_is_at_version_1_and_records_it(staff, plan):
    assert plan.risk_disclosure_version == 1
    [change] = PlanChange.objects.filter(plan=plan)
    assert change.changes["risk_disclosure"] == ["None", "You can lose money."]
    assert change.changes["risk_disclosure_version"] == ["None", "1"]


def test_changing_the_disclosure_raises_the_version_and_records_it(staff, plan):
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": "  You can lose everything.  "})
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": ""})

    plan.refresh_from_db()
    assert (plan.risk_disclosure, plan.risk_disclosure_version) == ("", 3)
    assert list(PlanChange.objects.filter(plan=plan).order_by("id").values_list("actor", "changes"))[1:] == [
        (
            staff.pk,
            {
                "risk_disclosure": ["You can lose money.", "You can lose everything."],
                "risk_disclosure_version": ["1", "2"],
            },
        ),
        (staff.pk, {"risk_disclosure": ["You can lose everything.", ""], "risk_disclosure_version": ["2", "3"]}),
    ]


def test_the_same_disclosure_or_other_fields_keep_the_version(staff, plan):
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": " You can lose money.\n"})
    plan_update(plan_id=plan.pk, actor=staff, fields={"name": "Pro", "daily_rate": "4.0000"})

    plan.refresh_from_db()
    assert plan.risk_disclosure_version == 1
    assert list(PlanChange.objects.filter(plan=plan).order_by("id").values_list("changes", flat=True))[1:] == [
        {"name": ["Professional", "Pro"], "daily_rate": ["5.0000", "4.0000"]}
    ]


def test_the_version_cannot_be_set_directly(staff, plan, unchanged_db):
    with unchanged_db(), pytest.raises(ApplicationError) as error:
        plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure_version": 7})
    assert (error.value.code, error.value.field) == ("field_not_editable", "risk_disclosure_version")


# --- buying ------------------------------------------------------------------------------------


def test_the_first_purchase_records_the_acceptance(funded, plan):
    with at(DAY0):
        position = buy(funded, plan, terms_accepted=True, ip_address="203.0.113.7")

    assert acceptances() == [(funded.pk, plan.pk, 1, SHA_LOSE, NOON, "203.0.113.7")]
    assert position.terms_accepted_at == NOON
    assert balances(funded) == (D("25000.00"), D("0.00"), D("5000.00"))
    assert_ledger_ok()


def test_without_an_acceptance_the_first_purchase_is_refused(funded, plan, unchanged_db):
    with unchanged_db():
        for kwargs in ({}, {"terms_accepted": None}, {"terms_accepted": False}):
            error = refused(funded, plan, **kwargs)
            assert (error.code, error.field, error.message) == ("terms_not_accepted", "accept_terms", NOT_ACCEPTED)


def test_later_purchases_under_the_same_disclosure_need_no_acceptance(funded, plan):
    with at(DAY0):
        buy(funded, plan, terms_accepted=True, ip_address="203.0.113.7")
    with at(DAY0.replace(day=5)):
        buy(funded, plan)
        buy(funded, plan, terms_accepted=None)
        buy(funded, plan, terms_accepted=True, ip_address="198.51.100.1")  # accepting again changes nothing

    assert acceptances() == [(funded.pk, plan.pk, 1, SHA_LOSE, NOON, "203.0.113.7")]
    assert Position.objects.filter(user=funded).count() == 4
    assert balances(funded) == (D("10000.00"), D("0.00"), D("20000.00"))


def test_an_explicit_refusal_never_buys_even_after_an_acceptance(funded, plan, unchanged_db):
    with at(DAY0):
        buy(funded, plan, terms_accepted=True)

    with unchanged_db():
        error = refused(funded, plan, terms_accepted=False)

    assert (error.code, error.field) == ("terms_not_accepted", "accept_terms")


def test_a_changed_disclosure_must_be_accepted_again(funded, plan, staff, unchanged_db):
    with at(DAY0):
        buy(funded, plan, terms_accepted=True, ip_address="203.0.113.7")
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": "You can lose everything."})

    with unchanged_db():
        assert refused(funded, plan).code == "terms_not_accepted"
    with at(DAY0):
        buy(funded, plan, terms_accepted=True, ip_address="2001:db8::1")

    assert acceptances() == [
        (funded.pk, plan.pk, 1, SHA_LOSE, NOON, "203.0.113.7"),
        (funded.pk, plan.pk, 2, sha("You can lose everything."), NOON, "2001:db8::1"),
    ]


def test_a_plan_without_a_disclosure_needs_no_acceptance(funded, staff, unchanged_db):
    plan = make_plan(actor=staff, risk_disclosure="")

    buy(funded, plan)
    buy(funded, plan, terms_accepted=True)
    with unchanged_db():
        assert refused(funded, plan, terms_accepted=False).code == "terms_not_accepted"

    assert acceptances() == []
    assert Position.objects.filter(user=funded, plan=plan).count() == 2


def test_a_disclosure_removed_then_added_back_is_a_new_version(funded, plan, staff):
    with at(DAY0):
        buy(funded, plan, terms_accepted=True)
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": ""})
    buy(funded, plan)
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": "You can lose money."})

    assert refused(funded, plan).code == "terms_not_accepted"
    with at(DAY0):
        buy(funded, plan, terms_accepted=True)
    assert [row[2:4] for row in acceptances()] == [(1, SHA_LOSE), (3, SHA_LOSE)]


def test_acceptances_are_per_investor_and_per_plan(funded, plan, staff):
    other_plan = make_plan(actor=staff, name="Other")
    other = UserFactory()
    fund(other, "10000.00", approver=staff)
    with at(DAY0):
        buy(funded, plan, terms_accepted=True)

    assert refused(other, plan).code == "terms_not_accepted"
    assert refused(funded, other_plan).code == "terms_not_accepted"
    assert [row[:3] for row in acceptances()] == [(funded.pk, plan.pk, 1)]


def test_a_refused_purchase_records_no_acceptance(funded, plan, staff, unchanged_db):
    big = make_plan(actor=staff, name="Big", max_amount="90000.00")
    with unchanged_db():
        error = refused(funded, big, amount="30000.01", terms_accepted=True, ip_address="203.0.113.7")
        assert error.code == "insufficient_balance"
        assert refused(funded, plan, amount="4999.99", terms_accepted=True).code == "amount_out_of_range"
    assert risk_acceptance_current(user=funded, plan=big) is None


def test_the_current_acceptance_selector(funded, plan, staff):
    assert risk_acceptance_current(user=funded, plan=plan) is None
    with at(DAY0):
        buy(funded, plan, terms_accepted=True)
    accepted = risk_acceptance_current(user=funded, plan=plan)
    assert (accepted.version, accepted.accepted_at) == (1, NOON)
    plan_update(plan_id=plan.pk, actor=staff, fields={"risk_disclosure": "New."})
    plan.refresh_from_db()
    assert risk_acceptance_current(user=funded, plan=plan) is None


# --- insert-or-skip and append-only ------------------------------------------------------------


def test_accepting_an_accepted_version_again_is_skipped_not_an_error(funded, plan):
    with at(DAY0), transaction.atomic():
        first = risk_disclosure_accept(user=funded, plan=plan, ip_address="203.0.113.7")
    with transaction.atomic():
        again = risk_disclosure_accept(user=funded, plan=plan, ip_address="198.51.100.1")

    assert again == first
    assert (again.version, again.accepted_at, again.ip_address) == (1, NOON, "203.0.113.7")
    assert acceptances() == [(funded.pk, plan.pk, 1, SHA_LOSE, NOON, "203.0.113.7")]


def test_the_database_keeps_one_acceptance_per_version(funded, plan):
    with at(DAY0):
        buy(funded, plan, terms_accepted=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskDisclosureAcceptance.objects.create(user=funded, plan=plan, version=1, text_sha256=SHA_LOSE)


@pytest.mark.parametrize("change", ["update", "delete"])
def test_acceptances_are_append_only(funded, plan, change):
    with at(DAY0):
        buy(funded, plan, terms_accepted=True)
    rows = RiskDisclosureAcceptance.objects.all()

    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(ip_address="10.0.0.1") if change == "update" else rows.delete()

    assert acceptances() == [(funded.pk, plan.pk, 1, SHA_LOSE, NOON, None)]
