"""Adjustments through the admin: the add form is ``adjustment_create`` (applied at once up to the
four-eyes threshold, waiting for a checker above it); the maker never checks their own; a refusal
is a form error or a message and changes nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts import roles
from apps.wallet.models import Adjustment, Entry, RequestStatus
from apps.wallet.services.adjustments import adjustment_create
from tests.backoffice.conftest import staff_with_role
from tests.factories import UserFactory
from tests.wallet.helpers import balances, fund

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/wallet/adjustment/"
ADD = "/admin/wallet/adjustment/add/"
ZERO = Decimal("0.00")


def add(client, user, *, amount: str, direction: str = "credit", reason: str = "Goodwill for a delayed payout"):
    return client.post(
        ADD, {"user": str(user.pk), "direction": direction, "amount": amount, "reason": reason, "_save": "Save"}
    )


def action_post(client, action: str, objects, **extra):
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects], "index": "0", **extra}
    return client.post(CHANGELIST, data)


def messages_on(client, url: str = CHANGELIST) -> list[str]:
    return [str(message) for message in client.get(url).context["messages"]]


def change_url(adjustment) -> str:
    return reverse("admin:wallet_adjustment_change", args=(adjustment.pk,))


def detail_post(client, adjustment, action: str, **data):
    url = reverse(f"admin:wallet_adjustment_{action}", args=(adjustment.pk,))
    return client.post(url, {"_form_submitted": "True", **data})


def test_add_form_renders(finance, admin_client_for):
    response = admin_client_for(finance).get(ADD)
    assert response.status_code == 200
    assert list(response.context["adminform"].form.fields) == ["user", "direction", "amount", "reason"]


def test_a_credit_up_to_the_threshold_applies_at_once(finance, admin_client_for, investor):
    client = admin_client_for(finance)
    response = add(client, investor, amount="75.25")
    adjustment = Adjustment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == change_url(adjustment)
    assert messages_on(client, change_url(adjustment)) == [f"Adjustment #{adjustment.pk} applied: 75.25 USD credit."]
    assert (adjustment.status, adjustment.maker_id, adjustment.checker_id) == (RequestStatus.APPROVED, finance.pk, None)
    assert balances(investor) == (Decimal("75.25"), ZERO, ZERO)


def test_a_debit_applies_at_once(finance, admin_client_for, investor, superuser):
    fund(investor, "100.00", approver=superuser)
    add(admin_client_for(finance), investor, amount="30.00", direction="debit", reason="Reverse a duplicate credit")
    assert balances(investor) == (Decimal("70.00"), ZERO, ZERO)


def test_above_the_threshold_it_waits_and_the_maker_cannot_approve(
    finance, admin_client_for, investor, unchanged_db, settings
):
    client = admin_client_for(finance)
    add(client, investor, amount="10000.01")
    adjustment = Adjustment.objects.get()
    assert messages_on(client, change_url(adjustment)) == [
        f"Adjustment #{adjustment.pk} (10,000.01 USD credit) is above 10,000.00 USD and waits for a second "
        "staff member to approve it."
    ]
    assert adjustment.status == RequestStatus.PENDING
    assert balances(investor) == (ZERO, ZERO, ZERO)

    with unchanged_db():
        response = detail_post(client, adjustment, "approve_detail", note="")
        assert response["HX-Redirect"] == change_url(adjustment)
        assert messages_on(client, change_url(adjustment)) == [
            "Another staff member must check an adjustment you made."
        ]
        action_post(client, "approve_adjustments", [adjustment], apply="1", note="")
        assert messages_on(client) == [
            f"Adjustment #{adjustment.pk}: Another staff member must check an adjustment you made.",
            "Nothing was changed.",
        ]

    checker = staff_with_role(roles.FINANCE)
    colleague = admin_client_for(checker)
    detail_post(colleague, adjustment, "approve_detail", note="Confirmed with the investor")
    assert messages_on(colleague, change_url(adjustment)) == ["The adjustment was approved and posted."]
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.checker_id, adjustment.check_note) == (
        RequestStatus.APPROVED,
        checker.pk,
        "Confirmed with the investor",
    )
    assert balances(investor) == (Decimal("10000.01"), ZERO, ZERO)


def test_checker_rejects_with_a_required_note(finance, admin_client_for, investor, superuser, unchanged_db):
    adjustment = adjustment_create(
        user_id=investor.pk, amount="20000.00", direction="credit", reason="Large goodwill", maker=superuser
    )
    client = admin_client_for(finance)
    with unchanged_db():
        response = detail_post(client, adjustment, "reject_detail", note="")
    assert response.context["form"].errors == {"note": ["This field is required."]}
    action_post(client, "reject_adjustments", [adjustment], apply="1", note="Not justified")
    assert messages_on(client) == ["Rejected 1 adjustment."]
    adjustment.refresh_from_db()
    assert (adjustment.status, adjustment.checker_id) == (RequestStatus.REJECTED, finance.pk)
    assert balances(investor) == (ZERO, ZERO, ZERO)


@pytest.mark.parametrize(
    ("amount", "direction", "errors"),
    [
        ("0", "credit", {"amount": ["Ensure this value is greater than or equal to 0.01."]}),
        ("1.005", "credit", {"amount": ["Ensure that there are no more than 2 decimal places."]}),
        ("-5", "credit", {"amount": ["Ensure this value is greater than or equal to 0.01."]}),
        ("10.00", "sideways", {"direction": ["Select a valid choice. sideways is not one of the available choices."]}),
        ("50.00", "debit", {"__all__": ["Not enough funds: available balance is 20.00."]}),
    ],
)
def test_bad_input_is_a_form_error_and_changes_nothing(
    amount, direction, errors, finance, admin_client_for, investor, superuser, unchanged_db
):
    fund(investor, "20.00", approver=superuser)
    client = admin_client_for(finance)
    with unchanged_db():
        response = add(client, investor, amount=amount, direction=direction)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == errors
    assert balances(investor) == (Decimal("20.00"), ZERO, ZERO)


def test_own_account_is_refused(finance, admin_client_for, unchanged_db):
    client = admin_client_for(finance)
    with unchanged_db():
        response = add(client, finance, amount="10.00")
    assert response.context["adminform"].form.errors == {"__all__": ["You cannot review your own request."]}


def test_existing_adjustments_cannot_be_edited_or_deleted(finance, admin_client_for, investor, unchanged_db):
    add(admin_client_for(finance), investor, amount="5.00")
    adjustment = Adjustment.objects.get()
    client = admin_client_for(finance)
    page = client.get(change_url(adjustment))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    with unchanged_db():
        assert client.post(change_url(adjustment), {"amount": "500.00", "reason": "x"}).status_code == 403
        assert client.post(f"{CHANGELIST}{adjustment.pk}/delete/", {"post": "yes"}).status_code == 403


def test_support_can_neither_add_nor_check(support, admin_client_for, investor, superuser, unchanged_db):
    adjustment = adjustment_create(
        user_id=investor.pk, amount="15000.00", direction="credit", reason="Large goodwill", maker=superuser
    )
    client = admin_client_for(support)
    other = UserFactory()
    with unchanged_db():
        assert client.get(CHANGELIST).status_code == 403  # Support has no view_adjustment
        assert add(client, other, amount="5.00").status_code == 403
        assert detail_post(client, adjustment, "approve_detail").status_code == 403
    assert Entry.objects.filter(kind="adjustment").count() == 0


def test_operations_sees_nothing_of_adjustments(operations, admin_client_for):
    assert admin_client_for(operations).get(CHANGELIST).status_code == 403
