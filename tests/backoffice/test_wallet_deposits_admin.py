"""The deposit queue: approve and reject through the services, from the changelist (bulk, with an
intermediate page) and from the change page (dialogs); exactly once; refusals change nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.wallet.models import Deposit, Entry, RequestStatus
from apps.wallet.services.deposits import deposit_approve, deposit_request_create
from tests.factories import StaffFactory, UserFactory
from tests.wallet.helpers import balances

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/wallet/deposit/"


def request_deposit(user, amount: str, **kwargs) -> Deposit:
    return deposit_request_create(user=user, amount=amount, **kwargs)


def action_post(client, action: str, objects, **extra):
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objects], "index": "0", **extra}
    return client.post(CHANGELIST, data)


def messages_on(client, url: str = CHANGELIST) -> list[str]:
    return [str(message) for message in client.get(url).context["messages"]]


def detail_url(deposit, action: str) -> str:
    return reverse(f"admin:wallet_deposit_{action}", args=(deposit.pk,))


def change_url(deposit) -> str:
    return reverse("admin:wallet_deposit_change", args=(deposit.pk,))


# --- list -----------------------------------------------------------------------------------------


def test_pending_deposits_come_first_then_the_newest(finance, admin_client_for, investor, superuser):
    old_pending = request_deposit(investor, "10.00")
    approved = request_deposit(investor, "20.00")
    deposit_approve(deposit_id=approved.pk, actor=superuser)
    new_pending = request_deposit(investor, "30.00")
    response = admin_client_for(finance).get(CHANGELIST)
    assert response.status_code == 200
    assert [deposit.pk for deposit in response.context["cl"].result_list] == [
        new_pending.pk,
        old_pending.pk,
        approved.pk,
    ]


def test_changelist_columns_and_change_page(finance, admin_client_for, investor):
    deposit = request_deposit(
        investor, "1234.50", method="TRC20", sender_address="TXsender0123456789abcdef", transaction_hash="0xabc123"
    )
    client = admin_client_for(finance)
    response = client.get(CHANGELIST)
    assert "1,234.50 USD" in response.text
    assert investor.email in response.text
    assert "TXsend…abcdef" in response.text
    page = client.get(change_url(deposit))
    assert page.status_code == 200
    assert [action["title"] for action in page.context["actions_detail"]] == ["Approve", "Reject"]
    assert page.context["has_change_permission"] is False  # read-only: amounts are never edited


def test_search_and_filters(finance, admin_client_for, investor):
    other = UserFactory(email="someone.else@example.com")
    small = request_deposit(investor, "15.00", transaction_hash="0xSMALL")
    big = request_deposit(other, "500.00", transaction_hash="0xBIG")
    client = admin_client_for(finance)

    def listed(query: str) -> list[int]:
        response = client.get(f"{CHANGELIST}?{query}")
        assert response.status_code == 200
        return sorted(deposit.pk for deposit in response.context["cl"].result_list)

    assert listed("q=someone.else") == [big.pk]
    assert listed("q=0xsmall") == [small.pk]
    assert listed("amount_from=100&amount_to=1000") == [big.pk]
    assert listed(f"user__id__exact={investor.pk}") == [small.pk]
    assert listed("status__exact=approved") == []


def test_changelist_query_count_does_not_grow(finance, admin_client_for):
    client = admin_client_for(finance)
    client.get(CHANGELIST)  # warm caches (content types, permissions)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(CHANGELIST).status_code == 200
        return len(context.captured_queries)

    for _ in range(3):
        request_deposit(UserFactory(), "25.00")
    few = queries()
    for _ in range(27):
        request_deposit(UserFactory(), "25.00")
    assert queries() == few


def test_no_add_change_or_delete(finance, admin_client_for, investor, unchanged_db):
    deposit = request_deposit(investor, "50.00")
    client = admin_client_for(finance)
    with unchanged_db():
        assert client.get(f"{CHANGELIST}add/").status_code == 403
        assert client.post(change_url(deposit), {"amount": "5000.00", "status": "approved"}).status_code == 403
        assert client.post(f"{change_url(deposit)[:-7]}delete/", {"post": "yes"}).status_code == 403


# --- bulk actions -----------------------------------------------------------------------------------


def test_bulk_approve_asks_for_a_note_then_credits_each_exactly(finance, admin_client_for):
    investors = [UserFactory() for _ in range(3)]
    deposits = [
        request_deposit(user, amount) for user, amount in zip(investors, ("10.00", "250.50", "1000.01"), strict=True)
    ]
    client = admin_client_for(finance)

    page = action_post(client, "approve_deposits", deposits)
    assert page.status_code == 200
    assert 'name="apply"' in page.text
    assert [row["item"].pk for row in page.context["items"]] == [deposit.pk for deposit in deposits]
    assert Entry.objects.count() == 0

    response = action_post(client, "approve_deposits", deposits, apply="1", note="checked on chain")
    assert response.status_code == 302
    assert messages_on(client) == ["Approved 3 deposits."]
    assert [balances(user) for user in investors] == [
        (Decimal("10.00"), Decimal("0.00"), Decimal("0.00")),
        (Decimal("250.50"), Decimal("0.00"), Decimal("0.00")),
        (Decimal("1000.01"), Decimal("0.00"), Decimal("0.00")),
    ]
    for deposit in deposits:
        deposit.refresh_from_db()
        assert (deposit.status, deposit.reviewed_by_id, deposit.admin_note) == (
            RequestStatus.APPROVED,
            finance.pk,
            "checked on chain",
        )
    assert Entry.objects.filter(kind="deposit").count() == 3


def test_bulk_approve_reports_each_refusal_and_does_the_rest(finance, admin_client_for, superuser):
    first, second = UserFactory(), UserFactory()
    done = request_deposit(first, "40.00")
    deposit_approve(deposit_id=done.pk, actor=superuser)
    pending = request_deposit(second, "60.00")
    own = request_deposit(finance, "70.00")  # staff cannot review their own request
    client = admin_client_for(finance)
    action_post(client, "approve_deposits", [done, pending, own], apply="1", note="")
    assert messages_on(client) == [
        f"Deposit #{done.pk}: This request is already approved.",
        f"Deposit #{own.pk}: You cannot review your own request.",
        "Approved 1 deposit.",
    ]
    assert balances(first)[0] == Decimal("40.00")
    assert balances(second)[0] == Decimal("60.00")
    assert balances(finance)[0] == Decimal("0.00")


def test_bulk_reject_requires_a_note(finance, admin_client_for, investor, unchanged_db):
    deposit = request_deposit(investor, "80.00")
    client = admin_client_for(finance)
    with unchanged_db():
        page = action_post(client, "reject_deposits", [deposit], apply="1", note="   ")
    assert page.status_code == 200
    assert page.context["form"].errors == {"note": ["This field is required."]}

    action_post(client, "reject_deposits", [deposit], apply="1", note="No such transaction on chain")
    assert messages_on(client) == ["Rejected 1 deposit."]
    deposit.refresh_from_db()
    assert (deposit.status, deposit.admin_note) == (RequestStatus.REJECTED, "No such transaction on chain")
    assert balances(investor) == (Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert Entry.objects.count() == 0


# --- detail actions ---------------------------------------------------------------------------------


def test_approve_from_the_change_page_posts_exactly_once(finance, admin_client_for, investor, unchanged_db):
    deposit = request_deposit(investor, "125.25")
    client = admin_client_for(finance)
    url = detail_url(deposit, "approve_detail")
    dialog = client.get(url)
    assert dialog.status_code == 200
    assert "Approve this deposit?" in dialog.text

    response = client.post(url, {"_form_submitted": "True", "note": "ok"})
    assert response["HX-Redirect"] == change_url(deposit)
    assert messages_on(client, change_url(deposit)) == ["The deposit was approved and credited."]
    assert balances(investor)[0] == Decimal("125.25")

    # A second click (the page was open in another tab, or a colleague clicked too).
    with unchanged_db():
        again = client.post(url, {"_form_submitted": "True", "note": "ok"})
    assert again.status_code == 200
    assert again["HX-Redirect"] == change_url(deposit)
    assert messages_on(client, change_url(deposit)) == ["This request is already approved."]
    assert balances(investor)[0] == Decimal("125.25")
    assert Entry.objects.filter(natural_key=f"deposit:{deposit.pk}").count() == 1


def test_two_staff_members_approving_the_same_deposit(finance, admin_client_for, investor, unchanged_db):
    from tests.backoffice.conftest import staff_with_role

    deposit = request_deposit(investor, "300.00")
    colleague = staff_with_role("Finance")
    first, second = admin_client_for(finance), admin_client_for(colleague)
    action_post(first, "approve_deposits", [deposit], apply="1", note="")
    with unchanged_db():
        action_post(second, "approve_deposits", [deposit], apply="1", note="")
    assert messages_on(second) == [f"Deposit #{deposit.pk}: This request is already approved.", "Nothing was changed."]
    assert balances(investor)[0] == Decimal("300.00")


def test_reject_from_the_change_page_requires_a_note(finance, admin_client_for, investor, unchanged_db):
    deposit = request_deposit(investor, "90.00")
    client = admin_client_for(finance)
    url = detail_url(deposit, "reject_detail")
    with unchanged_db():
        response = client.post(url, {"_form_submitted": "True", "note": ""})
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert response.context["form"].errors == {"note": ["This field is required."]}

    response = client.post(url, {"_form_submitted": "True", "note": "Duplicate request"})
    assert response["HX-Redirect"] == change_url(deposit)
    deposit.refresh_from_db()
    assert (deposit.status, deposit.reviewed_by_id) == (RequestStatus.REJECTED, finance.pk)


def test_reviewed_deposits_offer_no_review_actions(finance, admin_client_for, investor, superuser):
    deposit = request_deposit(investor, "45.00")
    deposit_approve(deposit_id=deposit.pk, actor=superuser)
    page = admin_client_for(finance).get(change_url(deposit))
    assert page.context["actions_detail"] == []


# --- permissions ------------------------------------------------------------------------------------


def test_support_sees_the_queue_but_cannot_review(support, admin_client_for, investor, unchanged_db):
    deposit = request_deposit(investor, "55.00")
    client = admin_client_for(support)
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert "approve_deposits" not in response.text
    assert client.get(change_url(deposit)).context["actions_detail"] == []
    with unchanged_db():
        refused = action_post(client, "approve_deposits", [deposit], apply="1", note="")
        assert refused.status_code == 200  # the plain list again: Support has no actions
        assert refused.context["action_form"] is None
        assert client.post(detail_url(deposit, "approve_detail"), {"_form_submitted": "True"}).status_code == 403


def test_staff_without_a_role_cannot_open_the_queue(admin_client_for):
    assert admin_client_for(StaffFactory()).get(CHANGELIST).status_code == 403
