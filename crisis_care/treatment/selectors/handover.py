"""Reads for the shift handover (CORE item 33a-b): the summary for the next shift built from
the records, who can receive it, and the handovers given before. Everything is scoped to one
team (one of the user's teams) and read in a fixed number of queries.

The summary, in the order a coordinator hands over:

1. people whose team risk rating is red, or has changed since the last handover (the rating
   is the clinician's judgement recorded at the review, never a computed score: it is grouped
   by the rating the team chose, not sorted by any number);
2. what has happened since the last handover (or in the last 24 hours if that was longer
   ago): episodes opened, admissions, contacts where the person was not at home or declined,
   lone working alerts and what was done, and the team review's decisions;
3. what is still to do: planned visits for the rest of today and the next shift with no
   contact recorded (with staffing gaps), and open actions due by then (overdue first).
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import User
from crisis_care.workforce.models import Shift, StaffMember, Team
from crisis_care.workforce.selectors import RotaSlot, next_shift_start, on_now, teams_for_user

from ..models import (
    Action,
    ActionStatus,
    Admission,
    Attendance,
    CareContact,
    Episode,
    EpisodeStatus,
    Handover,
    LoneWorkingAlertAction,
    MdtReview,
    Rating,
    RiskRating,
    Visit,
    VisitStaff,
    VisitStatus,
)

# Events older than this are not "since the last handover" even if none was recorded since.
LOOK_BACK = dt.timedelta(hours=24)

NOT_ATTENDED = (Attendance.NOT_AT_HOME, Attendance.DECLINED)


@dataclass(frozen=True)
class RiskRow:
    """One person's current team rating, and what it was at the last handover."""

    episode: Episode
    rating: str
    summary: str
    reason: str
    set_at: dt.datetime
    before: str | None  # the rating as it stood at the last handover (None: not yet rated)

    @property
    def red(self) -> bool:
        return self.rating == Rating.RED

    @property
    def changed(self) -> bool:
        return self.rating != self.before


@dataclass
class HandoverSummary:
    team: Team
    now: dt.datetime
    since: dt.datetime
    until: dt.datetime
    last_handover: Handover | None
    risks: list[RiskRow] = field(default_factory=list)
    new_episodes: list[Episode] = field(default_factory=list)
    admissions: list[Admission] = field(default_factory=list)
    not_attended: list[CareContact] = field(default_factory=list)
    alerts: list[LoneWorkingAlertAction] = field(default_factory=list)
    reviews: list[MdtReview] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    later_actions: int = 0

    @property
    def events(self) -> int:
        return (
            len(self.new_episodes)
            + len(self.admissions)
            + len(self.not_attended)
            + len(self.alerts)
            + len(self.reviews)
        )

    @property
    def person_ids(self) -> list[str]:
        """Everyone the summary names, each once (for the audit of each view of it)."""
        ids: dict[str, None] = {}
        for row in self.risks:
            ids.setdefault(str(row.episode.person_id), None)
        for episode in self.new_episodes:
            ids.setdefault(str(episode.person_id), None)
        for admission in self.admissions:
            ids.setdefault(str(admission.person_id), None)
        for contact in self.not_attended:
            ids.setdefault(str(contact.episode.person_id), None)
        for alert in self.alerts:
            visit = alert.lone_check.visit
            if visit is not None:
                ids.setdefault(str(visit.episode.person_id), None)
        for review in self.reviews:
            ids.setdefault(str(review.episode.person_id), None)
        for visit in self.visits:
            ids.setdefault(str(visit.episode.person_id), None)
        for action in self.actions:
            ids.setdefault(str(action.episode.person_id), None)
        return list(ids)


def last_handover(*, team: Team, before: dt.datetime | None = None) -> Handover | None:
    handovers = Handover.objects.filter(team=team).select_related("given_by__user")
    if before is not None:
        handovers = handovers.filter(given_at__lte=before)
    return handovers.order_by("-given_at").first()


def _risk_order(row: RiskRow) -> tuple[int, str, str]:
    """Red and changed first, then red, then changed; by name within each. Grouped by the
    rating the clinician chose: no score is computed."""
    group = 0 if row.red and row.changed else 1 if row.red else 2
    person = row.episode.person
    return group, person.family_name.lower(), person.given_name.lower()


def _risks(*, team: Team, since: dt.datetime) -> list[RiskRow]:
    """Open episodes whose rating is red or has changed since `since` (one query)."""
    latest = RiskRating.objects.filter(episode=OuterRef("pk")).order_by("-set_at", "-created_at")
    before = latest.filter(set_at__lte=since)
    episodes = (
        Episode.objects.filter(team=team, status=EpisodeStatus.OPEN)
        .select_related("person", "named_worker__user")
        .annotate(
            rating_now=Subquery(latest.values("rating")[:1]),
            rating_summary=Subquery(latest.values("summary")[:1]),
            rating_reason=Subquery(latest.values("reason")[:1]),
            rating_set_at=Subquery(latest.values("set_at")[:1]),
            rating_before=Subquery(before.values("rating")[:1]),
        )
        .filter(rating_now__isnull=False)
    )
    rows = [
        RiskRow(
            episode=episode,
            rating=episode.rating_now,
            summary=episode.rating_summary,
            reason=episode.rating_reason,
            set_at=episode.rating_set_at,
            before=episode.rating_before,
        )
        for episode in episodes
    ]
    return sorted((row for row in rows if row.red or row.changed), key=_risk_order)


def _horizon(*, now: dt.datetime, next_slots: list[RotaSlot]) -> dt.datetime:
    """The end of the next shift, or midnight tonight if that is later (a team with no shift
    types yet still sees the rest of today)."""
    midnight = local_instant(local_date(now) + dt.timedelta(days=1), dt.time(0, 0))
    return max([midnight, *(slot.ends_at for slot in next_slots)])


def handover_summary(
    *, team: Team, now: dt.datetime | None = None, next_slots: list[RotaSlot] | None = None
) -> HandoverSummary:
    """The handover for the next shift, as it stands at `now`. (Fixed number of queries.)

    `next_slots` is workforce.selectors.next_shift_start for the team at `now`, if the caller
    already has it (the handover page also lists who is on the next shift)."""
    now = now or timezone.now()
    if next_slots is None:
        next_slots = next_shift_start(team=team, after=now)
    last = last_handover(team=team, before=now)
    since = max(last.given_at, now - LOOK_BACK) if last is not None else now - LOOK_BACK
    until = _horizon(now=now, next_slots=next_slots)
    start_of_today = local_instant(local_date(now), dt.time(0, 0))

    summary = HandoverSummary(team=team, now=now, since=since, until=until, last_handover=last)
    summary.risks = _risks(team=team, since=since)
    summary.new_episodes = list(
        Episode.objects.filter(team=team, started_at__gte=since)
        .select_related("person", "named_worker__user")
        .order_by("started_at")
    )
    summary.admissions = list(
        Admission.objects.filter(admitted_at__gte=since)
        .filter(
            Q(decision__assessment__referral__team=team) | Q(early_discharge_episodes__team=team)
        )
        .select_related("person")
        .distinct()
        .order_by("admitted_at")
    )
    summary.not_attended = list(
        CareContact.objects.filter(
            episode__team=team, started_at__gte=since, attendance__in=NOT_ATTENDED
        )
        .select_related("episode__person", "recorded_by")
        .order_by("started_at")
    )
    summary.alerts = list(
        LoneWorkingAlertAction.objects.filter(lone_check__team=team, taken_at__gte=since)
        .select_related("lone_check__staff__user", "lone_check__visit__episode__person", "taken_by")
        .order_by("taken_at")
    )
    summary.reviews = list(
        MdtReview.objects.filter(episode__team=team, reviewed_at__gte=since)
        .select_related("episode__person", "reviewed_by")
        .order_by("reviewed_at")
    )
    summary.visits = list(
        Visit.objects.filter(
            episode__team=team,
            episode__status=EpisodeStatus.OPEN,
            status=VisitStatus.PLANNED,
            care_contact__isnull=True,
            window_end__gte=start_of_today,
            window_start__lt=until,
        )
        .select_related("episode__person")
        .annotate(assigned=Count("staff_links", distinct=True))
        .prefetch_related(
            Prefetch(
                "staff_links",
                queryset=VisitStaff.objects.select_related("staff__user").order_by(
                    "staff__user__first_name"
                ),
            )
        )
        .order_by("window_start")
    )
    open_actions = Action.objects.filter(episode__team=team, status=ActionStatus.OPEN)
    summary.actions = list(
        open_actions.filter(due_at__lt=until)
        .select_related("episode__person", "owner__user", "created_by", "review__meeting")
        .order_by("due_at", "created_at")
    )
    summary.later_actions = open_actions.filter(due_at__gte=until).count()
    return summary


# -- Who receives it ---------------------------------------------------------------------


@dataclass(frozen=True)
class Receiver:
    staff: StaffMember
    shift: Shift
    starts_next: bool


@dataclass
class Receivers:
    """The shifts that can take over (on now, and starting next) and the staff on them."""

    shifts: list[tuple[Shift, bool]] = field(default_factory=list)  # (shift, starts next)
    people: list[Receiver] = field(default_factory=list)


def receivers(
    *,
    team: Team,
    giver: StaffMember | None,
    now: dt.datetime,
    next_slots: list[RotaSlot] | None = None,
) -> Receivers:
    """Staff on the team's next shift, then staff on shift now; the giver left out."""
    if next_slots is None:
        next_slots = next_shift_start(team=team, after=now)
    found = Receivers()
    seen: set[uuid.UUID] = set()
    seen_shifts: set[uuid.UUID] = set()
    upcoming: list[tuple[Shift, StaffMember]] = []
    for slot in next_slots:
        if slot.shift is None:
            continue
        if slot.shift.pk not in seen_shifts:
            seen_shifts.add(slot.shift.pk)
            found.shifts.append((slot.shift, True))
        upcoming.extend((slot.shift, row.staff) for row in slot.rows)
    current = [(row.shift, row.staff) for row in on_now(team=team, at=now)]
    for shift, _ in current:
        if shift.pk not in seen_shifts:
            seen_shifts.add(shift.pk)
            found.shifts.append((shift, False))
    for shift, staff in [*upcoming, *current]:
        if staff.pk in seen or (giver is not None and staff.pk == giver.pk):
            continue
        seen.add(staff.pk)
        found.people.append(Receiver(staff=staff, shift=shift, starts_next=shift.starts_at > now))
    return found


# -- Handovers given ---------------------------------------------------------------------


def _handovers() -> QuerySet[Handover]:
    return Handover.objects.select_related(
        "team", "given_by__user", "shift__shift_type", "recorded_by"
    ).prefetch_related(
        Prefetch(
            "received_by",
            queryset=StaffMember.objects.select_related("user").order_by("user__first_name"),
        )
    )


def handovers_for_team(*, team: Team) -> QuerySet[Handover]:
    """The team's handovers, latest first (page through them: a fixed number per page)."""
    return _handovers().filter(team=team).order_by("-given_at")


def handover_for_user(*, pk: uuid.UUID, user: User) -> Handover:
    """A handover given in one of the user's teams (else Handover.DoesNotExist)."""
    return _handovers().get(pk=pk, team__in=teams_for_user(user=user))


def handover_exists(*, pk: uuid.UUID) -> bool:
    return Handover.objects.filter(pk=pk).exists()
