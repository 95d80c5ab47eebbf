"""The wallet endpoints in the OpenAPI schema: every path, the Idempotency-Key header on each
money-moving POST, the documented error codes, and a schema that generates without warnings."""

import io

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

READS = [
    "/api/transactions/",
    "/api/transactions/history/",
    "/api/transactions/deposit-address/",
    "/api/users/stats/",
    "/api/admin/deposits/",
    "/api/admin/withdrawals/",
]
MONEY_POSTS = [
    "/api/transactions/deposit/",
    "/api/transactions/withdraw/",
    "/api/transactions/cancel/",
    "/api/admin/transactions/approve/",
    "/api/admin/transactions/reject/",
    "/api/admin/users/adjust-balance/",
    "/api/admin/adjustments/approve/",
    "/api/admin/adjustments/reject/",
]
# Approvals, and making an adjustment (posted at once up to the four-eyes threshold).
STEP_UP_POSTS = {
    "/api/admin/transactions/approve/",
    "/api/admin/adjustments/approve/",
    "/api/admin/users/adjust-balance/",
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_wallet_path_is_documented(schema):
    validate(schema)
    for path in READS:
        assert list(schema["paths"][path]) == ["get"], path
    for path in MONEY_POSTS:
        assert list(schema["paths"][path]) == ["post"], path


def test_money_moving_posts_take_an_idempotency_key(schema):
    for path in MONEY_POSTS:
        operation = schema["paths"][path]["post"]
        headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
        # approvals also take a step-up two-factor code (apps.accounts.mfa.step_up)
        assert headers == ["Idempotency-Key", *(["X-OTP"] if path in STEP_UP_POSTS else [])], path
        assert "idempotency_key_reused" in operation["responses"]["409"]["description"], path
        (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        # Schemathesis: an empty or over-long key was schema-valid but a 400.
        assert header["schema"] == {"type": "string", "minLength": 1, "maxLength": 200, "pattern": r"\S"}, path


def test_error_codes_are_documented(schema):
    def description(path, status):
        return schema["paths"][path]["post"]["responses"][status]["description"]

    withdraw = description("/api/transactions/withdraw/", "400")
    for code in ("insufficient_balance", "kyc_required", "amount_below_minimum", "amount_above_maximum"):
        assert f"`{code}`" in withdraw
    assert "`daily_limit_exceeded`" in withdraw and "`invalid_amount`" in withdraw
    assert "`duplicate_hash`" in description("/api/transactions/deposit/", "400")
    assert "`already_reviewed`" in description("/api/admin/transactions/approve/", "409")
    assert "`own_request`" in description("/api/admin/transactions/approve/", "403")
    assert "`four_eyes_required`" in description("/api/admin/adjustments/approve/", "403")


def test_lists_are_paginated_with_filters(schema):
    operation = schema["paths"]["/api/transactions/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert {"page", "page_size", "type", "status"} <= set(parameters)
    assert "completed" in parameters["status"]["schema"]["enum"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page == "#/components/schemas/PaginatedTransactionList"
    transaction = schema["components"]["schemas"]["Transaction"]["properties"]
    assert transaction["amount"] == {
        "type": "string",
        "format": "decimal",
        "pattern": "^-?[0-9]{1,18}(\\.[0-9]{1,2})?$",
        "description": "Always positive; see `direction`.",
    }


def test_the_schema_generates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO(), stderr=io.StringIO())
