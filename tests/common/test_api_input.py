"""Hostile JSON: bodies nested too deeply, keys sent twice, bodies over the limit, amounts with
odd spaces. Each is a JSON 4xx naming the problem, and nothing changes."""

import io
import json

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from apps.wallet.models import Deposit

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/login/"
DEPOSIT = "/api/transactions/deposit/"
NESTED = {"detail": "JSON parse error - the body is nested too deeply.", "code": "parse_error"}


def nested(depth: int) -> str:
    return '{"email": ' + "[" * depth + "]" * depth + ', "password": "x"}'


@pytest.mark.parametrize("depth", [1000, 5000, 100_000])
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_body_nested_a_thousand_levels_deep_is_a_400(investor_api, unchanged_db, depth, signed_in):
    client = investor_api if signed_in else APIClient()
    with unchanged_db():
        login = client.post(LOGIN, nested(depth), content_type="application/json")
        deposit = client.post(DEPOSIT, '{"amount": ' + "[" * depth + "]" * depth + "}", content_type="application/json")

    assert (login.status_code, login.json()) == (400, NESTED)
    assert deposit.status_code == (400 if signed_in else 401)


def test_a_body_nested_less_deeply_is_read_and_refused_by_its_fields(unchanged_db):
    with unchanged_db():
        response = APIClient().post(LOGIN, nested(500), content_type="application/json")

    assert (response.status_code, response.json()) == (400, {"email": ["Not a valid string."]})


@pytest.mark.parametrize(
    "body",
    [
        '{"amount": "10.00", "amount": "20.00"}',
        '{"amount": "10.00", "wallet_address": "a", "wallet_address": "b"}',
        '{"amount": "10.00", "extra": {"k": 1, "k": 2}}',
    ],
)
def test_a_key_sent_twice_is_refused_not_taken_last_one_wins(investor_api, unchanged_db, body):
    with unchanged_db():
        response = investor_api.post(DEPOSIT, body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert "is sent twice" in response.json()["detail"]


def test_a_body_over_the_limit_is_a_json_413(investor_api, unchanged_db, settings):
    body = json.dumps({"amount": "10.00", "wallet_address": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    with unchanged_db():
        response = investor_api.post(DEPOSIT, body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request body is larger than this server accepts.",
        "code": "request_too_large",
    }


@pytest.mark.parametrize(("sent", "stored"), [(" 12.50 ", "12.50"), ("\t12\n", "12.00")])
def test_ascii_spaces_around_an_amount_are_ignored(investor_api, sent, stored):
    """Decided: spaces, tabs and line ends around a plain amount change nothing a person could
    mean otherwise, so they are stripped (as a form field is); anything else is refused."""
    response = investor_api.post(DEPOSIT, {"amount": sent}, format="json")

    assert response.status_code == 201
    assert str(Deposit.objects.get().amount) == stored


@pytest.mark.parametrize("sent", ["\u00a0100", "100\u2009", "1 000", "١٠٠", "１００", "१००", "100.", ".5", "+100"])
def test_other_spaces_and_digits_are_refused(investor_api, unchanged_db, sent):
    with unchanged_db():
        response = investor_api.post(DEPOSIT, {"amount": sent}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "amount": ['Send the amount as a number or a string such as "100.00" (digits, at most 2 decimals).']
    }


@pytest.mark.parametrize(
    "path",
    [
        "/api/threads/abc/",
        "/api/attachments/1.5/",
        "/api/admin/packs/-1/",
        "/api/admin/kyc/documents/x/",
        "/api/no-such-endpoint/",
    ],
)
def test_a_path_that_matches_no_route_under_api_is_a_json_404(staff_api, path):
    response = staff_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_outside_the_api_the_404_page_stays_html(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_the_schema_says_strict_bodies_refuse_undeclared_keys(staff_api, unchanged_db):
    """Issue 12: every request body the server refuses extra keys in says so in the schema."""
    out = io.StringIO()
    call_command("spectacular", stdout=out)
    components = yaml.safe_load(out.getvalue())["components"]["schemas"]
    requests = {name: schema for name, schema in components.items() if name.endswith("Request")}
    lenient = sorted(name for name, schema in requests.items() if schema.get("additionalProperties") is not False)
    assert lenient == ["TokenRefreshRequest"]  # simplejwt's own serializer ignores extra keys
    with unchanged_db():
        response = staff_api.post("/api/admin/transactions/approve/", {"transaction_id": 1, "x": 1}, format="json")
    assert (response.status_code, response.json()) == (400, {"x": ["This field is not allowed."]})
