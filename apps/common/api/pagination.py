from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


def _whole_number(raw: str) -> bool:
    return raw.isascii() and raw.isdigit() and int(raw) >= 1


def _page_number(raw: str) -> bool:
    return raw == "last" or _whole_number(raw)


class Pagination(PageNumberPagination):
    """``{count, next, previous, results}`` with ``?page=`` and ``?page_size=`` (at most 100).

    Each, when sent, is sent once, as a whole number from 1 in ASCII digits (``page`` may also be
    ``last``); anything else is a 400 on it, as the schema says. Sent empty it counts as not sent
    (the original client sends ``?page=&type=…``). A page past the last is a 404; a
    ``page_size`` above the maximum is the maximum; a missing one is the default."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        checks = {
            self.page_query_param: (_page_number, _("A page is a whole number from 1.")),
            self.page_size_query_param: (_whole_number, _("A page size is a whole number from 1.")),
        }
        for name, (valid, message) in checks.items():
            values = request.query_params.getlist(name)
            if len(values) > 1 or (values and values[0] != "" and not valid(values[0])):
                raise serializers.ValidationError({name: [message]})
        self._hint_window(queryset, request)
        return super().paginate_queryset(queryset, request, view)

    def _hint_window(self, object_list, request) -> None:
        """Tell an object list that can count and read a page in one query (it has
        ``window_hint(start, stop)``) which page will be read, before the paginator asks for its
        count: one round trip instead of two (issue 13 §2). Only for a page given by its number
        (or none: the first); ``last`` needs the count first."""
        hint = getattr(object_list, "window_hint", None)
        raw = request.query_params.get(self.page_query_param) or "1"
        page_size = self.get_page_size(request)
        if hint is None or not page_size or not _whole_number(raw):
            return
        start = (int(raw) - 1) * page_size
        hint(start, start + page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        number_or_empty = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": [""]}]}
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = number_or_empty
                parameter["description"] = "A page number from 1 (empty: the first); past the last page: 404."
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = number_or_empty
                default, most = settings.REST_FRAMEWORK["PAGE_SIZE"], self.max_page_size
                parameter["description"] = (
                    f"Results per page (default {default}, also when empty); above {most} it is {most}; below 1 or "
                    "not a whole number: 400."
                )
        return parameters
