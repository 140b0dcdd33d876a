"""An independent check of a real day's plan, apart from the solver: it reads only the day
(visits, staff on shift, places, travel) and the plan as rows of (visit, staff member, start),
and recomputes everything it reports. Used on every plan the planner stores, on the
coordinator's hand plan in the benchmark, and in the tests on hand-built broken plans.

Hard rules (a break is a *problem*, and a stored plan with problems is failed):

- every visit is assigned, or listed as unplanned with a reason (never both, never neither);
- a visit has exactly the number of distinct staff it needs;
- between them they meet its needs (registered practitioner, prescriber, psychologist);
- no start before the window opens; paired visits start together (both staff arrive together);
- each member of staff's run fits their shift: leaving the start place no earlier than the
  shift starts and back by the time it ends;
- no double booking: each visit starts no earlier than the previous one ended plus the
  travel between them (at the time of day they leave).

Soft (figures): minutes late against each window, travel minutes and km, different staff per
person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from .travel import Place, TravelModel

TOLERANCE = 0.5  # minutes: planned starts are stored to the second; allow rounding


@dataclass(frozen=True)
class CheckVisit:
    key: Hashable
    person: Hashable
    place: Place
    open_min: float
    close_min: float
    duration: float
    staff_needed: int
    needs: frozenset[str]
    label: str = ""


@dataclass(frozen=True)
class CheckStaff:
    key: Hashable
    qualities: frozenset[str]
    start_min: float
    end_min: float
    start_place: Place
    end_place: Place
    label: str = ""


@dataclass(frozen=True)
class Row:
    visit: Hashable
    staff: Hashable
    start_min: float


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    late: dict[Hashable, float] = field(default_factory=dict)  # visit -> minutes late
    travel_minutes: float = 0.0
    travel_km: float = 0.0
    planned: int = 0
    unplanned: int = 0
    staff_per_person: dict[Hashable, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def windows_missed(self) -> int:
        return sum(1 for minutes in self.late.values() if minutes > TOLERANCE)

    @property
    def minutes_late(self) -> float:
        return sum(m for m in self.late.values() if m > TOLERANCE)

    @property
    def mean_staff_per_person(self) -> float:
        if not self.staff_per_person:
            return 0.0
        return sum(self.staff_per_person.values()) / len(self.staff_per_person)


def check_plan(
    *,
    visits: Iterable[CheckVisit],
    staff: Iterable[CheckStaff],
    rows: Iterable[Row],
    unplanned: dict[Hashable, str],
    travel: TravelModel,
    clock: dt.datetime,
) -> Report:
    """`clock` is the UTC instant of minute 0 (London midnight), for speeds by time of day."""
    by_visit = {v.key: v for v in visits}
    by_staff = {s.key: s for s in staff}
    report = Report()
    rows = list(rows)

    def at(minute: float) -> dt.time:
        from crisis_care.core.clock import LONDON

        return (clock + dt.timedelta(minutes=minute)).astimezone(LONDON).time()

    assigned: dict[Hashable, list[Row]] = defaultdict(list)
    for row in rows:
        if row.visit not in by_visit:
            report.problems.append(f"A plan row names a visit that is not in the day: {row.visit}")
            continue
        if row.staff not in by_staff:
            report.problems.append(
                f"{by_visit[row.visit].label}: given to someone not on shift ({row.staff})"
            )
            continue
        assigned[row.visit].append(row)

    for key, visit in by_visit.items():
        mine = assigned.get(key, [])
        reason = unplanned.get(key)
        if not mine and not reason:
            report.problems.append(f"{visit.label}: neither planned nor listed as unplanned")
            continue
        if mine and reason is not None:
            report.problems.append(f"{visit.label}: both planned and listed as unplanned")
        if not mine:
            report.unplanned += 1
            continue
        report.planned += 1
        who = {r.staff for r in mine}
        if len(who) != len(mine) or len(who) != visit.staff_needed:
            report.problems.append(
                f"{visit.label}: needs {visit.staff_needed} different staff, has {len(who)} "
                f"in {len(mine)} rows"
            )
        covered = frozenset().union(*(by_staff[s].qualities for s in who))
        if not visit.needs <= covered:
            missing = ", ".join(sorted(visit.needs - covered))
            report.problems.append(f"{visit.label}: needs {missing}, which nobody assigned has")
        starts = [r.start_min for r in mine]
        if min(starts) < visit.open_min - TOLERANCE:
            report.problems.append(
                f"{visit.label}: starts {visit.open_min - min(starts):.0f} minutes before "
                "the window opens"
            )
        if max(starts) - min(starts) > TOLERANCE:
            report.problems.append(
                f"{visit.label}: the two staff do not arrive together "
                f"({max(starts) - min(starts):.0f} minutes apart)"
            )
        report.late[key] = max(0.0, max(starts) - visit.close_min)

    faces: dict[Hashable, set[Hashable]] = defaultdict(set)
    for key, mine in assigned.items():
        for r in mine:
            faces[by_visit[key].person].add(r.staff)
    report.staff_per_person = {p: len(s) for p, s in faces.items()}

    runs: dict[Hashable, list[Row]] = defaultdict(list)
    for mine in assigned.values():
        for r in mine:
            runs[r.staff].append(r)
    for staff_key, run in runs.items():
        member = by_staff[staff_key]
        run.sort(key=lambda r: r.start_min)
        first = by_visit[run[0].visit]
        # Setting off when the shift starts, can they be at the first visit by its start?
        out = travel.minutes(member.start_place, first.place, at(member.start_min))
        if member.start_min + out > run[0].start_min + TOLERANCE:
            report.problems.append(
                f"{member.label}: would have to leave "
                f"{member.start_min + out - run[0].start_min:.0f} minutes before their shift "
                f"starts to reach {first.label}"
            )
        report.travel_minutes += out
        report.travel_km += travel.km(member.start_place, first.place)
        for before, after in pairwise(run):
            a, b = by_visit[before.visit], by_visit[after.visit]
            ends = before.start_min + a.duration
            trip = travel.minutes(a.place, b.place, at(ends))
            report.travel_minutes += trip
            report.travel_km += travel.km(a.place, b.place)
            if after.start_min < ends + trip - TOLERANCE:
                report.problems.append(
                    f"{member.label}: double booked: {b.label} starts "
                    f"{ends + trip - after.start_min:.0f} minutes before they can get there "
                    f"from {a.label}"
                )
        last = by_visit[run[-1].visit]
        ends = run[-1].start_min + last.duration
        back = travel.minutes(last.place, member.end_place, at(ends))
        report.travel_minutes += back
        report.travel_km += travel.km(last.place, member.end_place)
        if ends + back > member.end_min + TOLERANCE:
            report.problems.append(
                f"{member.label}: back {ends + back - member.end_min:.0f} minutes after "
                "their shift ends"
            )
    return report
