"""SPC charts and the Making Data Count icons as accessible SVG, drawn on the server so they
print and need no JavaScript. Pure: strings in, markup out (no Django).

Every colour and line style is a CSS class (`app-spc__...`, in
`reporting/static/reporting/charts.css`): the content security policy allows no style
attributes. Each chart and icon is role="img" with a <title> and <desc>; the data table beside
each chart carries the figures for screen readers.

Special-cause points differ by shape as well as colour: improvement points are large circles,
concern points squares, points where neither direction is better diamonds; common-cause points
small grey circles."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .spc import Assurance, Chart, Flag, Variation


@dataclass(frozen=True)
class Size:
    width: int
    height: int
    left: int = 56
    right: int = 20
    top: int = 16
    bottom: int = 64

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom


SMALL = Size(640, 300)
LARGE = Size(960, 420)

VARIATION_TEXT: dict[Variation, str] = {
    Variation.COMMON_CAUSE: "Common cause variation: no significant change",
    Variation.IMPROVEMENT_HIGH: "Special cause variation: improvement, higher values",
    Variation.IMPROVEMENT_LOW: "Special cause variation: improvement, lower values",
    Variation.CONCERN_HIGH: "Special cause variation: concern, higher values",
    Variation.CONCERN_LOW: "Special cause variation: concern, lower values",
    Variation.NEITHER_HIGH: "Special cause variation: higher values (neither better nor worse)",
    Variation.NEITHER_LOW: "Special cause variation: lower values (neither better nor worse)",
    Variation.NONE: "Too few points to judge variation",
}

ASSURANCE_TEXT: dict[Assurance, str] = {
    Assurance.PASS: "The target is consistently met",
    Assurance.FAIL: "The target is consistently missed",
    Assurance.HIT_AND_MISS: "The target will be met in some periods and missed in others",
    Assurance.NONE: "No target to assure against",
}


def _n(x: float) -> str:
    """A coordinate, to one decimal place, without a trailing '.0'."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values covering low..high."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks: list[float] = []
    tick = start
    while tick <= high + step * 1e-9:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(tick, 10))
    return ticks


def _format_tick(value: float, unit: str) -> str:
    text = f"{value:g}" if abs(value) < 1e6 else f"{value:.3g}"
    return f"{text}{unit}"


def _y_range(
    chart: Chart, floor: float | None, ceiling: float | None
) -> tuple[float, float, list[float]]:
    numbers = [v for v in chart.values if v is not None]
    if chart.limits is not None:
        numbers += [chart.limits.upper, chart.limits.lower, chart.limits.mean]
    if chart.target is not None:
        numbers.append(chart.target)
    low, high = (min(numbers), max(numbers)) if numbers else (0.0, 1.0)
    pad = (high - low) * 0.05  # so no point sits on the axis
    low, high = low - pad, high + pad
    if floor is not None:
        low = max(low, floor)
    if ceiling is not None:
        high = min(high, ceiling)
    if high == low:
        low, high = low - 1, high + 1
    ticks = nice_ticks(low, high)
    if floor is not None:
        ticks = [t for t in ticks if t >= floor] or [floor]
    if ceiling is not None:
        ticks = [t for t in ticks if t <= ceiling] or [ceiling]
    return min(ticks[0], low), max(ticks[-1], high), ticks


def chart_svg(
    chart: Chart,
    *,
    labels: Sequence[str],
    title: str,
    description: str,
    id_prefix: str,
    unit: str = "",
    floor: float | None = None,
    ceiling: float | None = None,
    size: Size = SMALL,
    max_labels: int = 9,
) -> str:
    """The chart: the values as points joined by a line, the mean, the process limits (dashed),
    the target, and special-cause points marked. `labels` name each period (x axis)."""
    if len(labels) != len(chart.values):
        raise ValueError("One label is needed for each value")
    low, high, ticks = _y_range(chart, floor, ceiling)
    count = len(chart.values)

    def x_of(i: int) -> float:
        if count <= 1:
            return size.left + size.plot_width / 2
        return size.left + size.plot_width * i / (count - 1)

    def y_of(v: float) -> float:
        v = min(max(v, low), high)
        return size.top + size.plot_height * (high - v) / (high - low)

    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-spc" role="img" '
        f'viewBox="0 0 {size.width} {size.height}" aria-labelledby="{title_id} {desc_id}" '
        f'id="{escape(id_prefix)}" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    # Grid and y axis labels.
    left, right = size.left, size.width - size.right
    bottom = size.top + size.plot_height
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line class="app-spc__grid" x1="{left}" x2="{right}" y1="{_n(y)}" y2="{_n(y)}"/>'
        )
        parts.append(
            f'<text class="app-spc__axis-label" x="{left - 6}" y="{_n(y + 4)}" '
            f'text-anchor="end">{escape(_format_tick(tick, unit))}</text>'
        )
    parts.append(
        f'<line class="app-spc__axis" x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}"/>'
    )
    # x axis labels: at most `max_labels`, evenly spaced, always the last.
    step = max(1, math.ceil(count / max_labels))
    shown = set(range(count - 1, -1, -step))
    for i in sorted(shown):
        x = x_of(i)
        parts.append(
            f'<text class="app-spc__axis-label" x="{_n(x)}" y="{bottom + 14}" '
            f'text-anchor="end" transform="rotate(-35 {_n(x)} {bottom + 14})">'
            f"{escape(labels[i])}</text>"
        )
    # Mean, limits, target.
    if chart.limits is not None:
        lim = chart.limits
        for value, css in (
            (lim.upper, "app-spc__limit"),
            (lim.lower, "app-spc__limit"),
            (lim.mean, "app-spc__mean"),
        ):
            if low <= value <= high:
                at = _n(y_of(value))
                parts.append(f'<line class="{css}" x1="{left}" x2="{right}" y1="{at}" y2="{at}"/>')
    if chart.target is not None and low <= chart.target <= high:
        at = _n(y_of(chart.target))
        parts.append(
            f'<line class="app-spc__target" x1="{left}" x2="{right}" y1="{at}" y2="{at}"/>'
        )
    # The line through the values (missing values are skipped).
    coords = [(x_of(p.index), y_of(p.value)) for p in chart.points if p.value is not None]
    if len(coords) > 1:
        joined = " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        parts.append(f'<polyline class="app-spc__line" points="{joined}"/>')
    for point in chart.points:
        if point.value is None:
            continue
        parts.append(_marker(x_of(point.index), y_of(point.value), point.flag))
    parts.append("</svg>")
    return "".join(parts)


def _marker(x: float, y: float, flag: Flag) -> str:
    css = f"app-spc__point app-spc__point--{flag.value}"
    if flag == Flag.CONCERN:
        return f'<rect class="{css}" x="{_n(x - 4.5)}" y="{_n(y - 4.5)}" width="9" height="9"/>'
    if flag == Flag.NEITHER:
        d = f"M{_n(x)} {_n(y - 6)}L{_n(x + 6)} {_n(y)}L{_n(x)} {_n(y + 6)}L{_n(x - 6)} {_n(y)}Z"
        return f'<path class="{css}" d="{d}"/>'
    radius = 5 if flag == Flag.IMPROVEMENT else 3.5
    return f'<circle class="{css}" cx="{_n(x)}" cy="{_n(y)}" r="{radius}"/>'


def _icon(id_: str, text: str, tone: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-spc-icon app-spc-icon--{tone}" '
        f'role="img" viewBox="0 0 48 48" width="48" height="48" aria-labelledby="{id_}" '
        f'focusable="false"><title id="{id_}">{escape(text)}</title>'
        f'<circle class="app-spc-icon__ring" cx="24" cy="24" r="21"/>{body}</svg>'
    )


_DOTS_FLAT = (30, 27, 31, 28, 30, 29, 30)
_DOTS_UP = (36, 34, 31, 29, 26, 24, 21)


def _dots(ys: Sequence[int], flip: bool = False) -> str:
    out = []
    for k, y in enumerate(ys):
        x = 11 + k * 4.3
        yy = 48 - y + 6 if flip else y
        out.append(f'<circle class="app-spc-icon__dot" cx="{_n(x)}" cy="{yy}" r="1.8"/>')
    return "".join(out)


def variation_icon(variation: Variation, *, id_: str) -> str:
    """The MDC variation icon: a ring in the flag's colour, a little run of dots and H or L
    for special cause on the high or low side."""
    text = VARIATION_TEXT[variation]
    if variation == Variation.NONE:
        return _icon(id_, text, "none", _text_mark("–"))
    if variation == Variation.COMMON_CAUSE:
        return _icon(id_, text, "common", _dots(_DOTS_FLAT))
    flag, side = variation.value.rsplit("_", 1)
    letter = "H" if side == "high" else "L"
    body = _dots(_DOTS_UP, flip=side == "low") + _text_mark(letter, y=20 if side == "low" else 40)
    return _icon(id_, text, flag, body)


def _text_mark(text: str, y: int = 30) -> str:
    return (
        f'<text class="app-spc-icon__letter" x="24" y="{y}" text-anchor="middle">'
        f"{escape(text)}</text>"
    )


def assurance_icon(assurance: Assurance, *, id_: str) -> str:
    """The MDC assurance icon: P (passes), F (fails) or a line through the target for hit
    and miss, in a ring coloured improvement blue, concern orange or grey."""
    text = ASSURANCE_TEXT[assurance]
    target = '<line class="app-spc-icon__target" x1="9" x2="39" y1="33" y2="33"/>'
    if assurance == Assurance.PASS:
        return _icon(id_, text, "improvement", _text_mark("P", y=28) + target)
    if assurance == Assurance.FAIL:
        return _icon(id_, text, "concern", _text_mark("F", y=28) + target)
    if assurance == Assurance.HIT_AND_MISS:
        wave = '<path class="app-spc-icon__wave" d="M9 33 Q14 22 19 33 T29 33 T39 33"/>'
        return _icon(id_, text, "common", _text_mark("?", y=24) + target + wave)
    return _icon(id_, text, "none", _text_mark("–"))
