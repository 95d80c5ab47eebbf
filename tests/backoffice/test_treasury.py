"""Treasury balances (wallet.TreasuryBalance, its service and admin): the service records exactly
what finance staff counted, refuses anything else and changes nothing then; the admin's add form
turns each refusal into a form error."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.common.errors import ApplicationError
from apps.wallet.models import TreasuryBalance
from apps.wallet.selectors import treasury_balance_current
from apps.wallet.services.treasury import treasury_balance_record

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/wallet/treasurybalance/add/"


def test_a_count_is_recorded_exactly_with_who_and_when(finance):
    as_of = timezone.now() - timedelta(hours=3)
    balance = treasury_balance_record(amount="250000.50", as_of=as_of, note="  Bank statement  ", actor=finance)
    balance.refresh_from_db()
    assert (balance.amount, balance.as_of, balance.note, balance.recorded_by) == (
        Decimal("250000.50"),
        as_of,
        "Bank statement",
        finance,
    )
    assert treasury_balance_current() == balance


def test_the_latest_count_not_the_latest_recorded_is_current(finance):
    now = timezone.now()
    newer = treasury_balance_record(amount="100.00", as_of=now - timedelta(hours=1), actor=finance)
    treasury_balance_record(amount="999.00", as_of=now - timedelta(days=2), actor=finance)  # recorded late
    assert treasury_balance_current() == newer


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "10.001", "ten", "", "NaN", "Infinity", "1e40", 12.5])
def test_an_amount_that_is_not_positive_money_is_refused(finance, unchanged_db, amount):
    with unchanged_db(), pytest.raises(ApplicationError) as refused:
        treasury_balance_record(amount=amount, actor=finance)
    assert (refused.value.code, refused.value.field) == ("invalid_amount", "amount")


def test_a_count_in_the_future_or_without_a_time_zone_is_refused(finance, unchanged_db):
    with unchanged_db():
        with pytest.raises(ApplicationError) as future:
            treasury_balance_record(amount="10.00", as_of=timezone.now() + timedelta(hours=1), actor=finance)
        with pytest.raises(ApplicationError) as naive:
            treasury_balance_record(amount="10.00", as_of=timezone.now().replace(tzinfo=None), actor=finance)
    assert (future.value.code, naive.value.code) == ("as_of_in_future", "invalid_as_of")


def test_only_staff_who_may_record_do(operations, support, investor, unchanged_db):
    for actor in (operations, support, investor):
        with unchanged_db(), pytest.raises(ApplicationError) as refused:
            treasury_balance_record(amount="10.00", actor=actor)
        assert refused.value.status_code == 403


# --- the admin ------------------------------------------------------------------------------------


def _post(client, amount: str, *, day: str | None = None, time: str = "09:00:00"):
    day = day or timezone.localdate().isoformat()
    return client.post(ADD_URL, {"amount": amount, "as_of_0": day, "as_of_1": time, "note": "Bank"})


def test_finance_records_a_count_through_the_admin(finance, admin_client_for):
    client = admin_client_for(finance)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = _post(client, "1234.50", day=yesterday)
    assert response.status_code == 302
    balance = TreasuryBalance.objects.get()
    assert (balance.amount, balance.recorded_by, balance.note) == (Decimal("1234.50"), finance, "Bank")
    page = client.get("/admin/wallet/treasurybalance/")
    assert page.status_code == 200
    assert "1,234.50" in page.text


@pytest.mark.parametrize("amount", ["-1.00", "0", "0.00", "12.345", "abc", ""])
def test_a_bad_amount_is_a_form_error_and_nothing_is_saved(finance, admin_client_for, unchanged_db, amount):
    client = admin_client_for(finance)
    with unchanged_db():
        response = _post(client, amount)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["amount"]


def test_a_future_or_malformed_date_is_a_form_error(finance, admin_client_for, unchanged_db):
    client = admin_client_for(finance)
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()
    with unchanged_db():
        future = _post(client, "10.00", day=tomorrow)
        malformed = _post(client, "10.00", day="2026-02-30")
    assert future.status_code == malformed.status_code == 200
    assert "The count cannot be in the future." in future.text
    assert malformed.context["adminform"].form.errors["as_of"]


def test_operations_reads_the_history_but_may_not_add(operations, admin_client_for, unchanged_db):
    client = admin_client_for(operations)
    assert client.get("/admin/wallet/treasurybalance/").status_code == 200
    with unchanged_db():
        assert client.get(ADD_URL).status_code == 403
        assert _post(client, "10.00").status_code == 403


def test_a_recorded_count_is_never_edited_or_deleted(finance, admin_client_for, unchanged_db):
    balance = treasury_balance_record(amount="10.00", actor=finance)
    client = admin_client_for(finance)
    with unchanged_db():
        client.post(f"/admin/wallet/treasurybalance/{balance.pk}/change/", {"amount": "99.00"})
        client.post(f"/admin/wallet/treasurybalance/{balance.pk}/delete/", {"post": "yes"})
    assert client.get("/admin/wallet/treasurybalance/abc/change/").status_code in (302, 404)
