"""What the SPC chart pages show: for each measure, its XmR chart (spc.py) drawn as SVG
(svg.py), the two Making Data Count icons, a one-line reading in plain English and a data
table (also the CSV).

Series come from `selectors.figures.values()` as one value per period; anything with
`numerator`, `denominator` and `value` will do (see `ValueLike`)."""

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from urllib.parse import urlencode

from django.urls import reverse
from markupsafe import Markup

from crisis_care.core.presenters import date_long

from .. import spc, svg
from ..measures import Kind, Measure
from ..period import Period, months, weeks

DEFAULT_WEEKS = 26
DEFAULT_MONTHS = 24


class ValueLike(Protocol):
    @property
    def numerator(self) -> int: ...
    @property
    def denominator(self) -> int | None: ...
    @property
    def value(self) -> float | None: ...


class Every(StrEnum):
    WEEK = "week"
    MONTH = "month"

    @property
    def plural(self) -> str:
        return f"{self.value}s"

    @property
    def adjective(self) -> str:
        return "weekly" if self == Every.WEEK else "monthly"


def every_from(text: str | None) -> Every:
    """The series asked for (?every=week|month); weekly unless monthly is asked for."""
    return Every.MONTH if text == Every.MONTH.value else Every.WEEK


# The lengths of series offered, and how far back the last period may be.
COUNTS: dict[Every, tuple[int, ...]] = {
    Every.WEEK: (13, DEFAULT_WEEKS, 52, 104),
    Every.MONTH: (12, DEFAULT_MONTHS, 36, 60),
}
ENDINGS = {Every.WEEK: 52, Every.MONTH: 36}


def _month_back(day: dt.date, n: int) -> dt.date:
    """The first of the month `n` months before `day`'s month."""
    first = day.replace(day=1)
    for _ in range(n):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first


@dataclass(frozen=True)
class Range:
    """The series shown: weekly or monthly, how many periods, and the last day of the last
    one. The latest period offered is the last whole week (Monday to Sunday) or calendar month
    before today: the part still running is left out, so its low count is not read as a fall."""

    every: Every
    count: int
    ending: dt.date
    latest: dt.date

    def periods(self) -> list[Period]:
        if self.every == Every.WEEK:
            first = self.ending - dt.timedelta(weeks=self.count) + dt.timedelta(days=1)
            return weeks(first, self.ending)
        return months(_month_back(self.ending, self.count - 1), self.ending)

    def endings(self) -> list[dt.date]:
        """The last days the series may end on, latest first."""
        if self.every == Every.WEEK:
            return [self.latest - dt.timedelta(weeks=n) for n in range(ENDINGS[Every.WEEK])]
        return [
            _month_back(self.latest, n - 1) - dt.timedelta(days=1) if n else self.latest
            for n in range(ENDINGS[Every.MONTH])
        ]

    def query(self, team_pk: object, **change: str) -> str:
        """The query string for this range (defaults left out), with any `change`."""
        params = {"team": str(team_pk), "every": self.every.value}
        if self.count != COUNTS[self.every][1]:
            params["periods"] = str(self.count)
        if self.ending != self.latest:
            params["ending"] = self.ending.isoformat()
        params.update(change)
        return urlencode(params)

    def count_items(self) -> list[dict[str, object]]:
        return [
            {"value": str(n), "text": f"{n} {self.every.plural}", "selected": n == self.count}
            for n in COUNTS[self.every]
        ]

    def ending_items(self) -> list[dict[str, object]]:
        return [
            {
                "value": day.isoformat(),
                "text": (
                    f"Week ending {date_long(day)}" if self.every == Every.WEEK else f"{day:%B %Y}"
                ),
                "selected": day == self.ending,
            }
            for day in self.endings()
        ]


def chosen_range(
    every_text: str | None, count_text: str | None, ending_text: str | None, today: dt.date
) -> Range:
    """The range asked for (?every=week|month&periods=26&ending=2026-11-01); anything not
    offered falls back to the default (the last 26 weeks or 24 months)."""
    every = every_from(every_text)
    if every == Every.WEEK:
        latest = today - dt.timedelta(days=today.weekday() + 1)  # the Sunday before this week
    else:
        latest = today.replace(day=1) - dt.timedelta(days=1)  # the end of last month
    count = COUNTS[every][1]
    if count_text and count_text.isdigit() and int(count_text) in COUNTS[every]:
        count = int(count_text)
    chosen = Range(every, count, latest, latest)
    try:
        ending = dt.date.fromisoformat(ending_text or "")
    except ValueError:
        return chosen
    if ending in chosen.endings():
        return Range(every, count, ending, latest)
    return chosen


def default_periods(every: Every, today: dt.date) -> list[Period]:
    """The last 26 whole weeks or 24 whole calendar months before today."""
    return chosen_range(every.value, None, None, today).periods()


def range_text(periods: Sequence[Period], every: Every) -> str:
    """'26 weeks: 25 May 2026 to 22 November 2026'."""
    n = len(periods)
    word = every.value if n == 1 else every.plural
    return f"{n} {word}: {date_long(periods[0].first)} to {date_long(periods[-1].last)}"


def axis_label(period: Period, every: Every) -> str:
    if every == Every.WEEK:
        return f"{period.first.day} {period.first:%b %Y}"
    return f"{period.first:%b %Y}"


def period_label(period: Period, every: Every) -> str:
    if every == Every.WEEK:
        return f"Week from {date_long(period.first)}"
    return f"{period.first:%B %Y}"


def since_label(period: Period, every: Every) -> str:
    if every == Every.WEEK:
        return f"the week of {date_long(period.first)}"
    return f"{period.first:%B %Y}"


def unit_of(measure: Measure) -> str:
    return "%" if measure.kind == Kind.PROPORTION else ""


def format_number(measure: Measure, value: float | None) -> str:
    """87.5% for a proportion; 12 for a count; one decimal place otherwise. Empty if None."""
    if value is None:
        return ""
    if measure.kind == Kind.PROPORTION:
        return f"{_round(value, 1):g}%"
    if measure.kind == Kind.COUNT and float(value).is_integer():
        return f"{int(value):,}"
    return f"{_round(value, 1):,.1f}"


def _round(value: float, places: int) -> float:
    """Halves away from zero (as people round), not to even."""
    scale = 10**places
    return math.copysign(math.floor(abs(value) * scale + 0.5 + 1e-9) / scale, value)


RULE_TEXT: dict[spc.Rule, str] = {
    spc.Rule.OUTSIDE_LIMITS: "outside the process limits",
    spc.Rule.RUN: "run on one side of the mean",
    spc.Rule.TREND: "trend",
    spc.Rule.TWO_OF_THREE: "2 of 3 close to a limit",
}

FLAG_TEXT: dict[spc.Flag, str] = {
    spc.Flag.COMMON: "Common cause",
    spc.Flag.IMPROVEMENT: "Special cause improvement",
    spc.Flag.CONCERN: "Special cause concern",
    spc.Flag.NEITHER: "Special cause variation",
    spc.Flag.MISSING: "Nothing to count",
}


def flag_text(point: spc.Point) -> str:
    text = FLAG_TEXT[point.flag]
    if point.rules:
        text += f" ({', '.join(RULE_TEXT[r] for r in point.rules)})"
    return text


def reading(chart: spc.Chart, periods: Sequence[Period], every: Every) -> str:
    """One line on what the chart shows, e.g. "Special cause improvement: 7 weeks above the
    mean since the week of 2 March 2026"."""
    if chart.limits is None:
        return (
            f"Not enough data for process limits: at least 2 {every.plural} with something "
            "to count are needed."
        )
    present = [p for p in chart.points if p.value is not None]
    latest = present[-1]
    signal = spc.latest_signal(chart)
    if not latest.special or signal is None:
        text = (
            f"Common cause variation: the latest {every.value} is within the process limits, "
            "with no run or trend."
        )
        if signal is not None:
            first, _n = signal
            earlier = chart.points[first]
            text += (
                f" Earlier: {FLAG_TEXT[earlier.flag].lower()} from "
                f"{since_label(periods[first], every)}."
            )
        return text
    first, count = signal
    prefix = FLAG_TEXT[latest.flag]
    side = latest.side
    word = every.value if count == 1 else every.plural
    since = since_label(periods[first], every)
    if spc.Rule.TREND in latest.rules:
        direction = "rising" if side == spc.Side.HIGH else "falling"
        return f"{prefix}: {count} {word} {direction} in a row since {since}."
    if spc.Rule.RUN in latest.rules:
        where = "above" if side == spc.Side.HIGH else "below"
        return f"{prefix}: {count} {word} {where} the mean since {since}."
    if spc.Rule.OUTSIDE_LIMITS in latest.rules:
        where = "above the upper" if side == spc.Side.HIGH else "below the lower"
        return f"{prefix}: the latest {every.value} is {where} process limit."
    where = "upper" if side == spc.Side.HIGH else "lower"
    return f"{prefix}: 2 of the latest 3 {every.plural} are close to the {where} process limit."


@dataclass(frozen=True)
class Row:
    period: str
    value: str
    numerator: str
    denominator: str
    mean: str
    lower: str
    upper: str
    flag: str
    special: bool


@dataclass(frozen=True)
class ChartView:
    measure: Measure
    chart: spc.Chart
    svg: Markup
    variation_icon: Markup
    variation_text: str
    assurance_icon: Markup | None
    assurance_text: str
    reading: str
    provisional: bool
    rows: list[Row]
    target: str
    href: str
    csv_href: str

    @property
    def key(self) -> str:
        return self.measure.key


def _rows(
    measure: Measure, chart: spc.Chart, series: Sequence[ValueLike], labels: list[str]
) -> list[Row]:
    lim = chart.limits
    rows = []
    for point, value, label in zip(chart.points, series, labels, strict=True):
        rows.append(
            Row(
                period=label,
                value=format_number(measure, point.value) or "No value",
                numerator=f"{value.numerator:,}",
                denominator="" if value.denominator is None else f"{value.denominator:,}",
                mean=format_number(measure, lim.mean) if lim else "",
                lower=format_number(measure, _clip(measure, lim.lower)) if lim else "",
                upper=format_number(measure, _clip(measure, lim.upper)) if lim else "",
                flag=flag_text(point),
                special=point.special,
            )
        )
    return rows


def _clip(measure: Measure, value: float) -> float:
    """Limits shown within what the measure can be: 0 to 100% for a proportion, 0 or more
    otherwise (a negative count is impossible)."""
    value = max(value, 0.0)
    return min(value, 100.0) if measure.kind == Kind.PROPORTION else value


def chart_view(
    *,
    measure: Measure,
    series: Sequence[ValueLike],
    periods: Sequence[Period],
    every: Every,
    query: str,
    large: bool = False,
) -> ChartView:
    if len(series) != len(periods):
        raise ValueError("One value is needed for each period")
    chart = spc.xmr([v.value for v in series], better=measure.better, target=measure.target)
    labels = [period_label(p, every) for p in periods]
    line = reading(chart, periods, every)
    prefix = f"spc-{measure.key}"
    description = _description(measure, chart, periods, every, line)
    unit = unit_of(measure)
    drawing = svg.chart_svg(
        chart,
        labels=[axis_label(p, every) for p in periods],
        title=f"{measure.title}, {every.adjective}",
        description=description,
        id_prefix=prefix,
        unit=unit,
        floor=0.0,
        ceiling=100.0 if measure.kind == Kind.PROPORTION else None,
        size=svg.LARGE if large else svg.SMALL,
        max_labels=13 if large else 9,
    )
    has_assurance = chart.assurance != spc.Assurance.NONE
    q = query
    return ChartView(
        measure=measure,
        chart=chart,
        svg=Markup(drawing),  # noqa: S704 - built by svg.py, every text escaped there
        variation_icon=Markup(  # noqa: S704
            svg.variation_icon(chart.variation, id_=f"{prefix}-variation")
        ),
        variation_text=svg.VARIATION_TEXT[chart.variation],
        assurance_icon=(
            Markup(svg.assurance_icon(chart.assurance, id_=f"{prefix}-assurance"))  # noqa: S704
            if has_assurance
            else None
        ),
        assurance_text=svg.ASSURANCE_TEXT[chart.assurance] if has_assurance else "",
        reading=line,
        provisional=chart.provisional,
        rows=_rows(measure, chart, series, labels),
        target=target_text(measure),
        href=f"{reverse('reporting:chart', args=[measure.key])}?{q}",
        csv_href=f"{reverse('reporting:chart', args=[measure.key])}?{q}&format=csv",
    )


def target_text(measure: Measure) -> str:
    if measure.target is None:
        return ""
    better = {"up": "at least ", "down": "at most "}.get(measure.better, "")
    text = f"Target: {better}{format_number(measure, measure.target)}"
    return f"{text} ({measure.standard})" if measure.standard else text


def _description(
    measure: Measure,
    chart: spc.Chart,
    periods: Sequence[Period],
    every: Every,
    line: str,
) -> str:
    parts = [f"{measure.title}, {every.adjective}"]
    if periods:
        parts[0] += (
            f", from {period_label(periods[0], every).lower()} to "
            f"{period_label(periods[-1], every).lower()}"
        )
    parts[0] += "."
    if chart.limits is not None:
        lim = chart.limits
        parts.append(
            f"Mean {format_number(measure, lim.mean)}; process limits "
            f"{format_number(measure, _clip(measure, lim.lower))} to "
            f"{format_number(measure, _clip(measure, lim.upper))}."
        )
    if measure.target is not None:
        parts.append(f"{target_text(measure)}.")
    parts.append(line)
    return " ".join(parts)


CSV_HEADER = (
    "Period start",
    "Period end",
    "Value",
    "Numerator",
    "Denominator",
    "Mean",
    "Lower process limit",
    "Upper process limit",
    "Flag",
)


def csv_rows(view: ChartView, periods: Sequence[Period]) -> Iterator[list[str]]:
    """The data table as CSV rows (unformatted numbers, ISO dates), header first."""
    yield list(CSV_HEADER)
    lim = view.chart.limits
    for period, row, point in zip(periods, view.rows, view.chart.points, strict=True):
        yield [
            period.first.isoformat(),
            period.last.isoformat(),
            "" if point.value is None else _csv_number(point.value),
            row.numerator.replace(",", ""),
            row.denominator.replace(",", ""),
            _csv_number(lim.mean) if lim else "",
            _csv_number(_clip(view.measure, lim.lower)) if lim else "",
            _csv_number(_clip(view.measure, lim.upper)) if lim else "",
            row.flag,
        ]


def _csv_number(value: float) -> str:
    return f"{_round(value, 2):g}"


def csv_filename(measure: Measure, team_code: str, periods: Sequence[Period], every: Every) -> str:
    first, last = periods[0].first, periods[-1].last
    return f"spc-{measure.key}-{team_code or 'team'}-{every.adjective}-{first}-to-{last}.csv"
