"""The original client's id-in-the-path routes (``admin/transactions/approve/<id>/``…).

Each is a thin adapter over the documented body-id endpoint: the id from the path is put into the
body under the body form's name, and the same view code validates and runs it. So both forms keep
the same rules, permissions, idempotency and errors, and an alias never widens what is accepted:
a path id that is not a positive integer, or a body that also names the id with another value, is
a 400 on that field and nothing runs.
"""

from collections.abc import Mapping

from django.urls import register_converter
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

MAX_ID = 2**63 - 1  # the largest primary key the database takes


class PathIdConverter:
    """Any path segment: the view, not the URL resolver, refuses a bad id (a 400 on the field
    named, rather than Django's HTML 404)."""

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(PathIdConverter, "path_id")


def path_id_parse(raw: str, *, field: str) -> int:
    """The id in the path: a positive integer in ASCII digits, else a 400 on ``field``. One past
    the largest id is still an integer: like the body form's, it is then refused or not found."""
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 40 and int(raw) >= 1):
        raise serializers.ValidationError({field: [_("The id in the path must be a positive integer.")]})
    return int(raw)


def body_with_path_id(request: Request, *, field: str, raw: str):
    """The request body with ``field`` taken from the path (the body may repeat it, equal)."""
    object_id = path_id_parse(raw, field=field)
    data = request.data
    if not isinstance(data, Mapping):
        return data  # the body form's serializer names what is wrong with it
    if field in data:
        sent = data[field]
        if isinstance(sent, bool) or not isinstance(sent, int):
            raise serializers.ValidationError({field: [_("A valid integer is required.")]})
        if sent != object_id:
            raise serializers.ValidationError({field: [_("The id in the body differs from the id in the path.")]})
    return {**data, field: object_id}


def path_form(serializer_class: type[serializers.Serializer], field: str) -> type[serializers.Serializer]:
    """The body form's serializer for the schema of the path form: ``field`` optional (it comes
    from the path; sent in the body too, it must be equal)."""
    declared = serializer_class._declared_fields[field]
    optional = type(declared)(**{**declared._kwargs, "required": False})
    name = serializer_class.__name__.removesuffix("Serializer") + "ByPathSerializer"
    return type(name, (serializer_class,), {field: optional, "__doc__": serializer_class.__doc__})


def path_id_parameter(field: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        field,
        int,
        OpenApiParameter.PATH,
        description=f"{description} Not a positive integer: 400 on `{field}`.",
    )
