"""The statement as CSV, row by row (for ``StreamingHttpResponse``): a long statement is never
held in memory, and each amount is a plain 2-decimal string a spreadsheet reads as a number."""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.common.money import to_money
from apps.wallet.models import EntryKind

# Excel opens a UTF-8 file as such (Arabic included) only when it starts with a byte order mark.
BYTE_ORDER_MARK = "\ufeff"
CHUNK_SIZE = 2000
# A cell starting with one of these is a formula to a spreadsheet: such text is quoted with '.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file that hands back what is written to it, so csv.writer yields lines."""

    def write(self, value: str) -> str:
        return value


def _amount(value: Decimal) -> str:
    return f"{to_money(value):.2f}"


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def statement_csv_header() -> list[str]:
    return [_("Date"), _("Type"), _("Description"), _("Credit"), _("Debit"), _("Balance after"), _("Currency")]


def statement_csv_lines(postings: QuerySet) -> Iterator[str]:
    """The header, then one line per posting in the queryset's order. Labels are translated
    now, in the request's language, not later while the response streams."""
    header = statement_csv_header()
    kind_labels = {kind.value: str(kind.label) for kind in EntryKind}
    return _lines(header, kind_labels, postings.iterator(chunk_size=CHUNK_SIZE))


def _lines(header: list[str], kind_labels: dict[str, str], postings: Iterable) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BYTE_ORDER_MARK + writer.writerow(header)
    for posting in postings:
        entry = posting.entry
        credit = _amount(posting.amount) if posting.amount > 0 else ""
        debit = _amount(-posting.amount) if posting.amount < 0 else ""
        yield writer.writerow(
            [
                entry.business_date.isoformat(),
                kind_labels.get(entry.kind, entry.kind),
                _text(entry.memo),
                credit,
                debit,
                _amount(posting.balance_after),
                posting.currency,
            ]
        )
