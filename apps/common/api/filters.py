"""Query parameters of the list endpoints."""

from drf_spectacular.utils import OpenApiParameter


def query_params(serializer_class, request) -> dict:
    """Validated query parameters (400 on a bad value). A parameter sent empty (``?status=``, as a
    client sends a filter left unset) is no filter, as if it were not sent."""
    sent = {key: value for key, value in request.query_params.items() if value != ""}
    serializer = serializer_class(data=sent)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def enum_parameter(name: str, values, description: str) -> OpenApiParameter:
    """An optional filter with these values; empty means no filter."""
    return OpenApiParameter(
        name,
        str,
        OpenApiParameter.QUERY,
        required=False,
        enum=["", *values],
        description=f"{description} Empty: no filter.",
    )
