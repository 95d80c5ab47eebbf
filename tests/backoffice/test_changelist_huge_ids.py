"""Changelist id filters beyond any integer column, or not numbers at all, show the list with a
message, never a 500 (the autocomplete filters used to look the value up unchecked)."""

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.db.models import ForeignKey, OneToOneField

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775808"  # 2**63: one past the largest bigint
NAMED = [
    "/admin/wallet/deposit/?user__id__exact={}",
    "/admin/wallet/withdrawal/?user__id__exact={}",
    "/admin/wallet/adjustment/?user__id__exact={}",
    "/admin/wallet/posting/?account__owner__id__exact={}",
    "/admin/wallet/posting/?account__id__exact={}",
    "/admin/kyc/submission/?user__id__exact={}",
    "/admin/kyc/submission/?reviewed_by__id__exact={}",
    "/admin/kyc/documentaccess/?staff__id__exact={}",
    "/admin/kyc/documentaccess/?document__submission__id={}",
    "/admin/messaging/attachmentaccess/?user__id__exact={}",
    "/admin/axes/accessattempt/?id__exact={}",
    "/admin/axes/accesslog/?id__exact={}",
    "/admin/axes/accessfailurelog/?id__exact={}",
]


def _relation_filters():
    """``(changelist URL, parameter)`` for every registered changelist: each filter on a foreign
    key, and the primary key."""
    cases = []
    for model, model_admin in admin.site._registry.items():
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        cases.append((url, "id__exact"))
        for entry in model_admin.list_filter:
            path = entry[0] if isinstance(entry, tuple) else entry
            if not isinstance(path, str):
                continue
            field = model
            for part in path.split("__"):
                field = field._meta.get_field(part)
                if field.is_relation:
                    last = field
                    field = field.related_model
                else:
                    last = field
            if isinstance(last, ForeignKey | OneToOneField):
                cases.append((url, f"{path}__id__exact"))
    return cases


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("value", [HUGE, "abc", "-1"])
@pytest.mark.parametrize("url", NAMED)
def test_named_changelists_show_the_list(client, superuser, url, value):
    client.force_login(superuser)
    response = client.get(url.format(value))
    assert response.status_code == 200
    if value == "-1":
        assert _messages(response) == []
    else:
        parameter = url.split("?")[1].split("=")[0]
        assert _messages(response) == [f"Filter ignored: “{value}” is not a valid id ({parameter})."]


def test_every_changelist_is_checked():
    cases = _relation_filters()
    assert ("/admin/wallet/deposit/", "user__id__exact") in cases
    assert ("/admin/wallet/posting/", "account__owner__id__exact") in cases
    assert len({url for url, _ in cases}) == len(admin.site._registry)


@pytest.mark.parametrize("value", [HUGE, "abc", "-1", "1"])
def test_every_changelist_filter_on_an_id_is_a_200(client, superuser, value):
    client.force_login(superuser)
    client.raise_request_exception = False
    failures = []
    for url, parameter in _relation_filters():
        response = client.get(f"{url}?{parameter}={value}")
        if response.status_code != 200:
            failures.append((url, parameter, response.status_code))
    assert failures == []


def test_a_huge_id_among_good_filters_drops_only_itself(client, superuser, investor):
    client.force_login(superuser)
    response = client.get(f"/admin/wallet/deposit/?status__exact=pending&user__id__exact={HUGE}")
    assert response.status_code == 200
    assert response.context["cl"].params == {"status__exact": "pending"}
    assert _messages(response) == [f"Filter ignored: “{HUGE}” is not a valid id (user__id__exact)."]


def test_an_admin_own_filter_reads_its_values_itself(client, superuser):
    """The inbox's assignee filter takes ``none`` as well as a staff id: left to the filter."""
    client.force_login(superuser)
    response = client.get("/admin/messaging/thread/?queue=all&assignee=none")
    assert response.status_code == 200
    assert _messages(response) == []
