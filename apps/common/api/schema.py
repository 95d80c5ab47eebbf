"""OpenAPI helpers: error responses documented with their stable codes and an example each."""

from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiExample, OpenApiResponse

from apps.common.api.serializers import ErrorSerializer, StrictSerializer


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's, saying what a strict request body refuses: a key it does not declare
    (``additionalProperties: false``), as ``StrictSerializer`` does."""

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        return schema


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
