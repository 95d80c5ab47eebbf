"""The plans admin: add and change go through ``services.plans`` (history with the actor, every
refusal a form error that changes nothing), activate/deactivate through the services (open
positions untouched), no delete, a list with open-position counts at a constant query count."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.db import connection
from django.forms import CheckboxInput
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.investments.models import Plan, PlanChange, Position
from apps.investments.services.positions import investment_open
from tests.factories import UserFactory
from tests.investments.helpers import make_plan
from tests.wallet.helpers import fund

pytestmark = pytest.mark.django_db

PLANS = "/admin/investments/plan/"
ADD = "/admin/investments/plan/add/"
DAY0 = date(2026, 3, 2)
NEW_PLAN = {
    "name": "Starter",
    "description": "A short plan.",
    "risk_disclosure": "You can lose money.",
    "min_amount": "100.00",
    "max_amount": "1000.00",
    "daily_rate": "1.2500",
    "term_days": "30",
    "payout_schedule": "daily",
    "capital_back": "on",
    "is_active": "on",
    "display_order": "3",
}


def at(day: date):
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo("UTC")), tick=False)


def change_url(plan: Plan) -> str:
    return reverse("admin:investments_plan_change", args=(plan.pk,))


def form_data(response, **changes) -> dict:
    """What the browser posts back from an add or change page, with ``changes`` applied (``None``
    removes a field, as an unticked checkbox would)."""
    data = {}
    for name, field in response.context["adminform"].form.fields.items():
        value = response.context["adminform"].form[name].value()
        if isinstance(field.widget, CheckboxInput):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    data["_save"] = "Save"
    return data


def post_add(client, **values):
    page = client.get(ADD)
    assert page.status_code == 200
    return client.post(ADD, form_data(page, **{**NEW_PLAN, **values}))


def post_change(client, plan: Plan, **changes):
    page = client.get(change_url(plan))
    assert page.status_code == 200
    return client.post(change_url(plan), form_data(page, **changes))


def field_errors(response) -> dict:
    form = response.context["adminform"].form
    return {name: [str(error) for error in errors] for name, errors in form.errors.items()}


@pytest.fixture
def plan(operations):
    return make_plan(actor=operations)


@pytest.fixture
def position(plan, superuser):
    investor = UserFactory()
    with at(DAY0):
        fund(investor, "10000.00", approver=superuser)
        return investment_open(user=investor, plan_id=plan.pk, amount="10000.00", terms_accepted=True)


# --- add and change through the services -----------------------------------------------------------


def test_adding_a_plan_goes_through_the_service_and_records_the_actor(operations, admin_client_for):
    client = admin_client_for(operations)
    response = post_add(client)
    plan = Plan.objects.get(name="Starter")
    assert response.status_code == 302
    assert response["Location"] == PLANS
    assert (
        plan.min_amount,
        plan.max_amount,
        plan.daily_rate,
        plan.term_days,
        plan.payout_schedule,
        plan.capital_back,
        plan.is_active,
        plan.display_order,
    ) == (Decimal("100.00"), Decimal("1000.00"), Decimal("1.2500"), 30, "daily", True, True, 3)
    [change] = PlanChange.objects.filter(plan=plan)
    assert change.actor == operations
    assert change.changes["name"] == ["None", "Starter"]
    assert change.changes["daily_rate"] == ["None", "1.2500"]
    assert change.changes["term_days"] == ["None", "30"]
    # Django's own admin history records the addition too.
    assert LogEntry.objects.get(object_id=str(plan.pk)).action_flag == ADDITION


def test_changing_a_plan_records_exactly_what_changed(plan, operations, admin_client_for):
    client = admin_client_for(operations)
    response = post_change(client, plan, daily_rate="4.5", term_days="45")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.daily_rate, plan.term_days) == (Decimal("4.5000"), 45)
    latest = PlanChange.objects.filter(plan=plan).first()
    assert latest.actor == operations
    assert latest.changes == {"daily_rate": ["5.0000", "4.5000"], "term_days": ["60", "45"]}
    assert PlanChange.objects.filter(plan=plan).count() == 2
    assert LogEntry.objects.get(object_id=str(plan.pk), action_flag=CHANGE).user == operations


def test_saving_an_unchanged_plan_records_nothing(plan, operations, admin_client_for):
    response = post_change(admin_client_for(operations), plan)
    assert response.status_code == 302
    assert PlanChange.objects.filter(plan=plan).count() == 1


REFUSALS = [
    ({"daily_rate": "-1"}, "daily_rate", "The daily rate must be above 0 and at most 100%."),
    ({"daily_rate": "0"}, "daily_rate", "The daily rate must be above 0 and at most 100%."),
    ({"daily_rate": "100.5"}, "daily_rate", "The daily rate must be above 0 and at most 100%."),
    ({"term_days": "0"}, "term_days", "Enter a number from 1 to 3650."),
    ({"term_days": "-5"}, "term_days", "Ensure this value is greater than or equal to 0."),
    ({"term_days": "4000"}, "term_days", "Enter a number from 1 to 3650."),
    ({"min_amount": "500.00", "max_amount": "400.00"}, "max_amount", "The maximum must not be below the minimum."),
    ({"min_amount": "-10.00"}, "min_amount", "The amount must be greater than zero."),
    ({"name": "   "}, "name", "This field is required."),
]


@pytest.mark.parametrize(("values", "field", "message"), REFUSALS)
def test_bad_values_are_refused_on_add_as_form_errors(
    values, field, message, operations, admin_client_for, unchanged_db
):
    client = admin_client_for(operations)
    with unchanged_db():
        response = post_add(client, **values)
    assert response.status_code == 200
    assert field_errors(response) == {field: [message]}
    assert not Plan.objects.filter(name="Starter").exists()


@pytest.mark.parametrize(("values", "field", "message"), REFUSALS)
def test_bad_values_are_refused_on_change_as_form_errors(
    values, field, message, plan, operations, admin_client_for, unchanged_db
):
    client = admin_client_for(operations)
    with unchanged_db():
        response = post_change(client, plan, **values)
    assert response.status_code == 200
    assert field_errors(response) == {field: [message]}
    assert message in response.text
    # The page shows the posted values again, with the history tab.
    assert [inline.opts.verbose_name_plural for inline in response.context["inline_admin_formsets"]] == [
        "History of changes"
    ]


def test_a_maximum_below_the_stored_minimum_is_refused(plan, operations, admin_client_for, unchanged_db):
    """Only the maximum changes; the service compares it with the minimum already stored."""
    client = admin_client_for(operations)
    page = client.get(change_url(plan))
    data = form_data(page, max_amount="4999.99")
    with unchanged_db():
        response = client.post(change_url(plan), data)
    assert field_errors(response) == {"max_amount": ["The maximum must not be below the minimum."]}


# --- activate, deactivate, no delete ---------------------------------------------------------------


def position_row(position: Position) -> dict:
    return Position.objects.values().get(pk=position.pk)


def test_bulk_deactivate_keeps_open_positions_untouched(plan, position, operations, admin_client_for):
    other = make_plan(actor=operations, name="Other")
    before = position_row(position)
    client = admin_client_for(operations)
    response = client.post(PLANS, {"action": "deactivate_plans", "_selected_action": [plan.pk, other.pk]})
    assert response.status_code == 302
    assert list(Plan.objects.order_by("pk").values_list("is_active", flat=True)) == [False, False]
    assert position_row(position) == before
    latest = PlanChange.objects.filter(plan=plan).first()
    assert (latest.actor, latest.changes) == (operations, {"is_active": ["True", "False"]})
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["Deactivated 2 plans: no new purchases; open positions are unchanged."]


def test_bulk_activate_skips_plans_already_active(plan, operations, admin_client_for):
    inactive = make_plan(actor=operations, name="Old", is_active=False)
    response = admin_client_for(operations).post(
        PLANS, {"action": "activate_plans", "_selected_action": [plan.pk, inactive.pk]}
    )
    inactive.refresh_from_db()
    assert inactive.is_active is True
    assert PlanChange.objects.filter(plan=plan).count() == 1  # already active: untouched
    assert [str(m) for m in response.wsgi_request._messages] == ["Activated 1 plan: investors can buy it again."]


def test_detail_deactivate_and_activate(plan, position, operations, admin_client_for):
    client = admin_client_for(operations)
    before = position_row(position)
    page = client.get(change_url(plan))
    assert [action["title"] for action in page.context["actions_detail"]] == ["Deactivate"]
    url = reverse("admin:investments_plan_deactivate_detail", args=(plan.pk,))
    assert client.get(url).status_code == 200  # the dialog
    response = client.post(url, {"_form_submitted": "True"})
    assert response["HX-Redirect"] == change_url(plan)
    plan.refresh_from_db()
    assert plan.is_active is False
    assert position_row(position) == before

    page = client.get(change_url(plan))
    assert [action["title"] for action in page.context["actions_detail"]] == ["Activate"]
    client.post(reverse("admin:investments_plan_activate_detail", args=(plan.pk,)), {"_form_submitted": "True"})
    plan.refresh_from_db()
    assert plan.is_active is True
    assert list(PlanChange.objects.filter(plan=plan).values_list("changes", flat=True)[:2]) == [
        {"is_active": ["False", "True"]},
        {"is_active": ["True", "False"]},
    ]


def test_plans_are_never_deleted(plan, superuser, admin_client_for, unchanged_db):
    client = admin_client_for(superuser)
    page = client.get(PLANS)
    assert "delete_selected" not in page.context["cl"].model_admin.get_actions(page.wsgi_request)
    with unchanged_db():
        assert (
            client.post(reverse("admin:investments_plan_delete", args=(plan.pk,)), {"post": "yes"}).status_code == 403
        )
        client.post(PLANS, {"action": "delete_selected", "_selected_action": [plan.pk], "post": "yes"})


def test_finance_reads_plans_but_cannot_change_them(plan, finance, admin_client_for, unchanged_db):
    client = admin_client_for(finance)
    page = client.get(change_url(plan))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["actions_detail"] == []
    with unchanged_db():
        assert client.get(ADD).status_code == 403
        assert client.post(change_url(plan), {"daily_rate": "9"}).status_code == 403
        url = reverse("admin:investments_plan_deactivate_detail", args=(plan.pk,))
        assert client.post(url, {"_form_submitted": "True"}).status_code == 403
        client.post(PLANS, {"action": "deactivate_plans", "_selected_action": [plan.pk]})


def test_support_cannot_open_plans(plan, support, admin_client_for):
    assert admin_client_for(support).get(PLANS).status_code == 403


# --- the list and the history ----------------------------------------------------------------------


def test_list_shows_terms_and_open_positions(plan, position, operations, admin_client_for):
    make_plan(actor=operations, name="Long", payout_schedule="at_maturity", capital_back=False, is_active=False)
    response = admin_client_for(operations).get(PLANS)
    rows = {row.name: row for row in response.context["cl"].result_list}
    assert (rows["Professional"].open_positions, rows["Long"].open_positions) == (1, 0)
    text = response.text
    assert "5 % / day" in text
    assert "60 days" in text
    assert "5,000.00 – 20,000.00 USD" in text
    assert "At maturity" in text
    assert f"?plan__id__exact={plan.pk}&amp;status__exact=active" in text


def test_list_costs_the_same_queries_for_few_and_many_plans(operations, admin_client_for):
    client = admin_client_for(operations)
    make_plan(actor=operations, name="One")
    client.get(PLANS)  # warm the session and content types

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(PLANS).status_code == 200
        return len(context.captured_queries)

    few = queries()
    for index in range(6):
        make_plan(actor=operations, name=f"Plan {index}")
    assert queries() == few


def test_change_page_shows_the_history_with_actors(plan, operations, finance, admin_client_for):
    client = admin_client_for(operations)
    post_change(client, plan, daily_rate="4.5")
    page = admin_client_for(finance).get(change_url(plan))
    [history] = page.context["inline_admin_formsets"]
    assert history.opts.verbose_name_plural == "History of changes"
    assert page.text.count(operations.email) >= 2
    assert "5.0000 → 4.5000" in page.text
    assert "open positions keep the terms they were bought with" in page.text
