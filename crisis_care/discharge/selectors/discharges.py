"""Reads for the discharge itself: the record of a discharge (with its gaps, addendums and
re-referrals), what the summary to the GP is built from, the team's discharges with the state
of each summary (CORE item 34b), and the 72-hour follow-up after inpatient discharge.

Every read starts from an episode or team the view has already checked the user may see
(views.common.episode_or_refuse, workforce.selectors.teams_for_user). Lists read a fixed
number of queries however many rows they show: the per-row facts are subqueries.
"""

import datetime as dt
import math
import uuid
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)

from crisis_care.assessments.models import SafetyPlan
from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import User
from crisis_care.people.models import GPPractice
from crisis_care.referrals.models import OPEN_STATUSES, Referral
from crisis_care.treatment.models import (
    Admission,
    Attendance,
    CareContact,
    Episode,
    EpisodeStatus,
    Goal,
    Intervention,
    Medication,
    Medium,
    Visit,
    VisitStatus,
)
from crisis_care.workforce.models import Team
from crisis_care.workforce.selectors import teams_for_user

from ..models import (
    Addendum,
    Discharge,
    DischargeGap,
    DischargeSummary,
    FollowUpMissedReason,
    InvolvedService,
    OnwardReferral,
    OnwardReferralStatus,
    RelapsePreventionPlan,
    ReReferral,
)

# CORE item 34b: the summary goes to the GP and involved services within 3 days.
SUMMARY_DUE_DAYS = 3
# The discharges list and the follow-up list look back four weeks.
LIST_DAYS = 28
# The 72-hour follow-up after discharge from an adult acute ward (NHS Standard Contract).
FOLLOW_UP_HOURS = 72
# A follow-up is a contact where the person was seen or spoken to: face to face, by phone or
# by video.
FOLLOW_UP_MEDIA = (Medium.FACE_TO_FACE, Medium.TELEPHONE, Medium.VIDEO)


def summary_due_on(discharged_at: dt.datetime) -> dt.date:
    """Three calendar days after the London date of the discharge."""
    return local_date(discharged_at) + dt.timedelta(days=SUMMARY_DUE_DAYS)


# -- The summary to the GP: its state --------------------------------------------------------


class SummaryState(StrEnum):
    NOT_DISCHARGED = "not_discharged"  # the clock starts at discharge
    SENT_IN_TIME = "sent_in_time"
    SENT_LATE = "sent_late"
    DUE = "due"
    OVERDUE = "overdue"


def summary_state(
    *, due_on: dt.date | None, first_sent_on: dt.date | None, today: dt.date
) -> SummaryState:
    """Where the summary stands. A summary sent before the discharge was recorded counts; it
    is overdue only once the episode is discharged and its due date (the third calendar day
    after discharge) has passed with nothing sent."""
    if due_on is None:
        return SummaryState.NOT_DISCHARGED
    if first_sent_on is not None:
        return SummaryState.SENT_IN_TIME if first_sent_on <= due_on else SummaryState.SENT_LATE
    return SummaryState.OVERDUE if today > due_on else SummaryState.DUE


# -- One episode -----------------------------------------------------------------------------


def discharge_for(*, episode: Episode) -> Discharge | None:
    """The episode's discharge with who recorded it and the reasons for each gap."""
    return (
        Discharge.objects.filter(episode=episode)
        .select_related("discharged_by")
        .prefetch_related(Prefetch("gaps", queryset=DischargeGap.objects.order_by("item")))
        .first()
    )


def addendums_for(*, episode: Episode) -> list[Addendum]:
    return list(
        Addendum.objects.filter(episode=episode)
        .select_related("written_by")
        .order_by("written_at", "created_at")
    )


def re_referrals_for(*, episode: Episode) -> list[ReReferral]:
    return list(
        ReReferral.objects.filter(episode=episode)
        .select_related("referral", "recorded_by")
        .order_by("recorded_at")
    )


def summaries_for(*, episode: Episode) -> list[DischargeSummary]:
    """Each time the summary was sent, oldest first."""
    return list(
        DischargeSummary.objects.filter(episode=episode)
        .select_related("sent_by")
        .order_by("sent_on", "created_at")
    )


def involved_services_for(*, episode: Episode) -> list[InvolvedService]:
    return list(InvolvedService.objects.filter(episode=episode).order_by("name"))


def planned_visits_from(*, episode: Episode, at: dt.datetime) -> list[Visit]:
    """Planned visits whose window starts at or after `at` (a discharge cancels them)."""
    return list(
        Visit.objects.filter(
            episode=episode, status=VisitStatus.PLANNED, window_start__gte=at
        ).order_by("window_start")
    )


def open_referral_for(*, episode: Episode) -> Referral | None:
    """An open referral of the person to the episode's team, other than the one that started
    the episode (a second re-referral would be a duplicate)."""
    return (
        Referral.objects.filter(
            person_id=episode.person_id, team_id=episode.team_id, status__in=OPEN_STATUSES
        )
        .exclude(pk=episode.referral_id)
        .order_by("-received_at")
        .first()
    )


@dataclass(frozen=True)
class SummaryRecord:
    """What the discharge summary to the GP is generated from."""

    episode: Episode
    discharge: Discharge | None
    gp_practice: GPPractice | None
    goals: list[Goal]
    interventions: list[Intervention]
    contacts_by_medium: dict[str, int]
    onward_referrals: list[OnwardReferral]
    involved_services: list[InvolvedService]
    medications: list[Medication]
    medication_on: dt.date
    relapse_plan: RelapsePreventionPlan | None
    safety_plan: SafetyPlan | None

    @property
    def contacts(self) -> int:
        return sum(self.contacts_by_medium.values())


def summary_record(*, episode: Episode, today: dt.date) -> SummaryRecord:
    """Everything the summary says, in a fixed number of queries (about ten)."""
    prefetch_related_objects([episode], "named_worker__user")
    discharge = discharge_for(episode=episode)
    on = local_date(discharge.discharged_at) if discharge is not None else today
    media = Counter(
        CareContact.objects.filter(episode=episode, attendance=Attendance.ATTENDED).values_list(
            "medium", flat=True
        )
    )
    return SummaryRecord(
        episode=episode,
        discharge=discharge,
        gp_practice=episode.person.gp_practice,
        goals=list(Goal.objects.filter(care_plan__episode=episode).order_by("order", "created_at")),
        interventions=list(
            Intervention.objects.filter(care_plan__episode=episode)
            .select_related("lead__user")
            .order_by("created_at")
        ),
        contacts_by_medium=dict(media),
        onward_referrals=list(
            OnwardReferral.objects.filter(episode=episode).order_by("sent_on", "created_at")
        ),
        involved_services=involved_services_for(episode=episode),
        medications=list(
            Medication.objects.filter(person_id=episode.person_id, started_on__lte=on)
            .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gt=on))
            .order_by("name", "started_on")
        ),
        medication_on=on,
        relapse_plan=RelapsePreventionPlan.objects.filter(episode=episode).first(),
        safety_plan=SafetyPlan.objects.filter(person_id=episode.person_id)
        .order_by("-written_at")
        .first(),
    )


def follow_on_referrals(*, episode: Episode) -> list[OnwardReferral]:
    """The referrals on that stand (sent or accepted; not declined or withdrawn): the services
    the summary also goes to."""
    return list(
        OnwardReferral.objects.filter(
            episode=episode,
            status__in=[OnwardReferralStatus.SENT, OnwardReferralStatus.ACCEPTED],
        ).order_by("sent_on", "created_at")
    )


# -- The team's discharges ---------------------------------------------------------------------


@dataclass(frozen=True)
class DischargeRow:
    discharge: Discharge
    first_sent_on: dt.date | None
    state: SummaryState

    @property
    def episode(self) -> Episode:
        return self.discharge.episode


def _first_sent_on() -> Subquery:
    return Subquery(
        DischargeSummary.objects.filter(episode_id=OuterRef("episode_id"))
        .order_by("sent_on")
        .values("sent_on")[:1]
    )


def team_discharges(
    *, team: Team, today: dt.date, overdue_only: bool = False
) -> list[DischargeRow]:
    """The team's discharges of the last 28 days, newest first, with the first date a summary
    was sent; and any earlier discharge whose summary is still overdue, so an overdue summary
    never drops off the list until it is sent. One query."""
    since = local_instant(today - dt.timedelta(days=LIST_DAYS), dt.time(0, 0))
    overdue = Q(first_sent_on__isnull=True, summary_due_on__lt=today)
    discharges = (
        Discharge.objects.filter(episode__team=team)
        .annotate(first_sent_on=_first_sent_on())
        .filter(overdue if overdue_only else Q(discharged_at__gte=since) | overdue)
        .select_related("episode", "episode__person", "discharged_by")
        .order_by("-discharged_at")
    )
    return [
        DischargeRow(
            discharge=d,
            first_sent_on=d.first_sent_on,
            state=summary_state(
                due_on=d.summary_due_on,
                first_sent_on=d.first_sent_on,
                today=today,
            ),
        )
        for d in discharges
    ]


def teams_for_list(*, user: User) -> list[Team]:
    return list(teams_for_user(user=user).order_by("name"))


def team_chosen(teams: list[Team], chosen: str | None) -> Team | None:
    """The team asked for, if the user is in it; otherwise their first team."""
    for team in teams:
        if chosen and str(team.pk) == chosen:
            return team
    return teams[0] if teams else None


# -- The 72-hour follow-up after inpatient discharge -------------------------------------------


class FollowUpState(StrEnum):
    IN_TIME = "in_time"
    LATE = "late"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class FollowUp:
    """A ward discharge into the team's care and the first contact after it. Times are
    compared as instants (elapsed real hours), so a clock change does not add or lose an
    hour."""

    admission: Admission
    episode: Episode | None
    followed_up_at: dt.datetime | None
    missed_reason: FollowUpMissedReason | None

    @property
    def left_ward_at(self) -> dt.datetime:
        assert self.admission.discharged_at is not None
        return self.admission.discharged_at

    @property
    def deadline(self) -> dt.datetime:
        return self.left_ward_at + dt.timedelta(hours=FOLLOW_UP_HOURS)

    def state(self, now: dt.datetime) -> FollowUpState:
        if self.followed_up_at is not None:
            if self.followed_up_at <= self.deadline:
                return FollowUpState.IN_TIME
            return FollowUpState.LATE
        return FollowUpState.DUE if now <= self.deadline else FollowUpState.OVERDUE

    def hours_left(self, now: dt.datetime) -> int:
        """Whole hours left before the 72 hours are up (rounded up; 0 once they are)."""
        seconds = (self.deadline - now).total_seconds()
        return max(0, math.ceil(seconds / 3600))

    def hours_taken(self) -> float | None:
        if self.followed_up_at is None:
            return None
        return (self.followed_up_at - self.left_ward_at).total_seconds() / 3600

    def missed(self, now: dt.datetime) -> bool:
        return self.state(now) in (FollowUpState.LATE, FollowUpState.OVERDUE)


def _first_contact_at() -> Subquery:
    """The first attended contact with the person (face to face, phone or video) at or after
    the ward discharge, by any episode of theirs."""
    return Subquery(
        CareContact.objects.filter(
            episode__person_id=OuterRef("person_id"),
            attendance=Attendance.ATTENDED,
            medium__in=FOLLOW_UP_MEDIA,
            started_at__gte=OuterRef("discharged_at"),
        )
        .order_by("started_at")
        .values("started_at")[:1]
    )


def _admissions(team_ids: QuerySet[Team] | list[uuid.UUID]) -> QuerySet[Admission]:
    """Admissions a team is helping someone leave early (early supported discharge), with the
    first contact after the ward discharge, why a missed follow-up was missed, and the
    team's episode."""
    return (
        Admission.objects.filter(
            Exists(Episode.objects.filter(early_discharge_from=OuterRef("pk"), team__in=team_ids))
        )
        .annotate(followed_up_at=_first_contact_at())
        .select_related("person", "follow_up_missed", "follow_up_missed__recorded_by")
        .prefetch_related(
            Prefetch(
                "early_discharge_episodes",
                queryset=Episode.objects.filter(team__in=team_ids).order_by("-started_at"),
                to_attr="team_episodes",
            )
        )
    )


def _follow_up(admission: Admission) -> FollowUp:
    episodes = getattr(admission, "team_episodes", [])
    try:
        missed = admission.follow_up_missed
    except FollowUpMissedReason.DoesNotExist:
        missed = None
    return FollowUp(
        admission=admission,
        episode=episodes[0] if episodes else None,
        followed_up_at=admission.followed_up_at,  # type: ignore[attr-defined]
        missed_reason=missed,
    )


def team_follow_ups(*, team: Team, now: dt.datetime) -> list[FollowUp]:
    """The team's ward discharges of the last 28 days, newest first (two queries)."""
    admissions = (
        _admissions([team.pk])
        .filter(discharged_at__gte=now - dt.timedelta(days=LIST_DAYS), discharged_at__lte=now)
        .order_by("-discharged_at")
    )
    return [_follow_up(a) for a in admissions]


def follow_up_for_user(*, pk: uuid.UUID, user: User) -> FollowUp:
    """One ward discharge into one of the user's teams (else Admission.DoesNotExist)."""
    return _follow_up(_admissions(teams_for_user(user=user)).get(pk=pk))


def follow_up_for_episode(*, episode: Episode) -> FollowUp | None:
    """The follow-up for the admission this episode shortens, once the ward discharge is
    recorded."""
    if episode.early_discharge_from_id is None:
        return None
    found = (
        _admissions([episode.team_id])
        .filter(pk=episode.early_discharge_from_id, discharged_at__isnull=False)
        .first()
    )
    return _follow_up(found) if found is not None else None


def admission_exists(*, pk: uuid.UUID) -> bool:
    return Admission.objects.filter(pk=pk).exists()


def awaiting_ward_discharge(*, team: Team) -> list[Episode]:
    """Open early-discharge episodes whose ward discharge is not recorded yet: the follow-up
    clock cannot start until it is."""
    return list(
        Episode.objects.filter(
            team=team,
            status=EpisodeStatus.OPEN,
            early_discharge_from__isnull=False,
            early_discharge_from__discharged_at__isnull=True,
        )
        .select_related("person", "early_discharge_from")
        .order_by("started_at")
    )
