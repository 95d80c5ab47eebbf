"""Money across the back office: the sidebar's Money items and queue badges, the dashboard's money
cards, the balances and statement on the users admin, deposit addresses, and the roles' wallet
permissions."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from apps.accounts import roles
from apps.backoffice.navigation import sidebar_navigation
from apps.wallet.models import DepositAddress
from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_address_save, deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_request_create
from tests.factories import StaffFactory, UserFactory
from tests.wallet.helpers import fund, kyc_approve

pytestmark = pytest.mark.django_db


def money_items(user) -> list[tuple[str, object]]:
    request = RequestFactory().get("/admin/")
    request.user = user
    money = next((s for s in sidebar_navigation(request) if s["title"] == "Money"), None)
    return [(str(item["title"]), item.get("badge")) for item in money["items"]] if money else []


@pytest.fixture
def queues(superuser):
    """Two pending deposits, one pending withdrawal (of 40.00), one adjustment waiting for a checker,
    and platform cash of 150.00 (deposits of 100.00 and 50.00 received)."""
    investor = UserFactory()
    kyc_approve(investor)
    fund(investor, "100.00", approver=superuser)
    fund(UserFactory(), "50.00", approver=superuser)
    deposit_request_create(user=UserFactory(), amount="10.00")
    deposit_request_create(user=UserFactory(), amount="20.50")
    withdrawal_request_create(user=investor, amount="40.00", address="TXaddress")
    adjustment_create(user_id=investor.pk, amount="20000.00", direction="credit", reason="Big", maker=superuser)
    return investor


# --- sidebar --------------------------------------------------------------------------------------------


def test_superuser_sees_every_money_item_with_queue_badges(queues, superuser):
    assert money_items(superuser) == [
        ("Deposits", 2),
        ("Withdrawals", 1),
        ("Adjustments", 1),
        ("Daily close", None),
        ("Ledger entries", None),
        ("Accounts", None),
        ("Deposit addresses", None),
        ("Treasury balances", None),
    ]


def test_money_items_follow_the_roles(queues, finance, operations, support):
    assert [title for title, _badge in money_items(finance)] == [
        "Deposits",
        "Withdrawals",
        "Adjustments",
        "Daily close",
        "Ledger entries",
        "Accounts",
        "Deposit addresses",
        "Treasury balances",
    ]
    assert money_items(operations) == [
        ("Deposits", 2),
        ("Withdrawals", 1),
        ("Daily close", None),
        ("Ledger entries", None),
        ("Accounts", None),
        ("Treasury balances", None),
    ]
    assert money_items(support) == [("Deposits", 2), ("Withdrawals", 1)]
    assert money_items(StaffFactory()) == []


def test_empty_queues_show_no_badge(superuser):
    assert dict(money_items(superuser)) == {
        "Deposits": None,
        "Withdrawals": None,
        "Adjustments": None,
        "Daily close": None,
        "Ledger entries": None,
        "Accounts": None,
        "Deposit addresses": None,
        "Treasury balances": None,
    }


def test_badges_cost_three_queries(queues, superuser, django_assert_num_queries):
    from apps.backoffice import badges

    request = RequestFactory().get("/admin/")
    with django_assert_num_queries(3):
        assert (
            badges.deposits_pending(request),
            badges.withdrawals_pending(request),
            badges.adjustments_waiting_for_checker(request),
        ) == (2, 1, 1)


def test_sidebar_on_an_admin_page(queues, superuser, admin_client_for):
    response = admin_client_for(superuser).get("/admin/wallet/deposit/")
    money = next(s for s in response.context["sidebar_navigation"] if s["title"] == "Money")
    deposits = money["items"][0]
    assert (deposits["link"], deposits["badge"], deposits["active"]) == ("/admin/wallet/deposit/", 2, True)
    for name in ("deposit", "withdrawal", "adjustment", "entry", "account", "depositaddress"):
        assert f'href="/admin/wallet/{name}/"' in response.text


# --- dashboard ----------------------------------------------------------------------------------------------


def cards(client) -> dict:
    response = client.get("/admin/")
    assert response.status_code == 200
    return {
        str(card["title"]): (card["count"], card["amount"], card["link"]) for card in response.context["money_cards"]
    }


def test_dashboard_money_cards(queues, superuser, admin_client_for):
    assert cards(admin_client_for(superuser)) == {
        "Pending deposits": (2, "30.50 USD", "/admin/wallet/deposit/?status__exact=pending"),
        "Pending withdrawals": (1, "40.00 USD", "/admin/wallet/withdrawal/?status__exact=pending"),
        "Platform cash": (None, "150.00 USD", "/admin/wallet/account/?kind__exact=cash"),
    }


def test_platform_cash_falls_with_a_payout(queues, superuser, finance, admin_client_for):
    from apps.wallet.models import Withdrawal

    withdrawal_approve(withdrawal_id=Withdrawal.objects.get().pk, actor=finance, payout_hash="0xpaid")
    assert cards(admin_client_for(superuser))["Platform cash"][1] == "110.00 USD"


def test_dashboard_cards_follow_the_roles(queues, support, admin_client_for):
    assert list(cards(admin_client_for(support))) == ["Pending deposits", "Pending withdrawals"]
    response = admin_client_for(StaffFactory()).get("/admin/")
    assert "money_cards" not in response.context
    assert response.context["dashboard_empty"] is True


def test_dashboard_links_filter_the_queues_as_counted(queues, superuser, admin_client_for):
    client = admin_client_for(superuser)
    for title, (count, _amount, link) in cards(client).items():
        if count is not None:
            assert len(client.get(link).context["cl"].result_list) == count, title


# --- the users admin --------------------------------------------------------------------------------------


def test_investor_page_shows_balances_and_the_statement_tab(queues, finance, admin_client_for):
    investor = queues
    response = admin_client_for(finance).get(reverse("admin:accounts_user_change", args=(investor.pk,)))
    assert response.status_code == 200
    # The balances are in the header of the investor's 360 (above the tabs), not in a fieldset.
    assert "Money" not in [title for title, _options in response.context["adminform"].fieldsets]
    text = " ".join(response.text.split())
    assert 'id="investor-360-money"' in text
    assert 'data-balance="available">60.00 USD</dd>' in text
    assert 'data-balance="held">40.00 USD</dd>' in text
    assert 'data-balance="invested">0.00 USD</dd>' in text
    assert 'data-balance="total">100.00 USD</dd>' in text
    assert f'href="/admin/wallet/posting/?account__owner__id__exact={investor.pk}"' in response.text

    (statement,) = response.context["datasets"]
    assert str(statement.title) == "Statement"
    rows = [(posting.amount, posting.balance_after) for posting in statement.cl.result_list]
    assert rows == [(Decimal("-40.00"), Decimal("60.00")), (Decimal("100.00"), Decimal("100.00"))]
    assert 'href="#dataset-posting"' in response.text


def test_statement_lists_the_latest_50(finance, superuser, admin_client_for):
    investor = UserFactory()
    for _ in range(55):
        fund(investor, "10.00", approver=superuser)
    response = admin_client_for(finance).get(reverse("admin:accounts_user_change", args=(investor.pk,)))
    (statement,) = response.context["datasets"]
    rows = list(statement.cl.result_list)
    assert len(rows) == 50
    assert rows[0].balance_after == Decimal("550.00")
    assert rows[-1].balance_after == Decimal("60.00")


def test_staff_without_ledger_permissions_see_no_money(queues, support, admin_client_for):
    response = admin_client_for(support).get(reverse("admin:accounts_user_change", args=(queues.pk,)))
    assert "Money" not in [title for title, _options in response.context["adminform"].fieldsets]
    assert response.context["datasets"] == []
    assert 'id="user-balances"' not in response.text


def test_staff_pages_and_the_add_page_have_no_money_section(superuser, admin_client_for):
    client = admin_client_for(superuser)
    staff = StaffFactory()
    response = client.get(reverse("admin:accounts_user_change", args=(staff.pk,)))
    assert "Money" not in [title for title, _options in response.context["adminform"].fieldsets]
    assert response.context["datasets"] == []
    assert client.get(reverse("admin:accounts_user_add")).context["datasets"] == []


# --- deposit addresses -----------------------------------------------------------------------------------


def test_deposit_addresses_through_the_service(finance, admin_client_for, unchanged_db):
    client = admin_client_for(finance)
    response = client.post(
        "/admin/wallet/depositaddress/add/",
        {"network": " trc20 ", "address": " TXplatform1 ", "label": "Main", "is_active": "on", "_save": "Save"},
    )
    assert response.status_code == 302
    address = DepositAddress.objects.get()
    assert (address.network, address.address, address.label, address.is_active) == (
        "TRC20",
        "TXplatform1",
        "Main",
        True,
    )

    with unchanged_db():  # the same pair again is refused by the form
        again = client.post(
            "/admin/wallet/depositaddress/add/",
            {"network": "TRC20", "address": "TXplatform1", "label": "", "_save": "Save"},
        )
        assert again.status_code == 200
        assert again.context["adminform"].form.errors == {
            "__all__": ["Deposit address with this Network and Address already exists."]
        }

    change = f"/admin/wallet/depositaddress/{address.pk}/change/"
    client.post(change, {"network": "BTC", "address": "changed", "label": "Cold", "_save": "Save"})
    address.refresh_from_db()
    assert (address.network, address.address, address.label, address.is_active) == (
        "TRC20",
        "TXplatform1",
        "Cold",
        False,
    )

    titles = [action["title"] for action in client.get(change).context["actions_detail"]]
    assert titles == ["Activate"]
    client.post(f"/admin/wallet/depositaddress/{address.pk}/activate_detail/", {"_form_submitted": "True"})
    address.refresh_from_db()
    assert address.is_active is True


def test_bulk_deactivate_addresses(finance, admin_client_for):
    one = deposit_address_save(network="TRC20", address="TX1")
    two = deposit_address_save(network="ERC20", address="0x2")
    client = admin_client_for(finance)
    client.post(
        "/admin/wallet/depositaddress/",
        {"action": "deactivate_addresses", "_selected_action": [one.pk, two.pk], "index": "0"},
    )
    assert list(DepositAddress.objects.order_by("id").values_list("is_active", flat=True)) == [False, False]
    assert [str(m) for m in client.get("/admin/wallet/depositaddress/").context["messages"]] == [
        "Deactivated 2 addresses."
    ]


def test_deposit_addresses_are_never_deleted_and_support_cannot_edit(support, finance, admin_client_for, unchanged_db):
    address = deposit_address_save(network="TRC20", address="TX1")
    finance_client, support_client = admin_client_for(finance), admin_client_for(support)
    with unchanged_db():
        assert finance_client.post(f"/admin/wallet/depositaddress/{address.pk}/delete/").status_code == 403
        assert support_client.get("/admin/wallet/depositaddress/").status_code == 403


# --- roles ---------------------------------------------------------------------------------------------------


def wallet_permissions(role: str) -> list[str]:
    group = Group.objects.get(name=role)
    return sorted(group.permissions.filter(content_type__app_label="wallet").values_list("codename", flat=True))


def test_roles_hold_the_wallet_permissions():
    assert wallet_permissions(roles.FINANCE) == [
        "add_adjustment",
        "add_depositaddress",
        "add_treasurybalance",
        "change_deposit",
        "change_depositaddress",
        "change_withdrawal",
        "check_adjustment",
        "view_account",
        "view_adjustment",
        "view_deposit",
        "view_depositaddress",
        "view_entry",
        "view_posting",
        "view_treasurybalance",
        "view_withdrawal",
    ]
    assert wallet_permissions(roles.OPERATIONS) == [
        "view_account",
        "view_deposit",
        "view_entry",
        "view_treasurybalance",
        "view_withdrawal",
    ]
    assert wallet_permissions(roles.SUPPORT) == ["view_deposit", "view_withdrawal"]
    assert wallet_permissions(roles.KYC_REVIEW) == []


def test_wallet_admins_pass_their_checks_before_permissions_exist():
    """``migrate`` on a fresh database runs the system checks before any permission row exists:
    an action guarded by a dotted permission ("wallet.view_entry") would fail unfold's check."""
    from django.contrib import admin
    from django.contrib.auth.models import Permission

    Permission.objects.all().delete()
    wallet_admins = [
        model_admin for model, model_admin in admin.site._registry.items() if model._meta.app_label == "wallet"
    ]
    assert len(wallet_admins) == 8
    assert [error for model_admin in wallet_admins for error in model_admin.check()] == []


def test_deposit_address_filters(finance, admin_client_for):
    deposit_address_save(network="TRC20", address="TX1")
    deposit_address_save(network="ERC20", address="0x2", is_active=False)
    client = admin_client_for(finance)
    listed = client.get("/admin/wallet/depositaddress/", {"network": "ERC20"}).context["cl"].result_list
    assert [address.address for address in listed] == ["0x2"]
    listed = client.get("/admin/wallet/depositaddress/", {"is_active__exact": "1"}).context["cl"].result_list
    assert [address.address for address in listed] == ["TX1"]


def test_address_page_offers_only_the_opposite_toggle(superuser, admin_client_for):
    from apps.wallet.services.deposits import deposit_address_save

    active = deposit_address_save(network="TRC20", address="TActive1", is_active=True)
    inactive = deposit_address_save(network="TRC20", address="TInactive1", is_active=False)
    client = admin_client_for(superuser)
    active_page = client.get(f"/admin/wallet/depositaddress/{active.pk}/change/").content.decode()
    inactive_page = client.get(f"/admin/wallet/depositaddress/{inactive.pk}/change/").content.decode()
    assert f"/{active.pk}/deactivate_detail/" in active_page
    assert f"/{active.pk}/activate_detail/" not in active_page
    assert f"/{inactive.pk}/activate_detail/" in inactive_page
    assert f"/{inactive.pk}/deactivate_detail/" not in inactive_page
