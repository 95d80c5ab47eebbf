"""Risk signals for the deposit and withdrawal review pages: what staff should know about the
investor behind a request before they approve it.

Set-based: the signals of any number of requests cost the same four queries (money to date per
investor, the investor's history with each payout address, and who else used each address), so a
queue page could show them as well as a review page. Requests must come with their ``user``
loaded (``select_related("user")``).

The signals, and when each one fires (``RiskSignals.flags``):

- ``kyc``: the investor's identity is not verified (KYC not approved);
- ``account_new``: the account is younger than ``RISK_ACCOUNT_NEW_DAYS`` days;
- ``withdrawals_exceed_deposits``: paid-out plus pending withdrawals (amounts, fees apart) are
  more than the approved deposits to date;
- ``address_new`` (withdrawals): nothing was ever paid out to this address for this investor
  before this request;
- ``address_changed`` (withdrawals): the investor started using this address within
  ``RISK_ADDRESS_NEW_DAYS`` days before this request, after using another one (a request of any
  status counts as using the address);
- ``address_shared``: other investors used the same address (as their payout address or as the
  sender of a deposit);
- ``daily_limit``: the investor's withdrawals today (business date; pending and paid) reach
  ``DAILY_LIMIT_WARNING`` of ``WITHDRAWAL_DAILY_LIMIT``.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Min, Q, Sum
from django.utils import timezone

from apps.accounts.models import KycStatus
from apps.common.dates import business_date_of, business_day_bounds
from apps.controls.runtime import runtime_setting
from apps.wallet.models import Deposit, RequestStatus, Withdrawal
from apps.wallet.selectors.balances import ZERO

__all__ = [
    "ADDRESS_USERS_SHOWN",
    "DAILY_LIMIT_WARNING",
    "AddressUser",
    "RiskSignals",
    "deposit_risk_signals",
    "withdrawal_risk_signals",
]

# How many other investors on an address are named (all of them are counted).
ADDRESS_USERS_SHOWN = 10
# The share of the daily withdrawal limit from which the day's withdrawals are flagged.
DAILY_LIMIT_WARNING = Decimal("0.80")
NOT_COUNTED_TODAY = (RequestStatus.REJECTED, RequestStatus.CANCELLED)


@dataclass(frozen=True)
class AddressUser:
    id: int
    email: str


@dataclass(frozen=True)
class RiskSignals:
    kind: str  # "deposit" or "withdrawal"
    address: str  # the payout address, or the deposit's sender address ("" when none was given)
    kyc_status: str
    account_age_days: int
    deposited: Decimal  # approved deposits to date
    withdrawn: Decimal  # withdrawals paid out to date (amounts, fees apart)
    withdrawals_pending: Decimal  # pending withdrawals, this one included when it is pending
    withdrawn_today: Decimal  # withdrawals requested today, pending or paid
    daily_limit: Decimal
    address_new: bool | None  # withdrawals only
    address_first_used_at: datetime | None  # withdrawals only
    address_changed: bool | None  # withdrawals only
    address_users: list[AddressUser] = field(default_factory=list)  # others on the address, by id
    address_user_count: int = 0  # all the others

    @property
    def kyc_approved(self) -> bool:
        return self.kyc_status == KycStatus.APPROVED

    @property
    def account_new(self) -> bool:
        return self.account_age_days < runtime_setting("RISK_ACCOUNT_NEW_DAYS")

    @property
    def withdrawals_exceed_deposits(self) -> bool:
        return self.withdrawn + self.withdrawals_pending > self.deposited

    @property
    def daily_limit_percent(self) -> int:
        """Today's withdrawals as a whole percentage of the daily limit (rounded down)."""
        if not self.daily_limit:
            return 100 if self.withdrawn_today else 0
        return int(self.withdrawn_today * 100 / self.daily_limit)

    @property
    def daily_limit_near(self) -> bool:
        if not self.daily_limit:
            return self.withdrawn_today > 0
        return self.withdrawn_today >= self.daily_limit * DAILY_LIMIT_WARNING

    @property
    def flags(self) -> list[str]:
        """The signals that fire, in the order the review page lists them."""
        firing = {
            "kyc": not self.kyc_approved,
            "account_new": self.account_new,
            "withdrawals_exceed_deposits": self.withdrawals_exceed_deposits,
            "address_new": bool(self.address_new),
            "address_changed": bool(self.address_changed),
            "address_shared": self.address_user_count > 0,
            "daily_limit": self.daily_limit_near,
        }
        return [name for name, fires in firing.items() if fires]


def withdrawal_risk_signals(
    *, withdrawals: Sequence[Withdrawal], now: datetime | None = None
) -> dict[int, RiskSignals]:
    """The signals of each withdrawal, by id (four queries whatever the number)."""
    return _signals(list(withdrawals), kind="withdrawal", now=now or timezone.now())


def deposit_risk_signals(*, deposits: Sequence[Deposit], now: datetime | None = None) -> dict[int, RiskSignals]:
    """The signals of each deposit, by id (three queries whatever the number); the address is
    the sender's, so only whether other investors used it applies."""
    return _signals(list(deposits), kind="deposit", now=now or timezone.now())


def _signals(requests: list, *, kind: str, now: datetime) -> dict[int, RiskSignals]:
    if not requests:
        return {}
    user_ids = {request.user_id for request in requests}
    addresses = {_address(request) for request in requests} - {""}
    deposited = _deposited_by_user(user_ids)
    withdrawals = _withdrawals_by_user(user_ids, now=now)
    history = _address_history(user_ids, addresses) if kind == "withdrawal" else {}
    users_by_address = _address_users(addresses)
    signals = {}
    for request in requests:
        address, money = _address(request), withdrawals.get(request.user_id, {})
        others = [user for user in users_by_address.get(address, ([], 0))[0] if user.id != request.user_id]
        count = max(users_by_address.get(address, ([], 0))[1] - 1, 0)  # the investor is among them
        signals[request.pk] = RiskSignals(
            kind=kind,
            address=address,
            kyc_status=request.user.kyc_status,
            account_age_days=(now - request.user.date_joined).days,
            deposited=deposited.get(request.user_id, ZERO),
            withdrawn=money.get("paid") or ZERO,
            withdrawals_pending=money.get("pending") or ZERO,
            withdrawn_today=money.get("today") or ZERO,
            daily_limit=runtime_setting("WITHDRAWAL_DAILY_LIMIT"),
            address_users=others[:ADDRESS_USERS_SHOWN],
            address_user_count=count,
            **(_address_signals(request, history, money.get("first_at")) if kind == "withdrawal" else _NO_HISTORY),
        )
    return signals


_NO_HISTORY = {"address_new": None, "address_first_used_at": None, "address_changed": None}


def _address(request) -> str:
    return (request.address if isinstance(request, Withdrawal) else request.sender_address) or ""


def _address_signals(withdrawal: Withdrawal, history: dict, first_withdrawal_at) -> dict:
    """Whether the payout address is new (never paid out to before this request) and whether the
    investor switched to it recently (first used within the window, another address before)."""
    used = history.get((withdrawal.user_id, withdrawal.address), {})
    first_used_at = used.get("first_used_at") or withdrawal.created_at
    first_paid_id = used.get("first_paid_id")
    window_start = withdrawal.created_at - timedelta(days=runtime_setting("RISK_ADDRESS_NEW_DAYS"))
    switched = first_withdrawal_at is not None and first_withdrawal_at < first_used_at
    return {
        "address_new": first_paid_id is None or first_paid_id >= withdrawal.pk,
        "address_first_used_at": first_used_at,
        "address_changed": switched and first_used_at >= window_start,
    }


# --- the queries --------------------------------------------------------------------------------------


def _deposited_by_user(user_ids: Iterable[int]) -> dict[int, Decimal]:
    rows = (
        Deposit.objects.filter(user_id__in=user_ids, status=RequestStatus.APPROVED)
        .order_by()
        .values("user_id")
        .annotate(total=Sum("amount"))
    )
    return {row["user_id"]: row["total"] for row in rows}


def _withdrawals_by_user(user_ids: Iterable[int], *, now: datetime) -> dict[int, dict]:
    """Per investor: paid out, pending, requested today (as the daily limit counts) and when they
    first asked for a withdrawal."""
    start, end = business_day_bounds(business_date_of(now))
    today = Q(created_at__gte=start, created_at__lt=end) & ~Q(status__in=NOT_COUNTED_TODAY)
    rows = (
        Withdrawal.objects.filter(user_id__in=user_ids)
        .order_by()
        .values("user_id")
        .annotate(
            paid=Sum("amount", filter=Q(status=RequestStatus.APPROVED)),
            pending=Sum("amount", filter=Q(status=RequestStatus.PENDING)),
            today=Sum("amount", filter=today),
            first_at=Min("created_at"),
        )
    )
    return {row["user_id"]: row for row in rows}


def _address_history(user_ids: Iterable[int], addresses: Iterable[str]) -> dict[tuple[int, str], dict]:
    """Per (investor, address): when the investor first asked to be paid there (any status) and
    the first withdrawal actually paid out there (its id: request ids grow with time)."""
    rows = (
        Withdrawal.objects.filter(user_id__in=user_ids, address__in=addresses)
        .order_by()
        .values("user_id", "address")
        .annotate(first_used_at=Min("created_at"), first_paid_id=Min("id", filter=Q(status=RequestStatus.APPROVED)))
    )
    return {(row["user_id"], row["address"]): row for row in rows}


def _address_users(addresses: set[str]) -> dict[str, tuple[list[AddressUser], int]]:
    """Per address: the first ``ADDRESS_USERS_SHOWN`` + 1 investors (by id) who used it, as a
    payout address or as a deposit's sender, and how many did in all. One query: the distinct
    (address, investor) pairs of both tables, ranked and counted per address by window functions."""
    if not addresses:
        return {}
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(addresses))
    sql = f"""
        SELECT ranked.address, ranked.user_id, users.{quote("email")}, ranked.total
        FROM (
            SELECT used.address, used.user_id,
                   COUNT(*) OVER (PARTITION BY used.address) AS total,
                   ROW_NUMBER() OVER (PARTITION BY used.address ORDER BY used.user_id) AS place
            FROM (
                SELECT {quote("address")} AS address, {quote("user_id")} AS user_id
                FROM {quote(Withdrawal._meta.db_table)} WHERE {quote("address")} IN ({marks})
                UNION
                SELECT {quote("sender_address")}, {quote("user_id")}
                FROM {quote(Deposit._meta.db_table)} WHERE {quote("sender_address")} IN ({marks})
            ) AS used
        ) AS ranked
        JOIN {quote(Withdrawal._meta.get_field("user").related_model._meta.db_table)} AS users
            ON users.{quote("id")} = ranked.user_id
        WHERE ranked.place <= %s
        ORDER BY ranked.address, ranked.user_id
    """  # noqa: S608 (only quoted table and column names are formatted in; the addresses are parameters)
    values = sorted(addresses)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, *values, ADDRESS_USERS_SHOWN + 1])
        rows = cursor.fetchall()
    found: dict[str, tuple[list[AddressUser], int]] = defaultdict(lambda: ([], 0))
    for address, user_id, email, total in rows:
        users, _total = found[address]
        found[address] = ([*users, AddressUser(id=user_id, email=email)], total)
    return dict(found)
