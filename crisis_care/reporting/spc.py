"""Statistical process control in the NHS "Making Data Count" (MDC) style: the XmR
(individuals) chart, its special-cause rules, and the variation and assurance icons.

Pure Python, no Django, so it can be tested with series worked out by hand.

The maths, as MDC and NHS-R's "plot the dots" do it:

- centre line: the mean of the values;
- moving ranges: |x[i] - x[i-1]|; the mean moving range (mR-bar) is their mean;
- process limits: mean +/- 2.66 x mR-bar (2.66 = 3 / 1.128, so the limits are "3 sigma");
- "close to a limit": beyond mean +/- 2 sigma, i.e. mean +/- (2 / 3) x 2.66 x mR-bar.

Optionally the mean and limits are calculated from a baseline (the first `baseline` points)
and held fixed for the later points, so that change after the baseline shows up.

Special-cause rules (a point is special cause if any fires; all points of a run or trend
are flagged, as MDC colours them):

1. a point outside the process limits;
2. a run of 7 or more consecutive points all above, or all below, the mean (a point exactly
   on the mean belongs to neither side and ends a run);
3. a trend of 7 or more consecutive points each higher than the one before, or each lower
   (equal neighbours end a trend). MDC's material uses 6 or 7; we use 7, as NHS-R's
   "plot the dots" does, so that both run rules need the same length;
4. two out of three consecutive points beyond 2 sigma on the same side of the mean (all three
   points on that side); the points beyond 2 sigma are flagged.

Each special-cause point has a side: high or low. For a trend it is the trend's direction;
otherwise which side of the mean the point lies. Given the measure's `better` ("up", "down",
or "" when neither direction is better) a high point is an improvement, a concern, or neither.
When rules clash (an upward trend below the mean) the trend decides, then the run, then the
rest, as MDC's rule-clash guidance orders them.

Missing values (a period with nothing to count, denominator 0) are left out of the
calculations: the neighbours either side are treated as consecutive.

Short series: with fewer than 2 values there are no limits; with fewer than 15 the limits
are shown but are provisional (MDC recommends at least 15 to 20 points)."""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

LIMIT_FACTOR = 2.66
CLOSE_FACTOR = LIMIT_FACTOR * 2 / 3
RUN_LENGTH = 7
TREND_LENGTH = 7
MIN_POINTS = 2
MIN_FIRM_POINTS = 15


class Better(StrEnum):
    UP = "up"
    DOWN = "down"
    NEITHER = ""


class Side(StrEnum):
    HIGH = "high"
    LOW = "low"


class Flag(StrEnum):
    """How a point is marked: colours in the chart and a word in the data table."""

    COMMON = "common"  # common cause (grey)
    IMPROVEMENT = "improvement"  # special cause improvement (blue)
    CONCERN = "concern"  # special cause concern (orange)
    NEITHER = "neither"  # special cause where neither direction is better (purple)
    MISSING = "missing"  # nothing to count in the period


class Rule(StrEnum):
    OUTSIDE_LIMITS = "outside_limits"
    RUN = "run"
    TREND = "trend"
    TWO_OF_THREE = "two_of_three"


class Variation(StrEnum):
    """The MDC variation icon, from the latest point."""

    COMMON_CAUSE = "common_cause"
    IMPROVEMENT_HIGH = "improvement_high"
    IMPROVEMENT_LOW = "improvement_low"
    CONCERN_HIGH = "concern_high"
    CONCERN_LOW = "concern_low"
    NEITHER_HIGH = "neither_high"
    NEITHER_LOW = "neither_low"
    NONE = "none"  # too few points to say


class Assurance(StrEnum):
    """The MDC assurance icon: can the process be relied on to meet the target?"""

    # Consistently passes: the whole band of limits is on the good side.
    PASS = "pass"  # noqa: S105 - not a password
    FAIL = "fail"  # consistently fails: the whole band is on the bad side
    HIT_AND_MISS = "hit_and_miss"  # the target is inside the limits
    NONE = "none"  # no target, no better direction, or no limits


@dataclass(frozen=True)
class Limits:
    mean: float
    mean_moving_range: float
    upper: float
    lower: float
    upper_close: float  # 2 sigma
    lower_close: float

    @classmethod
    def from_values(cls, values: Sequence[float]) -> "Limits":
        if len(values) < MIN_POINTS:
            raise ValueError("Process limits need at least 2 values")
        mean = sum(values) / len(values)
        ranges = moving_ranges(values)
        mr_bar = sum(ranges) / len(ranges)
        return cls(
            mean=mean,
            mean_moving_range=mr_bar,
            upper=mean + LIMIT_FACTOR * mr_bar,
            lower=mean - LIMIT_FACTOR * mr_bar,
            upper_close=mean + CLOSE_FACTOR * mr_bar,
            lower_close=mean - CLOSE_FACTOR * mr_bar,
        )


@dataclass(frozen=True)
class Point:
    index: int  # position in the series given (including missing values)
    value: float | None
    flag: Flag
    side: Side | None  # for special-cause points
    rules: tuple[Rule, ...]  # the rules this point is part of

    @property
    def special(self) -> bool:
        return bool(self.rules)


@dataclass(frozen=True)
class Chart:
    values: tuple[float | None, ...]
    better: Better
    target: float | None
    limits: Limits | None
    points: tuple[Point, ...]
    variation: Variation
    assurance: Assurance
    baseline: int | None  # number of (present) values the limits come from, if fixed

    @property
    def count(self) -> int:
        """How many values there are (missing ones not counted)."""
        return sum(1 for v in self.values if v is not None)

    @property
    def provisional(self) -> bool:
        """Limits from fewer than 15 values: shown, but not yet to be relied on."""
        used = self.baseline if self.baseline is not None else self.count
        return self.limits is not None and used < MIN_FIRM_POINTS


def moving_ranges(values: Sequence[float]) -> list[float]:
    return [abs(b - a) for a, b in itertools.pairwise(values)]


def _run_members(signs: Sequence[int], length: int) -> list[int]:
    """For each position, +1/-1 if it is part of a run of `length` or more equal non-zero
    signs, else 0."""
    out = [0] * len(signs)
    start = 0
    while start < len(signs):
        end = start
        while end + 1 < len(signs) and signs[end + 1] == signs[start]:
            end += 1
        if signs[start] != 0 and end - start + 1 >= length:
            for i in range(start, end + 1):
                out[i] = signs[start]
        start = end + 1
    return out


def _trend_members(values: Sequence[float], length: int) -> list[int]:
    """+1/-1 for points in a trend of `length` or more points each higher (lower) than the
    one before, else 0. A trend of n points has n - 1 steps in the same direction."""
    steps = [_sign(b - a) for a, b in itertools.pairwise(values)]
    out = [0] * len(values)
    start = 0
    while start < len(steps):
        end = start
        while end + 1 < len(steps) and steps[end + 1] == steps[start]:
            end += 1
        if steps[start] != 0 and end - start + 2 >= length:
            for i in range(start, end + 2):
                out[i] = steps[start]
        start = end + 1
    return out


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _two_of_three_members(values: Sequence[float], limits: Limits) -> list[int]:
    """+1/-1 for points beyond 2 sigma that, with two neighbours, make three consecutive
    points on one side of the mean of which at least two are beyond 2 sigma on that side."""
    sides = [_sign(v - limits.mean) for v in values]
    close = [1 if v > limits.upper_close else -1 if v < limits.lower_close else 0 for v in values]
    out = [0] * len(values)
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        for side in (1, -1):
            if all(sides[i] == side for i in window) and sum(close[i] == side for i in window) >= 2:
                for i in window:
                    if close[i] == side:
                        out[i] = side
    return out


def _flag_for(side: Side, better: Better) -> Flag:
    if better == Better.NEITHER:
        return Flag.NEITHER
    good = Side.HIGH if better == Better.UP else Side.LOW
    return Flag.IMPROVEMENT if side == good else Flag.CONCERN


def _side(sign: int) -> Side:
    return Side.HIGH if sign > 0 else Side.LOW


def xmr(
    values: Sequence[float | None],
    *,
    better: str = "",
    target: float | None = None,
    baseline: int | None = None,
) -> Chart:
    """The XmR chart of a series (oldest first). `baseline`: calculate the mean and limits
    from the first `baseline` present values only, and hold them for the rest."""
    direction = Better(better)
    present = [(i, v) for i, v in enumerate(values) if v is not None]
    xs = [v for _, v in present]
    if baseline is not None and baseline >= len(xs):
        baseline = None
    base = xs[:baseline] if baseline is not None else xs
    if baseline is not None and baseline < MIN_POINTS:
        baseline, base = None, xs
    limits = Limits.from_values(base) if len(base) >= MIN_POINTS else None

    rules_at: list[list[Rule]] = [[] for _ in xs]
    side_at: list[int] = [0] * len(xs)
    if limits is not None:
        trend = _trend_members(xs, TREND_LENGTH)
        run = _run_members([_sign(x - limits.mean) for x in xs], RUN_LENGTH)
        two = _two_of_three_members(xs, limits)
        outside = [1 if x > limits.upper else -1 if x < limits.lower else 0 for x in xs]
        # Order matters for the side when rules clash: trend, run, two of three, outside.
        for members, rule in (
            (trend, Rule.TREND),
            (run, Rule.RUN),
            (two, Rule.TWO_OF_THREE),
            (outside, Rule.OUTSIDE_LIMITS),
        ):
            for k, sign in enumerate(members):
                if sign:
                    rules_at[k].append(rule)
                    if not side_at[k]:
                        side_at[k] = sign

    by_index: dict[int, Point] = {}
    for k, (i, v) in enumerate(present):
        if rules_at[k]:
            side = _side(side_at[k])
            by_index[i] = Point(i, v, _flag_for(side, direction), side, tuple(rules_at[k]))
        else:
            by_index[i] = Point(i, v, Flag.COMMON, None, ())
    points = tuple(
        by_index.get(i, Point(i, None, Flag.MISSING, None, ())) for i in range(len(values))
    )
    return Chart(
        values=tuple(values),
        better=direction,
        target=target,
        limits=limits,
        points=points,
        variation=_variation(points, limits),
        assurance=assurance(limits, better=direction, target=target),
        baseline=baseline,
    )


def _variation(points: Sequence[Point], limits: Limits | None) -> Variation:
    if limits is None:
        return Variation.NONE
    latest = next((p for p in reversed(points) if p.value is not None), None)
    if latest is None:
        return Variation.NONE
    if not latest.special or latest.side is None:
        return Variation.COMMON_CAUSE
    return Variation(f"{latest.flag.value}_{latest.side.value}")


def assurance(limits: Limits | None, *, better: Better, target: float | None) -> Assurance:
    """MDC assurance: where the target lies against the process limits."""
    if limits is None or target is None or better == Better.NEITHER:
        return Assurance.NONE
    if better == Better.UP:
        if limits.lower > target:
            return Assurance.PASS
        if limits.upper < target:
            return Assurance.FAIL
    else:
        if limits.upper < target:
            return Assurance.PASS
        if limits.lower > target:
            return Assurance.FAIL
    return Assurance.HIT_AND_MISS


def latest_signal(chart: Chart) -> tuple[int, int] | None:
    """The latest special-cause stretch: (index of its first point, number of points in it),
    counting back from the latest special point over consecutive special points with the same
    flag (missing values skipped). None if no point is special."""
    present = [p for p in chart.points if p.value is not None]
    last = next((k for k in range(len(present) - 1, -1, -1) if present[k].special), None)
    if last is None:
        return None
    first = last
    while (
        first > 0 and present[first - 1].special and present[first - 1].flag == present[last].flag
    ):
        first -= 1
    return present[first].index, last - first + 1
