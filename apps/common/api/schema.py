"""OpenAPI helpers: error responses documented with their stable codes and an example each."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import serializers

from apps.common.api.paths import MAX_ID
from apps.common.api.serializers import ErrorSerializer, StrictSerializer
from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS


def _is_id(name: str) -> bool:
    return name == "user" or name.endswith("_id")


EMPTY_QUERY_VALUE = {"type": "string", "enum": [""]}


def _admits_empty(schema: dict) -> bool:
    """Whether ``""`` already matches this query parameter's schema."""
    if EMPTY_QUERY_VALUE in schema.get("anyOf", []):
        return True
    return schema.get("type") == "string" and not schema.get("minLength") and "pattern" not in schema


# An amount in a query string (``?amount=``): what a money field takes, as text.
MONEY_QUERY_SCHEMA = {
    "type": "string",
    "pattern": rf"^-?[0-9]{{1,{MONEY_MAX_DIGITS - MONEY_DECIMAL_PLACES}}}(\.[0-9]{{1,{MONEY_DECIMAL_PLACES}}})?$",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, saying what the server refuses: a key a strict request body does not
    declare (``additionalProperties: false``, as ``StrictSerializer`` does); an integer id in the
    path or the query (``user``, ``…_id``) outside 1…2^63-1; the empty value that means no filter
    on every optional query parameter (among the choices, or as ``anyOf``); a list that may not be
    empty (``minItems: 1``); on every paginated list, the 400 of a bad ``page``/``page_size`` and
    the 404 of a page past the last;
    on a money command (a view with ``paused_by_maintenance``), the 503 of maintenance mode with
    its Retry-After header."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListField) and not field.allow_empty and schema.get("type") == "array":
            schema.setdefault("minItems", 1)  # DRF refuses [] ("This list may not be empty.")
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if not operation:
            return operation
        parameters = operation.get("parameters", [])
        for parameter in parameters:
            schema = parameter.get("schema", {})
            is_id = parameter["in"] == "path" or (parameter["in"] == "query" and _is_id(parameter["name"]))
            if is_id and schema.get("type") == "integer":
                schema.setdefault("minimum", 1)
                schema.setdefault("maximum", MAX_ID)
            if parameter["in"] != "query" or parameter.get("required"):
                continue
            # A filter sent empty is no filter (apps.common.api.filters.query_params).
            if "" not in schema.get("enum", [""]):
                schema["enum"] = ["", *schema["enum"]]
                schema.pop("minLength", None)
            elif not _admits_empty(schema):
                parameter["schema"] = {"anyOf": [schema, EMPTY_QUERY_VALUE]}
        responses = operation["responses"]
        if any(parameter["in"] == "query" and parameter["name"] == "page" for parameter in parameters):
            for code, response in (("400", PAGE_INVALID), ("404", PAGE_NOT_FOUND)):
                if code not in responses:
                    responses[code] = self._get_response_for_code(response, code)
        if getattr(self.view, "paused_by_maintenance", False) and self.method != "GET":
            responses["503"] = self._get_response_for_code(MAINTENANCE, "503")
            responses["503"]["headers"] = {
                "Retry-After": {"schema": {"type": "integer", "minimum": 1}, "description": "Seconds to wait."}
            }
        return operation


# A code alone, or (code, field) for a business error reported on one field.
ErrorCode = str | tuple[str, str]


def _example(code: ErrorCode) -> OpenApiExample:
    name, field = (code, None) if isinstance(code, str) else code
    value = {"detail": "…", "code": name}
    if field:
        value[field] = ["…"]
    return OpenApiExample(name, value=value)


def error_response(description: str, *codes: ErrorCode) -> OpenApiResponse:
    """An error response whose description lists its stable ``code``s."""
    names = [code if isinstance(code, str) else code[0] for code in codes]
    if names:
        description = f"{description} Codes: " + ", ".join(f"`{name}`" for name in names) + "."
    return OpenApiResponse(response=ErrorSerializer, description=description, examples=[_example(c) for c in codes])


def bad_request(*codes: ErrorCode) -> OpenApiResponse:
    """400: a field-error object, malformed JSON (``parse_error``), or one of the business ``codes``."""
    response = error_response(
        'Invalid input. Validation errors are DRF\'s field-error object (`{"field": ["…"]}`; an '
        "undeclared field is refused by name); business errors are "
        '`{"detail": "…", "code": "…"}` plus the offending field\'s key.',
        "parse_error",
        *codes,
    )
    response.examples.insert(0, OpenApiExample("field errors", value={"field": ["This field is required."]}))
    return response


NOT_AUTHENTICATED = error_response("Missing, invalid or expired access token.", "not_authenticated", "token_not_valid")
THROTTLED = error_response("Too many requests from this client; retry later.", "throttled")

PAGE_INVALID = OpenApiResponse(
    response=ErrorSerializer,
    description="`page` or `page_size` is not one whole number from 1 (or a filter is invalid).",
    examples=[OpenApiExample("bad page", value={"page": ["A page is a whole number from 1."]})],
)
PAGE_NOT_FOUND = error_response("A page past the last page.", "not_found")
MAINTENANCE = error_response(
    "Maintenance mode is on: money operations are paused and nothing changed (an Idempotency-Key sent "
    "with it is not used up). Send the same request again after Retry-After seconds.",
    "maintenance",
)
