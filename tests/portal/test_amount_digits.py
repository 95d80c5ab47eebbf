"""Amounts are ASCII digits with one optional decimal point, in the portal and the admin as in
the API: Arabic-Indic, full-width or Devanagari digits and exponents are refused with the message
a bad amount gets today, not read as 100.00. ASCII spaces around an amount are stripped."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from apps.accounts import roles
from apps.common.errors import ApplicationError
from apps.investments.models import Position
from apps.investments.selectors import plan_terms_version
from apps.wallet.models import Adjustment, Deposit, Withdrawal
from apps.wallet.services.common import amount_clean
from tests.backoffice.conftest import staff_with_role
from tests.investments.helpers import make_plan
from tests.portal.conftest import form_errors
from tests.wallet.helpers import balances, fund, kyc_approve

pytestmark = pytest.mark.django_db

NOT_ASCII = ["١٠٠", "１００", "१००", "1e2", "1E2", "1e+2", "١٠٠.٠٠", "100.", ".5", "+100", "1_000", "100 00"]
ADDRESS = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"
D = Decimal


def _client(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


@pytest.fixture
def funded(investor, staff):
    kyc_approve(investor)
    fund(investor, "20000.00", approver=staff)
    return investor


@pytest.mark.parametrize("text", NOT_ASCII)
def test_amount_clean_refuses_anything_but_ascii_digits(text):
    with pytest.raises(ApplicationError) as error:
        amount_clean(text)
    assert (error.value.code, error.value.message, error.value.field) == (
        "invalid_amount",
        "Enter a valid amount.",
        "amount",
    )


@pytest.mark.parametrize(
    ("text", "amount"), [("100", D("100.00")), (" 100.5\t", D("100.50")), ("\r\n7.25 ", D("7.25")), (12, D("12.00"))]
)
def test_amount_clean_reads_plain_amounts_and_strips_ascii_spaces(text, amount):
    assert amount_clean(text) == amount


@pytest.mark.parametrize("text", ["\u00a0100", "100\u3000"])
def test_amount_clean_strips_only_ascii_spaces(text):
    with pytest.raises(ApplicationError) as error:
        amount_clean(text)
    assert error.value.message == "Enter a valid amount."


@pytest.mark.parametrize("text", NOT_ASCII)
def test_portal_deposit_refuses(investor, unchanged_db, text):
    client = _client(investor)
    with unchanged_db():
        response = client.post(
            reverse("portal:wallet_deposit"), {"amount": text, "method": "Bank wire", "transaction_hash": ""}
        )
    assert response.status_code == 200
    assert form_errors(response) == {"amount": ["Enter a valid amount."]}
    assert Deposit.objects.count() == 0


@pytest.mark.parametrize("text", NOT_ASCII)
def test_portal_withdrawal_refuses(funded, unchanged_db, text):
    client = _client(funded)
    with unchanged_db():
        response = client.post(reverse("portal:wallet_withdraw"), {"amount": text, "address": ADDRESS})
    assert response.status_code == 200
    assert form_errors(response) == {"amount": ["Enter a valid amount."]}
    assert Withdrawal.objects.count() == 0


@pytest.mark.parametrize("text", NOT_ASCII)
def test_portal_investment_refuses(funded, staff, unchanged_db, text):
    plan = make_plan(actor=staff, min_amount="50.00")
    data = {"amount": text, "terms_version": plan_terms_version(plan), "accept_terms": "on", "confirm": "1"}
    url = reverse("portal:plan_invest", args=[plan.pk])
    client = _client(funded)
    with unchanged_db():
        preview = client.get(url, {"amount": text})
        confirm = client.post(url, data)
    assert form_errors(preview) == {"amount": ["Enter a valid amount."]}
    assert preview.context["quote"] is None
    assert confirm.status_code == 200
    assert form_errors(confirm) == {"amount": ["Enter a valid amount."]}
    assert Position.objects.count() == 0
    assert balances(funded) == (D("20000.00"), D("0.00"), D("0.00"))


def test_portal_deposit_with_spaces_around_the_amount_is_accepted(investor):
    response = _client(investor).post(
        reverse("portal:wallet_deposit"), {"amount": " 100.00 ", "method": "Bank wire", "transaction_hash": ""}
    )
    assert response.status_code == 302
    assert Deposit.objects.get(user=investor).amount == D("100.00")


@pytest.mark.parametrize("text", NOT_ASCII)
def test_admin_adjustment_refuses(investor, unchanged_db, text):
    client = Client()
    client.force_login(staff_with_role(roles.FINANCE))
    client.get("/admin/")  # the session is settled before the snapshot
    with unchanged_db():
        response = client.post(
            "/admin/wallet/adjustment/add/",
            {"user": str(investor.pk), "direction": "credit", "amount": text, "reason": "goodwill", "_save": "Save"},
        )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"amount": ["Enter a number."]}
    assert Adjustment.objects.count() == 0
