"""No-store on private answers, a Permissions-Policy everywhere, the language cookie's flags."""

import pytest

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_api_answers_are_never_stored(investor_api, api_client):
    assert no_store(investor_api.get("/api/users/profile/"))
    assert no_store(api_client.get("/api/investments/packs/"))
    assert no_store(api_client.post("/api/auth/login/", {}, format="json"))


def test_pages_of_a_signed_in_user_are_never_stored(client, investor):
    client.force_login(investor)

    assert no_store(client.get("/"))


def test_staff_pages_and_exports_are_never_stored(client, superuser):
    client.force_login(superuser)

    assert no_store(client.get("/admin/"))
    assert no_store(client.get("/admin/wallet/deposit/export-csv/"))


def test_every_response_has_a_permissions_policy(client, api_client):
    for response in (client.get("/login/"), api_client.get("/api/investments/packs/")):
        assert response["Permissions-Policy"].startswith("camera=(), microphone=()")


def test_the_language_cookie_is_samesite_lax(client):
    response = client.post("/language/", {"language": "ar", "next": "/"})

    cookie = response.cookies["django_language"]
    assert cookie["samesite"] == "Lax"
