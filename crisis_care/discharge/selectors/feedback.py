"""Reads for 'How did we do?': the team a public form is for, and the managers' report.

The report counts in the database (one grouped query for the answers, the respondents and
the months together), so its cost does not grow with the number of answers; the comments are
read a page at a time and the CSV streams its rows.
"""

import calendar
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from crisis_care.core.clock import LONDON, local_date, local_instant
from crisis_care.core.models import User
from crisis_care.workforce import selectors as workforce_selectors
from crisis_care.workforce.models import Team

from ..models import POSITIVE, Experience, FeedbackResponse, Respondent

DEFAULT_MONTHS = 3
CSV_CHUNK = 2000


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if it is shorter)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Period:
    """From one London date to another, both days included."""

    start: dt.date
    end: dt.date

    @classmethod
    def last_months(cls, today: dt.date, months: int = DEFAULT_MONTHS) -> "Period":
        return cls(start=months_before(today, months), end=today)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The instants it runs between: midnight in London at the start of the first day, up
        to (not including) midnight at the end of the last."""
        return (
            local_instant(self.start, dt.time(0, 0)),
            local_instant(self.end + dt.timedelta(days=1), dt.time(0, 0)),
        )

    def months(self) -> list[dt.date]:
        """The first day of each calendar month the period touches, in order."""
        found = []
        month = self.start.replace(day=1)
        while month <= self.end:
            found.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return found


def share_positive(counts: Mapping[str, int]) -> float | None:
    """The Friends and Family Test's share positive: 'very good' and 'good' over every answer
    except 'don't know'. None when there is nothing to divide by."""
    answered = sum(n for answer, n in counts.items() if answer != Experience.DONT_KNOW)
    if not answered:
        return None
    return sum(counts.get(answer, 0) for answer in POSITIVE) / answered


def _zeroes() -> dict[str, int]:
    return dict.fromkeys(Experience.values, 0)


@dataclass(frozen=True)
class MonthCounts:
    month: dt.date  # the first day of the month
    counts: dict[str, int]  # answer -> number

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def share_positive(self) -> float | None:
        return share_positive(self.counts)


@dataclass(frozen=True)
class FeedbackSummary:
    team: Team
    period: Period
    by_experience: dict[str, int]  # every answer, in the FFT's order, zeroes included
    by_respondent: dict[str, int]
    months: list[MonthCounts]  # every month of the period, empty ones included

    @property
    def total(self) -> int:
        return sum(self.by_experience.values())

    @property
    def answered(self) -> int:
        """Every answer but 'don't know': what the share positive is out of."""
        return self.total - self.by_experience.get(Experience.DONT_KNOW, 0)

    @property
    def share_positive(self) -> float | None:
        return share_positive(self.by_experience)


# --- The public form --------------------------------------------------------------------


def team_for_feedback(*, pk: uuid.UUID) -> Team | None:
    return Team.objects.filter(pk=pk).first()


# --- The managers' report ----------------------------------------------------------------


def teams_for_report(*, user: User) -> list[Team]:
    return list(workforce_selectors.teams_for_user(user=user))


def _in_period(team: Team, period: Period) -> QuerySet[FeedbackResponse]:
    start, end = period.bounds
    return FeedbackResponse.objects.filter(team=team, submitted_at__gte=start, submitted_at__lt=end)


def feedback_summary(*, team: Team, period: Period) -> FeedbackSummary:
    """Counts per answer, per respondent and per month, in one grouped query."""
    rows = (
        _in_period(team, period)
        .annotate(month=TruncMonth("submitted_at", tzinfo=LONDON))
        .values("month", "experience", "respondent")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_experience = _zeroes()
    by_respondent = dict.fromkeys(Respondent.values, 0)
    by_month: dict[dt.date, dict[str, int]] = defaultdict(_zeroes)
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = local_date(month) if month.tzinfo else month.date()
        by_experience[row["experience"]] = by_experience.get(row["experience"], 0) + row["n"]
        by_respondent[row["respondent"]] = by_respondent.get(row["respondent"], 0) + row["n"]
        counts = by_month[month.replace(day=1)]
        counts[row["experience"]] = counts.get(row["experience"], 0) + row["n"]
    return FeedbackSummary(
        team=team,
        period=period,
        by_experience=by_experience,
        by_respondent=by_respondent,
        months=[
            MonthCounts(month=m, counts=dict(by_month.get(m) or _zeroes())) for m in period.months()
        ],
    )


def comments(*, team: Team, period: Period) -> QuerySet[FeedbackResponse]:
    """Answers with something written in either box, newest first (paginate this)."""
    return (
        _in_period(team, period)
        .filter(~Q(what_went_well="") | ~Q(what_could_be_better=""))
        .order_by("-submitted_at", "-created_at", "-id")
    )


def responses_for_csv(
    *, team: Team, period: Period
) -> Iterator[tuple[dt.datetime, str, str, str, str]]:
    """Every answer in the period, oldest first, read in chunks."""
    return (
        _in_period(team, period)
        .order_by("submitted_at", "created_at", "id")
        .values_list(
            "submitted_at", "experience", "respondent", "what_went_well", "what_could_be_better"
        )
        .iterator(chunk_size=CSV_CHUNK)
    )
