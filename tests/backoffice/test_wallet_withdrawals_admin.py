"""The withdrawal queue: the payout needs its transaction hash; above the four-eyes threshold a
second staff member pays out, and the first approver is refused with a message; refusals change
nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts import roles
from apps.wallet.models import Entry, RequestStatus, Withdrawal
from apps.wallet.services.withdrawals import withdrawal_request_create
from tests.backoffice.conftest import staff_with_role
from tests.factories import UserFactory
from tests.wallet.helpers import balances, fund, kyc_approve

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/wallet/withdrawal/"
ZERO = Decimal("0.00")


@pytest.fixture
def fees(runtime_config):
    runtime_config(WITHDRAWAL_FEE_FIXED=Decimal("1.50"))


def funded_investor(amount: str, *, approver):
    user = UserFactory()
    kyc_approve(user)
    fund(user, amount, approver=approver)
    return user


def request_withdrawal(user, amount: str, address: str = "TXdestination0123456789") -> Withdrawal:
    return withdrawal_request_create(user=user, amount=amount, address=address)


def action_post(client, action: str, objects, **extra):
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects], "index": "0", **extra}
    return client.post(CHANGELIST, data)


def messages_on(client, url: str = CHANGELIST) -> list[str]:
    return [str(message) for message in client.get(url).context["messages"]]


def detail_url(withdrawal, action: str) -> str:
    return reverse(f"admin:wallet_withdrawal_{action}", args=(withdrawal.pk,))


def change_url(withdrawal) -> str:
    return reverse("admin:wallet_withdrawal_change", args=(withdrawal.pk,))


def approve_detail(client, withdrawal, **data):
    return client.post(detail_url(withdrawal, "approve_detail"), {"_form_submitted": "True", **data})


# --- list -----------------------------------------------------------------------------------------


def test_changelist_shows_fee_destination_and_approvals(finance, admin_client_for, superuser, fees):
    small_user = funded_investor("500.00", approver=superuser)
    big_user = funded_investor("20000.00", approver=superuser)
    small = request_withdrawal(small_user, "100.00")
    big = request_withdrawal(big_user, "15000.00", address="0xBigDestinationAddress42")
    client = admin_client_for(finance)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert [w.pk for w in response.context["cl"].result_list] == [big.pk, small.pk]
    model_admin = response.context["cl"].model_admin
    assert model_admin.display_fee(small) == '<span class="whitespace-nowrap">1.50 USD</span>'
    assert model_admin.display_amount(big) == '<span class="whitespace-nowrap">15,000.00 USD</span>'
    assert model_admin.display_approvals(small) == "one"
    assert model_admin.display_approvals(big) == "two needed"
    assert "0xBigD…ress42" in response.text
    assert client.get(change_url(big)).status_code == 200


def test_changelist_query_count_does_not_grow(finance, admin_client_for, superuser):
    client = admin_client_for(finance)
    client.get(CHANGELIST)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(CHANGELIST).status_code == 200
        return len(context.captured_queries)

    for _ in range(3):
        request_withdrawal(funded_investor("50.00", approver=superuser), "20.00")
    few = queries()
    for _ in range(27):
        request_withdrawal(funded_investor("50.00", approver=superuser), "20.00")
    assert queries() == few


# --- approve: the payout hash ---------------------------------------------------------------------------


def test_approve_requires_the_payout_hash(finance, admin_client_for, superuser, fees, unchanged_db):
    user = funded_investor("300.00", approver=superuser)
    withdrawal = request_withdrawal(user, "200.00")
    assert balances(user) == (Decimal("98.50"), Decimal("201.50"), ZERO)
    client = admin_client_for(finance)
    with unchanged_db():
        response = approve_detail(client, withdrawal, payout_hash="", note="")
    assert "HX-Redirect" not in response
    assert response.context["form"].errors == {"payout_hash": ["This field is required."]}

    response = approve_detail(client, withdrawal, payout_hash="0xpayout1", note="sent")
    assert response["HX-Redirect"] == change_url(withdrawal)
    assert messages_on(client, change_url(withdrawal)) == ["The withdrawal was paid out."]
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_hash, withdrawal.reviewed_by_id) == (
        RequestStatus.APPROVED,
        "0xpayout1",
        finance.pk,
    )
    assert balances(user) == (Decimal("98.50"), ZERO, ZERO)


def test_bulk_approve_asks_for_one_hash_per_withdrawal(finance, admin_client_for, superuser, unchanged_db):
    one = funded_investor("100.00", approver=superuser)
    two = funded_investor("100.00", approver=superuser)
    first, second = request_withdrawal(one, "40.00"), request_withdrawal(two, "60.00")
    client = admin_client_for(finance)
    page = action_post(client, "approve_withdrawals", [first, second])
    assert page.status_code == 200
    assert list(page.context["form"].fields) == [f"payout_hash_{first.pk}", f"payout_hash_{second.pk}", "note"]

    with unchanged_db():
        again = action_post(
            client, "approve_withdrawals", [first, second], apply="1", **{f"payout_hash_{first.pk}": "0xa"}
        )
    assert again.status_code == 200
    assert again.context["form"].errors == {f"payout_hash_{second.pk}": ["This field is required."]}

    fields = {f"payout_hash_{first.pk}": "0xa", f"payout_hash_{second.pk}": "0xb", "note": ""}
    response = action_post(client, "approve_withdrawals", [first, second], apply="1", **fields)
    assert response.status_code == 302
    assert messages_on(client) == ["Paid out 2 withdrawals."]
    assert balances(one) == (Decimal("60.00"), ZERO, ZERO)
    assert balances(two) == (Decimal("40.00"), ZERO, ZERO)


def test_a_payout_hash_used_twice_is_refused_with_a_message(finance, admin_client_for, superuser, unchanged_db):
    first = request_withdrawal(funded_investor("100.00", approver=superuser), "10.00")
    second_user = funded_investor("100.00", approver=superuser)
    second = request_withdrawal(second_user, "10.00")
    client = admin_client_for(finance)
    approve_detail(client, first, payout_hash="0xsame")
    assert messages_on(client, change_url(first)) == ["The withdrawal was paid out."]
    with unchanged_db():
        approve_detail(client, second, payout_hash="0xSAME")
    assert messages_on(client, change_url(second)) == ["This payout hash was already used."]
    assert balances(second_user) == (Decimal("90.00"), Decimal("10.00"), ZERO)


# --- four eyes ------------------------------------------------------------------------------------------


def test_four_eyes_same_staff_twice_is_refused_a_second_staff_pays_out(
    finance, admin_client_for, superuser, unchanged_db
):
    user = funded_investor("30000.00", approver=superuser)
    withdrawal = request_withdrawal(user, "12000.00")
    assert withdrawal.needs_two_approvals is True
    client = admin_client_for(finance)

    dialog = client.get(detail_url(withdrawal, "approve_detail"))
    assert dialog.context["form"].fields["payout_hash"].required is False  # a first approval pays nothing
    approve_detail(client, withdrawal, payout_hash="", note="looks right")
    assert messages_on(client, change_url(withdrawal)) == [
        "First approval recorded. A second staff member must approve to pay out."
    ]
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.first_approved_by_id) == (RequestStatus.PENDING, finance.pk)
    assert balances(user) == (Decimal("18000.00"), Decimal("12000.00"), ZERO)
    assert client.get(CHANGELIST).context["cl"].model_admin.display_approvals(withdrawal) == (
        f'first by<br><span class="text-base-500 dark:text-base-400">{finance.email}</span>'
    )

    # The same staff member again: refused by the service, shown as a message.
    assert client.get(detail_url(withdrawal, "approve_detail")).context["form"].fields["payout_hash"].required
    with unchanged_db():
        response = approve_detail(client, withdrawal, payout_hash="0xpaid", note="")
    assert response["HX-Redirect"] == change_url(withdrawal)
    assert messages_on(client, change_url(withdrawal)) == ["A second staff member must give the second approval."]

    colleague = admin_client_for(staff_with_role(roles.FINANCE))
    approve_detail(colleague, withdrawal, payout_hash="0xpaid", note="second pair of eyes")
    assert messages_on(colleague, change_url(withdrawal)) == ["The withdrawal was paid out."]
    withdrawal.refresh_from_db()
    assert withdrawal.status == RequestStatus.APPROVED
    assert withdrawal.first_approved_by_id == finance.pk
    assert withdrawal.reviewed_by_id != finance.pk
    assert balances(user) == (Decimal("18000.00"), ZERO, ZERO)


def test_bulk_first_approvals_need_no_hash(finance, admin_client_for, superuser):
    user = funded_investor("30000.00", approver=superuser)
    withdrawal = request_withdrawal(user, "11000.00")
    client = admin_client_for(finance)
    page = action_post(client, "approve_withdrawals", [withdrawal])
    assert page.context["form"].fields[f"payout_hash_{withdrawal.pk}"].required is False
    action_post(client, "approve_withdrawals", [withdrawal], apply="1", note="")
    assert messages_on(client) == ["Recorded the first approval of 1 withdrawal."]
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.first_approved_by_id) == (RequestStatus.PENDING, finance.pk)


# --- reject ------------------------------------------------------------------------------------------


def test_reject_requires_a_reason_and_releases_the_funds(finance, admin_client_for, superuser, fees, unchanged_db):
    user = funded_investor("100.00", approver=superuser)
    withdrawal = request_withdrawal(user, "50.00")
    client = admin_client_for(finance)
    with unchanged_db():
        response = client.post(detail_url(withdrawal, "reject_detail"), {"_form_submitted": "True", "note": ""})
        assert response.context["form"].errors == {"note": ["This field is required."]}
        page = action_post(client, "reject_withdrawals", [withdrawal], apply="1", note="")
        assert page.context["form"].errors == {"note": ["This field is required."]}

    action_post(client, "reject_withdrawals", [withdrawal], apply="1", note="Address is on a sanctions list")
    assert messages_on(client) == ["Rejected 1 withdrawal."]
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.admin_note) == (RequestStatus.REJECTED, "Address is on a sanctions list")
    assert balances(user) == (Decimal("100.00"), ZERO, ZERO)
    assert Entry.objects.filter(kind="withdrawal_release").count() == 1


# --- permissions ---------------------------------------------------------------------------------------


def test_support_cannot_approve(support, admin_client_for, superuser, unchanged_db):
    user = funded_investor("100.00", approver=superuser)
    withdrawal = request_withdrawal(user, "50.00")
    client = admin_client_for(support)
    assert client.get(change_url(withdrawal)).status_code == 200
    with unchanged_db():
        assert approve_detail(client, withdrawal, payout_hash="0xnope").status_code == 403
        assert (
            action_post(
                client, "approve_withdrawals", [withdrawal], apply="1", **{f"payout_hash_{withdrawal.pk}": "0xnope"}
            ).status_code
            == 200
        )
    assert balances(user) == (Decimal("50.00"), Decimal("50.00"), ZERO)
