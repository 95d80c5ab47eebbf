"""The runtime settings page (constance's, under unfold) and the change log in the admin."""

from decimal import Decimal as D

import pytest
from django.test import Client

from apps.controls.models import SettingChange
from apps.controls.runtime import runtime_setting
from tests.factories import StaffFactory

PAGE = "/admin/constance/config/"
LOG = "/admin/controls/settingchange/"


@pytest.fixture
def client_for(db):
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def form_data(client: Client, **changes) -> dict:
    """What the browser posts back from the page, with ``changes`` applied (False unticks a box)."""
    form = client.get(PAGE).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value is not None and value is not False:
            data[name] = str(value)
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def test_operations_see_and_change_the_settings(operations, client_for, django_capture_on_commit_callbacks):
    client = client_for(operations)
    page = client.get(PAGE)
    text = page.content.decode()
    assert page.status_code == 200
    for title in ("Maintenance", "Deposits", "Withdrawals", "Approvals and risk", "Support"):
        assert title in text
    assert "Runtime settings" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, form_data(client, DEPOSIT_MIN="25.00", MAINTENANCE_MODE=True))

    assert (response.status_code, response["Location"]) == (302, PAGE)
    assert list(SettingChange.objects.order_by("id").values_list("actor", "name", "old_value", "new_value")) == [
        (operations.pk, "MAINTENANCE_MODE", "false", "true"),
        (operations.pk, "DEPOSIT_MIN", "10.00", "25.00"),
    ]
    assert (runtime_setting("DEPOSIT_MIN"), runtime_setting("MAINTENANCE_MODE")) == (D("25.00"), True)
    followed = client.get(PAGE).content.decode()
    assert "Saved 2 changes: MAINTENANCE_MODE, DEPOSIT_MIN." in followed
    assert 'id="maintenance-banner"' in followed


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"DEPOSIT_MIN": "500.00", "DEPOSIT_MAX": "100.00"},
            "DEPOSIT_MIN",
            "This cannot be above DEPOSIT_MAX (100.00).",
        ),
        (
            {"WITHDRAWAL_FEE_FIXED": "-1"},
            "WITHDRAWAL_FEE_FIXED",
            "Enter zero or more; a negative value is not allowed.",
        ),
        ({"WITHDRAWAL_FEE_PERCENT": "150"}, "WITHDRAWAL_FEE_PERCENT", "A percentage cannot be above 100."),
        ({"FOUR_EYES_THRESHOLD": "0"}, "FOUR_EYES_THRESHOLD", "Enter a value greater than zero."),
        ({"SUPPORT_AUTO_CLOSE_DAYS": "0"}, "SUPPORT_AUTO_CLOSE_DAYS", "Enter a whole number from 1 to 3650."),
        (
            {"SUPPORT_SLA_NEXT_RESPONSE_HOURS_LOW": "0"},
            "SUPPORT_SLA_NEXT_RESPONSE_HOURS_LOW",
            "Enter a whole number from 1 to 87600.",
        ),
        ({"DEPOSIT_MAX": "١٠٠"}, "DEPOSIT_MAX", "Enter a number."),
        ({"DEPOSIT_MAX": "1e9"}, "DEPOSIT_MAX", "Enter a number."),
    ],
)
def test_an_invalid_save_shows_the_error_and_saves_nothing(
    operations, client_for, unchanged_db, changes, field, message
):
    client = client_for(operations)
    data = form_data(client, MAINTENANCE_MODE=True, **changes)
    with unchanged_db():
        response = client.post(PAGE, data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert "Nothing was saved: correct the values marked below." in response.content.decode()
    assert runtime_setting("MAINTENANCE_MODE") is False


def test_a_form_older_than_the_last_save_is_refused(operations, client_for, runtime_config, unchanged_db):
    client = client_for(operations)
    stale = form_data(client, DEPOSIT_MIN="20.00")
    runtime_config(DEPOSIT_MAX=D("5000.00"))  # someone else saved meanwhile
    with unchanged_db():
        response = client.post(PAGE, stale)
    assert response.status_code == 200
    assert response.context["form"].errors["version"] == [
        "The settings have been modified by someone else. Please reload the form and resubmit your changes."
    ]


def test_finance_may_look_but_not_save(finance, client_for, unchanged_db):
    client = client_for(finance)
    page = client.get(PAGE)  # (signing in and the first page write the session and the device use)
    assert page.status_code == 200
    assert page.context["form"].fields["DEPOSIT_MIN"].disabled is True
    with unchanged_db():
        assert client.post(PAGE, {"DEPOSIT_MIN": "1.00"}).status_code == 403


def test_staff_without_the_permission_get_nothing(support, client_for, investor, unchanged_db):
    as_support, as_roleless, as_investor = client_for(support), client_for(StaffFactory()), client_for(investor)
    with unchanged_db():
        assert as_support.get(PAGE).status_code == 403
        assert as_support.post(PAGE, {"DEPOSIT_MIN": "1.00"}).status_code == 403
        assert as_support.get(LOG).status_code == 403
        assert as_roleless.get(PAGE).status_code == 403
        assert as_investor.get(PAGE).status_code == 302  # to the admin login


def test_the_sidebar_lists_the_settings_and_the_log_for_those_allowed(operations, support, client_for):
    shown = client_for(operations).get("/admin/").content.decode()
    assert f'href="{PAGE}"' in shown and f'href="{LOG}"' in shown
    hidden = client_for(support).get("/admin/").content.decode()
    assert f'href="{PAGE}"' not in hidden and f'href="{LOG}"' not in hidden


def test_the_change_log_is_a_read_only_list_and_exports(operations, client_for, django_capture_on_commit_callbacks):
    from apps.controls.services import runtime_settings_update

    runtime_settings_update(actor=operations, values={"WITHDRAWAL_FEE_PERCENT": D("1.50")})
    runtime_settings_update(actor=None, values={"MAINTENANCE_MODE": True})
    change = SettingChange.objects.get(name="WITHDRAWAL_FEE_PERCENT")
    client = client_for(operations)

    page = client.get(LOG)
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == list(SettingChange.objects.order_by("-changed_at", "-id"))
    assert client.get(f"{LOG}{change.pk}/change/").status_code == 200  # a read-only view
    assert client.post(f"{LOG}{change.pk}/delete/").status_code == 403
    assert client.get(f"{LOG}add/").status_code == 403

    export = client.get(f"{LOG}export-csv/?name=WITHDRAWAL_FEE_PERCENT")
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert lines == [
        "id,changed_at,changed_by,setting,old_value,new_value",
        f"{change.pk},{change.changed_at.isoformat(timespec='seconds')},{operations.email},"
        "WITHDRAWAL_FEE_PERCENT,0.00,1.50",
    ]
