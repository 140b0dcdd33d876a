"""SPC maths (spc.py) on series worked out by hand: the mean, moving ranges and process limits;
each special-cause rule firing and, one point short, not firing; improvement or concern from
the measure's direction; the variation and assurance icons; short series and missing values.
Then the SVG (svg.py) and the plain-English reading (presenters/charts.py)."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from crisis_care.reporting import spc, svg
from crisis_care.reporting.measures import BY_KEY
from crisis_care.reporting.period import weeks
from crisis_care.reporting.presenters import charts as p
from crisis_care.reporting.spc import Assurance, Flag, Limits, Rule, Side, Variation

# Baseline used below: 9 and 11 alternating, 12 points. Mean 10; every moving range 2, so
# mR-bar 2; limits 10 +/- 2.66 x 2 = 4.68 and 15.32; 2 sigma at 10 +/- 3.5467 (6.4533, 13.5467).
BASE = [9.0, 11.0] * 6

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    """Our own markup (svg.py), parsed to check it is well-formed XML."""
    return ET.fromstring(markup)  # noqa: S314 - not untrusted input


def special(chart: spc.Chart) -> list[tuple[int, Flag, Side | None, tuple[Rule, ...]]]:
    return [(pt.index, pt.flag, pt.side, pt.rules) for pt in chart.points if pt.special]


# --- Limits ----------------------------------------------------------------------------------


def test_limits_hand_computed() -> None:
    # 10 12 11 13 12 14 10 11: sum 93, mean 11.625. Moving ranges 2 1 2 1 2 4 1: sum 13,
    # mR-bar 13/7. Limits 11.625 +/- 2.66 x 13/7 = 11.625 +/- 4.94.
    chart = spc.xmr([10, 12, 11, 13, 12, 14, 10, 11], better="up")
    assert spc.moving_ranges([10, 12, 11, 13, 12, 14, 10, 11]) == [2, 1, 2, 1, 2, 4, 1]
    lim = chart.limits
    assert lim is not None
    assert lim.mean == pytest.approx(11.625)
    assert lim.mean_moving_range == pytest.approx(13 / 7)
    assert lim.upper == pytest.approx(16.565)
    assert lim.lower == pytest.approx(6.685)
    assert lim.upper_close == pytest.approx(11.625 + 2 * 4.94 / 3)
    assert special(chart) == []
    assert chart.variation == Variation.COMMON_CAUSE
    assert chart.provisional  # 8 points


def test_baseline_fixes_limits_from_the_first_points() -> None:
    chart = spc.xmr([*BASE, 30, 30, 30], better="up", baseline=12)
    lim = chart.limits
    assert lim is not None
    assert (lim.mean, lim.mean_moving_range) == (10, 2)
    assert lim.upper == pytest.approx(15.32)
    assert lim.lower == pytest.approx(4.68)
    # Without the baseline the 30s pull the mean up to 14.
    free = spc.xmr([*BASE, 30, 30, 30], better="up").limits
    assert free is not None and free.mean == pytest.approx(14)


def test_short_series() -> None:
    for values in ([], [5.0], [None, 5.0, None]):
        chart = spc.xmr(values, better="up", target=4)
        assert chart.limits is None
        assert chart.variation == Variation.NONE
        assert chart.assurance == Assurance.NONE
        assert not chart.provisional
        assert special(chart) == []
    two = spc.xmr([1, 3])
    assert two.limits is not None
    assert two.limits.mean == 2
    assert two.limits.upper == pytest.approx(2 + 2.66 * 2)
    assert two.provisional
    assert spc.xmr([9, 11] * 7).provisional  # 14 points
    assert not spc.xmr([9, 11] * 7 + [10]).provisional  # 15 points


def test_missing_values_are_left_out() -> None:
    # 10, (nothing), 12, 11: mean 11; moving ranges 2 and 1 (12 follows 10).
    chart = spc.xmr([10, None, 12, 11])
    assert chart.limits is not None
    assert chart.limits.mean == 11
    assert chart.limits.mean_moving_range == 1.5
    assert chart.points[1].flag == Flag.MISSING
    assert chart.count == 3


# --- Rule 1: outside the limits ---------------------------------------------------------------


def test_point_above_the_upper_limit() -> None:
    chart = spc.xmr([*BASE, 16], better="down", baseline=12)
    assert special(chart) == [(12, Flag.CONCERN, Side.HIGH, (Rule.OUTSIDE_LIMITS,))]
    assert chart.variation == Variation.CONCERN_HIGH
    # 15.3 is inside.
    assert special(spc.xmr([*BASE, 15.3], better="down", baseline=12)) == []


def test_point_below_the_lower_limit_neither_direction() -> None:
    chart = spc.xmr([*BASE, 4], better="", baseline=12)
    assert special(chart) == [(12, Flag.NEITHER, Side.LOW, (Rule.OUTSIDE_LIMITS,))]
    assert chart.variation == Variation.NEITHER_LOW
    assert special(spc.xmr([*BASE, 4.7], baseline=12)) == []


# --- Rule 2: a run of 7 on one side of the mean ----------------------------------------------

# Mean exactly 10 (the 10s sit on the mean and end runs).
RUN_OF_6 = [8, 12, 8, 12, 10, *[11] * 6, 10, *[9] * 6, 10, 12, 8]
RUN_OF_7 = [8, 12, 8, 12, 10, *[11] * 7, 10, *[9] * 7, 10, 12, 8]


def test_run_of_seven_above_and_below() -> None:
    chart = spc.xmr(RUN_OF_7, better="up")
    assert chart.limits is not None and chart.limits.mean == 10
    flagged = special(chart)
    assert [i for i, *_ in flagged] == [*range(5, 12), *range(13, 20)]
    assert {(f, s) for i, f, s, _ in flagged if i < 12} == {(Flag.IMPROVEMENT, Side.HIGH)}
    assert {(f, s) for i, f, s, _ in flagged if i > 12} == {(Flag.CONCERN, Side.LOW)}
    assert all(rules == (Rule.RUN,) for *_, rules in flagged)
    # The latest points are back to common cause.
    assert chart.variation == Variation.COMMON_CAUSE


def test_run_of_six_is_not_special() -> None:
    chart = spc.xmr(RUN_OF_6, better="up")
    assert chart.limits is not None and chart.limits.mean == 10
    assert special(chart) == []


def test_latest_run_sets_the_variation_icon() -> None:
    chart = spc.xmr([*BASE, *[12] * 7], better="down", baseline=12)
    assert chart.variation == Variation.CONCERN_HIGH
    # The run starts at the baseline's last 11 (above the mean too).
    assert spc.latest_signal(chart) == (11, 8)


# --- Rule 3: a trend of 7 rising or falling --------------------------------------------------


def test_trend_of_seven_rising() -> None:
    # 7 8 9 10 11 12 13 rising across a mean of 10; the 7 before it is equal, so it is not part.
    values = [13, 7, 13, 7, 7, 8, 9, 10, 11, 12, 13, 7, 13, 7, 13]
    chart = spc.xmr(values, better="up")
    assert chart.limits is not None and chart.limits.mean == 10
    flagged = special(chart)
    assert [i for i, *_ in flagged] == list(range(4, 11))
    # The points below the mean are improvement too: the trend's direction decides.
    assert {(f, s, r) for _, f, s, r in flagged} == {(Flag.IMPROVEMENT, Side.HIGH, (Rule.TREND,))}


def test_trend_of_seven_falling_is_concern_when_up_is_better() -> None:
    values = [7, 13, 7, 13, 13, 12, 11, 10, 9, 8, 7]
    chart = spc.xmr(values, better="up")
    assert {(f, s) for _, f, s, _ in special(chart)} == {(Flag.CONCERN, Side.LOW)}
    assert [i for i, *_ in special(chart)] == list(range(4, 11))
    assert chart.variation == Variation.CONCERN_LOW


def test_trend_of_six_is_not_special() -> None:
    assert special(spc.xmr([13, 7, 13, 7, 7, 8, 9, 10, 11, 12, 7, 13, 7, 13], better="up")) == []


# --- Rule 4: two out of three close to a limit -----------------------------------------------


def test_two_of_three_beyond_two_sigma() -> None:
    chart = spc.xmr([*BASE, 14, 11, 14], better="down", baseline=12)
    assert special(chart) == [
        (12, Flag.CONCERN, Side.HIGH, (Rule.TWO_OF_THREE,)),
        (14, Flag.CONCERN, Side.HIGH, (Rule.TWO_OF_THREE,)),
    ]
    assert chart.variation == Variation.CONCERN_HIGH


def test_two_of_three_low_side_improvement() -> None:
    # 9, 6, 6: three below the mean, two of them below 2 sigma (6.4533).
    chart = spc.xmr([*BASE, 9, 6, 6], better="down", baseline=12)
    assert special(chart) == [
        (13, Flag.IMPROVEMENT, Side.LOW, (Rule.TWO_OF_THREE,)),
        (14, Flag.IMPROVEMENT, Side.LOW, (Rule.TWO_OF_THREE,)),
    ]
    assert chart.variation == Variation.IMPROVEMENT_LOW


@pytest.mark.parametrize(
    "tail",
    [
        [14, 9, 14],  # the middle point is below the mean
        [14, 11, 12],  # only one beyond 2 sigma
        [14, 11, 11, 14],  # two beyond 2 sigma, but not within three points
        [14, 6],  # beyond 2 sigma on opposite sides
    ],
)
def test_two_of_three_does_not_fire(tail: list[float]) -> None:
    assert special(spc.xmr([*BASE, *tail], better="down", baseline=12)) == []


# --- Icons -----------------------------------------------------------------------------------


def limits(lower: float, upper: float) -> Limits:
    mean = (lower + upper) / 2
    mr = (upper - mean) / 2.66
    return Limits(mean, mr, upper, lower, mean + mr * 2.66 * 2 / 3, mean - mr * 2.66 * 2 / 3)


@pytest.mark.parametrize(
    ("lower", "upper", "better", "target", "expected"),
    [
        (85, 99, spc.Better.UP, 80, Assurance.PASS),
        (60, 75, spc.Better.UP, 80, Assurance.FAIL),
        (70, 90, spc.Better.UP, 80, Assurance.HIT_AND_MISS),
        (70, 90, spc.Better.UP, 90, Assurance.HIT_AND_MISS),  # on the limit: not certain
        (10, 20, spc.Better.DOWN, 25, Assurance.PASS),
        (30, 40, spc.Better.DOWN, 25, Assurance.FAIL),
        (20, 30, spc.Better.DOWN, 25, Assurance.HIT_AND_MISS),
        (10, 20, spc.Better.NEITHER, 25, Assurance.NONE),
        (10, 20, spc.Better.UP, None, Assurance.NONE),
    ],
)
def test_assurance(
    lower: float, upper: float, better: spc.Better, target: float | None, expected: Assurance
) -> None:
    assert spc.assurance(limits(lower, upper), better=better, target=target) == expected


def test_assurance_from_a_series() -> None:
    assert spc.xmr(BASE, better="up", target=4).assurance == Assurance.PASS
    assert spc.xmr(BASE, better="up", target=16).assurance == Assurance.FAIL
    assert spc.xmr(BASE, better="up", target=10).assurance == Assurance.HIT_AND_MISS


# --- SVG -------------------------------------------------------------------------------------


def test_chart_svg_is_accessible_and_marks_special_points() -> None:
    chart = spc.xmr([*BASE, 16], better="down", target=12, baseline=12)
    labels = [f"W{i}" for i in range(13)]
    markup = svg.chart_svg(
        chart, labels=labels, title="Calls <late>", description="A & B", id_prefix="c1", unit="%"
    )
    root = parse(markup)  # well-formed XML, text escaped
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Calls <late>"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "A & B"  # type: ignore[union-attr]
    classes = [el.get("class") or "" for el in root.iter()]
    assert classes.count("app-spc__limit") == 2
    assert classes.count("app-spc__mean") == 1
    assert classes.count("app-spc__target") == 1
    assert classes.count("app-spc__point app-spc__point--common") == 12
    assert classes.count("app-spc__point app-spc__point--concern") == 1
    assert "style" not in markup
    # The last label is always shown.
    assert "W12" in [el.text for el in root.iter(f"{SVG}text")]


def test_chart_svg_with_no_limits() -> None:
    chart = spc.xmr([None, 3.0])
    root = parse(svg.chart_svg(chart, labels=["a", "b"], title="t", description="d", id_prefix="x"))
    classes = [el.get("class") or "" for el in root.iter()]
    assert "app-spc__limit" not in classes
    assert "app-spc__mean" not in classes
    assert classes.count("app-spc__point app-spc__point--common") == 1


@pytest.mark.parametrize("variation", list(Variation))
def test_variation_icons_have_text(variation: Variation) -> None:
    root = parse(svg.variation_icon(variation, id_="v"))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == svg.VARIATION_TEXT[variation]  # type: ignore[union-attr]


@pytest.mark.parametrize("assurance", list(Assurance))
def test_assurance_icons_have_text(assurance: Assurance) -> None:
    root = parse(svg.assurance_icon(assurance, id_="a"))
    assert root.find(f"{SVG}title").text == svg.ASSURANCE_TEXT[assurance]  # type: ignore[union-attr]


def test_nice_ticks() -> None:
    assert svg.nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    assert svg.nice_ticks(4.68, 15.32) == [0, 5, 10, 15, 20]
    assert svg.nice_ticks(82, 97) == [80, 85, 90, 95, 100]


# --- The reading -----------------------------------------------------------------------------

PERIODS = weeks(dt.date(2026, 3, 2), dt.date(2026, 8, 30))  # 26 weeks from Monday 2 March


def test_reading_run() -> None:
    # The baseline's last point (11) and six 12s: 7 above the mean from the 12th week.
    chart = spc.xmr([*BASE, *[12] * 6], better="up", baseline=12)
    assert p.reading(chart, PERIODS, p.Every.WEEK) == (
        "Special cause improvement: 7 weeks above the mean since the week of 18 May 2026."
    )


def test_reading_trend_outside_and_common() -> None:
    falling = spc.xmr([*BASE, 13, 12, 11, 10, 9, 8, 7], better="up", baseline=12)
    assert p.reading(falling, PERIODS, p.Every.WEEK) == (
        "Special cause concern: 7 weeks falling in a row since the week of 25 May 2026."
    )
    outside = spc.xmr([*BASE, 16], better="", baseline=12)
    assert p.reading(outside, PERIODS, p.Every.MONTH) == (
        "Special cause variation: the latest month is above the upper process limit."
    )
    back = spc.xmr([*BASE, 16, 10], better="up", baseline=12)
    assert p.reading(back, PERIODS, p.Every.WEEK) == (
        "Common cause variation: the latest week is within the process limits, with no run or "
        "trend. Earlier: special cause improvement from the week of 25 May 2026."
    )
    assert p.reading(spc.xmr([1]), PERIODS, p.Every.WEEK).startswith(
        "Not enough data for process limits"
    )


def test_default_periods_are_whole_weeks_and_months() -> None:
    today = dt.date(2026, 11, 4)  # a Wednesday
    wk = p.default_periods(p.Every.WEEK, today)
    assert len(wk) == 26
    assert wk[-1].last == dt.date(2026, 11, 1)  # the Sunday before
    assert all(x.days == 7 and x.first.weekday() == 0 for x in wk)
    mo = p.default_periods(p.Every.MONTH, today)
    assert len(mo) == 24
    assert (mo[0].first, mo[-1].last) == (dt.date(2024, 11, 1), dt.date(2026, 10, 31))


def test_chosen_range() -> None:
    today = dt.date(2026, 11, 4)  # a Wednesday
    chosen = p.chosen_range("week", "13", "2026-10-18", today)
    periods = chosen.periods()
    assert len(periods) == 13
    assert periods[-1].last == dt.date(2026, 10, 18)
    assert chosen.query("t") == "team=t&every=week&periods=13&ending=2026-10-18"
    assert len(chosen.endings()) == 52
    # Anything not offered falls back to the default.
    for count, ending in (("7", None), ("abc", None), (None, "2026-10-19"), (None, "soon")):
        fallback = p.chosen_range("week", count, ending, today)
        assert (fallback.count, fallback.ending) == (26, dt.date(2026, 11, 1))
        assert fallback.query("t") == "team=t&every=week"
    monthly = p.chosen_range("month", "12", "2025-12-31", today)
    assert (monthly.periods()[0].first, monthly.periods()[-1].last) == (
        dt.date(2025, 1, 1),
        dt.date(2025, 12, 31),
    )
    assert monthly.endings()[:3] == [
        dt.date(2026, 10, 31),
        dt.date(2026, 9, 30),
        dt.date(2026, 8, 31),
    ]
    assert p.chosen_range("month", None, "2026-10-30", today).ending == dt.date(2026, 10, 31)


def test_target_text() -> None:
    measure = BY_KEY["referrer_response_30m"]
    assert p.target_text(measure) == f"Target: at least {measure.target:g}% ({measure.standard})"
    assert p.target_text(BY_KEY["referrals"]) == ""
