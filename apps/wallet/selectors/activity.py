"""The investor's activity: their requests and every other movement on their balance (API)."""

import functools
from datetime import timedelta

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    DecimalField,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Abs, Cast, Concat

from apps.common.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS
from apps.common.prepared import PreparedQuery
from apps.wallet.models import (
    AccountKind,
    Deposit,
    EntryKind,
    Posting,
    RequestStatus,
    Withdrawal,
)
from apps.wallet.selectors.balances import ZERO

# Entries that belong to a deposit or withdrawal request: the request itself is the row.
REQUEST_ENTRY_KINDS = (
    EntryKind.DEPOSIT,
    EntryKind.WITHDRAWAL_HOLD,
    EntryKind.WITHDRAWAL_PAYOUT,
    EntryKind.WITHDRAWAL_RELEASE,
)
TRANSACTION_DEPOSIT = "deposit"
TRANSACTION_WITHDRAWAL = "withdrawal"
MOVEMENT_TYPES = tuple(kind for kind in EntryKind.values if kind not in REQUEST_ENTRY_KINDS)
TRANSACTION_TYPES = (TRANSACTION_DEPOSIT, TRANSACTION_WITHDRAWAL, *MOVEMENT_TYPES)
# A ledger movement is done the moment it is posted.
MOVEMENT_STATUS = "completed"
TRANSACTION_STATUSES = (*RequestStatus.values, MOVEMENT_STATUS)
# Newest first; the id breaks ties (a deposit's and a posting's ids come from different sequences).
ACTIVITY_ORDER = ("-row_created_at", "-row_id")
# The same order for the movements' own newest rows, on an expression rather than the entry's
# ``created_at`` column: PostgreSQL then reads the investor's postings by account and sorts them,
# instead of walking every investor's entries backwards through the ``created_at`` index until it
# has found enough of this investor's (160 ms for an investor with no recent movement, measured).
MOVEMENT_BRANCH_ORDER = ((F("row_created_at") + Value(timedelta(0))).desc(), "-row_id")
# The columns of one activity row, in the order every branch of the union selects them.
TRANSACTION_COLUMNS = (
    "row_id",
    "row_user_id",
    "row_type",
    "row_direction",
    "row_amount",
    "row_fee",
    "row_status",
    "row_balance_after",
    "row_wallet_address",
    "row_transaction_hash",
    "row_admin_note",
    "row_reference",
    "row_created_at",
    "row_updated_at",
)


def _money_field() -> DecimalField:
    return DecimalField(max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)


def _text(value: str) -> Cast:
    # Typed, so that PostgreSQL can match the branches of the union whatever the binding mode.
    return Cast(Value(value), output_field=CharField())


def _request_rows(queryset: QuerySet, *, kind: str, direction: str, entry: str, **columns) -> QuerySet:
    """One branch of the activity union: a request and the balance its entry left on the
    investor's available account (empty while nothing was posted)."""
    postings = Posting.objects.filter(entry_id=OuterRef(entry), account__kind=AccountKind.AVAILABLE)
    available_after = postings.values("balance_after")[:1]
    return (
        queryset.order_by()
        .annotate(
            row_id=F("id"),
            row_user_id=F("user_id"),
            row_type=_text(kind),
            row_direction=_text(direction),
            row_amount=F("amount"),
            row_fee=columns["fee"],
            row_status=F("status"),
            row_balance_after=Subquery(available_after, output_field=_money_field()),
            row_wallet_address=F(columns["wallet_address"]),
            row_transaction_hash=F(columns["transaction_hash"]),
            row_admin_note=F("admin_note"),
            row_reference=Concat(_text(f"{kind}:"), Cast("id", output_field=CharField()), output_field=CharField()),
            row_created_at=F("created_at"),
            row_updated_at=F("updated_at"),
        )
        .values(*TRANSACTION_COLUMNS)
    )


def _movement_rows(postings: QuerySet) -> QuerySet:
    """Postings on an available account that are not part of a request."""
    return (
        postings.order_by()
        .annotate(
            row_id=F("id"),
            row_user_id=F("account__owner_id"),
            row_type=F("entry__kind"),
            row_direction=Case(When(amount__gt=0, then=_text("credit")), default=_text("debit")),
            row_amount=Abs("amount", output_field=_money_field()),
            row_fee=Value(ZERO, output_field=_money_field()),
            row_status=_text(MOVEMENT_STATUS),
            row_balance_after=F("balance_after"),
            row_wallet_address=_text(""),
            row_transaction_hash=_text(""),
            row_admin_note=F("entry__memo"),
            row_reference=F("entry__natural_key"),
            row_created_at=F("entry__created_at"),
            row_updated_at=F("entry__created_at"),
        )
        .values(*TRANSACTION_COLUMNS)
    )


def _deposit_rows(deposits: QuerySet) -> QuerySet:
    return _request_rows(
        deposits,
        kind=TRANSACTION_DEPOSIT,
        direction="credit",
        entry="entry_id",
        fee=Value(ZERO, output_field=_money_field()),
        wallet_address="sender_address",
        transaction_hash="transaction_hash",
    )


def _withdrawal_rows(withdrawals: QuerySet) -> QuerySet:
    return _request_rows(
        withdrawals,
        kind=TRANSACTION_WITHDRAWAL,
        direction="debit",
        entry="hold_entry_id",
        fee=F("fee"),
        wallet_address="address",
        transaction_hash="payout_hash",
    )


# The row columns of each branch, built once per process: annotating fourteen expressions per
# branch is most of a request's ORM work, while filtering a copy by the investor is cheap. These
# querysets are only ever copied (``filter``), never evaluated.
@functools.cache
def _deposit_columns() -> QuerySet:
    return _deposit_rows(Deposit.objects.all())


@functools.cache
def _withdrawal_columns() -> QuerySet:
    return _withdrawal_rows(Withdrawal.objects.all())


@functools.cache
def _movement_columns(types: tuple[str, ...]) -> QuerySet:
    return _movement_rows(Posting.objects.filter(account__kind=AccountKind.AVAILABLE, entry__kind__in=types))


def _union(branches: list[QuerySet]) -> QuerySet:
    if not branches:
        return _deposit_rows(Deposit.objects.none())
    first, *others = branches
    return first.union(*others, all=True) if others else first


def _selection(*, transaction_type: str | None, status: str | None) -> tuple[dict | None, dict | None, tuple]:
    """Which branches a filter keeps: the deposit and withdrawal filters (None: branch left out)
    and the movement entry kinds (empty: branch left out)."""
    deposits = withdrawals = None
    if status != MOVEMENT_STATUS:
        requests = {"status": status} if status else {}
        if transaction_type in (None, TRANSACTION_DEPOSIT):
            deposits = requests
        if transaction_type in (None, TRANSACTION_WITHDRAWAL):
            withdrawals = requests
    types = MOVEMENT_TYPES if transaction_type is None else tuple(t for t in MOVEMENT_TYPES if t == transaction_type)
    if status not in (None, MOVEMENT_STATUS):
        types = ()
    return deposits, withdrawals, types


def transaction_list_for_user(
    *, user, transaction_type: str | None = None, status: str | None = None, newest: int | None = None
) -> QuerySet:
    """The investor's activity, newest first: their deposit and withdrawal requests (with their
    status) and every other movement on their available balance (adjustments, investments,
    returns, commissions, …), each with the running balance it left.

    One SQL ``UNION ALL`` of dict rows keyed by ``TRANSACTION_COLUMNS``: a page costs one query,
    however many rows there are (its count: ``transaction_count_for_user``). A request is dated
    when it was made; ``balance_after`` is the available balance right after its entry was posted.

    ``newest``: only that many of the newest rows will be read (a page ends there), so each
    branch keeps its own newest ``newest`` before the union (where the database can order and
    limit inside a ``UNION``: PostgreSQL, not SQLite), and the columns and running balances are
    worked out for those rows only, not for every row of a long history.
    """
    deposits, withdrawals, types = _selection(transaction_type=transaction_type, status=status)
    branches = []  # (rows, their order inside the branch)
    if deposits is not None:
        branches.append((_deposit_columns().filter(user=user, **deposits), ACTIVITY_ORDER))
    if withdrawals is not None:
        branches.append((_withdrawal_columns().filter(user=user, **withdrawals), ACTIVITY_ORDER))
    if types:
        branches.append((_movement_columns(types).filter(account__owner=user), MOVEMENT_BRANCH_ORDER))
    if newest and len(branches) > 1 and connection.features.supports_slicing_ordering_in_compound:
        return _union([rows.order_by(*order)[:newest] for rows, order in branches]).order_by(*ACTIVITY_ORDER)
    return _union([rows for rows, _ in branches]).order_by(*ACTIVITY_ORDER)


# A hinted window ending further is read the two-query way: past it the bounds might not fit the
# database's integers (an ``OFFSET`` is a bigint in PostgreSQL), and no investor has that many rows.
HINTED_WINDOW_END_MAX = 2**31 - 1


class ActivityRows:
    """An investor's activity for one filter, as a paginator reads it: ``count()`` over the bare
    tables (``transaction_count_for_user``) and a slice ``[start:stop]`` that is the newest
    ``stop`` rows' query (``transaction_list_for_user(newest=stop)``), one query each.

    A paginator that says first which window it will read (``window_hint``, as
    ``apps.common.api.pagination.Pagination`` does for a numbered page) gets both in one query:
    ``count()`` then reads that window's rows along with the count, and the slice is served from
    them. Each round trip to a busy database costs more than either query (issue 13 §2).

    Both run as SQL compiled once per process and filter (``apps.common.prepared``): building and
    compiling the union was most of a request's time. The rows are the same dicts (tests compare
    them with ``transaction_list_for_user``'s)."""

    ordered = True  # newest first (``ACTIVITY_ORDER``): what ``Paginator`` checks

    def __init__(self, *, user, transaction_type: str | None, status: str | None):
        self._user_id = user.pk
        self._shape = (transaction_type, status)
        self._hint: tuple[int, int] | None = None
        self._read: tuple[int, int, list[dict]] | None = None  # a window read along with the count

    def window_hint(self, start: int, stop: int) -> None:
        """``[start:stop]`` will be read after ``count()``: the count reads it in the same query. A
        window ending past ``HINTED_WINDOW_END_MAX`` is left to the two queries, where the page
        number is checked against the count before any row is read."""
        if 0 <= start < stop <= HINTED_WINDOW_END_MAX:
            self._hint = (start, stop)

    def count(self) -> int:
        prepared = _prepared_count(*self._shape)
        if prepared is None:
            return 0
        counted = self._count_with_hinted_window(prepared)
        return prepared.count(user_id=self._user_id) if counted is None else counted

    def _count_with_hinted_window(self, prepared_count: PreparedQuery) -> int | None:
        """The count, read with the hinted window's rows (kept for ``__getitem__``). None without a
        hint, or when a window after the first row has no rows (past the last one): only the count
        query can then tell how many there are. An empty first window means there are none."""
        if self._hint is None:
            return None
        (start, stop), self._hint = self._hint, None
        page = _prepared_page(*self._shape, start, stop)
        rows, total = page.rows_with_count(prepared_count, user_id=self._user_id)
        if total is None and start > 0:
            return None
        self._read = (start, stop, _activity_dicts(rows))
        return total or 0

    def __getitem__(self, window: slice) -> list[dict]:
        if not isinstance(window, slice) or window.step is not None or window.stop is None:
            raise TypeError("ActivityRows takes a slice [start:stop]")
        start, stop = window.start or 0, window.stop
        if start < 0 or stop < 0:
            raise TypeError("ActivityRows takes a slice of non-negative bounds")
        if stop <= start or _prepared_count(*self._shape) is None:  # or the filters leave nothing
            return []
        if self._read is not None and self._read[0] == start and stop <= self._read[1]:
            return self._read[2][: stop - start]  # the paginator's last page ends at the count
        return _activity_dicts(_prepared_page(*self._shape, start, stop).rows(user_id=self._user_id))


def _activity_dicts(rows) -> list[dict]:
    return [dict(zip(TRANSACTION_COLUMNS, row, strict=True)) for row in rows]


# One compiled query per filter and page window (a few dozen in practice; the least used dropped).
@functools.lru_cache(maxsize=256)
def _prepared_page(transaction_type: str | None, status: str | None, start: int, stop: int) -> PreparedQuery:
    def build(user_id: int) -> QuerySet:
        rows = transaction_list_for_user(user=user_id, transaction_type=transaction_type, status=status, newest=stop)
        return rows[start:stop]

    return PreparedQuery(build, "user_id")


@functools.lru_cache(maxsize=64)
def _prepared_count(transaction_type: str | None, status: str | None) -> PreparedQuery | None:
    if _count_rows(user=0, transaction_type=transaction_type, status=status) is None:
        return None
    return PreparedQuery(
        lambda user_id: _count_rows(user=user_id, transaction_type=transaction_type, status=status), "user_id"
    )


def transaction_rows_for_user(*, user, transaction_type: str | None = None, status: str | None = None) -> ActivityRows:
    """``transaction_list_for_user`` for a paginator or a ``[:n]`` slice: a cheap count and a page
    query that reads only the newest rows of each kind."""
    return ActivityRows(user=user, transaction_type=transaction_type, status=status)


def _count_rows(*, user, transaction_type: str | None, status: str | None) -> QuerySet | None:
    """The ids of the rows ``transaction_list_for_user`` has for the same filters, over the bare
    tables (no row columns, no balance subqueries); None when the filters leave nothing."""
    deposits, withdrawals, types = _selection(transaction_type=transaction_type, status=status)
    branches = []
    if deposits is not None:
        branches.append(Deposit.objects.filter(user=user, **deposits).order_by().values("id"))
    if withdrawals is not None:
        branches.append(Withdrawal.objects.filter(user=user, **withdrawals).order_by().values("id"))
    if types:
        movements = Posting.objects.filter(account__owner=user, account__kind=AccountKind.AVAILABLE)
        branches.append(movements.filter(entry__kind__in=types).order_by().values("id"))
    if not branches:
        return None
    first, *others = branches
    return first.union(*others, all=True) if others else first


def transaction_count_for_user(*, user, transaction_type: str | None = None, status: str | None = None) -> int:
    """How many rows ``transaction_list_for_user`` has for the same filters, in one query over
    the bare tables (ids only: no row columns, no balance subqueries)."""
    rows = _count_rows(user=user, transaction_type=transaction_type, status=status)
    return 0 if rows is None else rows.count()


def transaction_request_get_for_user(*, user, transaction_id: int) -> dict | None:
    """One of the investor's own deposit or withdrawal requests as an activity row (one query)."""
    rows = _union(
        [
            _deposit_rows(Deposit.objects.filter(user=user, pk=transaction_id)),
            _withdrawal_rows(Withdrawal.objects.filter(user=user, pk=transaction_id)),
        ]
    )
    return next(iter(rows[:1]), None)
