"""Writes for the visit planner: ask for a plan of a team's day (a background task builds it),
build and store it (`plan_run_execute`, what the task runs), and publish it to the visits.

A stored plan has passed the independent check (`validate_plan`); if the check finds a broken
rule the run is marked failed with the problems, and nothing is stored to publish.

Publishing gives each visit its staff through the treatment visit service
(`visit_assign`/`visit_unassign`), which checks team, skills and double booking under row
locks; anything it refuses is kept on the run (`publish_refusals`) and shown, never hidden.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Hashable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.core.presenters import time_short
from crisis_care.treatment.models import VisitStaff
from crisis_care.treatment.services.visits import visit_assign, visit_unassign
from crisis_care.workforce.models import Team

from .models import PlanAssignment, PlanRun, RunStatus, UnplannedVisit
from .problem import DayProblem, Unplaceable, build_day_problem, need_phrase, split_needs
from .solver.model import Plan
from .solver.search import Solver
from .validate_plan import CheckStaff, CheckVisit, Report, Row, check_plan

SECTION = "visit_planning"
DEFAULT_SECONDS = 30.0


def time_limit() -> float:
    return float(getattr(settings, "PLANNER_SECONDS", DEFAULT_SECONDS))


@transaction.atomic
def plan_run_request(
    *, team: Team, day: dt.date, by: User, seconds: float | None = None
) -> PlanRun:
    """Record a request to plan the day and queue the task that builds the plan."""
    from .tasks import plan_day

    run = PlanRun.objects.create(
        team=team,
        day=day,
        requested_by=by,
        requested_at=timezone.now(),
        seconds_limit=seconds if seconds is not None else time_limit(),
    )
    audit_record(
        actor=by, action=AuditAction.CREATE, obj=run, section=SECTION, detail={"day": str(day)}
    )
    plan_day.enqueue(str(run.pk))
    return run


# -- Building a plan ------------------------------------------------------------------------


def check_rows(day: DayProblem, rows: list[Row], unplanned: dict[Hashable, str]) -> Report:
    """The independent check of rows (visit pk, staff pk, minute) against the day's records."""
    base = day.places[0]
    visits = [
        CheckVisit(
            key=dv.visit.pk,
            person=dv.visit.episode.person_id,
            place=dv.place,
            open_min=dv.open_min,
            close_min=dv.close_min,
            duration=dv.duration,
            staff_needed=dv.visit.staff_needed,
            needs=dv.needs if dv.pinned_to is None else frozenset(),
            label=f"{dv.label} {time_short(dv.visit.window_start)}",
        )
        for dv in day.visits
    ] + [
        CheckVisit(
            key=u.visit.pk,
            person=u.visit.episode.person_id,
            place=base,
            open_min=0,
            close_min=0,
            duration=0,
            staff_needed=u.visit.staff_needed,
            needs=frozenset(),
            label=str(u.visit.episode.person),
        )
        for u in day.unplaceable
    ]
    staff = [
        CheckStaff(
            key=s.member.pk,
            qualities=s.qualities,
            start_min=s.start_min,
            end_min=s.end_min,
            start_place=day.places[s.start_place],
            end_place=day.places[s.end_place],
            label=str(s.member),
        )
        for s in day.staff
    ]
    return check_plan(
        visits=visits,
        staff=staff,
        rows=rows,
        unplanned=unplanned,
        travel=day.travel,
        clock=day.midnight,
    )


def plan_rows(day: DayProblem, plan: Plan) -> list[tuple[int, int, float, int]]:
    """(visit index, staff index, start minute, order in run) from the solver's plan."""
    out = []
    for k, run in enumerate(plan.runs):
        for order, stop in enumerate(run):
            out.append((stop.visit, k, stop.start, order))
    return out


def reschedule(
    day: DayProblem, found: list[tuple[int, int, float, int]]
) -> list[tuple[int, int, float, int]]:
    """The earliest start of every visit for the runs as ordered, with travel at the time of
    day each trip sets off (the solver plans with a typical speed for the whole day, so this
    moves visits by the difference). Both staff of a paired visit start together; pinned visits keep
    their time. Found by relaxing the bounds until nothing moves (the solver's runs never
    wait on each other in a circle)."""
    runs: dict[int, list[tuple[int, int, float, int]]] = {}
    for row in found:
        runs.setdefault(row[1], []).append(row)
    for run in runs.values():
        run.sort(key=lambda r: r[3])
    bound = {
        j: (dv.pinned_to[1] if dv.pinned_to is not None else dv.open_min)
        for j, dv in enumerate(day.visits)
    }
    for _ in range(len(found) + 2):
        latest = dict(bound)
        for k, run in runs.items():
            member = day.staff[k]
            free, where = member.start_min, day.places[member.start_place]
            for j, _, _, _ in run:
                dv = day.visits[j]
                arrive = free + day.travel.minutes(where, dv.place, day.clock(free))
                start = max(arrive, bound[j])
                latest[j] = max(latest[j], start)
                free, where = start + dv.duration, dv.place
        moved = [j for j in bound if latest[j] > bound[j] + 1e-6]
        bound = latest
        if not moved:
            break
    return [(j, k, bound[j], order) for j, k, _, order in found]


def _back(day: DayProblem, found: list[tuple[int, int, float, int]], k: int) -> float:
    """When staff member k gets back to their end place after their run."""
    run = [r for r in found if r[1] == k]
    if not run:
        return day.staff[k].start_min
    j, _, start, _ = max(run, key=lambda r: r[3])
    ends = start + day.visits[j].duration
    member = day.staff[k]
    return ends + day.travel.minutes(
        day.visits[j].place, day.places[member.end_place], day.clock(ends)
    )


def fit_shifts(
    day: DayProblem, found: list[tuple[int, int, float, int]]
) -> tuple[list[tuple[int, int, float, int]], list[Unplaceable]]:
    """While a run would bring its member of staff back after their shift ends, take a visit
    out of it and say why: the last visit of the run, unless that is a paired visit (the
    hardest to place, and paired for safety) and taking out one of the three latest visits for
    one member of staff brings them back sooner. Pinned visits stay. The times are
    recomputed after each removal (`reschedule`)."""
    found = reschedule(day, found)
    removed: list[Unplaceable] = []
    while True:
        victim: tuple[int, int, float] | None = None
        for k in sorted({r[1] for r in found}):
            member = day.staff[k]
            back = _back(day, found, k)
            if back <= member.end_min + 0.5:
                continue
            run = sorted((r for r in found if r[1] == k), key=lambda r: r[3])
            movable = [r for r in run if day.visits[r[0]].pinned_to is None]
            if not movable:
                continue
            choice = movable[-1][0]
            if day.visits[choice].visit.staff_needed == 2:
                singles = [r for r in movable if day.visits[r[0]].visit.staff_needed == 1]
                for r in reversed(singles[-3:]):
                    trial = reschedule(day, [x for x in found if x[0] != r[0]])
                    if _back(day, trial, k) < back - 0.5:
                        choice = r[0]
                        break
            victim = (choice, k, back)
            break
        if victim is None:
            break
        j, k, back = victim
        dv, member = day.visits[j], day.staff[k]
        window = f"{time_short(dv.visit.window_start)}–{time_short(dv.visit.window_end)}"
        removed.append(
            Unplaceable(
                dv.visit,
                f"Does not fit in the shifts on duty: with it, {member.member} would be back "
                f"at {time_short(day.instant(back))}, after their shift ends at "
                f"{time_short(day.instant(member.end_min))}",
                f"Add {need_phrase(dv.needs)} to a shift covering {window}, or move the "
                "window to a quieter time of day",
            )
        )
        found = reschedule(day, [r for r in found if r[0] != j])
    kept: list[tuple[int, int, float, int]] = []
    by_staff: dict[int, list[tuple[int, int, float, int]]] = {}
    for row in found:
        by_staff.setdefault(row[1], []).append(row)
    for k, run in by_staff.items():
        run.sort(key=lambda r: r[3])
        kept.extend((j, k, start, order) for order, (j, _, start, _) in enumerate(run))
    return kept, removed


def _late_note(day: DayProblem, j: int, start: float) -> str:
    """Why a visit is late, and what would make it fit."""
    dv = day.visits[j]
    window = f"{time_short(dv.visit.window_start)}–{time_short(dv.visit.window_end)}"
    parts = split_needs(dv.needs, dv.visit.staff_needed)
    # The earliest anyone suitable could get there, setting off from their start at shift start.
    earliest = min(
        (
            s.start_min
            + day.travel.minutes(day.places[s.start_place], dv.place, day.clock(s.start_min))
            for s in day.staff
            if parts[0] <= s.qualities
        ),
        default=start,
    )
    arrive = time_short(day.instant(start))
    skill = need_phrase(frozenset().union(*parts))
    if earliest > dv.close_min:
        reason = (
            f"Window {window} but the nearest qualified member of staff can arrive "
            f"{time_short(day.instant(earliest))}"
        )
    else:
        reason = f"Window {window} but every suitable member of staff is busy: planned {arrive}"
    return f"{reason}. To fit: widen the window to {arrive}, or add {skill} to a shift then"


def plan_run_execute(*, run_id: uuid.UUID) -> PlanRun:
    """Build the day's problem, solve it within the run's time limit (progress saved as it
    goes), check the plan independently and store it. What the background task runs."""
    run = PlanRun.objects.select_related("team").get(pk=run_id)
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        return run
    started = time.monotonic()
    PlanRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, progress=0.0)
    try:
        day = build_day_problem(team=run.team, day=run.day)
        plan = _solve(day, run)
        return _store(run, day, plan, time.monotonic() - started)
    except Exception as error:  # a failed run is shown to the coordinator, never lost
        PlanRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED,
            error=str(error)[:2000],
            finished_at=timezone.now(),
            seconds=time.monotonic() - started,
        )
        raise


def _solve(day: DayProblem, run: PlanRun) -> Plan | None:
    if not day.visits:
        return None
    last = [0.0]

    def progress(fraction: float, objective: float) -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            PlanRun.objects.filter(pk=run.pk).update(progress=min(1.0, fraction))

    return Solver(day.problem, seed=1).solve(run.seconds_limit, progress=progress)


@transaction.atomic
def _store(run: PlanRun, day: DayProblem, plan: Plan | None, seconds: float) -> PlanRun:
    found, unfit = fit_shifts(day, plan_rows(day, plan) if plan is not None else [])
    not_planned = day.unplaceable + unfit
    rows = [Row(day.visits[j].visit.pk, day.staff[k].member.pk, start) for j, k, start, _ in found]
    unplanned: dict[Hashable, str] = {u.visit.pk: u.reason for u in not_planned}
    report = check_rows(day, rows, unplanned)
    run.seconds = seconds
    run.finished_at = timezone.now()
    run.progress = 1.0
    run.problems = report.problems
    run.objective = plan.objective if plan is not None else 0.0
    run.travel_minutes = round(report.travel_minutes, 1)
    run.travel_km = round(report.travel_km, 1)
    run.windows_missed = report.windows_missed
    run.minutes_late = round(report.minutes_late, 1)
    run.visits_planned = report.planned
    run.visits_unplanned = report.unplanned
    run.new_faces = sum(
        1
        for j, k, _, _ in found
        if day.visits[j].pinned_to is None
        and day.problem.staff[k].visit_cost.get(j, 0.0) > 0
        and day.visits[j].visit.episode.named_worker_id != day.staff[k].member.pk
    )
    if not report.ok:
        run.status = RunStatus.FAILED
        run.error = "The plan broke a rule; it was not kept: " + "; ".join(report.problems[:5])
        run.save()
        return run
    late = report.late
    PlanAssignment.objects.bulk_create(
        PlanAssignment(
            run=run,
            visit=day.visits[j].visit,
            staff=day.staff[k].member,
            planned_start=day.instant(start),
            order=order,
            pinned=day.visits[j].pinned_to is not None,
            minutes_late=round(late.get(day.visits[j].visit.pk, 0.0), 1),
            note=_late_note(day, j, start)[:400]
            if late.get(day.visits[j].visit.pk, 0.0) > 0.5
            else "",
        )
        for j, k, start, order in found
    )
    UnplannedVisit.objects.bulk_create(
        UnplannedVisit(run=run, visit=u.visit, reason=u.reason[:400], suggestion=u.suggestion[:400])
        for u in not_planned
    )
    run.status = RunStatus.DONE
    run.save()
    return run


# -- Publishing -----------------------------------------------------------------------------


@transaction.atomic
def plan_run_publish(*, run: PlanRun, by: User) -> PlanRun:
    """Give each planned visit the staff of the plan, through the treatment visit service.
    Pinned visits (done or in progress) are left as they are. Refusals are kept on the run."""
    run = PlanRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.DONE:
        raise ValidationError({"run": "Only a finished plan can be published"})
    wanted: dict[uuid.UUID, set[uuid.UUID]] = {}
    visits = {}
    for a in run.assignments.filter(pinned=False).select_related("visit", "staff__user"):
        wanted.setdefault(a.visit_id, set()).add(a.staff_id)
        visits[a.visit_id] = a.visit
    members = {
        a.staff_id: a.staff
        for a in run.assignments.filter(pinned=False).select_related("staff__user")
    }
    current: dict[uuid.UUID, set[uuid.UUID]] = {}
    for link in VisitStaff.objects.filter(visit_id__in=wanted).select_related("staff__user"):
        current.setdefault(link.visit_id, set()).add(link.staff_id)
        members.setdefault(link.staff_id, link.staff)
    refusals: list[str] = []
    # Take staff off first everywhere, so that a swap between two visits is not refused as
    # a double booking; then assign, in order of the visits' windows.
    for visit_id, staff_ids in current.items():
        for staff_id in staff_ids - wanted[visit_id]:
            visit_unassign(visit=visits[visit_id], staff=members[staff_id], by=by)
    for visit_id in sorted(wanted, key=lambda v: (visits[v].window_start, str(v))):
        for staff_id in sorted(wanted[visit_id] - current.get(visit_id, set()), key=str):
            try:
                with transaction.atomic():
                    visit_assign(visit=visits[visit_id], staff=members[staff_id], by=by)
            except ValidationError as error:
                refusals.append(
                    f"{members[staff_id]} at {time_short(visits[visit_id].window_start)}: "
                    + "; ".join(error.messages)
                )
    run.published_at = timezone.now()
    run.published_by = by
    run.publish_refusals = refusals
    run.save(update_fields=["published_at", "published_by", "publish_refusals", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=run,
        section=SECTION,
        detail={"published": True, "refused": len(refusals)},
    )
    return run
