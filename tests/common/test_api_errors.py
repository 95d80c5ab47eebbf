"""The API's error shape, its pagination, and the OpenAPI schema and offline docs."""

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from openapi_spec_validator import validate
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.common.api.exceptions import exception_handler
from apps.common.api.pagination import Pagination
from apps.common.errors import ApplicationError, ConflictError

AUTH_PATHS = [
    "/api/auth/signup/",
    "/api/auth/login/",
    "/api/auth/logout/",
    "/api/auth/token/refresh/",
    "/api/auth/verify-email/",
    "/api/auth/forgot-password/",
    "/api/auth/reset-password/",
    "/api/auth/change-password/",
    "/api/users/profile/",
    "/api/users/profile/update/",
]


def handle(exc):
    return exception_handler(exc, {})


# --- Exception handler -------------------------------------------------------------------------


def test_application_error_on_a_field():
    response = handle(ApplicationError("Not enough money.", code="insufficient_balance", field="amount"))

    assert response.status_code == 400
    assert response.data == {
        "detail": "Not enough money.",
        "code": "insufficient_balance",
        "amount": ["Not enough money."],
    }


def test_application_error_without_field_with_extra_and_status():
    response = handle(ApplicationError("Nope.", code="permission_denied", extra={"limit": "10.00"}, status_code=403))

    assert response.status_code == 403
    assert response.data == {"detail": "Nope.", "code": "permission_denied", "limit": "10.00"}


def test_conflict_error_is_409():
    response = handle(ConflictError("Already reviewed.", code="already_reviewed"))

    assert response.status_code == 409
    assert response.data == {"detail": "Already reviewed.", "code": "already_reviewed"}


def test_drf_validation_error_keeps_the_field_error_object():
    response = handle(exceptions.ValidationError({"amount": ["A valid number is required."]}))

    assert response.status_code == 400
    assert response.data == {"amount": ["A valid number is required."]}


def test_django_validation_error_with_fields_becomes_a_field_error_object():
    response = handle(DjangoValidationError({"amount": ["Too small.", "Too round."], "note": ["Required."]}))

    assert response.status_code == 400
    assert response.data == {"amount": ["Too small.", "Too round."], "note": ["Required."]}


def test_django_validation_error_without_fields_is_non_field_errors():
    response = handle(DjangoValidationError("Broken."))

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Broken."]}


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (Http404("No Transaction matches the given query."), 404, {"detail": "Not found.", "code": "not_found"}),
        (
            PermissionDenied(),
            403,
            {"detail": "You do not have permission to perform this action.", "code": "permission_denied"},
        ),
        (
            exceptions.NotAuthenticated(),
            401,
            {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"},
        ),
        (exceptions.ParseError(), 400, {"detail": "Malformed request.", "code": "parse_error"}),
        (
            exceptions.MethodNotAllowed("PUT"),
            405,
            {"detail": 'Method "PUT" not allowed.', "code": "method_not_allowed"},
        ),
        (
            exceptions.Throttled(wait=7),
            429,
            {"detail": "Request was throttled. Expected available in 7 seconds.", "code": "throttled"},
        ),
    ],
)
def test_drf_and_django_errors_gain_a_code(exc, status, body):
    response = handle(exc)

    assert response.status_code == status
    assert response.data == body


def test_unexpected_exceptions_are_left_to_django():
    assert handle(ValueError("bug")) is None


# --- Pagination --------------------------------------------------------------------------------


def paginate(query: str, items=None):
    request = Request(APIRequestFactory().get(f"/api/things/{query}"))
    paginator = Pagination()
    page = paginator.paginate_queryset(items if items is not None else list(range(250)), request)
    return paginator.get_paginated_response(page).data


def test_pagination_defaults_to_twenty():
    data = paginate("")

    assert list(data) == ["count", "next", "previous", "results"]
    assert data["count"] == 250
    assert data["results"] == list(range(20))
    assert data["next"] == "http://testserver/api/things/?page=2"
    assert data["previous"] is None


def test_pagination_page_size_is_capped_at_one_hundred():
    data = paginate("?page_size=500&page=2")

    assert data["results"] == list(range(100, 200))
    assert data["previous"] == "http://testserver/api/things/?page_size=500"


def test_pagination_honours_a_small_page_size():
    assert paginate("?page_size=3&page=4")["results"] == [9, 10, 11]


def test_pagination_a_page_past_the_last_is_404():
    with pytest.raises(exceptions.NotFound):
        paginate("?page=999")


@pytest.mark.parametrize("query", ["?page=abc", "?page=0", "?page=-1", "?page=1.5", "?page=%D9%A1"])
def test_pagination_a_page_that_is_not_a_whole_number_from_1_is_400(query):
    """Issue 12: the schema says `page` is an integer from 1, and the server answers so."""
    with pytest.raises(exceptions.ValidationError) as raised:
        paginate(query)
    assert raised.value.detail == {"page": ["A page is a whole number from 1."]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?page_size=0", "page_size"),
        ("?page_size=abc", "page_size"),
        ("?page_size=-5", "page_size"),
        ("?page_size=null&page_size=null", "page_size"),
        ("?page_size=5&page_size=5", "page_size"),
        ("?page=1&page=2", "page"),
    ],
)
def test_pagination_a_page_or_page_size_that_is_not_one_whole_number_from_1_is_400(query, field):
    """Issue 12 (schemathesis): the schema says each is one integer from 1; `page_size=null`
    twice was answered 200 with the default."""
    message = {"page": "A page is a whole number from 1.", "page_size": "A page size is a whole number from 1."}
    with pytest.raises(exceptions.ValidationError) as raised:
        paginate(query)
    assert raised.value.detail == {field: [message[field]]}


@pytest.mark.parametrize("query", ["?page=", "?page_size=", "?page=&page_size="])
def test_pagination_a_page_or_page_size_sent_empty_counts_as_not_sent(query):
    """The original client sends its unset parameters empty (`?page=&type=deposit&status=`,
    issue 11): the first page of the default size, as the schema says (an integer from 1 or "")."""
    data = paginate(query)
    assert (data["count"], data["results"]) == (250, list(range(20)))


def test_pagination_the_last_page_by_name():
    assert paginate("?page=last&page_size=100")["results"] == list(range(200, 250))


# --- Schema and docs ---------------------------------------------------------------------------


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_with_every_auth_and_profile_path(schema):
    validate(schema)
    assert set(AUTH_PATHS) <= set(schema["paths"])
    assert list(schema["paths"]["/api/users/profile/update/"]) == ["patch"]
    assert list(schema["paths"]["/api/users/profile/"]) == ["get"]


def test_schema_documents_the_error_codes(schema):
    def description(path, method, status):
        return schema["paths"][path][method]["responses"][status]["description"]

    assert "`invalid_credentials`" in description("/api/auth/login/", "post", "401")
    assert "`account_inactive`" in description("/api/auth/login/", "post", "403")
    assert "`login_locked`" in description("/api/auth/login/", "post", "429")
    signup_400 = description("/api/auth/signup/", "post", "400")
    for code in ["email_taken", "password_invalid", "referral_code_invalid", "username_taken", "parse_error"]:
        assert f"`{code}`" in signup_400
    assert "`token_not_valid`" in description("/api/auth/token/refresh/", "post", "401")


def test_schema_marks_public_endpoints_public(schema):
    for path in ["/api/auth/signup/", "/api/auth/login/", "/api/auth/verify-email/", "/api/auth/forgot-password/"]:
        assert schema["paths"][path]["post"]["security"] == [{}]
    assert schema["paths"]["/api/users/profile/"]["get"]["security"] == [{"jwtAuth": []}]


def test_schema_describes_money_as_decimal_strings(schema):
    profile = schema["components"]["schemas"]["Profile"]["properties"]
    for name in ["balance", "balance_held", "balance_invested"]:
        assert (profile[name]["type"], profile[name]["format"]) == ("string", "decimal")
    assert profile["role"]["allOf"] == [{"$ref": "#/components/schemas/RoleEnum"}]
    assert schema["components"]["schemas"]["RoleEnum"]["enum"] == ["customer", "admin"]


def test_schema_says_what_a_paginated_list_refuses(schema):
    """Issue 12 (schemathesis): a page past the last (404) and a bad page (400) were undocumented."""
    operation = schema["paths"]["/api/transactions/"]["get"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in operation["parameters"]}

    number_or_empty = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": [""]}]}
    assert parameters["page"] == parameters["page_size"] == number_or_empty
    assert {"400", "404"} <= set(operation["responses"])


def test_schema_bounds_integer_ids_in_the_path(schema):
    """Issue 12 (schemathesis): `/messages/mark-read/0/` is a 400, so the schema says ids start at 1."""
    for path, method in [("/api/messages/mark-read/{message_id}/", "post"), ("/api/threads/{thread_id}/", "get")]:
        (parameter,) = [p for p in schema["paths"][path][method]["parameters"] if p["in"] == "path"]
        assert (parameter["schema"]["minimum"], parameter["schema"]["maximum"]) == (1, 2**63 - 1)


def test_schema_bounds_integer_ids_in_the_query_and_says_what_an_amount_is(schema):
    """Schemathesis: `?user=0`, `?thread_id=0` and `?amount=` were schema-valid but a 400."""
    for path, name in [("/api/admin/investments/", "user"), ("/api/admin/messages/", "thread_id")]:
        (parameter,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        # (or sent empty, which is no filter: test_every_optional_query_parameter_admits_…)
        assert parameter["schema"] == {
            "anyOf": [{"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, {"type": "string", "enum": [""]}]
        }, path
    (amount,) = [p for p in schema["paths"]["/api/investments/quote/"]["get"]["parameters"] if p["name"] == "amount"]
    assert amount["schema"] == {"type": "string", "pattern": r"^-?[0-9]{1,18}(\.[0-9]{1,2})?$"}


def test_schema_lets_every_query_filter_be_sent_empty(schema):
    """Schemathesis: `?role=` was answered 200 (an empty filter is no filter) though the schema
    required one of the choices."""
    (role,) = [p for p in schema["paths"]["/api/admin/users/"]["get"]["parameters"] if p["name"] == "role"]
    assert role["schema"] == {"enum": ["", "customer", "admin"], "type": "string"}


def test_docs_are_served_from_local_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in html
    assert 'url: "/api/schema/"' in html
    for cdn in ["jsdelivr", "unpkg", "cdnjs", "googleapis", "https://", "http://"]:
        assert cdn not in html
    for asset in ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"]:
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}") is not None


def test_every_optional_query_parameter_admits_the_empty_value_that_means_no_filter(schema):
    """Schemathesis sent `?user=` (an integer filter) and got the unfiltered list, as query_params
    does for every filter; the schema must say so, or the answer reads as a schema violation."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query" or parameter.get("required"):
                    continue
                parameter_schema = parameter["schema"]
                admits_empty = (
                    "" in parameter_schema.get("enum", [])
                    or {"type": "string", "enum": [""]} in parameter_schema.get("anyOf", [])
                    or (
                        parameter_schema.get("type") == "string"
                        and "enum" not in parameter_schema
                        and not parameter_schema.get("minLength")
                        and "pattern" not in parameter_schema
                    )
                )
                assert admits_empty, (method, path, parameter["name"], parameter_schema)
