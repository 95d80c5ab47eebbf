"""Server-drawn charts for portal pages: inline SVG geometry from a selector's figures, so that a
chart needs no JavaScript (and no chart library). Only drawing happens here: the figures come
from the selectors, and the page always carries them in a table beside the chart.

Coordinates live in a ``viewBox`` ``width`` × ``HEIGHT`` units (10 units per day) that CSS
stretches to the box (``preserveAspectRatio="none"``; strokes do not scale); labels are HTML
around the SVG, so text never stretches. Amounts stay ``Decimal``; coordinates are strings with
two decimals."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from django.utils import dateformat
from django.utils.formats import get_format

from apps.investments.selectors import ReturnsChart, ReturnsDay
from apps.portal.templatetags.money import money_text

HEIGHT = Decimal(100)
TOP_MARGIN = Decimal(4)  # keeps the line's stroke inside the box at the scale's top
DAY_WIDTH = Decimal(10)
BAR_WIDTH = Decimal(7)
NICE_STEPS = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10))
UNIT = Decimal("0.01")


def nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``value`` (0 for nothing): a scale's top."""
    if value <= 0:
        return Decimal(0)
    exponent = value.adjusted()  # the power of ten of the leading digit
    base = Decimal(1).scaleb(exponent)
    for step in NICE_STEPS:
        if step * base >= value:
            return (step * base).quantize(UNIT, rounding=ROUND_CEILING)
    return NICE_STEPS[-1] * base  # not reached: 10 × base is always at or above value


def _number(value: Decimal) -> str:
    return f"{value.quantize(UNIT)}"


def _y(value: Decimal, scale: Decimal) -> Decimal:
    """Height ``HEIGHT`` is zero; ``TOP_MARGIN`` is the scale's top."""
    if not scale:
        return HEIGHT
    return HEIGHT - value / scale * (HEIGHT - TOP_MARGIN)


@dataclass(frozen=True)
class DayText:
    """One day of the chart as the page writes it (its table row, its bar's tooltip), formatted
    here once per day: a long "all" period is hundreds of days, which template filters made the
    slowest part of the page."""

    day: ReturnsDay
    iso: str  # 2026-03-07
    date: str  # the active language's DATE_FORMAT
    credited: str  # "500.00 USD"
    cumulative: str


def returns_day_texts(chart: ReturnsChart, *, currency: str) -> list[DayText]:
    """The chart's days as text in the active language, newest first (the table's order)."""
    date_format = get_format("DATE_FORMAT")
    return [
        DayText(
            day=day,
            iso=day.date.isoformat(),
            date=dateformat.format(day.date, date_format),
            credited=money_text(day.credited, currency),
            cumulative=money_text(day.cumulative, currency),
        )
        for day in reversed(chart.days)
    ]


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    day: ReturnsDay
    title: str = ""  # "March 7, 2026: 500.00 USD"


@dataclass(frozen=True)
class ReturnsChartDrawing:
    width: int  # of the viewBox
    height: int
    line: str  # the cumulative line: polyline points
    area: str  # under the line: a path
    bars: list[Bar]  # one per day with a credit
    cumulative_scale: Decimal  # the top of the cumulative scale
    credited_scale: Decimal  # the top of the per-day scale
    first: date
    last: date

    @property
    def cumulative_middle(self) -> Decimal:
        return self.cumulative_scale / 2

    @property
    def credited_middle(self) -> Decimal:
        return self.credited_scale / 2


def returns_chart_drawing(chart: ReturnsChart, *, texts: Sequence[DayText] = ()) -> ReturnsChartDrawing | None:
    """The chart's cumulative line (with the area under it) and its per-day bars, titled from
    ``texts`` when given; ``None`` when there is no day to draw."""
    days = chart.days
    if not days:
        return None
    cumulative_scale = nice_ceiling(max(day.cumulative for day in days))
    credited_scale = nice_ceiling(max(day.credited for day in days))
    centres = [DAY_WIDTH * index + DAY_WIDTH / 2 for index in range(len(days))]
    points = [(x, _y(day.cumulative, cumulative_scale)) for x, day in zip(centres, days, strict=True)]
    line = " ".join(f"{_number(x)},{_number(y)}" for x, y in points)
    first_x, last_x = _number(points[0][0]), _number(points[-1][0])
    area = f"M{first_x},{_number(HEIGHT)} L{line.replace(' ', ' L')} L{last_x},{_number(HEIGHT)} Z"
    titles = {text.day.date: f"{text.date}: {text.credited}" for text in texts}
    bars = []
    for x, day in zip(centres, days, strict=True):
        if day.credited:
            top = _y(day.credited, credited_scale)
            size = (_number(x - BAR_WIDTH / 2), _number(top), _number(BAR_WIDTH), _number(HEIGHT - top))
            bars.append(Bar(*size, day=day, title=titles.get(day.date, "")))
    return ReturnsChartDrawing(
        width=int(DAY_WIDTH * len(days)),
        height=int(HEIGHT),
        line=line,
        area=area,
        bars=bars,
        cumulative_scale=cumulative_scale,
        credited_scale=credited_scale,
        first=days[0].date,
        last=days[-1].date,
    )
