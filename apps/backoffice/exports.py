"""Moved to ``apps.common.admin.exports`` (the lower apps' admins use it too); these names stay for
the modules that import them from here."""

from apps.common.admin.exports import CsvExportMixin, csv_cell, csv_lines, csv_response, csv_text

__all__ = ["CsvExportMixin", "csv_cell", "csv_lines", "csv_response", "csv_text"]
