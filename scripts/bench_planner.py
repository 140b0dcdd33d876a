"""Benchmark the daily visit planner on a realistic demo day against a coordinator's hand plan.

Builds a throwaway database (SQLite in memory, or PostgreSQL when DATABASE_URL is set) with
the factories: one team based at Groby Road (LE3), PEOPLE (130) people in home treatment across
LLR postcode districts, about VISITS (200) planned one-hour windows between 08:00 and 20:30 on
one day (10 % paired, about a third needing a registered practitioner, a few a prescriber or a
psychologist; 20, 30 or 45 minutes), and STAFF (24) on an early (07:00–15:30) or late (13:00–21:30) shift, half of
them starting from home. Then, in one run:

- the planner: the real path (plan_run_request -> task -> solver for SECONDS -> independent
  check -> stored plan), then publishing through the treatment visit service;
- the coordinator's hand plan: each person's named worker does their visits in window order
  (when on shift and qualified; otherwise the colleague who can get there first); a paired
  visit gets the named worker plus the nearest free qualified colleague.

Both plans are measured by the same independent check (planning/validate_plan.py): travel
minutes, windows missed and minutes late, visits not planned, different staff per person,
paired visits dropped or not arriving together, and broken rules. Prints a Markdown table.

Run: DJANGO_SETTINGS_MODULE=crisis_care.config.settings.test .venv/bin/python scripts/bench_planner.py
     (BENCH_PLANNER_SECONDS=30 by default; BENCH_SEED=1)
"""

import os
import random
import sys
import tempfile
import time
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from crisis_care.planning.problem import DayProblem
    from crisis_care.planning.validate_plan import Row
    from crisis_care.workforce.models import StaffMember, Team

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crisis_care.config.settings.test")
os.environ.setdefault("CRISIS_CARE_VAR_DIR", tempfile.mkdtemp(prefix="crisis-care-bench-"))

import django

django.setup()

import datetime as dt  # noqa: E402

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

SECONDS = float(os.environ.get("BENCH_PLANNER_SECONDS", "30"))
SEED = int(os.environ.get("BENCH_SEED", "1"))
PEOPLE = 130
VISITS = 200
STAFF = 24
# Where people live: weighted towards Leicester and the towns (roughly by population, with
# crisis caseloads more urban than the county), not uniform across LLR districts.
DISTRICT_WEIGHTS = {
    "LE1": 3, "LE2": 8, "LE3": 8, "LE4": 8, "LE5": 8, "LE18": 4, "LE19": 3, "LE7": 3,
    "LE8": 3, "LE9": 3, "LE11": 5, "LE12": 3, "LE10": 4, "LE67": 4, "LE65": 2, "LE13": 3,
    "LE14": 1, "LE15": 2, "LE16": 3, "LE17": 2,
}  # fmt: skip


def postcode(rng: random.Random) -> str:
    district = rng.choices(list(DISTRICT_WEIGHTS), weights=list(DISTRICT_WEIGHTS.values()))[0]
    return f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def build_day(day: dt.date) -> tuple["Team", "StaffMember"]:
    from crisis_care.core.clock import local_instant
    from crisis_care.core.roles import Role
    from crisis_care.nonprod import factories
    from crisis_care.people.models import Person
    from crisis_care.planning.models import StaffHome
    from crisis_care.planning.tests import planner_data as data
    from crisis_care.treatment.models import Visit
    from crisis_care.workforce.models import StaffMember, Team

    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    team = cast(Team, factories.TeamFactory(name="LLR Crisis Resolution and Home Treatment"))
    manager = data.staff(team, Role.TEAM_MANAGER)
    roles = (
        [Role.REGISTERED_PRACTITIONER] * 14
        + [Role.SUPPORT_WORKER] * 5
        + [Role.PSYCHOLOGIST] * 2
        + [Role.DOCTOR] * 3
    )[:STAFF]
    staff: list[StaffMember] = [data.staff(team, role) for role in roles]
    rng.shuffle(staff)
    early, late = staff[: STAFF // 2], staff[STAFF // 2 :]
    data.on_shift(
        team, early, day, by=manager.user, name="Early", starts=dt.time(7), ends=dt.time(15, 30)
    )
    data.on_shift(
        team, late, day, by=manager.user, name="Late", starts=dt.time(13), ends=dt.time(21, 30)
    )
    for member in staff[::2]:
        StaffHome.objects.create(staff=member, postcode=postcode(rng))
    # Named workers: the qualified clinicians who carry a caseload.
    carriers = [s for s in staff if s.user.role == Role.REGISTERED_PRACTITIONER]
    episodes = data.episodes(team, by=manager.user, workers=carriers, count=PEOPLE, seed=SEED)
    for episode in episodes:
        episode.person.postcode = postcode(rng)
    Person.objects.bulk_update([e.person for e in episodes], ["postcode"])
    visits = []
    twice = VISITS - PEOPLE  # these people are visited twice: morning and late afternoon
    for n, episode in enumerate(episodes):
        # Half-hour slots: 16 = 08:00, 40 = 20:00. Once a day: any time from 08:00 to 19:00;
        # twice: a morning (08:00-13:30) and a late afternoon or evening (15:00-20:00) window.
        slots = (
            [rng.choice(range(16, 39))]
            if n >= twice
            else [
                rng.choice(range(16, 28)),
                rng.choice(range(30, 41)),
            ]
        )
        for slot in slots:
            start = local_instant(day, dt.time(slot // 2, 30 * (slot % 2)))
            r = rng.random()
            visits.append(
                Visit(
                    episode=episode,
                    window_start=start,
                    window_end=start + dt.timedelta(hours=1),
                    expected_minutes=rng.choice((20, 30, 30, 45)),
                    staff_needed=2 if r < 0.10 else 1,
                    needs_registered_practitioner=0.10 <= r < 0.40,
                    needs_prescriber=0.40 <= r < 0.44,
                    needs_psychologist=0.44 <= r < 0.48,
                    planned_by=manager.user,
                )
            )
    Visit.objects.bulk_create(visits)
    return team, manager


def hand_plan(day: "DayProblem") -> tuple[list["Row"], dict[Hashable, str]]:
    """The coordinator's plan, with what does not fit in the shifts taken off the end of runs
    (as the planner does), so both plans keep the shifts."""
    from crisis_care.planning.services import fit_shifts
    from crisis_care.planning.validate_plan import Row

    found = _hand_rows(day)
    kept, unfit = fit_shifts(day, found)
    rows = [Row(day.visits[j].visit.pk, day.staff[k].member.pk, start) for j, k, start, _ in kept]
    unplanned: dict[Hashable, str] = {u.visit.pk: u.reason for u in day.unplaceable + unfit}
    return rows, unplanned


def _hand_rows(day: "DayProblem") -> list[tuple[int, int, float, int]]:
    """The coordinator's plan: named worker first, in window order (see the module docstring)."""
    from crisis_care.planning.problem import split_needs

    free = [s.start_min for s in day.staff]
    where = [s.start_place for s in day.staff]
    index = {s.member.pk: k for k, s in enumerate(day.staff)}
    rows: list[tuple[int, int, float, int]] = []
    counts = [0] * len(day.staff)
    position = {id(dv): j for j, dv in enumerate(day.visits)}

    def arrival(k: int, place: int) -> float:
        return free[k] + day.travel.minutes(
            day.places[where[k]], day.places[place], day.clock(free[k])
        )

    def can(
        k: int, part: frozenset[str], open_min: float, close_min: float, duration: float
    ) -> bool:
        s = day.staff[k]
        return (
            part <= s.qualities
            and s.start_min <= close_min
            and max(open_min, s.start_min) + duration <= s.end_min
        )

    for dv in sorted(day.visits, key=lambda v: (v.open_min, str(v.visit.pk))):
        parts = split_needs(dv.needs, dv.visit.staff_needed)
        chosen: list[int] = []
        for part in parts:
            worker = dv.visit.episode.named_worker_id
            named = index.get(worker) if worker is not None else None
            if (
                named is not None
                and named not in chosen
                and can(named, part, dv.open_min, dv.close_min, dv.duration)
            ):
                chosen.append(named)
                continue
            options = [
                k
                for k in range(len(day.staff))
                if k not in chosen and can(k, part, dv.open_min, dv.close_min, dv.duration)
            ]
            chosen.append(min(options, key=lambda k: (arrival(k, dv.place_index), k)))
        start = max([dv.open_min] + [arrival(k, dv.place_index) for k in chosen])
        for k in chosen:
            rows.append((position[id(dv)], k, start, counts[k]))
            counts[k] += 1
            free[k] = start + dv.duration
            where[k] = dv.place_index
    return rows


def paired_dropped(day: "DayProblem", rows: list["Row"]) -> int:
    """Paired visits in the day without two staff arriving together (unplanned ones count)."""
    from crisis_care.planning.problem import DayProblem
    from crisis_care.planning.validate_plan import Row

    assert isinstance(day, DayProblem)
    by_visit: dict[Hashable, list[Row]] = {}
    for row in rows:
        assert isinstance(row, Row)
        by_visit.setdefault(row.visit, []).append(row)
    dropped = 0
    for dv in day.visits:
        if dv.visit.staff_needed != 2:
            continue
        mine = by_visit.get(dv.visit.pk, [])
        if len({r.staff for r in mine}) != 2 or abs(mine[0].start_min - mine[1].start_min) > 0.5:
            dropped += 1
    return dropped


def bench() -> None:
    from crisis_care.planning.models import PlanRun
    from crisis_care.planning.problem import build_day_problem
    from crisis_care.planning.services import check_rows, plan_run_publish, plan_run_request
    from crisis_care.planning.validate_plan import Row

    day_date = timezone.localdate() + dt.timedelta(days=1)
    started = time.perf_counter()
    team, manager = build_day(day_date)
    day = build_day_problem(team=team, day=day_date)
    paired = sum(1 for dv in day.visits if dv.visit.staff_needed == 2)
    print(
        f"# demo day {day_date}: {len(day.visits) + len(day.unplaceable)} visits "
        f"({paired} paired) for {PEOPLE} people, {len(day.staff)} staff on shift; "
        f"built in {time.perf_counter() - started:.1f}s; load average {os.getloadavg()[0]:.2f}"
    )

    hand_rows, hand_unplanned = hand_plan(day)
    hand = check_rows(day, hand_rows, hand_unplanned)

    t0 = time.perf_counter()
    run = plan_run_request(team=team, day=day_date, by=manager.user, seconds=SECONDS)
    wall = time.perf_counter() - t0
    run = PlanRun.objects.get(pk=run.pk)
    planner_rows = [
        Row(a.visit_id, a.staff_id, (a.planned_start - day.midnight).total_seconds() / 60)
        for a in run.assignments.all()
    ]
    planner = check_rows(day, planner_rows, {u.visit_id: u.reason for u in run.unplanned.all()})

    if run.status != "done":
        print(f"# planner run {run.status}: {run.error} {run.problems[:5]}")
        return
    t1 = time.perf_counter()
    plan_run_publish(run=run, by=manager.user)
    publish_s = time.perf_counter() - t1
    run.refresh_from_db()

    named: dict[Hashable, object] = {
        dv.visit.pk: dv.visit.episode.named_worker_id for dv in day.visits
    }

    def named_share(rows: list[Row]) -> float:
        return 100.0 * sum(1 for r in rows if named.get(r.visit) == r.staff) / max(1, len(rows))

    print(
        f"# planner run: status {run.status}, {wall:.1f}s wall (limit {SECONDS:.0f}s), "
        f"publish {publish_s:.1f}s, refused by the visit service: {len(run.publish_refusals)}"
    )
    for line in run.publish_refusals[:3]:
        print(f"#   refused: {line}")
    reasons: dict[str, int] = {}
    for u in run.unplanned.select_related("visit"):
        kind = u.reason.split(":")[0].split(" but ")[0]
        key = f"{'paired: ' if u.visit.staff_needed == 2 else ''}{kind}"
        reasons[key] = reasons.get(key, 0) + 1
    for kind, n in sorted(reasons.items()):
        print(f"#   not planned: {n} x {kind}")
    print()
    print("| measure | coordinator's hand plan | planner |")
    print("|---|---:|---:|")
    table = [
        ("travel minutes", f"{hand.travel_minutes:.0f}", f"{planner.travel_minutes:.0f}"),
        ("travel km", f"{hand.travel_km:.0f}", f"{planner.travel_km:.0f}"),
        ("windows missed", str(hand.windows_missed), str(planner.windows_missed)),
        ("minutes late (total)", f"{hand.minutes_late:.0f}", f"{planner.minutes_late:.0f}"),
        ("visits not planned", str(hand.unplanned), str(planner.unplanned)),
        (
            "different staff per person (mean)",
            f"{hand.mean_staff_per_person:.2f}",
            f"{planner.mean_staff_per_person:.2f}",
        ),
        (
            "visits by the named worker %",
            f"{named_share(hand_rows):.0f}",
            f"{named_share(planner_rows):.0f}",
        ),
        (
            "paired visits dropped or apart",
            str(paired_dropped(day, hand_rows)),
            str(paired_dropped(day, planner_rows)),
        ),
        ("broken rules (independent check)", str(len(hand.problems)), str(len(planner.problems))),
    ]
    for name, a, b in table:
        print(f"| {name} | {a} | {b} |")
    for problem in hand.problems[:3]:
        print(f"# hand plan: {problem}")


def main() -> None:
    setup_test_environment()
    print(f"# database: {connection.vendor}; seed {SEED}")
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        bench()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
