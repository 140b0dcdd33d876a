"""Display values for 'How did we do?': the managers' report (percentages as the Friends and
Family Test shows them, whole numbers), month names, the period in words, and the CSV, whose
cells are made safe to open in a spreadsheet (the comments come from the public)."""

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

from crisis_care.core.clock import local_date
from crisis_care.core.presenters import date_long
from crisis_care.workforce.models import Team

from ..models import Experience, FeedbackResponse, Respondent
from ..selectors.feedback import FeedbackSummary, MonthCounts, Period

NO_SHARE = "No answers to count"
CSV_HEADER = ("Date", "Overall experience", "Answered by", "What went well", "What could be better")
# A spreadsheet reads a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

RESPONDENT_SHORT = {
    Respondent.PERSON: "Person who had care",
    Respondent.CARER: "Carer, family member or friend",
}


def percent(share: float | None) -> str:
    """A share as a whole percentage, halves rounded up ('87%'); 'No answers to count'."""
    if share is None:
        return NO_SHARE
    return f"{math.floor(share * 100 + 0.5 + 1e-9)}%"


def answers_text(n: int) -> str:
    return f"{n:,} answer" if n == 1 else f"{n:,} answers"


def period_text(period: Period) -> str:
    return f"{date_long(period.start)} to {date_long(period.end)}"


def month_label(month: dt.date) -> str:
    return f"{month:%B %Y}"


def experience_label(value: str) -> str:
    return str(Experience(value).label)


def respondent_label(value: str) -> str:
    return str(RESPONDENT_SHORT[Respondent(value)])


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int
    share: str  # of every answer in the period


def _share_of(n: int, total: int) -> str:
    return percent(n / total) if total else "0%"


def experience_rows(summary: FeedbackSummary) -> list[CountRow]:
    total = summary.total
    return [
        CountRow(
            label=str(label),
            count=summary.by_experience.get(value, 0),
            share=_share_of(summary.by_experience.get(value, 0), total),
        )
        for value, label in Experience.choices
    ]


def respondent_rows(summary: FeedbackSummary) -> list[CountRow]:
    total = summary.total
    return [
        CountRow(
            label=respondent_label(value),
            count=summary.by_respondent.get(value, 0),
            share=_share_of(summary.by_respondent.get(value, 0), total),
        )
        for value in Respondent.values
    ]


@dataclass(frozen=True)
class MonthRow:
    label: str
    counts: list[int]  # in the order of Experience
    total: int
    share_positive: str


def month_rows(summary: FeedbackSummary) -> list[MonthRow]:
    """Newest month first, as the comments are."""
    return [_month_row(m) for m in reversed(summary.months)]


def _month_row(month: MonthCounts) -> MonthRow:
    return MonthRow(
        label=month_label(month.month),
        counts=[month.counts.get(value, 0) for value in Experience.values],
        total=month.total,
        share_positive=percent(month.share_positive) if month.total else "No answers",
    )


def experience_headings() -> list[str]:
    return [str(label) for _, label in Experience.choices]


@dataclass(frozen=True)
class CommentRow:
    date: str
    experience: str
    respondent: str
    what_went_well: str
    what_could_be_better: str


def comment_rows(responses: Iterable[FeedbackResponse]) -> list[CommentRow]:
    return [
        CommentRow(
            date=date_long(r.submitted_at),
            experience=experience_label(r.experience),
            respondent=respondent_label(r.respondent),
            what_went_well=r.what_went_well,
            what_could_be_better=r.what_could_be_better,
        )
        for r in responses
    ]


# --- Links -----------------------------------------------------------------------------------


def period_query(team: Team, period: Period, **extra: str | int) -> str:
    """The query string that shows this team and period again (the date boxes' names)."""
    query: dict[str, str | int] = {"team": str(team.pk)}
    for name, day in (("start", period.start), ("end", period.end)):
        query |= {f"{name}[day]": day.day, f"{name}[month]": day.month, f"{name}[year]": day.year}
    query |= extra
    return urlencode(query)


# --- The CSV -----------------------------------------------------------------------------------


def csv_cell(value: str) -> str:
    """A cell that opens as text in a spreadsheet, never as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_rows(rows: Iterable[tuple[dt.datetime, str, str, str, str]]) -> Iterator[list[str]]:
    yield list(CSV_HEADER)
    for submitted_at, experience, respondent, went_well, better in rows:
        yield [
            local_date(submitted_at).isoformat(),
            experience_label(experience),
            respondent_label(respondent),
            csv_cell(went_well),
            csv_cell(better),
        ]


def csv_filename(team: Team, period: Period) -> str:
    return f"feedback-{team.code}-{period.start.isoformat()}-to-{period.end.isoformat()}.csv"
