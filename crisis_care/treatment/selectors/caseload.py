"""The team's caseload: every open home treatment episode, one row per person, with what the
shift needs to see at a glance (named worker, next planned visit, visits in the last 24 hours)
and the flags that need action today.

One query reads every open episode of the team, whatever their number: the next visit, the
visits in the last 24 hours and the facts behind the flags are subqueries on that query, not a
query per row. Filters are applied to those rows in Python (a team carries 100 to 130 people),
so the filter choices list every named worker and locality on the caseload.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import User
from crisis_care.workforce.models import Team
from crisis_care.workforce.selectors import teams_for_user

from ..models import (
    Attendance,
    CareContact,
    Episode,
    EpisodeReview,
    EpisodeStatus,
    Medium,
    ReviewOutcome,
    Visit,
    VisitStatus,
    WrittenPlanGiven,
)
from ..services.episodes import NEXT_REVIEW_WITHIN_DAYS, review_due_on

# The six-week review shows on the caseload from a week before it is due (CORE item 10).
REVIEW_WARNING_DAYS = 7
# Visits in the last 24 hours: face-to-face contacts where the person was seen.
SEEN_WINDOW = dt.timedelta(hours=24)
NO_NAMED_WORKER = "none"
VISIT_WINDOW_BOUND = dt.timedelta(days=1)


class Flag(StrEnum):
    """What needs action, most severe first (the caseload is sorted in this order)."""

    NO_VISIT_TODAY = "no_visit_today"
    PLAN_NOT_GIVEN = "plan_not_given"
    REVIEW_DUE = "review_due"


FLAG_ORDER: tuple[Flag, ...] = tuple(Flag)


@dataclass(frozen=True)
class CaseloadRow:
    episode: Episode
    day: int  # days since the episode started (0 on the first day), London dates
    next_visit_start: dt.datetime | None
    next_visit_end: dt.datetime | None
    seen_last_24h: int
    review_due_on: dt.date
    flags: tuple[Flag, ...]

    @property
    def sort_key(self) -> tuple[int, int, str, str]:
        most_severe = min((FLAG_ORDER.index(f) for f in self.flags), default=len(FLAG_ORDER))
        person = self.episode.person
        return (
            most_severe,
            -len(self.flags),
            person.family_name.casefold(),
            person.given_name.casefold(),
        )


@dataclass(frozen=True)
class Caseload:
    team: Team
    rows: list[CaseloadRow]  # every open episode, most severe flag first, then by name
    workers: list[tuple[str, str]]  # (staff pk or NO_NAMED_WORKER, name) on the caseload
    localities: list[str]
    flag_counts: dict[Flag, int]

    @property
    def total(self) -> int:
        return len(self.rows)


def teams_for_caseload(*, user: User) -> list[Team]:
    return list(teams_for_user(user=user).order_by("name"))


def _day_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Today's London date as a UTC half-open range (23 or 25 hours on a clock change)."""
    return (
        local_instant(today, dt.time(0, 0)),
        local_instant(today + dt.timedelta(days=1), dt.time(0, 0)),
    )


def open_episodes_annotated(*, team: Team, now: dt.datetime) -> QuerySet[Episode]:
    """Open episodes of the team with everything the caseload shows, in one query."""
    today = local_date(now)
    day_start, day_end = _day_bounds(today)
    # A visit's window is at most an hour (CORE item 12d), so one whose window has not closed
    # started within the last day: the bound lets the (episode, window_start) index skip the
    # episode's past visits instead of reading them all.
    next_visit = Visit.objects.filter(
        episode=OuterRef("pk"),
        status=VisitStatus.PLANNED,
        window_start__gt=now - VISIT_WINDOW_BOUND,
        window_end__gte=now,
    ).order_by("window_start")
    seen = CareContact.objects.filter(
        episode=OuterRef("pk"), attendance=Attendance.ATTENDED, medium=Medium.FACE_TO_FACE
    )
    seen_24h = (
        seen.filter(started_at__gt=now - SEEN_WINDOW, started_at__lte=now)
        .order_by()
        .values("episode")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Episode.objects.filter(team=team, status=EpisodeStatus.OPEN)
        .select_related("person", "named_worker", "named_worker__user")
        # Only what the list shows: building 130 full person and user records costs more
        # than the query itself.
        .only(
            "started_at",
            "status",
            "locality",
            "paired_visits_required",
            "team_id",
            "person__given_name",
            "person__family_name",
            "named_worker__user__first_name",
            "named_worker__user__last_name",
            "named_worker__user__username",
        )
        .annotate(
            next_visit_start=Subquery(next_visit.values("window_start")[:1]),
            next_visit_end=Subquery(next_visit.values("window_end")[:1]),
            seen_last_24h=Coalesce(Subquery(seen_24h, output_field=IntegerField()), Value(0)),
            visit_planned_today=Exists(
                Visit.objects.filter(
                    episode=OuterRef("pk"),
                    status=VisitStatus.PLANNED,
                    window_start__gte=day_start,
                    window_start__lt=day_end,
                )
            ),
            seen_today=Exists(seen.filter(started_at__gte=day_start, started_at__lt=day_end)),
            plan_given=Exists(WrittenPlanGiven.objects.filter(care_plan__episode=OuterRef("pk"))),
            # A review holds until its next review date; a decision to plan discharge holds
            # for as long as a continuing review could (the discharge should be under way).
            review_current=Exists(
                EpisodeReview.objects.filter(episode=OuterRef("pk")).filter(
                    Q(next_review_on__gt=today)
                    | Q(
                        outcome=ReviewOutcome.PLAN_DISCHARGE,
                        reviewed_at__gte=now - dt.timedelta(days=NEXT_REVIEW_WITHIN_DAYS),
                    )
                )
            ),
        )
        .order_by("person__family_name", "person__given_name", "started_at")
    )


def flags_for(
    *,
    today: dt.date,
    due_on: dt.date,
    visit_planned_today: bool,
    seen_today: bool,
    plan_given: bool,
    review_current: bool,
) -> tuple[Flag, ...]:
    """The caseload flags for one episode, most severe first."""
    flags = []
    if not visit_planned_today and not seen_today:
        flags.append(Flag.NO_VISIT_TODAY)
    if not plan_given:
        flags.append(Flag.PLAN_NOT_GIVEN)
    if today >= due_on - dt.timedelta(days=REVIEW_WARNING_DAYS) and not review_current:
        flags.append(Flag.REVIEW_DUE)
    return tuple(flags)


def caseload(*, team: Team, now: dt.datetime | None = None) -> Caseload:
    """Every open episode of the team, most severe flag first, then by name."""
    now = now or timezone.now()
    today = local_date(now)
    rows = []
    for episode in open_episodes_annotated(team=team, now=now):
        due_on = review_due_on(episode)
        rows.append(
            CaseloadRow(
                episode=episode,
                day=(today - local_date(episode.started_at)).days,
                next_visit_start=episode.next_visit_start,  # type: ignore[attr-defined]
                next_visit_end=episode.next_visit_end,  # type: ignore[attr-defined]
                seen_last_24h=episode.seen_last_24h,  # type: ignore[attr-defined]
                review_due_on=due_on,
                flags=flags_for(
                    today=today,
                    due_on=due_on,
                    visit_planned_today=episode.visit_planned_today,  # type: ignore[attr-defined]
                    seen_today=episode.seen_today,  # type: ignore[attr-defined]
                    plan_given=episode.plan_given,  # type: ignore[attr-defined]
                    review_current=episode.review_current,  # type: ignore[attr-defined]
                ),
            )
        )
    rows.sort(key=lambda row: row.sort_key)
    workers: dict[str, str] = {}
    for row in rows:
        worker = row.episode.named_worker
        if worker is not None:
            workers[str(worker.pk)] = worker.user.get_full_name() or worker.user.username
    worker_choices = sorted(workers.items(), key=lambda item: item[1].casefold())
    if any(row.episode.named_worker_id is None for row in rows):
        worker_choices.append((NO_NAMED_WORKER, "No named worker"))
    return Caseload(
        team=team,
        rows=rows,
        workers=worker_choices,
        localities=sorted({row.episode.locality for row in rows if row.episode.locality}),
        flag_counts={flag: sum(flag in row.flags for row in rows) for flag in Flag},
    )


def caseload_filtered(
    rows: list[CaseloadRow], *, worker: str = "", locality: str = "", flag: str = ""
) -> list[CaseloadRow]:
    """The rows matching every filter given (an empty filter matches everything)."""

    def matches(row: CaseloadRow) -> bool:
        episode = row.episode
        if worker == NO_NAMED_WORKER and episode.named_worker_id is not None:
            return False
        if worker and worker != NO_NAMED_WORKER and str(episode.named_worker_id) != worker:
            return False
        if locality and episode.locality != locality:
            return False
        return not flag or flag in row.flags

    return [row for row in rows if matches(row)]


def team_for_caseload(teams: list[Team], chosen: str | None) -> Team | None:
    """The team asked for, if the user is in it; otherwise their first team."""
    for team in teams:
        if chosen and str(team.pk) == chosen:
            return team
    return teams[0] if teams else None
