"""A paginator for tables of millions of rows (DESIGN §7, P3): it never counts a whole table.

It counts at most ``count_cap`` + 1 matching rows (``SELECT COUNT(*) FROM (… LIMIT n)``), so a
page costs the same however big the ledger grows. Past the cap staff page through the first
``count_cap`` rows and narrow the rest with filters; the total shown is then PostgreSQL's own
estimate of the table size (``pg_class.reltuples``) when the list is unfiltered, else "more than".
"""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


def table_row_estimate(queryset) -> int | None:
    """PostgreSQL's estimate of the rows in the queryset's table, if it is unfiltered."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or queryset.query.where:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [queryset.model._meta.db_table]
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] and row[0] > 0 else None


class CappedCountPaginator(Paginator):
    template_name = "admin/wallet/includes/capped_pagination.html"
    count_cap = 10_000

    @cached_property
    def matched(self) -> int:
        """Matching rows, counted up to ``count_cap`` + 1."""
        return self.object_list.order_by().values("pk")[: self.count_cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.matched, self.count_cap)

    @property
    def is_capped(self) -> bool:
        return self.matched > self.count_cap

    @cached_property
    def estimated_total(self) -> int | None:
        """For display past the cap: about how many rows there are in all (``None``: unknown)."""
        if not self.is_capped:
            return self.count
        estimate = table_row_estimate(self.object_list)
        return estimate if estimate and estimate > self.count_cap else None
