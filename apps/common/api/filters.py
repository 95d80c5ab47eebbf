"""Query parameters of the list endpoints."""

import functools

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.fields import empty


def query_params(serializer_class, request) -> dict:
    """Validated query parameters (400 on a bad value). A parameter sent empty (``?status=``, as a
    client sends a filter left unset) is no filter, as if it were not sent.

    When none of the serializer's parameters was sent and it has nothing to add on its own (no
    required field, no default, no ``validate``), the answer is ``{}`` without building it: what
    a plain list request (no filter) asks, on every read."""
    sent = {key: value for key, value in request.query_params.items() if value != ""}
    names = _names_if_nothing_added(serializer_class)
    if names is not None and names.isdisjoint(sent):
        return {}
    serializer = serializer_class(data=sent)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@functools.cache
def _names_if_nothing_added(serializer_class) -> frozenset[str] | None:
    """The parameter names of ``serializer_class`` when, given none of them, it validates to
    ``{}`` whatever else is sent; else None."""
    if serializer_class.validate is not serializers.Serializer.validate:
        return None
    fields = serializer_class().fields
    if any(field.required or field.default is not empty for field in fields.values()):
        return None
    return frozenset(fields)


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


SEARCH_MAX_LENGTH = 200


def search_parameter(description: str) -> OpenApiParameter:
    """An optional free-text search of at most ``SEARCH_MAX_LENGTH`` characters (as sent)."""
    return OpenApiParameter(
        "search",
        {"type": "string", "maxLength": SEARCH_MAX_LENGTH},
        OpenApiParameter.QUERY,
        required=False,
        description=description,
    )
