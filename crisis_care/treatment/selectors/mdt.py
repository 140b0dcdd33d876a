"""Reads for the daily MDT review board (CORE items 29, 31e, 33): every open episode of a team
with what the team needs to decide, today's meeting and who attended, and the order the chair
moves through people.

The board costs a fixed number of queries whatever the number of people: one query reads
every open episode with its counts since the last review (subqueries, not a query per row),
then one query each for the current ratings, the last reviews, medication changes, carers,
carers' conversation offers, active goals (with their latest progress) and open actions.

The board is ordered by the clinician's rating (people not yet rated first, so the team sets
one; then red, amber, green), then by whether the rating changed since the last review, then
by name (ADR 0014: never by a computed number).
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from crisis_care.assessments.models import SafetyPlan
from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import User
from crisis_care.people.models import Contact
from crisis_care.workforce.models import StaffMember, Team
from crisis_care.workforce.selectors import staff_for_team, teams_for_user

from ..models import (
    Action,
    ActionStatus,
    Attendance,
    CareContact,
    CarerConversationOffer,
    Episode,
    EpisodeStatus,
    Goal,
    GoalProgress,
    GoalStatus,
    MdtAttendance,
    MdtMeeting,
    MdtReview,
    MedicationChange,
    MedicationChangeKind,
    Rating,
    RiskRating,
    Visit,
    VisitStatus,
)

T = TypeVar("T")

# A visit the person did not get: they were out, declined, or it was cancelled (by them or
# by the team). A planned visit whose window has ended with no contact recorded is missed too.
MISSED_VISIT_STATUSES = (
    VisitStatus.NOT_AT_HOME,
    VisitStatus.DECLINED,
    VisitStatus.CANCELLED_BY_PERSON,
    VisitStatus.CANCELLED_BY_TEAM,
)
# What the team changed (recording what the person already takes, or a review with no
# change, is not a change to treatment).
MEDICATION_CHANGE_KINDS = (
    MedicationChangeKind.STARTED,
    MedicationChangeKind.DOSE_CHANGED,
    MedicationChangeKind.STOPPED,
)
# People not yet rated come first (the team sets a rating at review), then red, amber, green.
RATING_ORDER: dict[str | None, int] = {
    None: 0,
    Rating.RED: 1,
    Rating.AMBER: 2,
    Rating.GREEN: 3,
}


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A London date as a UTC half-open range (23 or 25 hours on a clock change)."""
    return local_instant(day, dt.time(0, 0)), local_instant(day + dt.timedelta(days=1), dt.time(0))


def teams_for_board(*, user: User) -> list[Team]:
    return list(teams_for_user(user=user).order_by("name"))


def team_chosen(teams: list[Team], chosen: str | None) -> Team | None:
    """The team asked for, if the user is in it; otherwise their first team."""
    for team in teams:
        if chosen and str(team.pk) == chosen:
            return team
    return teams[0] if teams else None


# -- The order of the board ------------------------------------------------------------


def sort_key(
    *,
    rating: str | None,
    changed: bool,
    family_name: str,
    given_name: str,
    started_at: dt.datetime,
    pk: uuid.UUID,
) -> tuple[int, int, str, str, dt.datetime, str]:
    return (
        RATING_ORDER.get(rating, len(RATING_ORDER)),
        0 if changed else 1,
        family_name.casefold(),
        given_name.casefold(),
        started_at,
        str(pk),
    )


def _latest_rating() -> QuerySet[RiskRating]:
    return RiskRating.objects.filter(episode=OuterRef("pk")).order_by("-set_at", "-created_at")


def _latest_review() -> QuerySet[MdtReview]:
    return MdtReview.objects.filter(episode=OuterRef("pk")).order_by("-reviewed_at", "-created_at")


def _open_episodes(team: Team) -> QuerySet[Episode]:
    return Episode.objects.filter(team=team, status=EpisodeStatus.OPEN)


def _changed_since_review(
    rating_set_at: dt.datetime | None, last_review_at: dt.datetime | None
) -> bool:
    """The rating was changed after the last review (outside a meeting, or by another one)."""
    return (
        rating_set_at is not None and last_review_at is not None and rating_set_at > last_review_at
    )


@dataclass(frozen=True)
class ReviewSequence:
    """The board's people in board order, and who has been reviewed in a meeting."""

    order: list[uuid.UUID]  # episode pks
    reviewed: frozenset[uuid.UUID]

    def position(self, pk: uuid.UUID) -> int | None:
        """1-based place on the board, or None if the episode is not on it."""
        try:
            return self.order.index(pk) + 1
        except ValueError:
            return None

    def next_to_review(self, after: uuid.UUID | None) -> uuid.UUID | None:
        """The next person after `after` not yet reviewed in the meeting, going round to the
        start of the board for anyone passed over; None when everyone has been reviewed."""
        start = self.order.index(after) + 1 if after in self.order else 0
        ordered = self.order[start:] + self.order[:start]
        return next((pk for pk in ordered if pk not in self.reviewed and pk != after), None)

    def previous(self, before: uuid.UUID) -> uuid.UUID | None:
        """The person before on the board (reviewed or not), None at the top."""
        place = self.position(before)
        if place is None or place == 1:
            return None
        return self.order[place - 2]

    @property
    def remaining(self) -> int:
        return sum(1 for pk in self.order if pk not in self.reviewed)


def review_sequence(*, team: Team, meeting: MdtMeeting | None) -> ReviewSequence:
    """The board order of the team's open episodes, and who the meeting has reviewed (two
    queries)."""
    rows = (
        _open_episodes(team)
        .annotate(
            rating_value=Subquery(_latest_rating().values("rating")[:1]),
            rating_set_at=Subquery(_latest_rating().values("set_at")[:1]),
            last_review_at=Subquery(_latest_review().values("reviewed_at")[:1]),
        )
        .values_list(
            "pk",
            "rating_value",
            "rating_set_at",
            "last_review_at",
            "person__family_name",
            "person__given_name",
            "started_at",
        )
    )
    keyed = sorted(
        (
            sort_key(
                rating=rating,
                changed=_changed_since_review(set_at, reviewed_at),
                family_name=family,
                given_name=given,
                started_at=started,
                pk=pk,
            ),
            pk,
        )
        for pk, rating, set_at, reviewed_at, family, given, started in rows
    )
    reviewed: frozenset[uuid.UUID] = frozenset()
    if meeting is not None:
        reviewed = frozenset(
            MdtReview.objects.filter(meeting=meeting).values_list("episode_id", flat=True)
        )
    return ReviewSequence(order=[pk for _, pk in keyed], reviewed=reviewed)


# -- The board ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CarerLine:
    carer: Contact
    offer: CarerConversationOffer | None  # the latest offer of a conversation of their own


@dataclass(frozen=True)
class GoalLine:
    goal: Goal
    progress: str | None  # the latest Progress value, if any
    progress_at: dt.datetime | None


@dataclass(frozen=True)
class BoardRow:
    episode: Episode  # with person and named worker
    day: int  # days since the episode started (0 on the first day), London dates
    since: dt.datetime  # the last MDT review, or the start of the episode
    contacts_attended: int  # contacts where the person was seen or spoken to, since `since`
    visits_missed: int  # since `since`
    rating: RiskRating | None  # the current rating, with who set it
    rating_changed: bool  # changed since the last review
    safety_plan_at: dt.datetime | None
    medication_changes: list[MedicationChange]  # since `since`, oldest first
    carers: list[CarerLine]
    goals: list[GoalLine]  # active goals
    last_review: MdtReview | None  # with the meeting and who recorded it
    open_actions: list[Action]  # earliest due first, with owner
    reviewed_today: bool
    reviewed_in_meeting: bool

    @property
    def sort_key(self) -> tuple[int, int, str, str, dt.datetime, str]:
        person = self.episode.person
        return sort_key(
            rating=self.rating.rating if self.rating else None,
            changed=self.rating_changed,
            family_name=person.family_name,
            given_name=person.given_name,
            started_at=self.episode.started_at,
            pk=self.episode.pk,
        )


@dataclass(frozen=True)
class Board:
    team: Team
    now: dt.datetime
    rows: list[BoardRow]  # every open episode, in board order
    meeting: MdtMeeting | None  # today's meeting, while it is open
    attendance: list[MdtAttendance]  # of that meeting, by name
    meetings_today: list[MdtMeeting] = field(default_factory=list)  # ended ones, latest first

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def not_reviewed_today(self) -> int:
        return sum(1 for row in self.rows if not row.reviewed_today)

    @property
    def reviewed_in_meeting(self) -> int:
        return sum(1 for row in self.rows if row.reviewed_in_meeting)


_NAMES = ("first_name", "last_name", "username")
_EPISODE_FIELDS = (
    "person_id",
    "team_id",
    "status",
    "started_at",
    "named_worker_id",
    "person__given_name",
    "person__family_name",
    "named_worker__user_id",
    *(f"named_worker__user__{name}" for name in _NAMES),
)
_RATING_FIELDS = (
    "episode_id",
    "rating",
    "summary",
    "set_at",
    "set_by_id",
    *(f"set_by__{name}" for name in _NAMES),
)
_ACTION_FIELDS = (
    "episode_id",
    "description",
    "due_at",
    "status",
    "owner_id",
    "owner__user_id",
    *(f"owner__user__{name}" for name in _NAMES),
)


def _episodes_for_board(team: Team, now: dt.datetime) -> QuerySet[Episode]:
    """Open episodes of the team with the latest rating and review ids, the safety plan date
    and the counts since the last review, in one query."""
    since = Coalesce(Subquery(_latest_review().values("reviewed_at")[:1]), F("started_at"))
    attended = (
        CareContact.objects.filter(
            episode=OuterRef("pk"),
            attendance=Attendance.ATTENDED,
            started_at__gte=OuterRef("since"),
            started_at__lte=now,
        )
        .order_by()
        .values("episode")
        .annotate(n=Count("pk"))
        .values("n")
    )
    missed = (
        Visit.objects.filter(
            episode=OuterRef("pk"), window_start__gte=OuterRef("since"), window_start__lte=now
        )
        .filter(
            Q(status__in=MISSED_VISIT_STATUSES)
            | Q(status=VisitStatus.PLANNED, window_end__lt=now, care_contact__isnull=True)
        )
        .order_by()
        .values("episode")
        .annotate(n=Count("pk"))
        .values("n")
    )
    safety_plan = SafetyPlan.objects.filter(person=OuterRef("person_id")).order_by("-written_at")
    return (
        _open_episodes(team)
        .select_related("person", "named_worker", "named_worker__user")
        # Only what the board shows: a full person and staff record per row costs more than
        # every query on the board (130 rows).
        .only(*_EPISODE_FIELDS)
        .annotate(
            since=since,
            rating_id=Subquery(_latest_rating().values("pk")[:1]),
            last_review_id=Subquery(_latest_review().values("pk")[:1]),
            safety_plan_at=Subquery(safety_plan.values("written_at")[:1]),
            contacts_attended=Coalesce(Subquery(attended, output_field=IntegerField()), Value(0)),
            visits_missed=Coalesce(Subquery(missed, output_field=IntegerField()), Value(0)),
        )
    )


def _group(items: Iterable[T], key: str) -> dict[uuid.UUID, list[T]]:
    grouped: dict[uuid.UUID, list[T]] = defaultdict(list)
    for item in items:
        grouped[getattr(item, key)].append(item)
    return grouped


def board_rows(
    *,
    team: Team,
    now: dt.datetime,
    meeting: MdtMeeting | None = None,
    episode_pks: Sequence[uuid.UUID] | None = None,
) -> list[BoardRow]:
    """The board's rows for the team's open episodes (or only those in `episode_pks`), in
    board order. One query for the episodes, then seven whatever their number (none when there
    are no episodes)."""
    episodes_qs = _episodes_for_board(team, now)
    if episode_pks is not None:
        episodes_qs = episodes_qs.filter(pk__in=list(episode_pks))
    episodes = list(episodes_qs)
    if not episodes:
        return []
    today = local_date(now)
    episode_ids = [e.pk for e in episodes]
    person_ids = {e.person_id for e in episodes}
    earliest = min(e.since for e in episodes)  # type: ignore[attr-defined]

    ratings = {
        r.pk: r
        for r in RiskRating.objects.filter(
            pk__in=[e.rating_id for e in episodes if e.rating_id]  # type: ignore[attr-defined]
        )
        .select_related("set_by")
        .only(*_RATING_FIELDS)
    }
    reviews = {
        r.pk: r
        for r in MdtReview.objects.filter(
            pk__in=[e.last_review_id for e in episodes if e.last_review_id]  # type: ignore[attr-defined]
        ).only("episode_id", "meeting_id", "decision", "discharge_readiness", "reviewed_at")
    }
    changes = _group(
        MedicationChange.objects.filter(
            medication__person_id__in=person_ids,
            kind__in=MEDICATION_CHANGE_KINDS,
            changed_at__gte=earliest,
            changed_at__lte=now,
        )
        .select_related("medication")
        .only("kind", "detail", "changed_at", "medication__name")
        .annotate(person_id=F("medication__person_id"))
        .order_by("changed_at", "created_at"),
        "person_id",
    )
    carers = _group(
        Contact.objects.filter(person_id__in=person_ids, is_carer=True)
        .only("person_id", "name", "relationship")
        .order_by("name"),
        "person_id",
    )
    offers: dict[tuple[uuid.UUID, uuid.UUID], CarerConversationOffer] = {}
    for offer in (
        CarerConversationOffer.objects.filter(episode_id__in=episode_ids)
        .only("episode_id", "carer_id", "offered_at", "response")
        .order_by("offered_at", "created_at")
    ):
        offers[(offer.episode_id, offer.carer_id)] = offer  # the latest wins
    latest_progress = GoalProgress.objects.filter(goal=OuterRef("pk")).order_by(
        "-recorded_at", "-created_at"
    )
    goals = _group(
        Goal.objects.filter(care_plan__episode_id__in=episode_ids, status=GoalStatus.ACTIVE)
        .only("goal", "status")
        .annotate(
            episode_id=F("care_plan__episode_id"),
            latest_progress=Subquery(latest_progress.values("progress")[:1]),
            latest_progress_at=Subquery(latest_progress.values("recorded_at")[:1]),
        )
        .order_by("order", "created_at"),
        "episode_id",
    )
    actions = _group(
        Action.objects.filter(episode_id__in=episode_ids, status=ActionStatus.OPEN)
        .select_related("owner", "owner__user")
        .only(*_ACTION_FIELDS)
        .order_by("due_at", "created_at"),
        "episode_id",
    )

    rows = []
    for episode in episodes:
        since: dt.datetime = episode.since  # type: ignore[attr-defined]
        rating = ratings.get(episode.rating_id)  # type: ignore[attr-defined]
        review = reviews.get(episode.last_review_id)  # type: ignore[attr-defined]
        rows.append(
            BoardRow(
                episode=episode,
                day=(today - local_date(episode.started_at)).days,
                since=since,
                contacts_attended=episode.contacts_attended,  # type: ignore[attr-defined]
                visits_missed=episode.visits_missed,  # type: ignore[attr-defined]
                rating=rating,
                rating_changed=_changed_since_review(
                    rating.set_at if rating else None, review.reviewed_at if review else None
                ),
                safety_plan_at=episode.safety_plan_at,  # type: ignore[attr-defined]
                medication_changes=[
                    c for c in changes.get(episode.person_id, []) if c.changed_at >= since
                ],
                carers=[
                    CarerLine(carer=c, offer=offers.get((episode.pk, c.pk)))
                    for c in carers.get(episode.person_id, [])
                ],
                goals=[
                    GoalLine(
                        goal=g,
                        progress=g.latest_progress,
                        progress_at=g.latest_progress_at,
                    )
                    for g in goals.get(episode.pk, [])
                ],
                last_review=review,
                open_actions=actions.get(episode.pk, []),
                reviewed_today=review is not None and local_date(review.reviewed_at) == today,
                reviewed_in_meeting=(
                    meeting is not None and review is not None and review.meeting_id == meeting.pk
                ),
            )
        )
    rows.sort(key=lambda row: row.sort_key)
    return rows


def meetings_today(*, team: Team, now: dt.datetime) -> list[MdtMeeting]:
    """The team's meetings started today (London), latest first, each with its chair and
    attendance (two queries)."""
    start, end = day_bounds(local_date(now))
    meetings = list(
        MdtMeeting.objects.filter(team=team, started_at__gte=start, started_at__lt=end)
        .select_related("chair", "chair__user")
        .order_by("-started_at", "-created_at")
    )
    if meetings:
        attendance = _group(
            MdtAttendance.objects.filter(meeting__in=meetings)
            .select_related("staff", "staff__user")
            .order_by("staff__user__last_name", "staff__user__first_name"),
            "meeting_id",
        )
        for meeting in meetings:
            meeting.attendance_list = attendance.get(meeting.pk, [])  # type: ignore[attr-defined]
    return meetings


def board(
    *, team: Team, now: dt.datetime | None = None, meetings: list[MdtMeeting] | None = None
) -> Board:
    """Everything the board shows, in a fixed number of queries."""
    now = now or timezone.now()
    if meetings is None:
        meetings = meetings_today(team=team, now=now)
    current = next((m for m in meetings if m.ended_at is None), None)
    return Board(
        team=team,
        now=now,
        rows=board_rows(team=team, now=now, meeting=current),
        meeting=current,
        attendance=getattr(current, "attendance_list", []),
        meetings_today=[m for m in meetings if m.ended_at is not None],
    )


def open_meeting_today(*, team: Team, now: dt.datetime | None = None) -> MdtMeeting | None:
    """The team's meeting started today and not yet ended, if there is one."""
    now = now or timezone.now()
    return next((m for m in meetings_today(team=team, now=now) if m.ended_at is None), None)


# -- Meetings and people ---------------------------------------------------------------


def meeting_for_user(*, pk: uuid.UUID, user: User) -> MdtMeeting:
    """A meeting of one of the user's teams (else MdtMeeting.DoesNotExist), with its team and
    chair."""
    return MdtMeeting.objects.select_related("team", "chair", "chair__user").get(
        pk=pk, team__in=teams_for_user(user=user)
    )


def meeting_exists(*, pk: uuid.UUID) -> bool:
    return MdtMeeting.objects.filter(pk=pk).exists()


def attendance_for(*, meeting: MdtMeeting) -> list[MdtAttendance]:
    return list(
        MdtAttendance.objects.filter(meeting=meeting)
        .select_related("staff", "staff__user")
        .order_by("staff__user__last_name", "staff__user__first_name")
    )


def team_staff(*, team: Team) -> list[StaffMember]:
    """The team's current members, by name: who can attend, and who can own an action."""
    return list(staff_for_team(team=team).order_by("user__last_name", "user__first_name"))


def staff_member(*, pk: uuid.UUID) -> StaffMember | None:
    return StaffMember.objects.select_related("user").filter(pk=pk).first()


def staff_members(*, pks: Iterable[uuid.UUID]) -> list[StaffMember]:
    return list(StaffMember.objects.select_related("user").filter(pk__in=list(pks)))


def rating_history(*, episode: Episode) -> list[RiskRating]:
    """Every rating of the episode, newest first, with who set it."""
    return list(
        RiskRating.objects.filter(episode=episode)
        .select_related("set_by", "meeting")
        .order_by("-set_at", "-created_at")
    )


def current_rating(*, episode: Episode) -> RiskRating | None:
    return (
        RiskRating.objects.filter(episode=episode)
        .select_related("set_by")
        .order_by("-set_at", "-created_at")
        .first()
    )


def reviews_in_meeting(*, meeting: MdtMeeting, episode: Episode) -> list[MdtReview]:
    """This person's reviews in this meeting (normally one), oldest first."""
    return list(
        MdtReview.objects.filter(meeting=meeting, episode=episode)
        .select_related("reviewed_by")
        .order_by("reviewed_at", "created_at")
    )
