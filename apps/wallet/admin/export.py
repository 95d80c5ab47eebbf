"""The ledger as CSV: every posting of a range of business dates, with its entry and account,
streamed (one query, read in chunks) so a year of postings never sits in memory."""

import csv
from collections.abc import Iterator
from datetime import date

from django.http import StreamingHttpResponse

from apps.wallet.selectors import ledger_export_rows

CSV_HEADER = (
    "entry_id",
    "business_date",
    "entry_kind",
    "natural_key",
    "account_id",
    "owner_email",
    "account_kind",
    "amount",
    "balance_after",
    "memo",
)
CHUNK_SIZE = 2000
# A cell starting with one of these is a formula to a spreadsheet: text typed by people is
# quoted with a leading apostrophe so that opening the export runs nothing.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose ``write`` hands the line back (csv.writer → generator)."""

    def write(self, value: str) -> str:
        return value


def _text(value: str | None) -> str:
    value = value or ""
    return f"'{value}" if value.startswith(FORMULA_PREFIXES) else value


def ledger_csv_lines(*, date_from: date, date_to: date) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    rows = ledger_export_rows(date_from=date_from, date_to=date_to).iterator(chunk_size=CHUNK_SIZE)
    for entry_id, day, kind, key, account_id, email, account_kind, amount, balance_after, memo in rows:
        yield writer.writerow(
            (
                entry_id,
                day.isoformat(),
                kind,
                _text(key),
                account_id,
                _text(email),
                account_kind,
                f"{amount:.2f}",
                f"{balance_after:.2f}",
                _text(memo),
            )
        )


def ledger_csv_response(*, date_from: date, date_to: date) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        ledger_csv_lines(date_from=date_from, date_to=date_to), content_type="text/csv; charset=utf-8"
    )
    filename = f"ledger-{date_from.isoformat()}-to-{date_to.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
