"""Back-office fixtures: staff holding one role each, and helpers to drive admin forms."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from apps.accounts import roles
from tests.factories import StaffFactory


def staff_with_role(role: str):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def finance(db):
    return staff_with_role(roles.FINANCE)


@pytest.fixture
def support(db):
    return staff_with_role(roles.SUPPORT)


@pytest.fixture
def operations(db):
    return staff_with_role(roles.OPERATIONS)


@pytest.fixture
def kyc_reviewer(db):
    return staff_with_role(roles.KYC_REVIEW)


@pytest.fixture
def admin_client_for():
    """``admin_client_for(user)``: a test client signed in as ``user``."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def user_change_url(user) -> str:
    return reverse("admin:accounts_user_change", args=(user.pk,))


def change_form_data(client: Client, user, **changes) -> dict:
    """What the browser would post back from the user's change page, with ``changes`` applied
    (``None`` removes a field, as an unticked checkbox would)."""
    response = client.get(user_change_url(user))
    assert response.status_code == 200
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = [str(item) for item in value] if isinstance(value, list) else str(value)
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    data["_save"] = "Save"
    return data
