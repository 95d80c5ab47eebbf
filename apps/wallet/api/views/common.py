"""Helpers shared by the investor and staff views."""

from drf_spectacular.utils import OpenApiParameter

from apps.common.api.schema import error_response

AMOUNT_CODES = (("invalid_amount", "amount"), ("amount_below_minimum", "amount"), ("amount_above_maximum", "amount"))
NOT_FOUND = error_response("No such request, or not one of the caller's.", "not_found")


def query_params(serializer_class, request) -> dict:
    """Validated query parameters (400 on a bad value)."""
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def enum_parameter(name: str, values, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, str, OpenApiParameter.QUERY, required=False, enum=list(values), description=description
    )
