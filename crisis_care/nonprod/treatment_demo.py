"""Demo home treatment: what the team wrote for every episode the assessment demo opened.

For every episode, open or closed, this writes what treatment.services would have written: the
status rows (open; closed when it closed), the named worker history (the decider or the lead
assessor, and for about 15% a later change with its reason), paired visits with the reason for
about 8%, and the six-week reviews of the few episodes that ran that long (CORE item 10).
The daily review meetings, risk ratings, actions, handovers and carers' records come after, from
crisis_care.nonprod.mdt_demo.

Every episode but the very newest has a care plan (CORE item 20): strengths and preferences,
two to four needs and goals in the person's own words, two to five interventions from the
catalogue (for about 95% at least one beyond medication and risk, item 20c), progress against
the goals and, for closed episodes, where each goal ended up. The written plan was given within
four working days for about 85% (item 12b; crisis_care.core.working_days), later for the rest,
and is still to give for some of the newest.

Visits and contacts cover the last `visit_days` days (90 by default; older episodes keep their
plans but no visits, so the data stays quick to build), shaped like the CORE targets: twice a
day for the first three days for most people, then daily, tapering in the last week (item 38);
windows of an hour or half an hour in London time (item 12d); nearly nine in ten at home (item
39); the named worker and a small core of staff most often (item 36c); a registered
practitioner, prescriber or psychologist where the visit needs one; two staff where paired
visits are required; nobody double-booked (visits or assessments). What happened at each past
visit is a care contact written as contacts.contact_record writes it: mostly seen face to face
for 30 to 60 minutes, some not at home, declined or cancelled, some late (item 12e-f), a few
notes written up on a later day (item 33d), with the goals and interventions worked on. A few
phone calls come in between visits. Open episodes have visits planned for the next seven days,
staffed for today and tomorrow (preferring staff on shift), including today's visits for the
demo registered practitioner and support worker.

About 70% of people take medicines (1 to 3, with the team's prescribers' changes, item 15) and
the team delivers them for about 30% of those. Right now two staff are checked in on visits for
lone working (item 32a), one of them overdue, so the coordinator sees an alert; earlier visits
today were checked in and out.

Rows are built in memory and saved with bulk_create; nothing is audited. Their created and
updated stamps are the times the things happened, not the time the command ran. The same seed
and moment give the same data.
"""

import datetime as dt
import html
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models

from crisis_care.assessments.models import AssessmentStaff, AssessmentStatus
from crisis_care.core.clock import LONDON, local_date, local_instant
from crisis_care.core.models import BaseModel, User
from crisis_care.core.roles import Role
from crisis_care.core.working_days import add_working_days
from crisis_care.nonprod import treatment_text as text
from crisis_care.people.models import Contact, Person, ShareScope
from crisis_care.treatment.models import AlertAction as Alert
from crisis_care.treatment.models import (
    Attendance,
    CareContact,
    CarePlan,
    CheckInStatus,
    Episode,
    EpisodeReview,
    EpisodeStatus,
    EpisodeStatusChange,
    GivenMethod,
    Goal,
    GoalProgress,
    GoalStatus,
    GoalStatusChange,
    Intervention,
    InterventionKind,
    LoneWorkingAlertAction,
    LoneWorkingCheck,
    Medication,
    MedicationChange,
    MedicationChangeKind,
    MedicationDelivery,
    Medium,
    NamedWorkerChange,
    PairedVisitsChange,
    Progress,
    ReviewOutcome,
    Visit,
    VisitLocation,
    VisitStaff,
    VisitStatus,
    VisitStatusChange,
    WrittenPlanGiven,
)
from crisis_care.treatment.rules import is_prescriber, is_psychologist
from crisis_care.treatment.services.contacts import LATE_MINUTES, minutes_outside_window
from crisis_care.workforce.models import Profession, ShiftAssignment, Team, TeamMembership
from crisis_care.workforce.rules import QUALIFYING_REGISTRATIONS

DEFAULT_VISIT_DAYS = 90
FUTURE_DAYS = 7  # visits planned ahead for open episodes
STAFFED_AHEAD_DAYS = 1  # planned visits have staff for today and tomorrow only
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
REVIEW_AFTER_DAYS = 42  # CORE item 10 (treatment.services.episodes)

# Shares (made up to look right against the CORE targets; none is sourced).
NAMED_WORKER_CHANGED = 0.15
PAIRED = 0.08
INTENSIVE_START = 0.75  # twice a day for the first three days (CORE item 38a: at least 50%)
MEDICATION_AND_RISK_ONLY_PLANS = 0.05  # CORE item 20c is met by the other 95%
WITH_MEDICINES = 0.7
DELIVERED = 0.3
# First, discharge, medication and psychology visits are at home; with a few reviews elsewhere
# (the team base, a café, a relative's) about 90% of visits are at home (CORE item 39).
REVIEWS_AWAY_FROM_HOME = 0.12
ATTENDANCE = (
    (Attendance.ATTENDED, 89),
    (Attendance.NOT_AT_HOME, 5),
    (Attendance.DECLINED, 3),
    (Attendance.CANCELLED_BY_PERSON, 2),
    (Attendance.CANCELLED_BY_TEAM, 1),
)
LATE = 0.10
EARLY = 0.02
PHONED_WHEN_LATE = 0.85
NOTES_SAME_DAY = 0.92
UNPLANNED_CALL_PER_DAY = 0.05
PROGRESS_AT_CONTACT = 0.35
DEMO_NAMED_CASELOAD = 4  # open episodes handed to the demo registered practitioner
DEMO_VISITS_TODAY = 4

VISITING_ROLES = (Role.REGISTERED_PRACTITIONER, Role.SUPPORT_WORKER, Role.DOCTOR, Role.PSYCHOLOGIST)
SUPPORT_PROFESSIONS = (Profession.SUPPORT_WORKER, Profession.PEER_SUPPORT_WORKER)


@dataclass
class TreatmentDemoInput:
    now: dt.datetime
    main: Team
    visit_days: int = DEFAULT_VISIT_DAYS


def build_treatment(data: TreatmentDemoInput, *, seed: int) -> dict[str, int]:
    """Write the home treatment history, then the team's daily reviews, actions, handovers and
    carers' records (nonprod.mdt_demo); return counts for the command's summary."""
    from crisis_care.nonprod.mdt_demo import MdtDemoInput, build_mdt  # it imports from here

    counts = _TreatmentBuilder(data, seed=seed).build()
    if counts:
        counts |= build_mdt(MdtDemoInput(now=data.now, main=data.main), seed=seed)
    return counts


def person_to_try(*, main: Team, username: str) -> tuple[Person, str] | None:
    """Someone on the caseload whose named worker is `username`, to print under "Try finding"."""
    episode = (
        Episode.objects.filter(
            team=main, status=EpisodeStatus.OPEN, named_worker__user__username=username
        )
        .select_related("person")
        .order_by("started_at")
        .first()
    )
    if episode is None:
        return None
    return (
        episode.person,
        f"in home treatment with the {main.name}: care plan, medicines and this week's visits; "
        f"{username} is their named worker.",
    )


@dataclass(eq=False)
class _Member:
    staff_id: uuid.UUID
    user: User
    profession: str
    joined: dt.date
    registered_until: dt.date | None  # the last day registered (workforce.rules); None: never

    def registered(self, on: dt.date) -> bool:
        return self.registered_until is not None and on <= self.registered_until

    @property
    def prescriber(self) -> bool:
        return is_prescriber(self.profession)

    @property
    def psychologist(self) -> bool:
        return is_psychologist(self.profession)

    @property
    def support(self) -> bool:
        return self.profession in SUPPORT_PROFESSIONS


@dataclass(eq=False)
class _Visit:
    ep: "_Ep"
    visit: Visit
    day: dt.date
    staff: list[_Member] = field(default_factory=list)
    reserved: bool = False
    in_progress: bool = False  # checked in now for lone working: nothing recorded yet
    contact: CareContact | None = None


@dataclass(eq=False)
class _Ep:
    episode: Episode
    person: Person
    start: dt.datetime
    end: dt.datetime | None  # when it closed
    until: dt.datetime  # when it closed, or when an open episode is expected to end
    named: list[tuple[dt.datetime, _Member]] = field(default_factory=list)
    core: list[_Member] = field(default_factory=list)
    intensive: bool = True
    contacts: list[Contact] = field(default_factory=list)
    meds: list[Medication] = field(default_factory=list)
    delivers: bool = False
    plan: CarePlan | None = None
    plan_at: dt.datetime | None = None
    goals: list[tuple[Goal, str]] = field(default_factory=list)  # (goal, theme)
    # id(goal) -> (when, status): goals that end up achieved or no longer needed.
    goal_done_at: dict[int, tuple[dt.datetime, str]] = field(default_factory=dict)
    interventions: list[tuple[Intervention, list[Goal]]] = field(default_factory=list)
    visits: list[_Visit] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.end is None

    def named_at(self, at: dt.datetime) -> _Member:
        current = self.named[0][1]
        for since, member in self.named:
            if since <= at:
                current = member
        return current

    def shared_with(self) -> list[Contact]:
        """Family and friends the person agreed may see their care plan (careplans service)."""
        return [
            c
            for c in self.contacts
            if c.current_consent is not None and c.current_consent.scope == ShareScope.CARE_PLAN
        ]


@contextmanager
def _historic_stamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the created/updated stamps set on each row (the time the thing
    happened) instead of the time the command ran."""
    fields = [
        m._meta.get_field(name) for m in model_classes for name in ("created_at", "updated_at")
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]  # type: ignore[union-attr]
    try:
        for f in fields:
            f.auto_now = f.auto_now_add = False  # type: ignore[union-attr]
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[union-attr]


M = TypeVar("M", bound=BaseModel)


def _stamp(obj: M, created: dt.datetime, updated: dt.datetime | None = None) -> M:
    obj.created_at = created
    obj.updated_at = updated or created
    return obj


class _TreatmentBuilder:
    def __init__(self, data: TreatmentDemoInput, *, seed: int) -> None:
        self.now, self.main = data.now, data.main
        self.today = local_date(self.now)
        self.first_visit_day = self.today - dt.timedelta(days=max(0, data.visit_days))
        self.rng = random.Random(f"treatment-{seed}")
        self.load_staff()
        self.load_rota()
        self.busy: dict[tuple[uuid.UUID, int], list[tuple[dt.datetime, dt.datetime]]] = defaultdict(
            list
        )
        self.load_assessment_bookings()
        self.handed_to_demo = 0
        # Rows to save, in the order they are saved.
        self.changed_episodes: list[Episode] = []
        self.status_rows: list[EpisodeStatusChange] = []
        self.named_rows: list[NamedWorkerChange] = []
        self.paired_rows: list[PairedVisitsChange] = []
        self.reviews: list[EpisodeReview] = []
        self.medications: list[Medication] = []
        self.medication_changes: list[MedicationChange] = []
        self.plans: list[CarePlan] = []
        self.goals: list[Goal] = []
        self.goal_statuses: list[GoalStatusChange] = []
        self.interventions: list[Intervention] = []
        self.intervention_goals: list[Any] = []
        self.visits: list[_Visit] = []
        self.visit_staff: list[VisitStaff] = []
        self.visit_statuses: list[VisitStatusChange] = []
        self.care_contacts: list[CareContact] = []
        self.contact_staff: list[Any] = []
        self.contact_goals: list[Any] = []
        self.contact_interventions: list[Any] = []
        self.progress: list[GoalProgress] = []
        self.given: list[WrittenPlanGiven] = []
        self.given_to: list[Any] = []
        self.deliveries: list[MedicationDelivery] = []
        self.delivered: list[Any] = []
        self.checks: list[LoneWorkingCheck] = []
        self.alert_actions: list[LoneWorkingAlertAction] = []

    # --- helpers -------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weighted(self, options: Sequence[tuple[str, int]]) -> str:
        return self.rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A moment between two instants, to the second."""
        seconds = max(0.0, (end - start).total_seconds())
        return (start + dt.timedelta(seconds=self.rng.uniform(0, seconds))).replace(microsecond=0)

    def at_local(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return local_instant(day, dt.time(hour, minute))

    # --- loading -------------------------------------------------------------------------

    def load_staff(self) -> None:
        rows = (
            TeamMembership.objects.filter(team=self.main, ended_on__isnull=True)
            .select_related("staff__user")
            .prefetch_related("staff__registrations")
        )
        members = []
        for m in rows:
            bodies = QUALIFYING_REGISTRATIONS.get(m.staff.profession, frozenset())
            expiries = [r.expires_on for r in m.staff.registrations.all() if r.body in bodies]
            until = None
            if expiries:
                until = dt.date.max if None in expiries else max(e for e in expiries if e)
            members.append(
                _Member(
                    staff_id=m.staff_id,
                    user=m.staff.user,
                    profession=m.staff.profession,
                    joined=m.started_on,
                    registered_until=until,
                )
            )
        members.sort(key=lambda m: m.user.username)
        self.members = members
        self.by_staff = {m.staff_id: m for m in members}
        self.visitors = [
            m
            for m in members
            if m.user.role in VISITING_ROLES and m.profession != Profession.PHARMACIST
        ]
        self.practitioners = [m for m in members if m.user.role == Role.REGISTERED_PRACTITIONER]
        self.prescribers = [m for m in self.visitors if m.prescriber]
        self.psychologists = [m for m in self.visitors if m.psychologist]
        self.support = [m for m in self.visitors if m.support]
        self.peers = [m for m in self.support if m.profession == Profession.PEER_SUPPORT_WORKER]
        self.managers = [m for m in members if m.user.role == Role.TEAM_MANAGER]
        self.admins = [m for m in members if m.user.role == Role.ADMINISTRATOR]
        by_username = {m.user.username: m for m in members}
        self.demo_practitioner = by_username.get("demo.registered_practitioner")
        self.demo_support = by_username.get("demo.support_worker")

    def load_rota(self) -> None:
        rows = ShiftAssignment.objects.filter(shift__team=self.main).values_list(
            "shift__starts_at", "shift__ends_at", "staff_id", "is_coordinator"
        )
        self.rota = sorted(rows, key=lambda r: (r[0], str(r[2])))
        self.rota_span = (
            (min(r[0] for r in self.rota), max(r[1] for r in self.rota)) if self.rota else None
        )
        self.shift_cache: dict[tuple[dt.datetime, dt.datetime], frozenset[uuid.UUID] | None] = {}

    def on_shift(self, start: dt.datetime, end: dt.datetime) -> frozenset[uuid.UUID] | None:
        """Staff on shift for the whole window, or None where the rota does not reach."""
        key = (start, end)
        if key not in self.shift_cache:
            span = self.rota_span
            if span is None or start < span[0] or end > span[1]:
                self.shift_cache[key] = None
            else:
                last = end - MINUTE
                self.shift_cache[key] = frozenset(
                    s for a, b, s, _ in self.rota if a <= start < b and a <= last < b
                )
        return self.shift_cache[key]

    def coordinator_at(self, at: dt.datetime) -> _Member | None:
        for a, b, s, coordinator in self.rota:
            if coordinator and a <= at < b and s in self.by_staff:
                return self.by_staff[s]
        return None

    def load_assessment_bookings(self) -> None:
        rows = (
            AssessmentStaff.objects.filter(
                assessment__referral__team=self.main,
                assessment__ends_at__gte=local_instant(self.first_visit_day, dt.time(0, 0)),
            )
            .exclude(assessment__status=AssessmentStatus.CANCELLED)
            .values_list("staff_id", "assessment__starts_at", "assessment__ends_at")
        )
        for staff_id, start, end in rows:
            self.book(staff_id, start, end)

    def book(self, staff_id: uuid.UUID, start: dt.datetime, end: dt.datetime) -> None:
        self.busy[(staff_id, start.toordinal())].append((start, end))

    def free(self, m: _Member, start: dt.datetime, end: dt.datetime) -> bool:
        day = start.toordinal()
        for key in ((m.staff_id, day - 1), (m.staff_id, day), (m.staff_id, day + 1)):
            for a, b in self.busy.get(key, ()):
                if a < end and start < b:
                    return False
        return True

    def load_episodes(self) -> list[_Ep]:
        episodes = list(
            Episode.objects.filter(team=self.main)
            .select_related("person")
            .order_by("started_at", "person__nhs_number")
        )
        contacts: dict[uuid.UUID, list[Contact]] = defaultdict(list)
        for c in (
            Contact.objects.filter(person__episodes__team=self.main)
            .select_related("current_consent")
            .distinct()
            .order_by("name", "relationship", "phone")
        ):
            contacts[c.person_id].append(c)
        eps = []
        for e in episodes:
            if e.closed_at is not None:
                until = e.closed_at
            else:
                length = dt.timedelta(days=self.rng.triangular(7, 28, 12))
                until = max(
                    e.started_at + length, self.now + dt.timedelta(hours=self.rng.uniform(6, 240))
                )
            eps.append(
                _Ep(
                    episode=e,
                    person=e.person,
                    start=e.started_at,
                    end=e.closed_at,
                    until=until,
                    contacts=contacts.get(e.person_id, []),
                    intensive=self.chance(INTENSIVE_START),
                )
            )
        return eps

    # --- the build -----------------------------------------------------------------------

    def build(self) -> dict[str, int]:
        eps = self.load_episodes()
        if not eps or not self.practitioners or not self.visitors:
            return {}
        for ep in eps:
            self.episode_history(ep)
        self.medicines(eps)
        for ep in eps:
            self.care_plan(ep)
        for ep in eps:
            self.plan_visits(ep)
        self.checked_in_now([ep for ep in eps if ep.is_open])
        self.demo_visits_today()
        self.staff_visits()
        for ep in eps:
            for v in ep.visits:
                self.outcome(v)
            self.phone_calls(ep)
            self.goal_outcomes(ep)
        self.medicine_deliveries(eps)
        self.lone_working_today()
        for ep in eps:
            self.written_plan(ep)
        self.save()
        planned = [v for v in self.visits if v.visit.status == VisitStatus.PLANNED]
        return {
            "episode status rows": len(self.status_rows),
            "named worker changes": len(self.named_rows),
            "six-week reviews": len(self.reviews),
            "care plans": len(self.plans),
            "goals": len(self.goals),
            "interventions": len(self.interventions),
            "written plans given": len(self.given),
            "visits": len(self.visits),
            "visits planned": len(planned),
            "care contacts": len(self.care_contacts),
            "goal progress entries": len(self.progress),
            "medicines": len(self.medications),
            "medicine deliveries": len(self.deliveries),
            "lone working check-ins": len(self.checks),
        }

    # --- the episode: status, named worker, paired visits, reviews -----------------------

    def registered_practitioner(self, on: dt.date, *, not_: _Member | None = None) -> _Member:
        pool = [
            m for m in self.practitioners if m.registered(on) and m.joined <= on and m is not not_
        ]
        return self.rng.choice(pool or self.practitioners)

    def episode_history(self, ep: _Ep) -> None:
        e, rng = ep.episode, self.rng
        on = local_date(ep.start)
        first = self.by_staff.get(e.named_worker_id) if e.named_worker_id else None
        if first is None:
            first = self.registered_practitioner(on)
            e.named_worker_id = first.staff_id
            self.changed(e)
        ep.named = [(ep.start, first)]
        self.named_rows.append(
            _stamp(
                NamedWorkerChange(
                    episode_id=e.pk,
                    staff_id=first.staff_id,
                    reason="Named when home treatment began",
                    changed_by_id=e.opened_by_id,
                    changed_at=ep.start,
                ),
                ep.start,
            )
        )
        self.status_rows.append(
            _stamp(
                EpisodeStatusChange(
                    episode_id=e.pk,
                    status=EpisodeStatus.OPEN,
                    changed_by_id=e.opened_by_id,
                    changed_at=ep.start,
                ),
                ep.start,
            )
        )
        # A small core of staff who do most visits (CORE item 36c).
        core_support = [m for m in self.support if m.joined <= on]
        core_others = [m for m in self.practitioners if m.registered(on) and m is not first]
        ep.core = [first, *rng.sample(core_support, min(2, len(core_support)))]
        if core_others:
            ep.core.append(rng.choice(core_others))

        if self.chance(NAMED_WORKER_CHANGED):
            self.change_named_worker(ep)
        self.hand_over_if_lapsed(ep)
        if self.chance(PAIRED):
            at = min(ep.start + dt.timedelta(minutes=rng.randint(5, 60)), self.now)
            reason = rng.choice(text.PAIRED_REASONS)
            e.paired_visits_required, e.paired_visits_reason = True, reason
            e.version += 1
            self.changed(e)
            self.paired_rows.append(
                _stamp(
                    PairedVisitsChange(
                        episode_id=e.pk,
                        required=True,
                        reason=reason,
                        changed_by_id=e.opened_by_id,
                        changed_at=at,
                    ),
                    at,
                )
            )
        if ep.end is not None:
            closer = ep.named_at(ep.end)
            self.status_rows.append(
                _stamp(
                    EpisodeStatusChange(
                        episode_id=e.pk,
                        status=EpisodeStatus.CLOSED,
                        changed_by_id=closer.user.pk,
                        changed_at=ep.end,
                        note=rng.choice(text.CLOSING_NOTES),
                    ),
                    ep.end,
                )
            )
        self.six_week_reviews(ep)

    def changed(self, e: Episode) -> None:
        if not any(x is e for x in self.changed_episodes[-3:]):
            self.changed_episodes.append(e)

    def change_named_worker(self, ep: _Ep) -> None:
        last = min(ep.until, self.now - HOUR)
        at = ep.start + (ep.until - ep.start) * self.rng.uniform(0.25, 0.7)
        if at >= last:
            return
        at = at.replace(microsecond=0)
        on = local_date(at)
        current = ep.named[-1][1]
        demo = self.demo_practitioner
        if (
            ep.is_open
            and demo is not None
            and demo is not current
            and demo.joined <= on
            and self.handed_to_demo < DEMO_NAMED_CASELOAD
        ):
            new = demo
            self.handed_to_demo += 1
            reason = "Caseload rebalanced across the team at the MDT."
        else:
            new = self.registered_practitioner(on, not_=current)
            reason = self.rng.choice(text.NAMED_WORKER_REASONS)
        if new is current:
            return
        by = self.rng.choice(self.managers) if self.managers else current
        ep.named.append((at, new))
        if new not in ep.core:
            ep.core.append(new)
        ep.episode.named_worker_id = new.staff_id
        ep.episode.version += 1
        self.changed(ep.episode)
        self.named_rows.append(
            _stamp(
                NamedWorkerChange(
                    episode_id=ep.episode.pk,
                    staff_id=new.staff_id,
                    reason=reason,
                    changed_by_id=by.user.pk,
                    changed_at=at,
                ),
                at,
            )
        )

    def hand_over_if_lapsed(self, ep: _Ep) -> None:
        """A named worker whose registration has lapsed hands their open episodes over."""
        since, current = ep.named[-1]
        if not ep.is_open or current.registered(self.today) or current.registered_until is None:
            return
        lapsed = current.registered_until + DAY
        at = max(since + HOUR, self.at_local(lapsed, 9, 30))
        if at >= self.now:
            at = max(since + MINUTE, self.now - HOUR)
        new = self.registered_practitioner(self.today, not_=current)
        by = self.rng.choice(self.managers) if self.managers else new
        ep.named.append((at, new))
        if new not in ep.core:
            ep.core.append(new)
        ep.episode.named_worker_id = new.staff_id
        ep.episode.version += 1
        self.changed(ep.episode)
        self.named_rows.append(
            _stamp(
                NamedWorkerChange(
                    episode_id=ep.episode.pk,
                    staff_id=new.staff_id,
                    reason="Registration lapsed; handed over until it is renewed.",
                    changed_by_id=by.user.pk,
                    changed_at=at,
                ),
                at,
            )
        )

    def six_week_reviews(self, ep: _Ep) -> None:
        """The review in the week the six weeks run out, then every week or two (CORE 10)."""
        due = local_date(ep.start) + dt.timedelta(days=REVIEW_AFTER_DAYS)
        day = due - dt.timedelta(days=self.rng.randint(-1, 6))
        last = min(ep.end or self.now, self.now)
        while True:
            at = self.at_local(day, 13, self.rng.choice((0, 15, 30, 45)))
            if at > last or at <= ep.start:
                return
            doctors = [m for m in self.prescribers if m.user.role == Role.DOCTOR]
            by = self.rng.choice(doctors) if doctors and self.chance(0.5) else ep.named_at(at)
            if ep.until - at <= 8 * DAY:
                outcome, reason, next_on = (
                    ReviewOutcome.PLAN_DISCHARGE,
                    self.rng.choice(text.REVIEW_DISCHARGE),
                    None,
                )
            else:
                outcome, reason = ReviewOutcome.CONTINUE, self.rng.choice(text.REVIEW_CONTINUE)
                next_on = day + dt.timedelta(days=self.rng.randint(7, 14))
            self.reviews.append(
                _stamp(
                    EpisodeReview(
                        episode_id=ep.episode.pk,
                        reviewed_at=at,
                        reviewed_by_id=by.user.pk,
                        outcome=outcome,
                        reason=reason,
                        next_review_on=next_on,
                    ),
                    at,
                )
            )
            if next_on is None:
                return
            day = next_on

    # --- medicines -----------------------------------------------------------------------

    def medicines(self, eps: list[_Ep]) -> None:
        """Recorded at the person's first episode here; later episodes see what they still
        take."""
        seen: dict[uuid.UUID, list[Medication]] = {}
        for ep in eps:
            person_id = ep.episode.person_id
            on = local_date(ep.start)
            if person_id in seen:
                ep.meds = [
                    m
                    for m in seen[person_id]
                    if m.started_on <= on and (m.stopped_on is None or m.stopped_on >= on)
                ]
            else:
                seen[person_id] = ep.meds = (
                    self.medicines_for(ep) if self.chance(WITH_MEDICINES) else []
                )
            ep.delivers = bool(ep.meds) and self.chance(DELIVERED)

    def medicines_for(self, ep: _Ep) -> list[Medication]:
        rng = self.rng
        wanted = rng.choices((1, 2, 3), weights=(50, 35, 15))[0]
        chosen: list[tuple[str, tuple[str, ...], str, str]] = []
        for _ in range(12):
            if len(chosen) == wanted:
                break
            medicine = rng.choices(text.MEDICINES, weights=text.MEDICINE_WEIGHTS)[0]
            if all(c[3] != medicine[3] for c in chosen):
                chosen.append(medicine)
        start_day = local_date(ep.start)
        latest = min(ep.end or self.now, self.now)
        meds = []
        for name, doses, frequency, group in chosen:
            changes: list[tuple[dt.datetime, str, str, _Member | None]] = []
            by_team = bool(self.prescribers) and self.chance(0.6 if group == "short" else 0.35)
            step = rng.randrange(2) if by_team else rng.randrange(len(doses))
            at = ep.start + dt.timedelta(hours=rng.uniform(1, 30))
            if at >= latest:
                by_team = False
                at = self.between(ep.start, latest)
            at = at.replace(microsecond=0)
            if by_team:
                prescriber = rng.choice(self.prescribers)
                started_on = local_date(at)
                changes.append(
                    (at, MedicationChangeKind.STARTED, rng.choice(text.STARTED_DETAILS), prescriber)
                )
            else:
                started_on = start_day - dt.timedelta(days=rng.randint(14, 720))
                changes.append(
                    (at, MedicationChangeKind.RECORDED, rng.choice(text.RECORDED_DETAILS), None)
                )
            stopped_on = None
            if self.prescribers:
                later = at + dt.timedelta(days=rng.uniform(2, 10))
                if step + 1 < len(doses) and later < latest and self.chance(0.25):
                    detail = f"Increased from {doses[step]} to {doses[step + 1]}: " + rng.choice(
                        ("still not sleeping.", "some benefit; room to go up.")
                    )
                    step += 1
                    changes.append(
                        (
                            later.replace(microsecond=0),
                            MedicationChangeKind.DOSE_CHANGED,
                            detail,
                            rng.choice(self.prescribers),
                        )
                    )
                review = at + dt.timedelta(days=rng.uniform(1, 7))
                if review < latest and self.chance(0.3):
                    changes.append(
                        (
                            review.replace(microsecond=0),
                            MedicationChangeKind.REVIEWED,
                            rng.choice(text.REVIEWED_DETAILS),
                            rng.choice(self.prescribers),
                        )
                    )
                changes.sort(key=lambda c: c[0])
                stop_short = group == "short" and ep.end is not None
                if stop_short or self.chance(0.05):
                    stop = (
                        ep.end - dt.timedelta(hours=rng.uniform(2, 30))
                        if stop_short and ep.end is not None
                        else self.between(changes[-1][0], latest)
                    )
                    if changes[-1][0] < stop <= latest:
                        stopped_on = local_date(stop)
                        changes.append(
                            (
                                stop.replace(microsecond=0),
                                MedicationChangeKind.STOPPED,
                                rng.choice(
                                    text.STOPPED_SHORT_DETAILS
                                    if group == "short"
                                    else text.STOPPED_DETAILS
                                ),
                                rng.choice(self.prescribers),
                            )
                        )
            last_at = changes[-1][0]
            med = _stamp(
                Medication(
                    person_id=ep.episode.person_id,
                    episode_id=ep.episode.pk,
                    name=name,
                    dose=doses[step],
                    frequency=frequency,
                    started_by_team=by_team,
                    started_on=started_on,
                    stopped_on=stopped_on,
                    note="Lithium level due: bloods with the GP."
                    if name.startswith("Lithium")
                    else "",
                    version=len(changes),
                ),
                changes[0][0],
                last_at,
            )
            meds.append(med)
            self.medications.append(med)
            for when, kind, detail, decided_by in changes:
                by = decided_by or ep.named_at(when)
                self.medication_changes.append(
                    _stamp(
                        MedicationChange(
                            medication_id=med.pk,
                            kind=kind,
                            detail=detail,
                            prescriber_id=decided_by.staff_id if decided_by else None,
                            changed_by_id=by.user.pk,
                            changed_at=when,
                        ),
                        when,
                    )
                )
        return meds

    # --- the care plan -------------------------------------------------------------------

    def care_plan(self, ep: _Ep) -> None:
        rng = self.rng
        at = (ep.start + dt.timedelta(hours=rng.uniform(1.5, 30))).replace(microsecond=0)
        if at >= self.now - 10 * MINUTE or (ep.end is not None and at >= ep.end):
            return  # too new: the plan is still to write
        ep.plan_at = at
        by = ep.named_at(at)
        plan = _stamp(
            CarePlan(
                episode_id=ep.episode.pk,
                written_with_person=self.chance(0.95),
                strengths=rng.choice(text.STRENGTHS),
                preferences=rng.choice(text.PREFERENCES),
                created_by_id=by.user.pk,
                version=rng.randint(1, 3),
            ),
            at,
        )
        self.plans.append(plan)
        ep.plan = plan
        pairs = rng.sample(text.NEEDS_AND_GOALS, rng.choices((2, 3, 4), weights=(35, 45, 20))[0])
        for order, (need, goal_text, theme) in enumerate(pairs):
            created = at + dt.timedelta(seconds=order + 1)
            goal = _stamp(
                Goal(
                    care_plan_id=plan.pk,
                    need=need,
                    goal=goal_text,
                    order=order,
                    status=GoalStatus.ACTIVE,
                    created_by_id=by.user.pk,
                ),
                created,
            )
            self.goals.append(goal)
            ep.goals.append((goal, theme))
            self.goal_statuses.append(
                _stamp(
                    GoalStatusChange(
                        goal_id=goal.pk,
                        status=GoalStatus.ACTIVE,
                        changed_by_id=by.user.pk,
                        changed_at=created,
                    ),
                    created,
                )
            )
        self.plan_interventions(ep, plan, by)

    def intervention_kinds(self, ep: _Ep) -> list[str]:
        K = InterventionKind
        kinds: list[str] = []
        if self.chance(MEDICATION_AND_RISK_ONLY_PLANS):
            kinds = [K.MEDICATION_REVIEW, K.SAFETY_PLANNING]
            return [*kinds, K.MEDICATION_DELIVERY] if ep.delivers else kinds

        def add(kind: str) -> None:
            if kind not in kinds:
                kinds.append(kind)

        for _, theme in ep.goals:
            options = text.THEME_INTERVENTIONS[theme]
            add(options[0] if self.chance(0.6) else self.rng.choice(options))
        if ep.delivers:
            add(K.MEDICATION_DELIVERY)
        if any(m.started_by_team for m in ep.meds):
            add(K.PRESCRIBING)
        if ep.meds and self.chance(0.8):
            add(K.MEDICATION_REVIEW)
        if any(c.is_carer for c in ep.shared_with()) and self.chance(0.4):
            add(K.CARER_SUPPORT)
        for kind, p in ((K.SAFETY_PLANNING, 0.35), (K.RELAPSE_PREVENTION, 0.35)):
            if self.chance(p):
                add(kind)
        if len(kinds) < 2:
            add(self.rng.choice((K.DAILY_ROUTINE, K.PSYCHOEDUCATION, K.RELAPSE_PREVENTION)))
        if len(kinds) < 2:
            add(K.SAFETY_PLANNING)
        return kinds[:5]

    def plan_interventions(self, ep: _Ep, plan: CarePlan, by: _Member) -> None:
        K = InterventionKind
        rng = self.rng
        assert ep.plan_at is not None
        family = ep.shared_with()
        for n, kind in enumerate(self.intervention_kinds(ep)):
            lead: _Member | None = None
            if kind == K.BRIEF_PSYCHOLOGICAL and self.psychologists and self.chance(0.6):
                lead = rng.choice(self.psychologists)
            elif kind in (K.PRESCRIBING, K.MEDICATION_REVIEW) and self.prescribers:
                lead = rng.choice(self.prescribers)
            elif kind == K.SOCIAL_CONNECTION and self.peers and self.chance(0.5):
                lead = rng.choice(self.peers)
            elif self.chance(0.5):
                lead = by
            family_member = None
            if kind in (K.FAMILY_NETWORK, K.CARER_SUPPORT) and family:
                family_member = rng.choice(family)
            created = ep.plan_at + dt.timedelta(seconds=10 + n)
            stopped_at = None
            latest = min(ep.until, self.now)
            if self.chance(0.06) and latest > created + DAY:
                stopped_at = self.between(created + DAY, latest)
            item = _stamp(
                Intervention(
                    care_plan_id=plan.pk,
                    kind=kind,
                    detail=rng.choice(text.INTERVENTION_DETAIL[kind]),
                    lead_id=lead.staff_id if lead else None,
                    family_member_id=family_member.pk if family_member else None,
                    stopped_at=stopped_at,
                    created_by_id=by.user.pk,
                    version=2 if stopped_at else 1,
                ),
                created,
                stopped_at,
            )
            self.interventions.append(item)
            goals = [g for g, theme in ep.goals if kind in text.THEME_INTERVENTIONS[theme]]
            if not goals and ep.goals and self.chance(0.7):
                goals = [rng.choice(ep.goals)[0]]
            ep.interventions.append((item, goals))
            through = Intervention.goals.through
            self.intervention_goals += [
                through(intervention_id=item.pk, goal_id=g.pk) for g in goals
            ]
        self.goal_endings(ep)

    def goal_endings(self, ep: _Ep) -> None:
        """Where each goal ends up: some are met while treatment goes on; at the end of a
        closed episode most are achieved, some no longer needed, the rest carried on elsewhere
        (left as they are)."""
        assert ep.plan_at is not None
        rng = self.rng
        for goal, _ in ep.goals:
            if ep.end is None:
                if self.now - ep.plan_at > 7 * DAY and self.chance(0.15):
                    done = ep.plan_at + (self.now - ep.plan_at) * rng.uniform(0.5, 0.95)
                    ep.goal_done_at[id(goal)] = (done.replace(microsecond=0), GoalStatus.ACHIEVED)
                continue
            status = self.weighted(
                (
                    (GoalStatus.ACHIEVED, 65),
                    (GoalStatus.NO_LONGER_NEEDED, 12),
                    (GoalStatus.ACTIVE, 23),
                )
            )
            if status != GoalStatus.ACTIVE:
                done = max(ep.end - dt.timedelta(hours=rng.uniform(1, 20)), ep.plan_at + HOUR)
                ep.goal_done_at[id(goal)] = (done.replace(microsecond=0), status)

    def goal_active(self, ep: _Ep, goal: Goal, at: dt.datetime) -> bool:
        ending = ep.goal_done_at.get(id(goal))
        return ending is None or at < ending[0]

    def goal_outcomes(self, ep: _Ep) -> None:
        """The goal status rows for the endings decided with the plan, and a little progress
        for episodes from before the visit history."""
        if ep.plan_at is None:
            return
        rng = self.rng
        for goal, _ in ep.goals:
            if id(goal) not in ep.goal_done_at:
                continue
            done, status = ep.goal_done_at[id(goal)]
            note = (
                rng.choice(
                    (
                        "Done, in their words: 'I've got there.'",
                        "Achieved; they want to keep it going after discharge.",
                        "Met this week; agreed to take it off the plan.",
                    )
                )
                if status == GoalStatus.ACHIEVED
                else rng.choice(
                    (
                        "Sorted another way: their family has taken this on.",
                        "No longer a worry for them now.",
                    )
                )
            )
            by = ep.named_at(done)
            goal.status, goal.version = status, 2
            goal.updated_at = done
            self.goal_statuses.append(
                _stamp(
                    GoalStatusChange(
                        goal_id=goal.pk,
                        status=status,
                        changed_by_id=by.user.pk,
                        changed_at=done,
                        note=note,
                    ),
                    done,
                )
            )
        # Episodes before the visit history keep one progress entry for some goals, not tied
        # to a contact (their contacts are not in the demo).
        if not ep.visits:
            latest = min(ep.until, self.now)
            for goal, _ in ep.goals:
                at = self.between(ep.plan_at, latest)
                if self.chance(0.5) and self.goal_active(ep, goal, at):
                    self.goal_progress(ep, goal, at, ep.named_at(at), None)

    def goal_progress(
        self,
        ep: _Ep,
        goal: Goal,
        at: dt.datetime,
        by: _Member,
        contact: CareContact | None,
    ) -> None:
        span = (ep.until - ep.start).total_seconds() or 1.0
        share = (at - ep.start).total_seconds() / span
        P = Progress
        weights = (2, 5, 3, 0) if share < 0.25 else (1, 3, 5, 1) if share < 0.6 else (0, 1, 4, 5)
        progress = self.rng.choices((P.WORSE, P.NO_CHANGE, P.SOME, P.GOOD), weights=weights)[0]
        self.progress.append(
            _stamp(
                GoalProgress(
                    goal_id=goal.pk,
                    progress=progress,
                    note=self.rng.choice(text.PROGRESS_NOTES[progress]),
                    care_contact_id=contact.pk if contact else None,
                    recorded_by_id=by.user.pk,
                    recorded_at=at,
                ),
                at,
            )
        )

    # --- the written plan given (CORE item 12b) ------------------------------------------

    def written_plan(self, ep: _Ep) -> None:
        if ep.plan_at is None:
            return
        rng = self.rng
        plan = self.plan_of(ep)
        plan_day = local_date(ep.plan_at)
        due = add_working_days(local_date(ep.start), 4)
        if self.chance(0.85):
            # Mostly at the next visit or two; a few on the last day that counts.
            span = max(0, (due - plan_day).days)
            given_on = plan_day + dt.timedelta(days=min(span, int(rng.triangular(0, span + 1, 0))))
        else:
            given_on = due + dt.timedelta(days=rng.randint(1, 6))
        at = self.at_local(given_on, rng.randint(9, 17), rng.choice((0, 15, 30, 45)))
        at = max(at, ep.plan_at + 5 * MINUTE)
        if ep.end is not None and at > ep.end:
            at = max(ep.end - HOUR, ep.plan_at + 5 * MINUTE)
        given_on = local_date(at)
        if at > self.now:
            return  # still to give: the caseload flags it
        method = rng.choices(
            (GivenMethod.IN_PERSON, GivenMethod.POST, GivenMethod.EMAIL), weights=(75, 15, 10)
        )[0]
        if method == GivenMethod.EMAIL and not ep.person.email:
            method = GivenMethod.POST
        copies = [c for c in ep.shared_with() if self.chance(0.8)]
        by = ep.named_at(at)
        given = _stamp(
            WrittenPlanGiven(
                care_plan_id=plan.pk,
                given_on=given_on,
                method=method,
                to_person=True,
                snapshot_html=self.snapshot(ep, by, given_on),
                recorded_by_id=by.user.pk,
                recorded_at=at,
            ),
            at,
        )
        self.given.append(given)
        through = WrittenPlanGiven.to_contacts.through
        self.given_to += [through(writtenplangiven_id=given.pk, contact_id=c.pk) for c in copies]

    def plan_of(self, ep: _Ep) -> CarePlan:
        assert ep.plan is not None
        return ep.plan

    def snapshot(self, ep: _Ep, by: _Member, on: dt.date) -> str:
        """What was given, kept as it was: the goals and the interventions on that day."""
        esc = html.escape
        goals = "".join(
            f"<li><p><strong>{esc(g.need)}</strong></p><p>{esc(g.goal)}</p></li>"
            for g, _ in ep.goals
        )
        items = "".join(
            f"<li><strong>{esc(InterventionKind(i.kind).label)}</strong>: {esc(i.detail)}</li>"
            for i, _ in ep.interventions
        )
        worker = by.user.get_full_name()
        return (
            f"<h1>Your home treatment plan</h1><p>For {esc(ep.person.full_name)}, given on "
            f"{on.day} {on:%B %Y}. Your named worker is {esc(worker)}.</p>"
            f"<h2>What you need help with and what you want to achieve</h2><ol>{goals}</ol>"
            f"<h2>What we will do</h2><ul>{items}</ul>"
            f"<p>If you are worried, call the team any time on {esc(self.main.phone)}.</p>"
        )

    # --- visits: the pattern -------------------------------------------------------------

    def plan_visits(self, ep: _Ep) -> None:
        """Twice a day for the first three days (most people), then daily, tapering in the last
        week; one visit on the first day if there is time, and a discharge visit."""
        rng = self.rng
        first_day = local_date(ep.start)
        last_day = local_date(ep.until)
        lo = max(first_day, self.first_visit_day)
        hi = min(last_day, self.today + dt.timedelta(days=FUTURE_DAYS))
        if lo > hi:
            return
        kinds = {i.kind for i, _ in ep.interventions}
        psychology = InterventionKind.BRIEF_PSYCHOLOGICAL in kinds and any(
            i.kind == InterventionKind.BRIEF_PSYCHOLOGICAL
            and i.lead_id is not None
            and self.by_staff.get(i.lead_id) in self.psychologists
            for i, _ in ep.interventions
        )
        medication_review = bool(ep.meds) and bool(self.prescribers)
        purposes = [text.VISIT_PURPOSES[k] for k in sorted(kinds) if k in text.VISIT_PURPOSES]
        patterns: dict[int, uuid.UUID] = {}
        day = lo
        while day <= hi:
            k = (day - first_day).days
            to_end = (last_day - day).days
            slots: list[dt.time] = []
            if k == 0:
                earliest = ep.start + 90 * MINUTE
                if local_date(earliest) == day and _local_time(earliest) <= dt.time(20, 0):
                    # Decided in the night: the first visit is in the morning.
                    slots = [max(_round_up_half_hour(_local_time(earliest)), dt.time(8, 30))]
            elif ep.end is not None and to_end == 0:
                slots = [self.slot(9, 16)]
            elif ep.intensive and k <= 3:
                slots = [self.slot(8, 11), self.slot(14, 19)]
            elif to_end <= 6:
                slots = [self.slot(9, 17)] if self.chance(0.55) else []
            else:
                n = 2 if self.chance(0.08) else 0 if self.chance(0.04) else 1
                slots = (
                    [self.slot(8, 11), self.slot(14, 19)][:n] if n == 2 else [self.slot(9, 17)] * n
                )
            for n_slot, at in enumerate(slots):
                purpose_key = "review"
                if k == 0 or (not ep.visits and k == 1 and n_slot == 0):
                    purpose_key = "first"
                elif ep.end is not None and to_end == 0:
                    purpose_key = "discharge"
                elif medication_review and k in (1, 2) and n_slot == 0:
                    purpose_key = "medication"
                    medication_review = False
                elif psychology and k >= 3 and (k - 3) % 7 == 0 and n_slot == 0:
                    purpose_key = "psychology"
                week = k // 7
                if week not in patterns:
                    patterns[week] = uuid.UUID(int=rng.getrandbits(128), version=4)
                self.new_visit(ep, day, at, purpose_key, purposes, patterns[week])
            day += DAY

    def slot(self, first_hour: int, last_hour: int) -> dt.time:
        return dt.time(self.rng.randint(first_hour, last_hour), self.rng.choice((0, 30)))

    def new_visit(
        self,
        ep: _Ep,
        day: dt.date,
        at: dt.time,
        purpose_key: str,
        purposes: list[str],
        pattern_id: uuid.UUID | None,
        *,
        length: int | None = None,
    ) -> _Visit | None:
        rng = self.rng
        start = local_instant(day, at)
        length = length or (60 if self.chance(0.82) else 30)
        end = start + dt.timedelta(minutes=length)
        if start < ep.start + HOUR or start > self.now + FUTURE_DAYS * DAY:
            return None
        if ep.end is not None and end > ep.end - 10 * MINUTE:
            return None
        e = ep.episode
        location, detail = VisitLocation.HOME, ""
        if purpose_key == "review" and self.chance(REVIEWS_AWAY_FROM_HOME):
            if self.chance(0.35):
                location = VisitLocation.TEAM_BASE
            else:
                location, detail = VisitLocation.OTHER, rng.choice(text.OTHER_PLACES)
        purpose = text.VISIT_PURPOSES.get(purpose_key, "")
        if purpose_key == "review" and purposes and self.chance(0.3):
            purpose = rng.choice(purposes)
        needs_registered = purpose_key in ("first", "discharge") or self.chance(0.3)
        staff_needed = 2 if e.paired_visits_required else 1
        if (purpose_key == "first" and self.chance(0.5)) or self.chance(0.06):
            staff_needed = 2
        named = ep.named_at(start)
        planner = named if not self.admins or self.chance(0.7) else rng.choice(self.admins)
        planned_at = min(
            max(ep.start + 15 * MINUTE, start - dt.timedelta(hours=rng.uniform(20, 72))),
            self.now - MINUTE,
            start - 10 * MINUTE,
        ).replace(microsecond=0)
        planned_at = max(planned_at, ep.start + MINUTE)
        if self.chance(0.85):
            told = self.at_local(day - DAY, rng.randint(17, 19), rng.choice((0, 30)))
        else:
            told = self.at_local(day, 8, rng.choice((0, 15, 30)))
        told = max(told, planned_at)
        visit = _stamp(
            Visit(
                episode_id=e.pk,
                window_start=start,
                window_end=end,
                expected_minutes=rng.choices((30, 45, 60), weights=(2, 5, 3))[0],
                location=location,
                location_detail=detail,
                staff_needed=staff_needed,
                needs_registered_practitioner=needs_registered,
                needs_prescriber=purpose_key == "medication",
                needs_psychologist=purpose_key == "psychology",
                purpose=purpose,
                pattern_id=pattern_id,
                status=VisitStatus.PLANNED,
                person_told_at=told if told <= self.now and told < start else None,
                planned_by_id=planner.user.pk,
            ),
            planned_at,
        )
        v = _Visit(ep=ep, visit=visit, day=day)
        ep.visits.append(v)
        self.visits.append(v)
        return v

    # --- visits: who goes ----------------------------------------------------------------

    def checked_in_now(self, open_eps: list[_Ep]) -> None:
        """Two staff on a visit right now for lone working: one due out 20 minutes ago (the
        coordinator's alert), one expected to finish in half an hour (the demo support
        worker, where they are free)."""
        now_on = self.on_shift(self.now, self.now + MINUTE) or frozenset()
        coordinator = self.coordinator_at(self.now)
        candidates = [
            ep
            for ep in open_eps
            if ep.start < self.now - DAY
            and ep.plan_at is not None
            and not ep.episode.paired_visits_required
        ]
        if len(candidates) < 2:
            return
        plan = (
            (self.now - 80 * MINUTE, 55, None),  # checked in 75 minutes ago for 55: overdue
            (self.now - 25 * MINUTE, 45, self.demo_support),  # checked in 15 minutes ago
        )
        for ep, (start, expected, wanted) in zip(self.rng.sample(candidates, 2), plan, strict=True):
            start = start.replace(second=0, microsecond=0) - dt.timedelta(minutes=start.minute % 5)
            end = start + HOUR
            ep.visits = [
                v
                for v in ep.visits
                if not (
                    v.visit.window_start < end + 2 * HOUR and start - 2 * HOUR < v.visit.window_end
                )
            ]
            self.visits = [v for v in self.visits if v.ep is not ep or v in ep.visits]
            pool = [
                m
                for m in self.visitors
                if m.staff_id in now_on
                and m.user.role in (Role.REGISTERED_PRACTITIONER, Role.SUPPORT_WORKER)
                and m is not coordinator
                and m is not self.demo_practitioner
                and self.free(m, start, end)
            ]
            if wanted is not None and wanted in pool:
                who = wanted
            else:
                others = [m for m in pool if m is not self.demo_support]
                if not others:
                    others = [m for m in self.visitors if self.free(m, start, end)]
                if not others:
                    continue
                who = self.rng.choice(others)
            v = self.new_visit(
                ep, local_date(start), _local_time(start), "review", [], None, length=60
            )
            if v is None:
                continue
            v.visit.expected_minutes = expected
            v.visit.location, v.visit.location_detail = VisitLocation.HOME, ""
            v.visit.needs_registered_practitioner = False
            v.visit.staff_needed = 1
            v.reserved = v.in_progress = True
            self.assign(v, [who])
            # Still there (as far as anyone knows), so not free for another visit yet.
            self.book(who.staff_id, end, max(end, self.now + HOUR))
            checked_in = start + 5 * MINUTE
            self.checks.append(
                _stamp(
                    LoneWorkingCheck(
                        staff_id=who.staff_id,
                        team_id=self.main.pk,
                        visit_id=v.visit.pk,
                        location=self.address(ep.person),
                        checked_in_at=checked_in,
                        expected_end_at=checked_in + dt.timedelta(minutes=expected),
                        status=CheckInStatus.CHECKED_IN,
                    ),
                    checked_in,
                )
            )

    def demo_visits_today(self) -> None:
        """Put the demo registered practitioner and support worker on some of today's visits,
        within their shift where possible, so "My visits today" has something to show."""
        today = [
            v
            for v in self.visits
            if v.day == self.today
            and not v.reserved
            and not v.visit.needs_prescriber
            and not v.visit.needs_psychologist
        ]
        for member, registered_only in ((self.demo_practitioner, False), (self.demo_support, True)):
            if member is None:
                continue
            shift = [
                (a, b) for a, b, s, _ in self.rota if s == member.staff_id and a <= self.now < b
            ]
            fits = [
                v
                for v in today
                if not v.reserved
                and not (
                    registered_only
                    and v.visit.needs_registered_practitioner
                    and v.visit.staff_needed == 1
                )
                and self.free(member, v.visit.window_start, v.visit.window_end)
            ]
            self.rng.shuffle(fits)
            fits.sort(
                key=lambda v: (
                    not any(a <= v.visit.window_start and v.visit.window_end <= b for a, b in shift)
                )
            )
            future = [v for v in fits if v.visit.window_start > self.now]
            past = [v for v in fits if v.visit.window_start <= self.now]
            chosen = 0
            for v in future[:2] + past[:2] + future[2:] + past[2:]:
                if chosen == DEMO_VISITS_TODAY:
                    break
                if not self.free(member, v.visit.window_start, v.visit.window_end):
                    continue
                if self.assign(v, [member]):
                    v.reserved = True
                    chosen += 1

    def staff_visits(self) -> None:
        last_staffed = self.today + dt.timedelta(days=STAFFED_AHEAD_DAYS)
        order = sorted(
            (v for v in self.visits if not v.reserved),
            key=lambda v: (v.visit.window_start, v.visit.window_end),
        )
        for v in order:
            future = v.visit.window_start > self.now
            if future and v.day > last_staffed:
                continue
            self.assign(v, [], strict=future)
            if not v.staff and not future:
                v.ep.visits.remove(v)
        self.visits = [v for v in self.visits if v in v.ep.visits]

    def assign(self, v: _Visit, must: list[_Member], *, strict: bool = False) -> bool:
        """Staff for a visit: the named worker and the episode's core most often (CORE 36c),
        the skill the visit needs, nobody double-booked; on shift where the rota reaches (for
        a visit still to come, only on shift)."""
        visit = v.visit
        start, end, on = visit.window_start, visit.window_end, v.day
        chosen = list(must)
        shift = self.on_shift(start, end)
        while len(chosen) < visit.staff_needed:
            need = self.unmet(visit, chosen, on)
            member = self.first_free(v, need, chosen, shift, strict)
            if member is None:
                break
            chosen.append(member)
        if self.unmet(visit, chosen, on) is not None:
            return False  # nobody free with the skill the visit needs: left for the coordinator
        for m in chosen:
            self.book(m.staff_id, start, end)
            self.visit_staff.append(
                _stamp(
                    VisitStaff(
                        visit_id=visit.pk, staff_id=m.staff_id, assigned_by_id=visit.planned_by_id
                    ),
                    visit.created_at,
                )
            )
        v.staff = chosen
        return bool(chosen)

    def unmet(
        self, visit: Visit, chosen: list[_Member], on: dt.date
    ) -> Callable[[_Member], bool] | None:
        """What the next member of staff must be, or None when the visit's needs are met."""
        if visit.needs_prescriber and not any(m.prescriber for m in chosen):
            return lambda m: m.prescriber and m.registered(on)
        if visit.needs_psychologist and not any(m.psychologist for m in chosen):
            return lambda m: m.psychologist
        if visit.needs_registered_practitioner and not any(m.registered(on) for m in chosen):
            return lambda m: m.registered(on)
        return None

    def first_free(
        self,
        v: _Visit,
        need: Callable[[_Member], bool] | None,
        chosen: list[_Member],
        shift: frozenset[uuid.UUID] | None,
        strict: bool,
    ) -> _Member | None:
        ep, visit, rng = v.ep, v.visit, self.rng
        start, end, on = visit.window_start, visit.window_end, v.day
        named = ep.named_at(start)
        core = rng.sample(ep.core, len(ep.core))
        offset = rng.randrange(len(self.visitors))
        everyone = self.visitors[offset:] + self.visitors[:offset]
        if need is not None and not chosen:
            # A prescriber or psychologist is whoever is free: the core is for continuity.
            first = [named] if need(named) and self.chance(0.75) else []
        else:
            first = [named] if self.chance(0.45 if chosen else 0.5) else []
        tiers = (first, core, everyone)
        passes = (True, False) if shift is not None and not strict else (shift is not None,)
        for want_shift in passes:
            for tier in tiers:
                for m in tier:
                    if (
                        m not in chosen
                        and m.joined <= on
                        and (need is None or need(m))
                        and (not want_shift or shift is None or m.staff_id in shift)
                        and self.free(m, start, end)
                    ):
                        return m
        return None

    # --- what happened at each visit -----------------------------------------------------

    def outcome(self, v: _Visit) -> None:
        visit, ep, rng = v.visit, v.ep, self.rng
        self.visit_statuses.append(
            _stamp(
                VisitStatusChange(
                    visit_id=visit.pk,
                    status=VisitStatus.PLANNED,
                    changed_by_id=visit.planned_by_id,
                    changed_at=visit.created_at,
                ),
                visit.created_at,
            )
        )
        if visit.window_start >= self.now or v.in_progress or not v.staff:
            return
        attendance = self.weighted(ATTENDANCE)
        start, end = visit.window_start, visit.window_end
        phone = attendance in (Attendance.CANCELLED_BY_PERSON, Attendance.CANCELLED_BY_TEAM)
        if phone:
            started = start - dt.timedelta(minutes=rng.randint(30, 240))
            started = max(started, visit.created_at + MINUTE)
            ended = started + dt.timedelta(minutes=rng.randint(3, 8))
        else:
            u = rng.random()
            if u < LATE:
                late = rng.choices(
                    (rng.randint(1, 15), rng.randint(16, 60), rng.randint(61, 120)),
                    weights=(45, 45, 10),
                )[0]
                started = end + dt.timedelta(minutes=late)
            elif u < LATE + EARLY:
                started = start - dt.timedelta(minutes=rng.randint(5, 20))
            else:
                started = start + dt.timedelta(
                    minutes=rng.randint(0, int((end - start).total_seconds() // 60) - 5)
                )
            if attendance == Attendance.ATTENDED:
                minutes = rng.randint(15, 25) if self.chance(0.08) else 5 * rng.randint(6, 12)
            else:
                minutes = rng.randint(5, 12)
            ended = started + dt.timedelta(minutes=minutes)
            if ep.end is not None and ended > ep.end - MINUTE:
                # The discharge visit happened before the episode was closed.
                started, ended = start, start + dt.timedelta(minutes=minutes)
        if ended > self.now:
            return  # not recorded yet
        outside = None if phone else minutes_outside_window(visit, started)
        phoned = None
        if outside is not None and outside > LATE_MINUTES:
            phoned = self.chance(PHONED_WHEN_LATE)
        who = v.staff[0]
        recorded_at = min(ended + dt.timedelta(minutes=rng.randint(1, 25)), self.now)
        note = self.note(attendance, visit.location)
        written_at = self.note_written(ended, recorded_at)
        contact = _stamp(
            CareContact(
                episode_id=ep.episode.pk,
                visit_id=visit.pk,
                started_at=started,
                ended_at=ended,
                medium=Medium.TELEPHONE if phone else Medium.FACE_TO_FACE,
                location="" if phone else visit.location,
                location_detail="" if phone else visit.location_detail,
                attendance=attendance,
                note=note if written_at else "",
                note_written_at=written_at,
                minutes_outside_window=outside,
                phoned_about_lateness=phoned,
                recorded_by_id=who.user.pk,
                recorded_at=recorded_at,
                version=2 if written_at and written_at > recorded_at else 1,
            ),
            recorded_at,
            max(recorded_at, written_at or recorded_at),
        )
        v.contact = contact
        self.care_contacts.append(contact)
        staff = [who] if phone else v.staff
        through = CareContact.staff.through
        self.contact_staff += [
            through(carecontact_id=contact.pk, staffmember_id=m.staff_id) for m in staff
        ]
        visit.status, visit.version = attendance, 2
        visit.updated_at = recorded_at
        self.visit_statuses.append(
            _stamp(
                VisitStatusChange(
                    visit_id=visit.pk,
                    status=attendance,
                    changed_by_id=who.user.pk,
                    changed_at=recorded_at,
                    note="Contact recorded",
                ),
                recorded_at,
            )
        )
        if attendance == Attendance.ATTENDED:
            self.worked_on(ep, contact, who)

    def worked_on(self, ep: _Ep, contact: CareContact, who: _Member) -> None:
        """The goals and interventions a contact was about, and sometimes a progress entry."""
        at = contact.started_at
        if ep.plan_at is None or at < ep.plan_at:
            return
        rng = self.rng
        goals = [g for g, _ in ep.goals if self.goal_active(ep, g, at)]
        items = [(i, gs) for i, gs in ep.interventions if i.stopped_at is None or i.stopped_at > at]
        if goals:
            picked = rng.sample(goals, min(len(goals), rng.choice((1, 1, 2))))
            through = CareContact.goals.through
            self.contact_goals += [through(carecontact_id=contact.pk, goal_id=g.pk) for g in picked]
            if self.chance(PROGRESS_AT_CONTACT):
                self.goal_progress(ep, picked[0], contact.ended_at, who, contact)
            related = [i for i, gs in items if any(g in picked for g in gs)]
            others = [i for i, _ in items if i not in related]
            chosen = related[:1] + rng.sample(others, min(len(others), rng.choice((0, 1))))
            through_i = CareContact.interventions.through
            self.contact_interventions += [
                through_i(carecontact_id=contact.pk, intervention_id=i.pk) for i in chosen
            ]

    def note(self, attendance: str, location: str) -> str:
        rng = self.rng
        if attendance == Attendance.ATTENDED:
            opener = rng.choice(text.SEEN_OPENERS.get(location, text.SEEN_OPENERS["home"]))
            middles = rng.sample(text.SEEN_MIDDLES, 2)
            return " ".join((opener, *middles, rng.choice(text.SEEN_PLANS)))
        return rng.choice(
            {
                Attendance.NOT_AT_HOME: text.NOT_AT_HOME_NOTES,
                Attendance.DECLINED: text.DECLINED_NOTES,
                Attendance.CANCELLED_BY_PERSON: text.CANCELLED_BY_PERSON_NOTES,
                Attendance.CANCELLED_BY_TEAM: text.CANCELLED_BY_TEAM_NOTES,
            }[Attendance(attendance)]
        )

    def note_written(self, ended: dt.datetime, recorded_at: dt.datetime) -> dt.datetime | None:
        """Written up the same day for most (CORE item 33d: at least 90%), on a later day for
        the rest; None when that later day has not come yet."""
        rng = self.rng
        day = local_date(ended)
        if self.chance(NOTES_SAME_DAY):
            if self.chance(0.7):
                return recorded_at
            end_of_day = local_instant(day + DAY, dt.time(0, 0)) - MINUTE
            at = min(recorded_at + dt.timedelta(minutes=rng.randint(10, 180)), end_of_day, self.now)
            return max(at, recorded_at)
        later = self.at_local(day + dt.timedelta(days=rng.randint(1, 2)), rng.randint(8, 11))
        return later if later <= self.now else None

    def phone_calls(self, ep: _Ep) -> None:
        """Unplanned calls and the odd video call between visits."""
        if not ep.visits:
            return
        rng = self.rng
        first = max(local_date(ep.start), self.first_visit_day)
        last = min(local_date(ep.until), self.today)
        day = first
        while day <= last:
            if self.chance(UNPLANNED_CALL_PER_DAY):
                night = self.chance(0.2)
                video = not night and self.chance(0.08)
                hour = rng.choice((22, 23, 0, 1, 2)) if night else rng.randint(9, 20)
                started = self.at_local(day, hour, rng.randint(0, 59))
                ended = started + dt.timedelta(
                    minutes=rng.randint(15, 30) if video else rng.randint(5, 25)
                )
                if started > ep.start and ended <= min(ep.end or self.now, self.now):
                    self.phone_call(ep, started, ended, video)
            day += DAY

    def phone_call(self, ep: _Ep, started: dt.datetime, ended: dt.datetime, video: bool) -> None:
        rng = self.rng
        named = ep.named_at(started)
        who = named if self.chance(0.4) else rng.choice(self.practitioners)
        recorded_at = min(ended + dt.timedelta(minutes=rng.randint(2, 20)), self.now)
        contact = _stamp(
            CareContact(
                episode_id=ep.episode.pk,
                started_at=started,
                ended_at=ended,
                medium=Medium.VIDEO if video else Medium.TELEPHONE,
                location="",
                attendance=Attendance.ATTENDED,
                note=rng.choice(text.VIDEO_NOTES if video else text.PHONE_NOTES),
                note_written_at=recorded_at,
                recorded_by_id=who.user.pk,
                recorded_at=recorded_at,
            ),
            recorded_at,
        )
        self.care_contacts.append(contact)
        through = CareContact.staff.through
        self.contact_staff.append(through(carecontact_id=contact.pk, staffmember_id=who.staff_id))
        if ep.plan_at is not None and started > ep.plan_at and self.chance(0.3):
            goals = [g for g, _ in ep.goals if self.goal_active(ep, g, started)]
            if goals:
                self.contact_goals.append(
                    CareContact.goals.through(
                        carecontact_id=contact.pk, goal_id=rng.choice(goals).pk
                    )
                )

    # --- medicine deliveries -------------------------------------------------------------

    def medicine_deliveries(self, eps: list[_Ep]) -> None:
        rng = self.rng
        for ep in eps:
            if not ep.delivers:
                continue
            seen = [
                v
                for v in ep.visits
                if v.contact is not None
                and v.contact.attendance == Attendance.ATTENDED
                and v.contact.medium == Medium.FACE_TO_FACE
            ]
            moments: list[tuple[dt.datetime, _Member, Visit | None]] = []
            if seen:
                next_at = seen[0].contact.started_at  # type: ignore[union-attr]
                for v in seen:
                    at = v.contact.started_at  # type: ignore[union-attr]
                    if at >= next_at:
                        moments.append((at, v.staff[0], v.visit))
                        next_at = at + dt.timedelta(days=rng.choice((3, 7, 7)))
            elif min(ep.until, self.now) > ep.start + HOUR:
                # Before the visit history: the deliveries without the visits they came with.
                latest = min(ep.until, self.now)
                for _ in range(rng.randint(1, 3)):
                    at = self.between(ep.start + HOUR, latest)
                    moments.append((at, ep.named_at(at), None))
                moments.sort(key=lambda m: m[0])
            for at, who, visit in moments[:4]:
                on = local_date(at)
                meds = [
                    m
                    for m in ep.meds
                    if (m.stopped_on is None or m.stopped_on >= on) and m.created_at <= at
                ]
                if not meds:
                    continue
                delivery = _stamp(
                    MedicationDelivery(
                        episode_id=ep.episode.pk,
                        delivered_at=at,
                        delivered_by_id=who.staff_id,
                        visit_id=visit.pk if visit else None,
                        supply=rng.choice(text.SUPPLIES),
                        recorded_by_id=who.user.pk,
                    ),
                    at,
                )
                self.deliveries.append(delivery)
                through = MedicationDelivery.medications.through
                self.delivered += [
                    through(medicationdelivery_id=delivery.pk, medication_id=m.pk) for m in meds[:2]
                ]

    # --- lone working today --------------------------------------------------------------

    def lone_working_today(self) -> None:
        """Everyone who went out on a visit today checked in on arrival and out on leaving;
        one overran and the coordinator rang them (the alert closed)."""
        rang = False
        for v in self.visits:
            contact = v.contact
            if (
                contact is None
                or v.day != self.today
                or contact.medium != Medium.FACE_TO_FACE
                or v.in_progress
            ):
                continue
            for m in v.staff:
                expected = contact.started_at + dt.timedelta(minutes=v.visit.expected_minutes)
                check = _stamp(
                    LoneWorkingCheck(
                        staff_id=m.staff_id,
                        team_id=self.main.pk,
                        visit_id=v.visit.pk,
                        location=self.address(v.ep.person),
                        checked_in_at=contact.started_at,
                        expected_end_at=expected,
                        checked_out_at=contact.ended_at,
                        checked_out_by_id=m.user.pk,
                        status=CheckInStatus.CHECKED_OUT,
                    ),
                    contact.started_at,
                    contact.ended_at,
                )
                self.checks.append(check)
                coordinator = self.coordinator_at(expected)
                if (
                    not rang
                    and coordinator is not None
                    and coordinator is not m
                    and contact.ended_at > expected + 10 * MINUTE
                ):
                    rang = True
                    taken_at = expected + dt.timedelta(minutes=self.rng.randint(3, 8))
                    self.alert_actions.append(
                        _stamp(
                            LoneWorkingAlertAction(
                                lone_check_id=check.pk,
                                action=Alert.PHONED_STAFF,
                                note="Rang them: still with the person, all fine. They checked "
                                "out soon after.",
                                was_due_at=expected,
                                taken_by_id=coordinator.user.pk,
                                taken_at=taken_at,
                            ),
                            taken_at,
                        )
                    )

    def address(self, person: Person) -> str:
        parts = (person.address_line_1, person.address_line_2, person.town, person.postcode)
        return ", ".join(p for p in parts if p) or "Home address"

    # --- saving --------------------------------------------------------------------------

    def save(self) -> None:
        Episode.objects.bulk_update(
            self.changed_episodes,
            ["named_worker", "paired_visits_required", "paired_visits_reason", "version"],
            batch_size=500,
        )
        stamped = (
            NamedWorkerChange,
            EpisodeStatusChange,
            PairedVisitsChange,
            EpisodeReview,
            Medication,
            MedicationChange,
            CarePlan,
            Goal,
            GoalStatusChange,
            Intervention,
            Visit,
            VisitStaff,
            VisitStatusChange,
            CareContact,
            GoalProgress,
            WrittenPlanGiven,
            MedicationDelivery,
            LoneWorkingCheck,
            LoneWorkingAlertAction,
        )
        batches: list[tuple[type[models.Model], Sequence[models.Model]]] = [
            (NamedWorkerChange, self.named_rows),
            (EpisodeStatusChange, self.status_rows),
            (PairedVisitsChange, self.paired_rows),
            (EpisodeReview, self.reviews),
            (Medication, self.medications),
            (MedicationChange, self.medication_changes),
            (CarePlan, self.plans),
            (Goal, self.goals),
            (GoalStatusChange, self.goal_statuses),
            (Intervention, self.interventions),
            (Intervention.goals.through, self.intervention_goals),
            (Visit, [v.visit for v in self.visits]),
            (VisitStaff, self.visit_staff),
            (VisitStatusChange, self.visit_statuses),
            (CareContact, self.care_contacts),
            (CareContact.staff.through, self.contact_staff),
            (CareContact.goals.through, self.contact_goals),
            (CareContact.interventions.through, self.contact_interventions),
            (GoalProgress, self.progress),
            (WrittenPlanGiven, self.given),
            (WrittenPlanGiven.to_contacts.through, self.given_to),
            (MedicationDelivery, self.deliveries),
            (MedicationDelivery.medications.through, self.delivered),
            (LoneWorkingCheck, self.checks),
            (LoneWorkingAlertAction, self.alert_actions),
        ]
        with _historic_stamps(*stamped):
            for model, rows in batches:
                model._default_manager.bulk_create(rows, batch_size=2000)


def _local_time(instant: dt.datetime) -> dt.time:
    return instant.astimezone(LONDON).time().replace(second=0, microsecond=0)


def _round_up_half_hour(t: dt.time) -> dt.time:
    minutes = t.hour * 60 + t.minute
    minutes = min(-(-minutes // 30) * 30, 23 * 60 + 30)
    return dt.time(minutes // 60, minutes % 60)
