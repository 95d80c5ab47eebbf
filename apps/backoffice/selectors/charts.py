"""The staff dashboard's charts: per business date, over the last 30 or 90 days, three families of
series, each read in one grouped query (a ``UNION ALL`` of its parts, each part grouped by day):

- money flows: deposits credited, withdrawals paid (fees apart);
- payouts: returns paid, referral commissions paid;
- growth: investors who signed up, investors whose first deposit was credited.

Only the series the caller may see are read (``keys``). Days without a row are zero.

Returns paid on a business date are the daily returns the accrual job paid for it (the sum of its
runs' totals: each chunk adds what it paid in the chunk's own transaction, so a run that failed
half-way counts exactly what it paid) plus the at-maturity returns paid by maturity entries booked
that day. Neither reads the accruals of daily plans (a million rows a day at full size)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import CharField, Count, QuerySet, Sum, Value

from apps.common.dates import business_date_today
from apps.wallet.selectors import deposits_credited_by_day, first_deposits_by_day, withdrawals_paid_by_day

CHART_RANGES = (30, 90)
DEFAULT_CHART_RANGE = 30
ZERO = Decimal("0.00")

MONEY_FLOWS = ("deposits", "withdrawals")
PAYOUTS = ("returns", "commissions")
GROWTH = ("investors", "first_deposits")


def chart_range_parse(value) -> int:
    """The number of days a ``?range=`` asks for; anything but a known range is the default."""
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        return DEFAULT_CHART_RANGE
    return days if days in CHART_RANGES else DEFAULT_CHART_RANGE


@dataclass(frozen=True)
class SeriesFamily:
    """Series over the same days: ``values[key][i]`` is the figure of ``days[i]``."""

    days: list[date]
    values: dict[str, list]
    zero: Decimal | int

    def total(self, key: str) -> Decimal | int:
        return sum(self.values[key], self.zero)


def chart_days(*, days: int, today: date | None = None) -> tuple[date, date]:
    """The first and last business dates of a chart of ``days`` days ending today."""
    today = today or business_date_today()
    return today - timedelta(days=days - 1), today


def _family(parts: dict[str, list[QuerySet]], *, since: date, through: date, zero) -> SeriesFamily:
    """Read the parts in one query; one list of values per key, a value per day."""
    querysets = [queryset for key in parts for queryset in parts[key]]
    days = [since + timedelta(days=n) for n in range((through - since).days + 1)]
    by_key: dict[str, dict[date, object]] = {key: {} for key in parts}
    if querysets:
        combined = querysets[0].union(*querysets[1:], all=True) if len(querysets) > 1 else querysets[0]
        for day, key, value in combined:
            by_key[key][day] = by_key[key].get(day, zero) + (value or zero)
    values = {key: [by_key[key].get(day, zero) for day in days] for key in parts}
    return SeriesFamily(days=days, values=values, zero=zero)


def money_flows_by_day(*, since: date, through: date, keys=MONEY_FLOWS) -> SeriesFamily:
    parts = {
        "deposits": lambda: [deposits_credited_by_day(since=since, through=through)],
        "withdrawals": lambda: [withdrawals_paid_by_day(since=since, through=through)],
    }
    return _family({key: parts[key]() for key in MONEY_FLOWS if key in keys}, since=since, through=through, zero=ZERO)


def payouts_by_day(*, since: date, through: date, keys=PAYOUTS) -> SeriesFamily:
    parts = {
        "returns": lambda: _returns_paid_by_day(since=since, through=through),
        "commissions": lambda: [_commissions_paid_by_day(since=since, through=through)],
    }
    return _family({key: parts[key]() for key in PAYOUTS if key in keys}, since=since, through=through, zero=ZERO)


def growth_by_day(*, since: date, through: date, keys=GROWTH) -> SeriesFamily:
    parts = {
        "investors": lambda: [_investors_joined_by_day(since=since, through=through)],
        "first_deposits": lambda: [first_deposits_by_day(since=since, through=through)],
    }
    return _family({key: parts[key]() for key in GROWTH if key in keys}, since=since, through=through, zero=0)


# --- the parts that read other apps' tables ---------------------------------------------------------


def _series(key: str) -> Value:
    return Value(key, output_field=CharField())


def _returns_paid_by_day(*, since: date, through: date) -> list[QuerySet]:
    from apps.investments.models import Accrual
    from apps.investments.services.accrual import JOB as ACCRUAL_JOB
    from apps.wallet.models import EntryKind
    from workers.models import JobRun

    daily = (
        JobRun.objects.filter(job=ACCRUAL_JOB, business_date__gte=since, business_date__lte=through)
        .order_by()
        .values("business_date")
        .annotate(series=_series("returns"), value=Sum("total_amount"))
        .values_list("business_date", "series", "value")
    )
    at_maturity = (
        Accrual.objects.filter(
            posting__entry__kind=EntryKind.MATURITY,
            posting__entry__business_date__gte=since,
            posting__entry__business_date__lte=through,
        )
        .order_by()
        .values("posting__entry__business_date")
        .annotate(series=_series("returns"), value=Sum("amount"))
        .values_list("posting__entry__business_date", "series", "value")
    )
    return [daily, at_maturity]


def _commissions_paid_by_day(*, since: date, through: date) -> QuerySet:
    """Referral commissions by the business date of the entry that paid them."""
    from apps.common.dates import business_day_bounds
    from apps.referrals.models import Commission

    # Posted in the same transaction as the row is made: a day of margin keeps the date index useful.
    created_from = business_day_bounds(since)[0] - timedelta(days=1)
    return (
        Commission.objects.filter(
            created_at__gte=created_from, entry__business_date__gte=since, entry__business_date__lte=through
        )
        .order_by()
        .values("entry__business_date")
        .annotate(series=_series("commissions"), value=Sum("amount"))
        .values_list("entry__business_date", "series", "value")
    )


def _investors_joined_by_day(*, since: date, through: date) -> QuerySet:
    """Investors (not staff) by the business date they signed up on: how many."""
    from django.db.models.functions import TruncDate

    from apps.accounts.models import User
    from apps.common.dates import business_day_bounds, platform_time_zone

    start, end = business_day_bounds(since)[0], business_day_bounds(through)[1]
    return (
        User.objects.filter(is_staff=False, date_joined__gte=start, date_joined__lt=end)
        .order_by()
        .annotate(day=TruncDate("date_joined", tzinfo=platform_time_zone()))
        .values("day")
        .annotate(series=_series("investors"), value=Count("id"))
        .values_list("day", "series", "value")
    )
