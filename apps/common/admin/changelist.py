"""The shared ModelAdmin: unfold's, with changelist filters on ids checked first.

A changelist URL can carry any id (``?user__id__exact=…``). One beyond a 64-bit column, or one
that is not a number, used to reach the database (a 500 from the autocomplete filters) or send
staff to Django's "database installation" page. Such a filter is dropped instead: the list is
shown without it, with a message saying which filter was ignored.
"""

import re

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _
from unfold.admin import ModelAdmin as UnfoldModelAdmin

ID_MIN, ID_MAX = -(2**63), 2**63 - 1
ID_TEXT = re.compile(r"-?[0-9]+", re.ASCII)
# Lookups whose value is an id (or a comma-separated list of ids, for ``in``).
ID_LOOKUPS = {"exact", "in", "gt", "gte", "lt", "lte"}


def _id_field(*, model, path: str):
    """The integer field ``path`` ends on (through relations, to their target), with its lookup;
    ``(None, None)`` when the path is not an id lookup."""
    parts = path.split("__")
    lookup = parts.pop() if len(parts) > 1 and parts[-1] in ID_LOOKUPS | {"isnull"} else "exact"
    field = None
    for part in parts:
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None, None
        if field.is_relation:
            model = field.related_model
            if model is None:
                return None, None
    if field is not None and field.is_relation and field.many_to_one | field.one_to_one and field.concrete:
        field = field.target_field
    if lookup not in ID_LOOKUPS or not isinstance(field, models.IntegerField | models.AutoField):
        return None, None
    return field, lookup


def _is_id(text: str) -> bool:
    return bool(ID_TEXT.fullmatch(text)) and ID_MIN <= int(text) <= ID_MAX


def changelist_bad_id_params(*, model, params: QueryDict, skip=frozenset()) -> list[tuple[str, str]]:
    """``(parameter, value)`` of every id filter in ``params`` that no id can match; parameters in
    ``skip`` (the admin's own filters, which read their values themselves) are left alone."""
    bad = []
    for key, values in params.lists():
        if key in skip:
            continue
        field, lookup = _id_field(model=model, path=key)
        if field is None:
            continue
        for value in values:
            ids = value.split(",") if lookup == "in" else [value]
            if not all(_is_id(text.strip()) for text in ids):
                bad.append((key, value))
    return bad


class ModelAdmin(UnfoldModelAdmin):
    """unfold's ModelAdmin; a changelist filter on an impossible id is dropped with a message."""

    def changelist_view(self, request: HttpRequest, extra_context=None):
        own = {
            entry.parameter_name
            for entry in self.get_list_filter(request)
            if isinstance(entry, type) and issubclass(entry, admin.SimpleListFilter)
        }
        bad = changelist_bad_id_params(model=self.model, params=request.GET, skip=own)
        if bad:
            query = request.GET.copy()
            for key, value in bad:
                query.pop(key, None)
                messages.warning(
                    request,
                    _("Filter ignored: “%(value)s” is not a valid id (%(parameter)s).")
                    % {"value": value, "parameter": key},
                )
            query._mutable = False
            request.GET = query
        return super().changelist_view(request, extra_context)
