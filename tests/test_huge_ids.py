"""Ids beyond any integer column in URLs are a plain "not found", never a 500 (Django 5 turns
out-of-range integer lookups into empty results on every backend)."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/wallet/deposits/99999999999999999999999/cancel/",
        "/wallet/withdrawals/99999999999999999999999/cancel/",
        "/investments/99999999999999999999999/",
        "/plans/99999999999999999999999/invest/",
    ],
)
def test_portal_huge_ids_are_404_not_500(client, investor, url):
    client.force_login(investor)
    r = client.post(url) if "cancel" in url else client.get(url)
    assert r.status_code in (302, 404), r.status_code


@pytest.mark.parametrize(
    "url",
    [
        "/admin/wallet/deposit/99999999999999999999999/change/",
        "/admin/accounts/user/99999999999999999999999/change/",
        "/admin/wallet/entry/99999999999999999999999/change/",
    ],
)
def test_admin_huge_ids_are_404_not_500(client, superuser, url):
    client.force_login(superuser)
    r = client.get(url)
    assert r.status_code in (302, 404), r.status_code
