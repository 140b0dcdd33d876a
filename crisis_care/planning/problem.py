"""The day's planning problem, read from the records: a team's visits on a London date, the
staff on shift, and what each of them costs in continuity of care; mapped to the solver's
general model (`solver.model.Problem`) in minutes from London midnight (real minutes, so a day
with a clock change is 23 or 25 hours long and travel stays right across it).

What comes from where:

- visits: treatment `Visit` rows of the team's episodes whose window starts that day, still
  planned, or already done (a `CareContact` exists) or in progress (an open lone working
  check-in). Done and in-progress visits are *pinned*: the solver must give them to the staff
  who did them, at the time they happened (a skill only that member of staff has, and a
  window of one minute);
- skills: a visit's needs (registered practitioner, prescriber, psychologist) as in
  `treatment.services.visits.qualities`; on a paired visit the two staff between them must
  cover the needs, so a psychologist need goes to the second member of staff when the first
  must also be a prescriber, and every other need to the first;
- staff: everyone assigned to a shift of the team that overlaps the day, except the shift's
  coordinator (who stays at the base to run the day) and administrators; their working time
  is the span of their shifts within the day; they start and end at the team base unless a
  home postcode is recorded (`StaffHome`);
- continuity (CORE item 36), as an extra cost in travel-minute equivalents per visit:
  the person's named worker 0, someone who has already seen the person in this episode
  SEEN_BEFORE_COST (20), a new face NEW_FACE_COST (60); when re-planning, giving a visit to
  someone other than the staff already assigned (published) adds MOVE_COST (20);
- objective weights: travel minutes 1, each minute late 100 (total) plus 50 (the latest single
  visit), each minute after a shift's end 1000 (so the search treats shifts as a rule).

A visit that no one on shift could do (nobody with the skill, nobody whose shift covers the
window, or only one person for a paired visit) is not given to the solver: it is listed as
unplaceable with why and what would make it fit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q

from crisis_care.core.clock import LONDON, local_instant
from crisis_care.core.presenters import time_short
from crisis_care.treatment.models import CareContact, CheckInStatus, LoneWorkingCheck, Visit
from crisis_care.treatment.models.visits import VisitStatus
from crisis_care.treatment.services.visits import (
    NEED_LABELS,
    PRESCRIBER,
    PSYCHOLOGIST,
    qualities,
    visit_needs,
)
from crisis_care.workforce.models import Profession, ShiftAssignment, StaffMember, Team
from crisis_care.workforce.selectors import staff_with_registrations

from .solver.model import Problem, Service, Staff, Weights
from .solver.model import Visit as SolverVisit
from .travel import CoordinateTravel, Place, TravelModel, place_for_postcode, team_base

SEEN_BEFORE_COST = 20.0
NEW_FACE_COST = 60.0
MOVE_COST = 20.0
WEIGHTS = Weights(
    distance=1.0, total_tardiness=100.0, max_tardiness=50.0, overtime=1000.0, preference=1.0
)


@dataclass(frozen=True)
class DayVisit:
    visit: Visit
    place: Place
    place_index: int
    open_min: float
    close_min: float
    duration: float
    needs: frozenset[str]
    # Pinned visits: (staff indexes, start minute). None means the planner decides.
    pinned_to: tuple[tuple[int, ...], float] | None = None

    @property
    def label(self) -> str:
        return str(self.visit.episode.person)


@dataclass(frozen=True)
class DayStaff:
    member: StaffMember
    start_min: float
    end_min: float
    qualities: frozenset[str]
    start_place: int
    end_place: int


@dataclass(frozen=True)
class Unplaceable:
    visit: Visit
    reason: str
    suggestion: str


@dataclass
class DayProblem:
    team: Team
    day: dt.date
    midnight: dt.datetime  # UTC instant of London midnight
    places: list[Place]
    visits: list[DayVisit]
    staff: list[DayStaff]
    unplaceable: list[Unplaceable]
    travel: TravelModel
    problem: Problem
    # visit index -> staff indexes already assigned (published or booked by hand)
    current: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def instant(self, minute: float) -> dt.datetime:
        return self.midnight + dt.timedelta(minutes=minute)

    def clock(self, minute: float) -> dt.time:
        return self.instant(minute).astimezone(LONDON).time()


def need_phrase(needs: frozenset[str] | set[str]) -> str:
    """'a psychologist and a prescriber' (or 'a member of staff' when nothing special)."""
    if not needs:
        return "a member of staff"
    return " and ".join(NEED_LABELS[n] for n in sorted(needs))


def split_needs(needs: frozenset[str], staff_needed: int) -> tuple[frozenset[str], ...]:
    """The needs each member of staff of the visit must meet (see the module docstring)."""
    if staff_needed == 1:
        return (needs,)
    if PRESCRIBER in needs and PSYCHOLOGIST in needs:
        return (needs - {PSYCHOLOGIST}, frozenset({PSYCHOLOGIST}))
    return (needs, frozenset())


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return local_instant(day, dt.time(0)), local_instant(day + dt.timedelta(days=1), dt.time(0))


def _minutes(midnight: dt.datetime, instant: dt.datetime) -> float:
    return (instant - midnight).total_seconds() / 60.0


def day_visits(*, team: Team, day: dt.date) -> list[Visit]:
    """The team's visits of the day to plan or keep: planned, done or in progress."""
    start, end = _day_bounds(day)
    return list(
        Visit.objects.filter(episode__team=team, window_start__gte=start, window_start__lt=end)
        .filter(Q(status=VisitStatus.PLANNED) | Q(care_contact__isnull=False))
        .select_related("episode__person", "episode__named_worker", "care_contact")
        .prefetch_related(
            "staff_links",
            Prefetch("care_contact__staff", queryset=StaffMember.objects.only("pk")),
            Prefetch(
                "lone_checks",
                queryset=LoneWorkingCheck.objects.filter(status=CheckInStatus.CHECKED_IN),
                to_attr="open_checks",
            ),
        )
        .order_by("window_start", "pk")
    )


def day_staff(*, team: Team, day: dt.date) -> list[tuple[StaffMember, dt.datetime, dt.datetime]]:
    """Staff on the team's shifts overlapping the day, with the span of their shifts in it."""
    start, end = _day_bounds(day)
    spans: dict[uuid.UUID, list[dt.datetime]] = {}
    for assignment in ShiftAssignment.objects.filter(
        shift__team=team, shift__starts_at__lt=end, shift__ends_at__gt=start
    ).select_related("shift"):
        if assignment.is_coordinator:
            continue
        s, e = max(start, assignment.shift.starts_at), min(end, assignment.shift.ends_at)
        span = spans.setdefault(assignment.staff_id, [s, e])
        span[0], span[1] = min(span[0], s), max(span[1], e)
    members = (
        staff_with_registrations()
        .select_related("home")
        .filter(pk__in=spans.keys())
        .exclude(profession=Profession.ADMINISTRATOR)
        .order_by("user__last_name", "user__first_name", "pk")
    )
    return [(m, spans[m.pk][0], spans[m.pk][1]) for m in members]


def build_day_problem(*, team: Team, day: dt.date, travel: TravelModel | None = None) -> DayProblem:
    travel = travel or CoordinateTravel()
    midnight, next_midnight = _day_bounds(day)
    day_length = _minutes(midnight, next_midnight)
    base = team_base(
        team.base_postcode, getattr(settings, "PLANNER_DEFAULT_BASE_POSTCODE", "LE3 9EJ")
    )
    places: list[Place] = [base]
    index_of: dict[str, int] = {base.key: 0}

    def place_index(place: Place) -> int:
        if place.key not in index_of:
            index_of[place.key] = len(places)
            places.append(place)
        return index_of[place.key]

    # Staff on shift.
    staff: list[DayStaff] = []
    for member, s, e in day_staff(team=team, day=day):
        home = getattr(member, "home", None)
        at = place_for_postcode(home.postcode, fallback=base) if home is not None else base
        where = place_index(at)
        staff.append(
            DayStaff(
                member=member,
                start_min=max(0.0, _minutes(midnight, s)),
                end_min=min(day_length, _minutes(midnight, e)),
                qualities=frozenset(qualities(member, on=day)),
                start_place=where,
                end_place=where,
            )
        )
    staff_index = {s.member.pk: k for k, s in enumerate(staff)}

    rows = day_visits(team=team, day=day)
    episodes = {v.episode_id for v in rows}
    seen: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for episode_id, staff_id in CareContact.staff.through.objects.filter(
        carecontact__episode_id__in=episodes
    ).values_list("carecontact__episode_id", "staffmember_id"):
        seen[episode_id].add(staff_id)

    visits: list[DayVisit] = []
    unplaceable: list[Unplaceable] = []
    current: dict[int, tuple[int, ...]] = {}
    for v in rows:
        person = v.episode.person
        located = place_for_postcode(person.postcode, fallback=base)
        open_min = _minutes(midnight, v.window_start)
        close_min = _minutes(midnight, v.window_end)
        needs = frozenset(visit_needs(v))
        pinned = _pinned(v, midnight, staff_index)
        if pinned is None and v.status != VisitStatus.PLANNED:
            continue  # done by someone not on shift today: nothing to plan around
        if pinned is None:
            why = _cannot_place(v, needs, open_min, close_min, staff, midnight)
            if why is not None:
                unplaceable.append(why)
                continue
        assigned = tuple(
            staff_index[link.staff_id]
            for link in v.staff_links.all()
            if link.staff_id in staff_index
        )
        if assigned:
            current[len(visits)] = assigned
        visits.append(
            DayVisit(
                visit=v,
                place=located,
                place_index=place_index(located),
                open_min=open_min,
                close_min=close_min,
                duration=float(v.expected_minutes),
                needs=needs,
                pinned_to=pinned,
            )
        )

    problem = _to_solver(visits, staff, places, travel, seen, current)
    return DayProblem(
        team=team,
        day=day,
        midnight=midnight,
        places=places,
        visits=visits,
        staff=staff,
        unplaceable=unplaceable,
        travel=travel,
        problem=problem,
        current=current,
    )


def _pinned(
    v: Visit, midnight: dt.datetime, staff_index: dict[uuid.UUID, int]
) -> tuple[tuple[int, ...], float] | None:
    contact = getattr(v, "care_contact", None)
    if contact is not None:
        who = [staff_index.get(s.pk) for s in contact.staff.all()]
        at = contact.started_at
    elif v.open_checks:  # type: ignore[attr-defined]
        check = v.open_checks[0]  # type: ignore[attr-defined]
        who = [staff_index.get(check.staff_id)] + [
            staff_index.get(link.staff_id)
            for link in v.staff_links.all()
            if link.staff_id != check.staff_id
        ]
        at = check.checked_in_at
    else:
        return None
    known = tuple(k for k in who if k is not None)[: v.staff_needed]
    if len(known) < v.staff_needed:
        return None
    return known, _minutes(midnight, at)


def _available(s: DayStaff, open_min: float, close_min: float, duration: float) -> bool:
    return s.start_min <= close_min and max(open_min, s.start_min) + duration <= s.end_min


def _cannot_place(
    v: Visit,
    needs: frozenset[str],
    open_min: float,
    close_min: float,
    staff: list[DayStaff],
    midnight: dt.datetime,
) -> Unplaceable | None:
    window = f"{time_short(v.window_start)}–{time_short(v.window_end)}"
    parts = split_needs(needs, v.staff_needed)
    for part in parts:
        skilled = [s for s in staff if part <= s.qualities]
        if not skilled:
            who = need_phrase(part).removeprefix("a ")
            return Unplaceable(
                v,
                f"No {who} on shift" if part else "Nobody on shift to do visits",
                f"Add {need_phrase(part)} to a shift that day",
            )
        if not any(_available(s, open_min, close_min, v.expected_minutes) for s in skilled):
            who = need_phrase(part).removeprefix("a ")
            return Unplaceable(
                v,
                f"Window {window} but no {who} is on shift then",
                f"Move the window into the shifts of {need_phrase(part)} on duty, "
                f"or add {need_phrase(part)} to a shift covering {window}",
            )
    if len(parts) == 2:
        first = {
            s.member.pk
            for s in staff
            if parts[0] <= s.qualities and _available(s, open_min, close_min, v.expected_minutes)
        }
        second = {
            s.member.pk
            for s in staff
            if parts[1] <= s.qualities and _available(s, open_min, close_min, v.expected_minutes)
        }
        if not any(a != b for a in first for b in second):
            return Unplaceable(
                v,
                f"Needs two staff together in {window} but only one suitable member of staff "
                "is on shift then",
                f"Add a second member of staff to a shift covering {window}",
            )
    return None


def _to_solver(
    visits: list[DayVisit],
    staff: list[DayStaff],
    places: list[Place],
    travel: TravelModel,
    seen: dict[uuid.UUID, set[uuid.UUID]],
    current: dict[int, tuple[int, ...]],
) -> Problem:
    # Skill ids: 0..n-1 for each distinct set of needs; then one private skill per member of
    # staff, for pinned visits.
    need_sets: dict[frozenset[str], int] = {frozenset(): 0}
    for dv in visits:
        for part in split_needs(dv.needs, dv.visit.staff_needed):
            need_sets.setdefault(part, len(need_sets))
    private = len(need_sets)
    matrix = [[travel.typical_minutes(a, b) for b in places] for a in places]
    solver_visits = []
    for dv in visits:
        v = dv.visit
        if dv.pinned_to is not None:
            who, at = dv.pinned_to
            services = tuple(Service(skill=private + k, duration=dv.duration) for k in who)
            solver_visits.append(
                SolverVisit(
                    place=dv.place_index,
                    window_open=at,
                    window_close=at,
                    services=services,
                    label=dv.label,
                )
            )
            continue
        services = tuple(
            Service(skill=need_sets[part], duration=dv.duration)
            for part in split_needs(dv.needs, v.staff_needed)
        )
        solver_visits.append(
            SolverVisit(
                place=dv.place_index,
                window_open=dv.open_min,
                window_close=dv.close_min,
                services=services,
                label=dv.label,
            )
        )
    solver_staff = []
    for k, s in enumerate(staff):
        skills = {sid for part, sid in need_sets.items() if part <= s.qualities}
        skills.add(private + k)
        costs: dict[int, float] = {}
        for j, dv in enumerate(visits):
            episode = dv.visit.episode
            if episode.named_worker_id == s.member.pk:
                cost = 0.0
            elif s.member.pk in seen.get(episode.pk, ()):
                cost = SEEN_BEFORE_COST
            else:
                cost = NEW_FACE_COST
            if j in current and k not in current[j]:
                cost += MOVE_COST
            if cost:
                costs[j] = cost
        solver_staff.append(
            Staff(
                skills=frozenset(skills),
                start_place=s.start_place,
                end_place=s.end_place,
                shift_start=s.start_min,
                shift_end=s.end_min,
                visit_cost=costs,
                label=str(s.member),
            )
        )
    return Problem(
        travel_time=matrix,
        distance=matrix,
        visits=tuple(solver_visits),
        staff=tuple(solver_staff),
        weights=WEIGHTS,
    )
