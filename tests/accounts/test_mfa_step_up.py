"""Step-up two-factor authentication: approving a withdrawal or an adjustment and paying a task
reward ask for a fresh code once the session's (admin) or the token's (API) last code is older
than ``MFA_STEP_UP_MINUTES``; a missing or wrong code changes nothing, and wrong codes count
toward the lock-out."""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.lockout import lockout_status_for_user
from apps.accounts.mfa.selectors import SESSION_VERIFIED_AT
from apps.accounts.roles import FINANCE
from apps.accounts.services import auth_tokens_issue
from apps.messaging.models import AssignmentStatus, TaskAssignment
from apps.wallet.models import Adjustment, Entry, RequestStatus, Withdrawal
from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.accounts.mfa_helpers import device_for, totp_code, verified_client, wrong_code
from tests.backoffice.conftest import staff_with_role
from tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory
from tests.messaging.helpers import assignment_submitted
from tests.wallet.helpers import balances, fund, kyc_approve

pytestmark = pytest.mark.django_db

D = Decimal
STALE = 16 * 60  # seconds: older than MFA_STEP_UP_MINUTES (15)
API_APPROVE = "/api/admin/transactions/approve/"
API_ADJUSTMENT_APPROVE = "/api/admin/adjustments/approve/"
API_PROOF_APPROVE = "/api/admin/messages/approve-link/"
STEP_UP_REQUIRED = {
    "detail": (
        "This action needs a fresh two-factor code: send the current code of your authenticator app in the X-OTP "
        "header, or sign in again."
    ),
    "code": "otp_step_up_required",
}
OTP_INVALID = {"detail": "This code is not valid.", "code": "otp_invalid"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # throttle counters outlive a test
    yield


@pytest.fixture
def finance(db):
    user = staff_with_role(FINANCE)
    user.device = device_for(user)
    return user


@pytest.fixture
def investor_funded(db, superuser):
    investor = UserFactory()
    kyc_approve(investor)
    fund(investor, "1000.00", approver=superuser)
    return investor


@pytest.fixture
def withdrawal(investor_funded) -> Withdrawal:
    return withdrawal_request_create(user=investor_funded, amount="300.00", address="TXdestination0123456789")


def withdrawal_dialog(withdrawal) -> str:
    return reverse("admin:wallet_withdrawal_approve_detail", args=(withdrawal.pk,))


def withdrawal_state(withdrawal) -> tuple:
    withdrawal.refresh_from_db()
    return withdrawal.status, withdrawal.payout_hash, withdrawal.reviewed_by_id, Entry.objects.count()


def session_verified_at(client) -> int | None:
    return client.session.get(SESSION_VERIFIED_AT)


# --- the back office ------------------------------------------------------------------------------


def test_a_fresh_session_approves_without_a_code(finance, withdrawal, investor_funded):
    client = verified_client(finance, finance.device)

    dialog = client.get(withdrawal_dialog(withdrawal))
    response = client.post(withdrawal_dialog(withdrawal), {"_form_submitted": "True", "payout_hash": "0xPAY"})

    assert dialog.status_code == 200
    assert "otp" not in dialog.context["form"].fields
    assert response.status_code == 200 and response.headers["HX-Redirect"]
    assert withdrawal_state(withdrawal)[:3] == (RequestStatus.APPROVED, "0xPAY", finance.pk)
    assert balances(investor_funded) == (D("700.00"), D("0.00"), D("0.00"))


def test_the_dialog_asks_for_a_code_once_the_last_is_stale(finance, withdrawal, investor_funded):
    client = verified_client(finance, finance.device)
    before = withdrawal_state(withdrawal)

    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        dialog = client.get(withdrawal_dialog(withdrawal))
        missing = client.post(withdrawal_dialog(withdrawal), {"_form_submitted": "True", "payout_hash": "0xPAY"})

    assert "otp" in dialog.context["form"].fields
    assert 'autocomplete="one-time-code"' in dialog.text
    assert missing.status_code == 200 and "HX-Redirect" not in missing.headers
    assert missing.context["form"].errors == {"otp": ["This field is required."]}
    assert withdrawal_state(withdrawal) == before
    assert balances(investor_funded) == (D("700.00"), D("300.00"), D("0.00"))


def test_a_wrong_code_changes_nothing_and_counts_toward_the_lockout(finance, withdrawal, investor_funded):
    client = verified_client(finance, finance.device, verified_at=time.time() - STALE)
    before = withdrawal_state(withdrawal)

    response = client.post(
        withdrawal_dialog(withdrawal),
        {"_form_submitted": "True", "payout_hash": "0xPAY", "otp": wrong_code(finance.device)},
    )

    assert response.context["form"].errors == {"otp": ["This code is not valid."]}
    assert withdrawal_state(withdrawal) == before
    assert balances(investor_funded) == (D("700.00"), D("300.00"), D("0.00"))
    assert lockout_status_for_user(user=finance).failures == 1
    assert session_verified_at(client) < time.time() - STALE + 5


def test_a_right_code_approves_and_makes_the_session_fresh(finance, withdrawal, investor_funded):
    client = verified_client(finance, finance.device, verified_at=time.time() - STALE)

    response = client.post(
        withdrawal_dialog(withdrawal),
        {"_form_submitted": "True", "payout_hash": "0xPAY", "otp": totp_code(finance.device)},
    )

    assert response.headers["HX-Redirect"] == reverse("admin:wallet_withdrawal_change", args=(withdrawal.pk,))
    assert withdrawal_state(withdrawal)[:3] == (RequestStatus.APPROVED, "0xPAY", finance.pk)
    assert balances(investor_funded) == (D("700.00"), D("0.00"), D("0.00"))
    assert abs(session_verified_at(client) - time.time()) <= 2
    assert lockout_status_for_user(user=finance).failures == 0


def test_a_code_is_not_spent_on_a_form_refused_for_another_reason(finance, withdrawal):
    client = verified_client(finance, finance.device, verified_at=time.time() - STALE)
    code = totp_code(finance.device)

    refused = client.post(withdrawal_dialog(withdrawal), {"_form_submitted": "True", "otp": code})
    accepted = client.post(
        withdrawal_dialog(withdrawal), {"_form_submitted": "True", "payout_hash": "0xP", "otp": code}
    )

    assert refused.context["form"].errors == {"payout_hash": ["This field is required."]}
    assert accepted.headers["HX-Redirect"]
    assert withdrawal_state(withdrawal)[0] == RequestStatus.APPROVED


def test_wrong_codes_lock_the_account_out_and_end_the_session(finance, withdrawal, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = verified_client(finance, finance.device, verified_at=time.time() - STALE)
    before = withdrawal_state(withdrawal)
    data = {"_form_submitted": "True", "payout_hash": "0xPAY", "otp": wrong_code(finance.device)}

    first = client.post(withdrawal_dialog(withdrawal), data)
    second = client.post(withdrawal_dialog(withdrawal), data)
    after = client.get(reverse("admin:wallet_withdrawal_change", args=(withdrawal.pk,)))

    assert first.context["form"].errors == {"otp": ["This code is not valid."]}
    assert second.context["form"].errors == {
        "otp": ["Too many wrong codes: you were signed out. Try again in 15 minutes."]
    }
    assert lockout_status_for_user(user=finance).locked is True
    assert after.status_code == 302 and after.url.startswith(reverse("admin:login"))
    assert withdrawal_state(withdrawal) == before


def test_bulk_adjustment_approval_asks_for_the_code_on_its_page(
    finance, investor_funded, runtime_config, django_user_model
):
    runtime_config(FOUR_EYES_THRESHOLD=D("100.00"))
    maker = StaffFactory()
    adjustment = adjustment_create(
        user_id=investor_funded.pk, amount="500.00", direction="credit", reason="goodwill", maker=maker
    )
    checker = django_user_model.objects.get(pk=finance.pk)
    client = verified_client(checker, finance.device, verified_at=time.time() - STALE)
    data = {"action": "approve_adjustments", "_selected_action": [str(adjustment.pk)], "index": "0"}

    page = client.post("/admin/wallet/adjustment/", data)
    wrong = client.post("/admin/wallet/adjustment/", {**data, "apply": "1", "otp": wrong_code(finance.device)})
    adjustment.refresh_from_db()
    status_after_wrong = adjustment.status
    balance_after_wrong = balances(investor_funded)[0]
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=False):  # past django-otp's throttle
        right = client.post("/admin/wallet/adjustment/", {**data, "apply": "1", "otp": totp_code(finance.device)})

    assert "otp" in page.context["form"].fields
    assert wrong.context["form"].errors == {"otp": ["This code is not valid."]}
    assert (status_after_wrong, balance_after_wrong) == (RequestStatus.PENDING, D("1000.00"))
    assert right.status_code == 302
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.checker_id) == (RequestStatus.APPROVED, finance.pk)
    assert balances(investor_funded)[0] == D("1500.00")


def test_paying_a_task_reward_asks_for_a_code(finance, investor_funded):
    proof = assignment_submitted(investor_funded, reward="5.00")
    url = reverse("admin:messaging_taskassignment_approve", args=(proof.pk,))
    client = verified_client(finance, finance.device, verified_at=time.time() - STALE)

    missing = client.post(url, {"_form_submitted": "True"})
    proof.refresh_from_db()
    state_after_missing = (proof.status, proof.entry_id, balances(investor_funded)[0])
    right = client.post(url, {"_form_submitted": "True", "otp": totp_code(finance.device)})

    assert missing.context["form"].errors == {"otp": ["This field is required."]}
    assert state_after_missing == (AssignmentStatus.SUBMITTED, None, D("1000.00"))
    assert right.headers["HX-Redirect"]
    proof = TaskAssignment.objects.get(pk=proof.pk)
    assert proof.status == AssignmentStatus.APPROVED
    assert balances(investor_funded)[0] == D("1005.00")


def test_rejecting_needs_no_step_up(finance, withdrawal, investor_funded):
    client = verified_client(finance, finance.device, verified_at=time.time() - STALE)
    url = reverse("admin:wallet_withdrawal_reject_detail", args=(withdrawal.pk,))

    response = client.post(url, {"_form_submitted": "True", "note": "Wrong address"})

    assert response.headers["HX-Redirect"]
    assert withdrawal_state(withdrawal)[0] == RequestStatus.REJECTED
    assert balances(investor_funded) == (D("1000.00"), D("0.00"), D("0.00"))


# --- the API ----------------------------------------------------------------------------------------


def api_with(user, *, otp_verified: bool) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {auth_tokens_issue(user=user, otp_verified=otp_verified)['access']}")
    return client


def test_api_a_token_without_a_recent_code_cannot_approve_a_withdrawal(finance, withdrawal, unchanged_db):
    client = api_with(finance, otp_verified=False)

    with unchanged_db():
        response = client.post(
            API_APPROVE, {"transaction_id": withdrawal.pk, "transaction_hash": "0xPAY"}, format="json"
        )

    assert (response.status_code, response.json()) == (403, STEP_UP_REQUIRED)


def test_api_a_wrong_x_otp_changes_nothing_and_counts(finance, withdrawal, investor_funded):
    client = api_with(finance, otp_verified=False)
    before = withdrawal_state(withdrawal)

    response = client.post(
        API_APPROVE,
        {"transaction_id": withdrawal.pk, "transaction_hash": "0xPAY"},
        format="json",
        HTTP_X_OTP=wrong_code(finance.device),
    )

    assert (response.status_code, response.json()) == (403, OTP_INVALID)
    assert withdrawal_state(withdrawal) == before
    assert balances(investor_funded) == (D("700.00"), D("300.00"), D("0.00"))
    assert lockout_status_for_user(user=finance).failures == 1


def test_api_a_right_x_otp_approves_even_after_a_refusal_under_the_same_key(finance, withdrawal, investor_funded):
    client = api_with(finance, otp_verified=False)
    body = {"transaction_id": withdrawal.pk, "transaction_hash": "0xPAY"}

    refused = client.post(API_APPROVE, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    approved = client.post(
        API_APPROVE, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1", HTTP_X_OTP=totp_code(finance.device)
    )

    assert refused.status_code == 403
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert balances(investor_funded) == (D("700.00"), D("0.00"), D("0.00"))


def test_api_deposits_need_no_step_up(finance, investor_funded, superuser):
    deposit = deposit_request_create(user=investor_funded, amount="50.00")
    client = api_with(superuser, otp_verified=False)

    response = client.post(API_APPROVE, {"transaction_id": deposit.pk}, format="json")

    assert response.status_code == 200
    assert balances(investor_funded)[0] == D("1050.00")


def test_api_login_with_a_code_is_fresh_then_its_refreshed_tokens_go_stale(finance, withdrawal, investor_funded):
    api = APIClient()
    login = api.post(
        "/api/auth/login/",
        {"email": finance.email, "password": DEFAULT_PASSWORD, "otp": totp_code(finance.device)},
        format="json",
    ).json()
    body = {"transaction_id": withdrawal.pk, "transaction_hash": "0xPAY"}

    api.credentials(HTTP_AUTHORIZATION=f"Bearer {login['access']}")
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        refreshed = APIClient().post("/api/auth/token/refresh/", {"refresh": login["refresh"]}, format="json").json()
        stale = APIClient()
        stale.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed['access']}")
        refused = stale.post(API_APPROVE, body, format="json")
    fresh = api.post(API_APPROVE, body, format="json")

    assert (refused.status_code, refused.json()) == (403, STEP_UP_REQUIRED)
    assert fresh.status_code == 200
    assert withdrawal_state(withdrawal)[:3] == (RequestStatus.APPROVED, "0xPAY", finance.pk)


def test_api_adjustment_approval_and_task_reward_need_step_up(finance, investor_funded, runtime_config):
    runtime_config(FOUR_EYES_THRESHOLD=D("100.00"))
    adjustment = adjustment_create(
        user_id=investor_funded.pk, amount="500.00", direction="credit", reason="goodwill", maker=StaffFactory()
    )
    proof = assignment_submitted(investor_funded, reward="5.00")
    client = api_with(finance, otp_verified=False)

    adjustment_refused = client.post(API_ADJUSTMENT_APPROVE, {"adjustment_id": adjustment.pk}, format="json")
    proof_refused = client.post(API_PROOF_APPROVE, {"message_id": proof.message_id}, format="json")
    proof_by_path_refused = client.post(f"{API_PROOF_APPROVE}{proof.message_id}/")
    still = (Adjustment.objects.get(pk=adjustment.pk).status, TaskAssignment.objects.get(pk=proof.pk).status)
    balance = balances(investor_funded)[0]
    fresh = api_with(finance, otp_verified=True)
    adjustment_ok = fresh.post(API_ADJUSTMENT_APPROVE, {"adjustment_id": adjustment.pk}, format="json")
    proof_ok = fresh.post(API_PROOF_APPROVE, {"message_id": proof.message_id}, format="json")

    assert [r.json()["code"] for r in (adjustment_refused, proof_refused, proof_by_path_refused)] == [
        "otp_step_up_required"
    ] * 3
    assert still == (RequestStatus.PENDING, AssignmentStatus.SUBMITTED)
    assert balance == D("1000.00")
    assert (adjustment_ok.status_code, proof_ok.status_code) == (200, 200)
    assert balances(investor_funded)[0] == D("1505.00")


def test_the_schema_documents_the_header_and_the_codes(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/admin/transactions/approve/"]["post"]

    assert "X-OTP" in [parameter["name"] for parameter in operation["parameters"]]
    assert "`otp_step_up_required`" in operation["responses"]["403"]["description"]


# --- runtime settings ----------------------------------------------------------------------------------

SETTINGS_PAGE = "/admin/constance/config/"


def settings_post_data(client, **changes) -> dict:
    """What the settings page posts back, with ``changes`` applied (a false boolean is left out,
    as an unticked box is)."""
    form = client.get(SETTINGS_PAGE).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data.update(changes)
    return {name: str(value) for name, value in data.items() if value is not False and value is not None}


def fee_in_force() -> Decimal:
    from apps.controls.runtime import runtime_setting

    return runtime_setting("WITHDRAWAL_FEE_FIXED")


def test_a_stale_session_confirms_a_settings_save_with_a_code(superuser):
    device = device_for(superuser)
    client = verified_client(superuser, device, verified_at=time.time() - STALE)
    data = settings_post_data(client, WITHDRAWAL_FEE_FIXED="2.50")
    before = fee_in_force()

    asked = client.post(SETTINGS_PAGE, data)
    fee_after_ask = fee_in_force()
    wrong = client.post(SETTINGS_PAGE, {**data, "_step_up_otp": wrong_code(device)})
    fee_after_wrong = fee_in_force()
    with time_machine.travel(timezone.now() + timedelta(seconds=40), tick=False):  # past django-otp's throttle
        saved = client.post(SETTINGS_PAGE, {**data, "_step_up_otp": totp_code(device)})

    assert asked.status_code == 200
    assert asked.templates[0].name == "admin/mfa/step_up.html"
    assert '<input type="hidden" name="WITHDRAWAL_FEE_FIXED" value="2.50">' in asked.text
    assert fee_after_ask == before
    assert wrong.status_code == 403
    assert wrong.context["form"].errors == {"_step_up_otp": ["This code is not valid."]}
    assert fee_after_wrong == before
    assert lockout_status_for_user(user=superuser).failures == 1
    assert (saved.status_code, saved.url) == (302, SETTINGS_PAGE)
    assert fee_in_force() == D("2.50")


def test_a_fresh_session_saves_settings_at_once(superuser):
    device = device_for(superuser)
    client = verified_client(superuser, device)

    response = client.post(SETTINGS_PAGE, settings_post_data(client, WITHDRAWAL_FEE_FIXED="3.00"))

    assert (response.status_code, response.url) == (302, SETTINGS_PAGE)
    assert fee_in_force() == D("3.00")


# --- making an adjustment: at or under the four-eyes threshold it is posted at once (an approval) -----

ADJUSTMENT_ADD = "/admin/wallet/adjustment/add/"
API_ADJUST = "/api/admin/users/adjust-balance/"


def adjustment_post(investor, **extra) -> dict:
    return {"user": investor.pk, "direction": "credit", "amount": "25.00", "reason": "Goodwill", **extra}


def test_a_stale_session_makes_an_adjustment_only_with_a_fresh_code(superuser, investor_funded, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's pause after a wrong code, out of the way
    device = device_for(superuser)
    client = verified_client(superuser, device, verified_at=time.time() - STALE)

    page = client.get(ADJUSTMENT_ADD)
    missing = client.post(ADJUSTMENT_ADD, adjustment_post(investor_funded))
    wrong = client.post(ADJUSTMENT_ADD, adjustment_post(investor_funded, otp=wrong_code(device)))

    assert page.status_code == 200 and 'name="otp"' in page.text and 'autocomplete="one-time-code"' in page.text
    assert missing.context["adminform"].form.errors == {"otp": ["This field is required."]}
    assert wrong.context["adminform"].form.errors == {"otp": ["This code is not valid."]}
    assert Adjustment.objects.count() == 0
    assert balances(investor_funded) == (D("1000.00"), D("0.00"), D("0.00"))

    made = client.post(ADJUSTMENT_ADD, adjustment_post(investor_funded, otp=totp_code(device)))

    (adjustment,) = Adjustment.objects.all()
    assert made.status_code == 302 and adjustment.status == RequestStatus.APPROVED
    assert balances(investor_funded) == (D("1025.00"), D("0.00"), D("0.00"))
    assert abs(session_verified_at(client) - time.time()) <= 2


def test_a_fresh_session_makes_an_adjustment_without_a_code(superuser, investor_funded):
    client = verified_client(superuser, device_for(superuser))

    page = client.get(ADJUSTMENT_ADD)
    made = client.post(ADJUSTMENT_ADD, adjustment_post(investor_funded))

    assert 'name="otp"' not in page.text
    assert made.status_code == 302
    assert balances(investor_funded) == (D("1025.00"), D("0.00"), D("0.00"))


def test_api_making_an_adjustment_needs_step_up(superuser, investor_funded, unchanged_db):
    device = device_for(superuser)
    body = {"user_id": investor_funded.pk, "amount": "25.00", "direction": "credit", "reason": "Goodwill"}

    stale = api_with(superuser, otp_verified=False)
    with unchanged_db():
        refused = stale.post(API_ADJUST, body, format="json")
    made = stale.post(API_ADJUST, body, format="json", HTTP_X_OTP=totp_code(device))

    assert (refused.status_code, refused.json()) == (403, STEP_UP_REQUIRED)
    assert made.status_code == 201 and made.json()["status"] == "approved"
    assert balances(investor_funded) == (D("1025.00"), D("0.00"), D("0.00"))
