"""CSV export of an admin list: the rows the page shows (its filters, search and ordering
applied), every page of them, streamed so that a million rows never sit in memory.

``CsvExportMixin`` goes first in a ModelAdmin's bases and adds an "Export CSV" button to the
changelist (an unfold ``actions_list`` action whose link carries the page's query string). Its
view builds the changelist exactly as the page would (``get_changelist_instance``: the same list
filters, search, ``get_queryset`` and ordering) without counting or fetching a page, then reads
the declared columns with one query through a server-side cursor (``.iterator(chunk_size=…)``).

Each admin declares its columns in ``export_columns``: a lookup (``"amount"``, an annotation
such as ``"returns_paid"``) whose name is also the header, or ``("header", "lookup")``. Headers
are stable names, not translated, so a spreadsheet or a script reads the same file whatever the
staff member's language. Cells are written by value type: money and other decimals exact, at
their field's places (``1234.50``, never through a float); dates ISO (``2026-03-02``);
date-times ISO in the current time zone with their offset; booleans ``true``/``false``; empty
for none. Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) is prefixed with ``'``.

Who may export: whoever may view the list (the admin's view permission). The file holds no row
and no column that the staff member cannot already page through on screen, so a separate
``export_*`` permission would add a model permission (a migration) without closing anything;
each export is logged instead (``bursar.exports``: who, which list, which filters).
"""

import csv
import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db.models import DecimalField
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.decorators import action

logger = logging.getLogger("bursar.exports")

CHUNK_SIZE = 2000
# Excel reads a UTF-8 file as such (names in Arabic included) only when it starts with a BOM.
BYTE_ORDER_MARK = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
EXPORT_ACTION = "export_csv"
_EXPORT_REQUEST = "_csv_export"


class _Echo:
    """A file whose ``write`` hands the line back, so ``csv.writer`` yields lines."""

    def write(self, value: str) -> str:
        return value


def csv_text(value: str) -> str:
    """Text with the formula guard: ``=1+1`` becomes ``'=1+1``."""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def csv_cell(value) -> str:
    """One cell, by the value's type (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return csv_text(str(value))


def csv_lines(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The header (after the byte order mark), then one CSV line per row, lazily."""
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def csv_response(*, lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def decimal_quanta(queryset, lookups: list[str]) -> list[Decimal | None]:
    """Per lookup, the step of its decimal field (``0.01`` for money), else ``None``. SQLite hands
    back annotations such as ``Coalesce(Sum(...), 0)`` without their places (``0`` for 0.00)."""
    quanta = []
    for lookup in lookups:
        field = queryset.query.annotations[lookup].output_field if lookup in queryset.query.annotations else None
        if field is None:
            try:
                field = get_fields_from_path(queryset.model, lookup)[-1]
            except (FieldDoesNotExist, NotRelationField):
                field = None
        places = field.decimal_places if isinstance(field, DecimalField) else None
        quanta.append(Decimal(1).scaleb(-places) if places is not None else None)
    return quanta


def rows_exact(rows: Iterable[Iterable], quanta: list[Decimal | None]) -> Iterator[list]:
    """Each row with its decimals at their field's places (an exact operation on a Decimal)."""
    for row in rows:
        yield [
            value.quantize(step) if step is not None and isinstance(value, Decimal) else value
            for value, step in zip(row, quanta, strict=True)
        ]


def export_columns_split(columns: Iterable[str | tuple[str, str]]) -> tuple[list[str], list[str]]:
    """``export_columns`` as (headers, lookups)."""
    headers, lookups = [], []
    for column in columns:
        header, lookup = (column, column) if isinstance(column, str) else column
        headers.append(header)
        lookups.append(lookup)
    return headers, lookups


class CsvExportMixin:
    """Put it first in the bases of a ModelAdmin and declare ``export_columns``."""

    export_columns: tuple[str | tuple[str, str], ...] = ()
    export_chunk_size = CHUNK_SIZE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Added to whatever ``actions_list`` the admin declares, so it can keep its own.
        if EXPORT_ACTION not in self._extract_action_names(self.actions_list):
            self.actions_list = (*self.actions_list, EXPORT_ACTION)

    def has_export_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.has_view_permission(request)

    def get_changelist(self, request: HttpRequest, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        return _without_page(changelist) if getattr(request, _EXPORT_REQUEST, False) else changelist

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """The page, with the filters and search on screen in the export button's link."""
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if "cl" in context and context.get("actions_list"):
            url = self._export_url()
            query = context["cl"].get_query_string()
            for item in context["actions_list"]:
                if isinstance(item, dict) and item.get("path") == url and query != "?":
                    item["path"] = url + query
        return response

    @action(description=_("Export CSV"), icon="download", permissions=["export"], url_path="export-csv")
    def export_csv(self, request: HttpRequest):
        """Every row of the list as filtered on screen, as CSV (see the module docstring)."""
        setattr(request, _EXPORT_REQUEST, True)
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            self.message_user(request, _("Nothing was exported: the filters are not valid."), messages.ERROR)
            return HttpResponseRedirect(self._admin_url("changelist"))
        headers, lookups = export_columns_split(self.export_columns)
        queryset = changelist.queryset.prefetch_related(None)
        rows = rows_exact(
            queryset.values_list(*lookups).iterator(chunk_size=self.export_chunk_size),
            decimal_quanta(queryset, lookups),
        )
        logger.info(
            "%s exported %s as CSV (%s)", request.user.get_username(), self.opts.label, request.GET.urlencode() or "all"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return csv_response(
            lines=csv_lines(headers, rows),
            filename=f"{self.opts.model_name}s-{stamp}.csv",
        )

    def _admin_url(self, name: str) -> str:
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}")

    def _export_url(self) -> str:
        return self._admin_url(EXPORT_ACTION)


_PAGELESS: dict[type, type] = {}


def _without_page(changelist: type) -> type:
    """The admin's ChangeList class, minus the paginator: an export reads every row, so it
    neither counts them nor fetches a page (``changelist.queryset`` is what the page filters)."""
    if changelist not in _PAGELESS:

        def get_results(self, request):
            self.result_count = self.full_result_count = None
            self.result_list = self.queryset
            self.can_show_all, self.multi_page, self.show_full_result_count = False, False, False
            self.show_admin_actions = False

        _PAGELESS[changelist] = type(f"Export{changelist.__name__}", (changelist,), {"get_results": get_results})
    return _PAGELESS[changelist]
