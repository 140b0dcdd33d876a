"""Formatting for the performance dashboard and the records behind each figure. Pure
functions over the figures (selectors.figures), so the pages and CSV downloads say the same."""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from crisis_care.core.presenters import date_long, datetime_long, format_nhs_number
from crisis_care.referrals.models import Priority, Source, Status
from crisis_care.treatment.models import VisitLocation
from crisis_care.workforce.models import Team

from ..measures import MEASURES, Kind, Measure
from ..period import Period
from ..selectors.figures import Fact, RecordRow, Value

NO_VALUE = "No records to count"

# Fact values stored as codes, shown as their labels.
_LABELS: dict[str, dict[str, str]] = {
    "Priority": {str(c): str(label) for c, label in Priority.choices},
    "Source": {str(c): str(label) for c, label in Source.choices},
    "Status": {str(c): str(label) for c, label in Status.choices},
    "Where": {str(c): str(label) for c, label in VisitLocation.choices},
}


def _round_half_up(x: float, places: int = 0) -> float:
    scale = 10**places
    return math.floor(x * scale + 0.5 + 1e-9) / scale


def value_text(measure: Measure, value: Value) -> str:
    """'87%', '1,204', '8.5' (caseload per 14 staff), or that there was nothing to count."""
    figure = value.value
    if figure is None:
        if measure.kind is Kind.MEDIAN:
            return "No clinical staff recorded" if value.denominator == 0 else NO_VALUE
        return NO_VALUE
    if measure.kind is Kind.PROPORTION:
        return f"{_round_half_up(figure):.0f}%"
    if measure.kind is Kind.MEDIAN:
        return f"{_round_half_up(figure, 1):.1f}"
    return f"{int(figure):,}"


def fraction_text(measure: Measure, value: Value) -> str:
    """What the figure is made of: '35 of 40', or for the caseload its median and staff."""
    if measure.kind is Kind.PROPORTION:
        return f"{value.numerator:,} of {value.denominator or 0:,}"
    if measure.kind is Kind.MEDIAN:
        staff = value.denominator or 0
        return (
            f"Median {value.numerator:,} open episodes; "
            f"{staff:,} clinical staff member{'s' if staff != 1 else ''}"
        )
    return ""


def target_text(measure: Measure) -> str:
    if measure.target is None:
        return "No target set"
    amount = f"{measure.target:g}{'%' if measure.kind is Kind.PROPORTION else ''}"
    if measure.better == "down":
        return f"{amount} or fewer" if measure.kind is not Kind.PROPORTION else f"{amount} or less"
    return f"{amount} or more"


def met_target(measure: Measure, value: Value) -> bool | None:
    """Whether the figure meets its target; None if there is no target or nothing to count."""
    figure = value.value
    if measure.target is None or figure is None:
        return None
    if measure.better == "down":
        return figure <= measure.target
    return figure >= measure.target


def target_tag(met: bool | None) -> dict[str, str]:
    if met is None:
        return {"text": "No target", "classes": "nhsuk-tag--grey"}
    if met:
        return {"text": "Target met", "classes": "nhsuk-tag--green"}
    return {"text": "Target not met", "classes": "nhsuk-tag--red"}


@dataclass(frozen=True)
class FigureRow:
    measure: Measure
    value: Value
    value_text: str
    fraction_text: str
    target_text: str
    met: bool | None

    @property
    def tag(self) -> dict[str, str]:
        return target_tag(self.met)


def figure_row(measure: Measure, value: Value) -> FigureRow:
    return FigureRow(
        measure=measure,
        value=value,
        value_text=value_text(measure, value),
        fraction_text=fraction_text(measure, value),
        target_text=target_text(measure),
        met=met_target(measure, value),
    )


def figure_rows(figures: dict[str, list[Value]]) -> list[FigureRow]:
    """Every measure in the catalogue's order, for the first (only) period."""
    return [figure_row(m, figures[m.key][0]) for m in MEASURES if m.key in figures]


def period_text(period: Period) -> str:
    return period.label()


def csv_filename(team: Team, period: Period, what: str) -> str:
    return f"{what}-{team.code}-{period.first:%Y-%m-%d}-to-{period.last:%Y-%m-%d}.csv"


def dashboard_csv_rows(team: Team, period: Period, rows: list[FigureRow]) -> list[list[str]]:
    out = [
        [
            "Team",
            "From",
            "To",
            "Measure",
            "Key",
            "Numerator",
            "Denominator",
            "Value",
            "Target",
            "Target met",
            "Standard",
            "CORE item",
            "How it is worked out",
        ]
    ]
    for row in rows:
        m, v = row.measure, row.value
        figure = v.value
        out.append(
            [
                team.name,
                period.first.isoformat(),
                period.last.isoformat(),
                m.title,
                m.key,
                str(v.numerator),
                "" if v.denominator is None else str(v.denominator),
                "" if figure is None else f"{figure:.1f}",
                "" if m.target is None else f"{m.target:g}",
                {True: "Yes", False: "No", None: ""}[row.met],
                m.standard,
                m.core_item,
                m.definition,
            ]
        )
    return out


# -- The records behind a figure ---------------------------------------------------------------


def fact_text(label: str, value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return datetime_long(value)
    if isinstance(value, dt.date):
        return date_long(value)
    if isinstance(value, int):
        return f"{value:,}"
    return _LABELS.get(label, {}).get(str(value), str(value))


def at_text(row: RecordRow) -> str:
    if isinstance(row.at, dt.datetime):
        return datetime_long(row.at)
    return date_long(row.at)


def met_text(row: RecordRow) -> str:
    return {True: "Met", False: "Not met", None: "Counted"}[row.met]


def met_tag(row: RecordRow) -> dict[str, str]:
    if row.met is None:
        return {"text": "Counted", "classes": "nhsuk-tag--grey"}
    if row.met:
        return {"text": "Met", "classes": "nhsuk-tag--green"}
    return {"text": "Not met", "classes": "nhsuk-tag--red"}


@dataclass(frozen=True)
class RecordLine:
    row: RecordRow
    at: str
    facts: list[tuple[str, str]]
    tag: dict[str, str]


def record_lines(rows: list[RecordRow]) -> list[RecordLine]:
    return [
        RecordLine(
            row=r,
            at=at_text(r),
            facts=[(label, fact_text(label, v)) for label, v in r.facts],
            tag=met_tag(r),
        )
        for r in rows
    ]


def fact_labels(rows: list[RecordRow]) -> list[str]:
    return [label for label, _ in rows[0].facts] if rows else []


def counts(rows: list[RecordRow]) -> dict[str, int]:
    """How many records met and did not meet the rule (for those who may not see names)."""
    return {
        "met": sum(1 for r in rows if r.met is True),
        "not_met": sum(1 for r in rows if r.met is False),
        "total": len(rows),
    }


def figure_csv_rows(
    measure: Measure, rows: list[RecordRow], *, with_names: bool
) -> list[list[str]]:
    """The records behind a figure; without names and NHS numbers for those who may only
    see figures (then just the counts)."""
    if not with_names:
        c = counts(rows)
        return [
            ["Measure", "Records", "Met", "Not met"],
            [measure.title, str(c["total"]), str(c["met"]), str(c["not_met"])],
        ]
    labels = fact_labels(rows)
    out = [["Record", "Record ID", "Person", "NHS number", "When", "Met", *labels]]
    for r in rows:
        facts: list[Fact] = list(r.facts)
        out.append(
            [
                r.kind,
                "" if r.record_id is None else str(r.record_id),
                r.person_name,
                format_nhs_number(r.nhs_number) if r.nhs_number else "",
                r.at.isoformat(),
                met_text(r),
                *(_csv_fact(label, v) for label, v in facts),
            ]
        )
    return out


def _csv_fact(label: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.isoformat()
    return _LABELS.get(label, {}).get(str(value), str(value))


def share_text(n: int, total: int) -> str:
    """n as a whole percentage of total ('–' when there is nothing to share)."""
    if not total:
        return "–"
    return f"{_round_half_up(100 * n / total):.0f}%"
