"""Maintenance mode: every money command is refused in its service (so the API, the portal and the
admin all refuse it) with nothing changed; reads keep working; the daily jobs wait and catch up."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.test import Client

from apps.controls.runtime import MaintenanceError
from apps.investments.models import Accrual, Position
from apps.investments.services.positions import investment_open
from apps.messaging.services.tasks import assignment_approve
from apps.wallet.models import Deposit
from apps.wallet.services.adjustments import adjustment_approve, adjustment_create, adjustment_reject
from apps.wallet.services.deposits import deposit_approve, deposit_cancel, deposit_reject, deposit_request_create
from apps.wallet.services.withdrawals import (
    withdrawal_approve,
    withdrawal_cancel,
    withdrawal_reject,
    withdrawal_request_create,
)
from tests.factories import SuperuserFactory, UserFactory
from tests.investments.api_helpers import DAY0, at
from tests.investments.helpers import make_plan
from tests.messaging.helpers import assignment_submitted, finance_staff, support_staff
from tests.wallet.api_helpers import api_for
from tests.wallet.helpers import balances, fund, kyc_approve

MESSAGE = "Back at 14:00 UTC."


@pytest.fixture
def world(db, runtime_config):
    """An investor with 10,000.00 and one of each pending request, before maintenance starts."""
    checker, maker = SuperuserFactory(), SuperuserFactory()
    investor = UserFactory()
    kyc_approve(investor)
    fund(investor, "10000.00", approver=checker)
    runtime_config(FOUR_EYES_THRESHOLD=D("100.00"))
    world = {
        "investor": investor,
        "checker": checker,
        "maker": maker,
        "deposit": deposit_request_create(user=investor, amount="50.00"),
        "withdrawal": withdrawal_request_create(user=investor, amount="20.00", address="T-addr"),
        "adjustment": adjustment_create(
            user_id=investor.pk, amount="500.00", direction="credit", reason="r", maker=maker
        ),
        "plan": make_plan(actor=checker),
        "proof": assignment_submitted(investor, staff=support_staff(), reward="5.00"),
        "finance": finance_staff(),
    }
    runtime_config(MAINTENANCE_MODE=True, MAINTENANCE_MESSAGE=MESSAGE, MAINTENANCE_RETRY_AFTER_SECONDS=600)
    return world


COMMANDS = {
    "deposit request": lambda w: deposit_request_create(user=w["investor"], amount="50.00"),
    "deposit approval": lambda w: deposit_approve(deposit_id=w["deposit"].pk, actor=w["checker"]),
    "deposit rejection": lambda w: deposit_reject(deposit_id=w["deposit"].pk, actor=w["checker"], note="no"),
    "deposit cancel": lambda w: deposit_cancel(deposit_id=w["deposit"].pk, user=w["investor"]),
    "withdrawal request": lambda w: withdrawal_request_create(user=w["investor"], amount="20.00", address="T"),
    "withdrawal approval": lambda w: withdrawal_approve(
        withdrawal_id=w["withdrawal"].pk, actor=w["checker"], payout_hash="0xabc"
    ),
    "withdrawal rejection": lambda w: withdrawal_reject(
        withdrawal_id=w["withdrawal"].pk, actor=w["checker"], note="no"
    ),
    "withdrawal cancel": lambda w: withdrawal_cancel(withdrawal_id=w["withdrawal"].pk, user=w["investor"]),
    "adjustment": lambda w: adjustment_create(
        user_id=w["investor"].pk, amount="5.00", direction="credit", reason="r", maker=w["maker"]
    ),
    "adjustment approval": lambda w: adjustment_approve(adjustment_id=w["adjustment"].pk, checker=w["checker"]),
    "adjustment rejection": lambda w: adjustment_reject(
        adjustment_id=w["adjustment"].pk, checker=w["checker"], note="no"
    ),
    "investment": lambda w: investment_open(
        user=w["investor"], plan_id=w["plan"].pk, amount="5000.00", terms_accepted=True
    ),
    "task reward": lambda w: assignment_approve(assignment_id=w["proof"].pk, staff=w["finance"]),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_money_command_is_refused_and_changes_nothing(world, unchanged_db, command):
    with unchanged_db(), pytest.raises(MaintenanceError) as error:
        COMMANDS[command](world)

    assert (error.value.code, error.value.message, error.value.status_code) == ("maintenance", MESSAGE, 503)
    assert error.value.retry_after == 600
    assert balances(world["investor"]) == (D("9980.00"), D("20.00"), D("0.00"))


@pytest.mark.parametrize("command", COMMANDS)
def test_once_maintenance_is_off_the_same_command_goes_through(world, runtime_config, command):
    runtime_config(MAINTENANCE_MODE=False)
    COMMANDS[command](world)  # no error: it was refused for maintenance alone


def test_an_empty_message_falls_back_to_a_standard_one(world, runtime_config):
    runtime_config(MAINTENANCE_MESSAGE="  ")
    with pytest.raises(MaintenanceError) as error:
        COMMANDS["deposit request"](world)
    assert error.value.message == (
        "The platform is under maintenance: money operations are paused. Please try again later."
    )


# --- the API: 503, code, Retry-After; reads still work ----------------------------------------------------


def test_the_api_answers_503_with_the_code_and_retry_after(world, unchanged_db):
    investor_api, staff_api = api_for(world["investor"]), api_for(world["checker"])
    with unchanged_db():
        responses = [
            investor_api.post("/api/transactions/deposit/", {"amount": "50.00"}, format="json"),
            investor_api.post("/api/transactions/withdraw/", {"amount": "20.00", "wallet_address": "T"}, format="json"),
            investor_api.post("/api/transactions/cancel/", {"transaction_id": world["withdrawal"].pk}, format="json"),
            investor_api.post(
                "/api/investments/create/",
                {"pack_id": world["plan"].pk, "amount": "5000.00", "accept_terms": True},
                format="json",
                HTTP_IDEMPOTENCY_KEY="k-1",
            ),
            staff_api.post("/api/admin/transactions/approve/", {"transaction_id": world["deposit"].pk}, format="json"),
            staff_api.post(
                "/api/admin/transactions/reject/",
                {"transaction_id": world["deposit"].pk, "admin_note": "no"},
                format="json",
            ),
            staff_api.post(
                "/api/admin/users/adjust-balance/",
                {"user_id": world["investor"].pk, "amount": "5.00", "direction": "credit", "reason": "r"},
                format="json",
            ),
        ]

    for response in responses:
        assert (response.status_code, response.json(), response["Retry-After"]) == (
            503,
            {"detail": MESSAGE, "code": "maintenance"},
            "600",
        )


def test_every_operation_documented_with_503_answers_it_and_every_other_money_command_is_documented(
    world, client, unchanged_db
):
    """The schema's 503 (with Retry-After) is on exactly the API's money commands, and each of them
    answers it in maintenance mode."""
    investor_api, staff_api, finance_api = (
        api_for(world["investor"]),
        api_for(world["checker"]),
        api_for(world["finance"]),
    )
    deposit, adjustment, message = world["deposit"].pk, world["adjustment"].pk, world["proof"].message_id
    calls = {
        "/api/transactions/deposit/": (investor_api, {"amount": "50.00"}),
        "/api/transactions/withdraw/": (investor_api, {"amount": "20.00", "wallet_address": "T"}),
        "/api/transactions/cancel/": (investor_api, {"transaction_id": world["withdrawal"].pk}),
        "/api/investments/create/": (
            investor_api,
            {"pack_id": world["plan"].pk, "amount": "5000.00", "accept_terms": True},
        ),
        "/api/admin/transactions/approve/": (staff_api, {"transaction_id": deposit}),
        "/api/admin/transactions/approve/{transaction_id}/": (staff_api, {}),
        "/api/admin/transactions/reject/": (staff_api, {"transaction_id": deposit, "admin_note": "no"}),
        "/api/admin/transactions/reject/{transaction_id}/": (staff_api, {"admin_note": "no"}),
        "/api/admin/users/adjust-balance/": (
            staff_api,
            {"user_id": world["investor"].pk, "amount": "5.00", "direction": "credit", "reason": "r"},
        ),
        "/api/admin/adjustments/approve/": (staff_api, {"adjustment_id": adjustment}),
        "/api/admin/adjustments/reject/": (staff_api, {"adjustment_id": adjustment, "admin_note": "no"}),
        "/api/admin/messages/approve-link/": (finance_api, {"message_id": message}),
        "/api/admin/messages/approve-link/{message_id}/": (finance_api, {}),
    }
    schema = client.get("/api/schema/?format=json").json()
    documented = {
        path for path, operations in schema["paths"].items() if "503" in operations.get("post", {}).get("responses", {})
    }
    assert documented == set(calls)
    retry_after = schema["paths"]["/api/transactions/deposit/"]["post"]["responses"]["503"]["headers"]
    assert list(retry_after) == ["Retry-After"]

    with unchanged_db():
        for path, (api, body) in calls.items():
            url = path.replace("{transaction_id}", str(deposit)).replace("{message_id}", str(message))
            response = api.post(url, body, format="json")
            assert (response.status_code, response.json()["code"], response["Retry-After"]) == (
                503,
                "maintenance",
                "600",
            ), path


def test_api_reads_keep_working(world):
    investor_api = api_for(world["investor"])
    for path in ("/api/users/profile/", "/api/transactions/", "/api/investments/packs/", "/api/users/stats/"):
        assert investor_api.get(path).status_code == 200, path
    assert investor_api.get("/api/users/profile/").json()["balance"] == "9980.00"


# --- the portal: the message as a form error, a banner on every page --------------------------------------


def test_the_portal_shows_the_banner_and_refuses_with_the_message(world, unchanged_db):
    client = Client()
    client.force_login(world["investor"])

    for path in ("/", "/wallet/", "/plans/", "/investments/", "/messages/"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.content.decode().count('id="maintenance-banner"') == 1, path
        assert MESSAGE in page.content.decode(), path

    with unchanged_db():
        response = client.post("/wallet/deposit/", {"amount": "50.00", "method": "TRC20"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [MESSAGE]
    assert Deposit.objects.filter(user=world["investor"]).count() == 2  # the funding one and the pending one


def test_no_banner_while_maintenance_is_off(world, runtime_config):
    runtime_config(MAINTENANCE_MODE=False)
    client = Client()
    client.force_login(world["investor"])
    assert 'id="maintenance-banner"' not in client.get("/wallet/").content.decode()
    admin = Client()
    admin.force_login(world["checker"])
    assert 'id="maintenance-banner"' not in admin.get("/admin/").content.decode()


# --- the admin: a banner on every staff page, the refusal as a message ------------------------------------


def test_every_staff_page_shows_the_banner(world):
    client = Client()
    client.force_login(world["checker"])
    for path in ("/admin/", "/admin/wallet/deposit/", f"/admin/wallet/deposit/{world['deposit'].pk}/change/"):
        page = client.get(path)
        assert page.status_code == 200, path
        text = page.content.decode()
        assert text.count('id="maintenance-banner"') == 1, path
        assert "Maintenance mode is on: every money command is refused and the daily jobs wait." in text
        assert MESSAGE in text


# --- the daily jobs wait, then catch up --------------------------------------------------------------------


def test_the_daily_jobs_skip_while_on_and_catch_up_after(db, runtime_config):
    from workers.models import JobRun
    from workers.tasks import daily_investment_jobs_task, grant_milestones_task

    staff = SuperuserFactory()
    investor = UserFactory()
    with at(DAY0 - timedelta(days=1), 9):
        fund(investor, "6000.00", approver=staff)
        plan = make_plan(actor=staff)
        investment_open(user=investor, plan_id=plan.pk, amount="5000.00", terms_accepted=True)
    position = Position.objects.get()

    runtime_config(MAINTENANCE_MODE=True)
    with at(DAY0 + timedelta(days=2), 6):
        daily_investment_jobs_task()
        grant_milestones_task()
    assert (JobRun.objects.count(), Accrual.objects.count()) == (0, 0)

    runtime_config(MAINTENANCE_MODE=False)
    with at(DAY0 + timedelta(days=2), 7):
        daily_investment_jobs_task()
        grant_milestones_task()

    accrued = list(
        Accrual.objects.filter(position=position).order_by("business_date").values_list("business_date", "amount")
    )
    assert accrued == [
        (DAY0, D("250.00")),
        (DAY0 + timedelta(days=1), D("250.00")),
        (DAY0 + timedelta(days=2), D("250.00")),
    ]
    assert list(
        JobRun.objects.filter(job="accrue_returns").order_by("business_date").values_list("business_date", "status")
    ) == [(DAY0, "succeeded"), (DAY0 + timedelta(days=1), "succeeded"), (DAY0 + timedelta(days=2), "succeeded")]
    assert balances(investor)[0] == D("1750.00")  # 1,000.00 left + 3 × 250.00


def test_a_job_run_by_hand_is_refused_with_the_message(db, runtime_config):
    from apps.investments.services.accrual import accrue_returns

    runtime_config(MAINTENANCE_MODE=True, MAINTENANCE_MESSAGE=MESSAGE)
    with pytest.raises(MaintenanceError) as error:
        accrue_returns(trigger="staff")
    assert error.value.message == MESSAGE


def test_an_idempotency_key_refused_for_maintenance_can_be_sent_again_after(world, runtime_config):
    investor_api = api_for(world["investor"])
    body = {"amount": "50.00"}

    refused = investor_api.post("/api/transactions/deposit/", body, format="json", HTTP_IDEMPOTENCY_KEY="dep-1")
    runtime_config(MAINTENANCE_MODE=False)
    accepted = investor_api.post("/api/transactions/deposit/", body, format="json", HTTP_IDEMPOTENCY_KEY="dep-1")

    assert (refused.status_code, accepted.status_code) == (503, 201)
    assert accepted.json()["amount"] == "50.00"
    assert "Idempotent-Replayed" not in accepted
