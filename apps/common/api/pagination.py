from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """``{count, next, previous, results}`` with ``?page=`` and ``?page_size=`` (at most 100).

    ``page`` is a whole number from 1 (anything else is a 400 on ``page``; a page past the last is
    a 404). ``page_size`` is clamped: above the maximum it is the maximum; missing, empty, not a
    whole number or below 1, it is the default."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "")
        if raw not in ("", "last") and not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise serializers.ValidationError({self.page_query_param: [_("A page is a whole number from 1.")]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = "A page number from 1; past the last page: 404."
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer"}
                default, most = settings.REST_FRAMEWORK["PAGE_SIZE"], self.max_page_size
                parameter["description"] = (
                    f"Results per page (default {default}); above {most} it is {most}, below 1 or not a whole "
                    "number it is the default."
                )
        return parameters
