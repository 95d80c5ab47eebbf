"""Risk signals of the deposit and withdrawal review pages (``selectors.risk``), on a history built
through the services: each signal on and off, exact figures, and a fixed number of queries."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts import roles
from apps.accounts.models import KycStatus, User
from apps.wallet.models import Withdrawal
from apps.wallet.selectors.risk import ADDRESS_USERS_SHOWN, deposit_risk_signals, withdrawal_risk_signals
from apps.wallet.services.adjustments import adjustment_create
from apps.wallet.services.deposits import deposit_request_create
from apps.wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request_create
from tests.factories import StaffFactory, UserFactory
from tests.wallet.helpers import fund, kyc_approve

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("UTC"))
OLD, NEW, SHARED = "TOldAddress111", "TNewAddress222", "TSharedAddress333"


def at(days_ago: int, hour: int = 12):
    """Travel to ``days_ago`` days before NOW (the clock stands still there)."""
    return time_machine.travel(NOW - timedelta(days=days_ago) + timedelta(hours=hour - 12), tick=False)


@pytest.fixture
def approver(db):
    staff = StaffFactory()
    staff.groups.add(Group.objects.get(name=roles.FINANCE))
    return staff


def investor_joined(days_ago: int, *, kyc: bool = True, **fields) -> User:
    user = UserFactory(date_joined=NOW - timedelta(days=days_ago), **fields)
    if kyc:
        kyc_approve(user)
    return user


def withdraw(user, amount: str, address: str) -> Withdrawal:
    return withdrawal_request_create(user=user, amount=amount, address=address)


def pay(withdrawal: Withdrawal, approver) -> None:
    withdrawal_approve(withdrawal_id=withdrawal.pk, actor=approver, payout_hash=f"hash-{withdrawal.pk}")


def signals_of(withdrawal: Withdrawal):
    withdrawal = Withdrawal.objects.select_related("user").get(pk=withdrawal.pk)
    with time_machine.travel(NOW, tick=False):
        return withdrawal_risk_signals(withdrawals=[withdrawal])[withdrawal.pk]


@pytest.fixture
def history(approver):
    """Amina joined 40 days ago: 1,000.00 deposited, 200.00 more waiting; 100.00 paid out to OLD
    35 days ago; a 50.00 request to NEW refused 10 days ago; today 300.00 to NEW, pending. Bilal
    asked for a payout to NEW and Chen deposited from it; Dana sends from SHARED only."""
    amina = investor_joined(40, email="amina@example.com")
    bilal = investor_joined(20, email="bilal@example.com")
    chen = investor_joined(20, email="chen@example.com")
    with at(40):
        fund(amina, "1000.00", approver=approver)
        deposit_request_create(user=amina, amount="200.00")
    with at(35):
        pay(withdraw(amina, "100.00", OLD), approver)
    with at(10):
        refused = withdraw(amina, "50.00", NEW)
        withdrawal_reject(withdrawal_id=refused.pk, actor=approver, note="Check the address")
    with at(5):
        fund(bilal, "500.00", approver=approver)
        withdraw(bilal, "20.00", NEW)
        chen_deposit = deposit_request_create(user=chen, amount="75.00", sender_address=NEW)
    with at(0, hour=9):
        today = withdraw(amina, "300.00", NEW)
    return {"amina": amina, "bilal": bilal, "chen": chen, "today": today, "chen_deposit": chen_deposit}


# --- exact figures on the hand-built history ------------------------------------------------------------


def test_exact_figures_of_a_withdrawal_to_a_new_and_recently_changed_address(history):
    signals = signals_of(history["today"])
    assert (signals.kind, signals.address, signals.kyc_status) == ("withdrawal", NEW, KycStatus.APPROVED)
    assert signals.account_age_days == 40
    assert (signals.deposited, signals.withdrawn, signals.withdrawals_pending) == (
        Decimal("1000.00"),
        Decimal("100.00"),
        Decimal("300.00"),
    )
    assert signals.withdrawn_today == Decimal("300.00")
    assert signals.daily_limit == Decimal("250000.00")
    assert signals.daily_limit_percent == 0
    assert signals.address_new is True
    assert signals.address_first_used_at == NOW - timedelta(days=10)  # the refused request used it first
    assert signals.address_changed is True
    assert [(user.id, user.email) for user in signals.address_users] == [
        (history["bilal"].pk, "bilal@example.com"),
        (history["chen"].pk, "chen@example.com"),
    ]
    assert signals.address_user_count == 2
    assert signals.flags == ["address_new", "address_changed", "address_shared"]


def test_a_known_address_used_long_ago_raises_nothing(history, approver):
    with at(0, hour=10):
        known = withdraw(history["amina"], "25.00", OLD)
    signals = signals_of(known)
    assert (signals.address_new, signals.address_changed, signals.address_user_count) == (False, False, 0)
    assert signals.address_first_used_at == NOW - timedelta(days=35)
    assert signals.withdrawals_pending == Decimal("325.00")
    assert signals.withdrawn_today == Decimal("325.00")
    assert signals.flags == []


# --- each signal on and off ---------------------------------------------------------------------------


def test_address_changed_only_within_the_configured_days(history, runtime_config):
    runtime_config(RISK_ADDRESS_NEW_DAYS=10)
    assert signals_of(history["today"]).address_changed is True  # first used exactly 10 days ago
    runtime_config(RISK_ADDRESS_NEW_DAYS=9)
    assert signals_of(history["today"]).address_changed is False
    assert signals_of(history["today"]).address_new is True


def test_an_address_paid_out_to_before_is_no_longer_new(history, approver):
    pay(Withdrawal.objects.get(user=history["bilal"]), approver)
    with at(0, hour=11):
        again = withdraw(history["bilal"], "30.00", NEW)
    signals = signals_of(again)
    assert signals.address_new is False
    assert signals.address_changed is False  # Bilal never used another address
    assert [user.email for user in signals.address_users] == ["amina@example.com", "chen@example.com"]


def test_the_first_withdrawal_is_to_a_new_address_but_not_a_changed_one(approver):
    newcomer = investor_joined(60)
    with at(3):
        fund(newcomer, "100.00", approver=approver)
    with at(0):
        first = withdraw(newcomer, "40.00", "TFirstEver")
    signals = signals_of(first)
    assert (signals.address_new, signals.address_changed, signals.address_user_count) == (True, False, 0)
    assert signals.flags == ["address_new"]


def test_shared_address_counts_everyone_but_names_the_first_ten(approver):
    owner = investor_joined(90)
    with at(1):
        fund(owner, "100.00", approver=approver)
        others = [investor_joined(30, kyc=False) for _ in range(ADDRESS_USERS_SHOWN + 2)]
        for other in others:
            deposit_request_create(user=other, amount="10.00", sender_address=SHARED)
    with at(0):
        withdrawal = withdraw(owner, "10.00", SHARED)
    signals = signals_of(withdrawal)
    assert signals.address_user_count == 12
    assert [user.id for user in signals.address_users] == [other.pk for other in others[:ADDRESS_USERS_SHOWN]]


def test_kyc_not_approved_and_a_new_account(approver, runtime_config):
    runtime_config(RISK_ACCOUNT_NEW_DAYS=7)
    fresh = investor_joined(6)
    with at(0):
        fund(fresh, "100.00", approver=approver)
        withdrawal = withdraw(fresh, "10.00", "TFresh")
    User.objects.filter(pk=fresh.pk).update(kyc_status=KycStatus.PENDING)  # verification withdrawn since
    signals = signals_of(withdrawal)
    assert (signals.kyc_approved, signals.account_age_days, signals.account_new) == (False, 6, True)
    assert signals.flags == ["kyc", "account_new", "address_new"]
    User.objects.filter(pk=fresh.pk).update(date_joined=NOW - timedelta(days=7), kyc_status=KycStatus.APPROVED)
    signals = signals_of(withdrawal)
    assert (signals.account_new, signals.flags) == (False, ["address_new"])


def test_withdrawals_beyond_the_deposits(approver):
    credited = investor_joined(100)
    maker = StaffFactory()
    with at(2):
        adjustment_create(user_id=credited.pk, amount="500.00", direction="credit", reason="Goodwill", maker=maker)
        fund(credited, "80.00", approver=approver)
    with at(0):
        within = withdraw(credited, "80.00", "TMine")
    assert signals_of(within).withdrawals_exceed_deposits is False  # 80.00 of 80.00 deposited
    with at(0, hour=13):
        beyond = withdraw(credited, "10.00", "TMine")
    signals = signals_of(beyond)
    assert (signals.deposited, signals.withdrawals_pending) == (Decimal("80.00"), Decimal("90.00"))
    assert signals.withdrawals_exceed_deposits is True
    assert "withdrawals_exceed_deposits" in signals.flags


def test_daily_limit_flagged_from_eighty_percent(approver, runtime_config):
    runtime_config(WITHDRAWAL_DAILY_LIMIT=Decimal("1000.00"))
    busy = investor_joined(100)
    with at(1):
        fund(busy, "2000.00", approver=approver)
    with at(1, hour=14):
        withdraw(busy, "900.00", "TBusy")  # yesterday's: not today's
    with at(0, hour=8):
        first = withdraw(busy, "500.00", "TBusy")
    with at(0, hour=9):
        second = withdraw(busy, "299.99", "TBusy")
    signals = signals_of(second)
    assert (signals.withdrawn_today, signals.daily_limit_percent, signals.daily_limit_near) == (
        Decimal("799.99"),
        79,
        False,
    )
    with at(0, hour=10):
        third = withdraw(busy, "10.00", "TBusy")
    withdrawal_reject(withdrawal_id=first.pk, actor=approver, note="No")  # a refused one stops counting
    assert signals_of(third).withdrawn_today == Decimal("309.99")
    with at(0, hour=11):
        fourth = withdraw(busy, "490.01", "TBusy")
    signals = signals_of(fourth)
    assert (signals.withdrawn_today, signals.daily_limit_percent, signals.daily_limit_near) == (
        Decimal("800.00"),
        80,
        True,
    )
    assert "daily_limit" in signals.flags


def test_deposit_signals_name_other_investors_of_the_sender_address(history):
    deposit = history["chen_deposit"]
    with time_machine.travel(NOW, tick=False):
        signals = deposit_risk_signals(deposits=[type(deposit).objects.select_related("user").get(pk=deposit.pk)])[
            deposit.pk
        ]
    assert (signals.kind, signals.address) == ("deposit", NEW)
    assert (signals.address_new, signals.address_changed, signals.address_first_used_at) == (None, None, None)
    assert [user.email for user in signals.address_users] == ["amina@example.com", "bilal@example.com"]
    assert (signals.deposited, signals.withdrawn, signals.account_age_days) == (Decimal("0.00"), Decimal("0.00"), 20)
    assert signals.flags == ["address_shared"]


def test_a_deposit_without_a_sender_address_has_no_address_signals(approver):
    quiet = investor_joined(50)
    deposit = deposit_request_create(user=quiet, amount="10.00")
    with time_machine.travel(NOW, tick=False):
        signals = deposit_risk_signals(deposits=[type(deposit).objects.select_related("user").get(pk=deposit.pk)])
    assert (signals[deposit.pk].address, signals[deposit.pk].address_user_count) == ("", 0)
    assert signals[deposit.pk].flags == []


# --- set-based ------------------------------------------------------------------------------------------


def test_signals_of_many_withdrawals_cost_four_queries(history, approver):
    def queries_for(withdrawals) -> int:
        rows = list(Withdrawal.objects.select_related("user").filter(pk__in=[w.pk for w in withdrawals]))
        with CaptureQueriesContext(connection) as context:
            signals = withdrawal_risk_signals(withdrawals=rows)
        assert set(signals) == {w.pk for w in withdrawals}
        return len(context.captured_queries)

    one = queries_for([history["today"]])
    assert one == 4
    assert queries_for(list(Withdrawal.objects.all())) == 4
    assert withdrawal_risk_signals(withdrawals=[]) == {}


# --- the review pages -------------------------------------------------------------------------------------


def risk_rows(response) -> dict[str, bool]:
    """The panel's rows: signal key → whether it is highlighted."""
    import re

    assert response.status_code == 200
    return {key: risky == "true" for key, risky in re.findall(r'data-risk="(\w+)" data-risky="(\w+)"', response.text)}


def review_page(client, obj):
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/admin/wallet/{obj._meta.model_name}/{obj.pk}/change/")


def test_withdrawal_review_page_shows_the_signals_and_highlights_the_risky_ones(history, approver, client):
    client.force_login(approver)
    response = review_page(client, history["today"])
    assert risk_rows(response) == {
        "kyc": False,
        "account_new": False,
        "withdrawals_exceed_deposits": False,
        "address_new": True,
        "address_changed": True,
        "address_shared": True,
        "daily_limit": False,
    }
    assert 'data-firing="3"' in response.text
    assert "3 signals to look at" in response.text
    amina, bilal, chen = history["amina"], history["bilal"], history["chen"]
    assert f'href="/admin/accounts/user/{amina.pk}/change/" class="inline-flex' in response.text  # the 360
    assert f'<a href="/admin/accounts/user/{bilal.pk}/change/" class="text-primary-600 dark:text-primary-500">' in (
        response.text
    )
    assert f"/admin/accounts/user/{chen.pk}/change/" in response.text
    text = " ".join(response.text.split())
    assert "1,000.00 USD" in text and "100.00 USD" in text and "300.00 USD" in text
    assert "Switched to it on 5 Jun 2026, after using another address" in text
    assert "300.00 USD <span" in text and "of 250,000.00 USD (0%)" in text


def test_a_quiet_withdrawal_shows_no_signal(history, approver, client):
    with at(0, hour=10):
        known = withdraw(history["amina"], "25.00", OLD)
    client.force_login(approver)
    response = review_page(client, known)
    assert not any(risk_rows(response).values())
    assert "No risk signal" in response.text


def test_deposit_review_page_has_no_payout_address_rows(history, approver, client):
    client.force_login(approver)
    rows = risk_rows(review_page(client, history["chen_deposit"]))
    assert rows == {
        "kyc": False,
        "account_new": False,
        "withdrawals_exceed_deposits": False,
        "address_shared": True,
        "daily_limit": False,
    }


def test_staff_who_may_not_open_users_see_emails_without_links(history, client):
    from django.contrib.auth.models import Permission

    viewer = StaffFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_withdrawal"))
    client.force_login(viewer)
    response = review_page(client, history["today"])
    assert risk_rows(response)["address_shared"] is True
    panel = response.text.split('id="risk-panel"', 1)[1]
    assert "<li><bdi>bilal@example.com</bdi></li>" in panel
    assert "/admin/accounts/user/" not in panel
    assert 'id="risk-investor-360"' not in panel
    assert "/admin/kyc/submission/" not in panel


def test_review_page_query_count_does_not_grow_with_the_history(history, approver, client):
    client.force_login(approver)
    quiet = investor_joined(30)
    with at(1):
        fund(quiet, "100.00", approver=approver)
    with at(0, hour=8):
        first = withdraw(quiet, "10.00", "TQuiet")
    review_page(client, first)  # warm caches

    def count(withdrawal) -> int:
        with CaptureQueriesContext(connection) as context:
            assert review_page(client, withdrawal).status_code == 200
        return len(context.captured_queries)

    assert count(first) == count(history["today"])


@pytest.mark.parametrize("object_id", ["abc", "0", "99999999999999999999", "1%00", "-5"])
def test_junk_ids_on_the_review_pages_are_never_a_server_error(object_id, approver, client):
    client.force_login(approver)
    for model in ("withdrawal", "deposit"):
        response = client.get(f"/admin/wallet/{model}/{object_id}/change/")
        assert response.status_code in (302, 404)
