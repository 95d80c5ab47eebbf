"""The investments endpoints in the OpenAPI schema: every path and method, the Idempotency-Key
on buying, the documented error codes, and a schema that generates without warnings."""

import io

import pytest
from django.core.management import call_command
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

METHODS = {
    "/api/investments/packs/": ["get"],
    "/api/investments/my-investments/": ["get"],
    "/api/investments/create/": ["post"],
    "/api/investments/quote/": ["get"],
    "/api/investments/chart-data/": ["get"],
    "/api/admin/investments/": ["get"],
    "/api/admin/packs/": ["get", "post"],
    "/api/admin/packs/{plan_id}/": ["get", "patch", "delete"],
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_investments_path_is_documented(schema):
    validate(schema)
    for path, methods in METHODS.items():
        assert sorted(schema["paths"][path]) == sorted(methods), path


def test_buying_takes_an_idempotency_key_and_documents_its_errors(schema):
    operation = schema["paths"]["/api/investments/create/"]["post"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    refused = operation["responses"]["400"]["description"]
    for code in ("invalid_pack", "amount_out_of_range", "insufficient_balance", "invalid_amount", "terms_not_accepted"):
        assert f"`{code}`" in refused
    assert "idempotency_key_reused" in operation["responses"]["409"]["description"]
    request = schema["components"]["schemas"]["InvestmentCreateRequest"]
    assert request["required"] == ["amount", "pack_id"]
    accept_terms = request["properties"]["accept_terms"]["description"]
    for rule in (
        "recorded once per investor, plan and disclosure version",
        "Needed only while the caller has not accepted the plan's current disclosure",
        "A changed disclosure must be accepted again; a plan without a risk disclosure needs none.",
        "`false` always means the investor declines: 400 `terms_not_accepted`, nothing bought.",
    ):
        assert rule in accept_terms
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Investment"}


def test_the_public_catalogue_needs_no_token_and_is_a_plain_array(schema):
    operation = schema["paths"]["/api/investments/packs/"]["get"]
    assert operation["security"] == [{}]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Pack"},
    }


def test_my_investments_is_a_plain_array_capped_at_500(schema):
    operation = schema["paths"]["/api/investments/my-investments/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Investment"},
    }
    assert "capped at the newest 500 investments" in operation["description"]
    assert {p["name"] for p in operation.get("parameters", [])} & {"page", "page_size"} == set()
    investment = schema["components"]["schemas"]["Investment"]
    assert investment["properties"]["pack"] == {
        "allOf": [{"$ref": "#/components/schemas/Pack"}],
        "description": investment["properties"]["pack"]["description"],
    }
    assert investment["properties"]["user"]["type"] == "integer"
    for name in ("id", "user", "pack", "amount", "daily_return", "start_date", "end_date", "days_elapsed"):
        assert name in investment["required"], name
    admin = schema["components"]["schemas"]["AdminInvestment"]["properties"]
    assert ("user" in admin, "user_email" in admin, "user_id" in admin) == (True, True, False)


def test_lists_are_paginated_and_the_chart_period_is_an_enum(schema):
    for path, page in (
        ("/api/admin/investments/", "PaginatedAdminInvestmentList"),
        ("/api/admin/packs/", "PaginatedAdminPackList"),
    ):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert content["schema"]["$ref"] == f"#/components/schemas/{page}", path
    chart = schema["paths"]["/api/investments/chart-data/"]["get"]
    [period] = [p for p in chart["parameters"] if p["name"] == "period"]
    # Empty is as if not sent (schemathesis: `?period=` was answered 200 though the enum left it out).
    assert sorted(period["schema"]["enum"]) == ["", "30d", "7d", "90d", "all"]
    filters = {p["name"] for p in schema["paths"]["/api/admin/investments/"]["get"]["parameters"]}
    assert {"status", "user", "page", "page_size"} <= filters


def test_money_and_rates_are_strings(schema):
    pack = schema["components"]["schemas"]["Pack"]["properties"]
    investment = schema["components"]["schemas"]["Investment"]["properties"]
    for field in (pack["min_amount"], pack["daily_return_rate"], pack["total_return_rate"], investment["total_return"]):
        assert (field["type"], field["format"]) == ("string", "decimal")
    assert schema["components"]["schemas"]["PositionStatusEnum"]["enum"] == ["active", "matured"]


def test_the_schema_generates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=io.StringIO(), stderr=io.StringIO())
