"""The day's problem read from the records: the visits, the staff on shift, skills, pinned
visits, continuity costs and minutes across the clock change."""

import datetime as dt

import pytest
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.planning.models import StaffHome
from crisis_care.planning.problem import (
    NEW_FACE_COST,
    SEEN_BEFORE_COST,
    build_day_problem,
)
from crisis_care.treatment.models import (
    Attendance,
    CareContact,
    Medium,
    VisitStatus,
)
from crisis_care.workforce.models import StaffMember, Team

from . import planner_data as data

DAY = dt.date(2026, 11, 24)


@pytest.fixture
def manager(team: Team) -> StaffMember:
    return data.staff(team, Role.TEAM_MANAGER)


def test_the_days_planned_visits_of_the_team_only(
    team: Team, other_team: Team, manager: StaffMember
) -> None:
    by = manager.user
    nurse = data.staff(team)
    data.on_shift(team, [nurse], DAY, by=by)
    mine = data.episodes(team, by=by, workers=[nurse], count=2)
    theirs = data.episodes(other_team, by=by, workers=[], count=1, seed=9)
    wanted = data.visit(mine[0], DAY, dt.time(9, 30), by=by)
    data.visit(mine[1], DAY, dt.time(10), by=by, status=VisitStatus.CANCELLED_BY_TEAM)
    data.visit(mine[1], DAY + dt.timedelta(days=1), dt.time(10), by=by)
    data.visit(theirs[0], DAY, dt.time(10), by=by)

    day = build_day_problem(team=team, day=DAY)

    assert [dv.visit for dv in day.visits] == [wanted]
    assert day.visits[0].open_min == 9.5 * 60
    assert day.visits[0].close_min == 10.5 * 60
    assert day.visits[0].place.key == day.places[day.visits[0].place_index].key
    assert day.problem.visits[0].window_open == 570


def test_staff_on_shift_without_the_coordinator_and_with_their_start_place(
    team: Team, manager: StaffMember
) -> None:
    by = manager.user
    ann, bob, coordinator, off = (data.staff(team) for _ in range(4))
    StaffHome.objects.create(staff=bob, postcode="LE13 0AA")
    data.on_shift(team, [ann, bob, coordinator], DAY, by=by, coordinator=coordinator)
    data.on_shift(team, [off], DAY + dt.timedelta(days=1), by=by)

    day = build_day_problem(team=team, day=DAY)

    members = {s.member: s for s in day.staff}
    assert set(members) == {ann, bob}
    assert members[ann].start_min == 8 * 60 and members[ann].end_min == 20 * 60
    assert day.places[members[ann].start_place].key == "LE3"  # the team base
    assert day.places[members[bob].start_place].key == "LE13"  # home
    assert "registered_practitioner" in members[ann].qualities


def test_continuity_named_worker_free_seen_before_cheap_new_face_dear(
    team: Team, manager: StaffMember
) -> None:
    by = manager.user
    named, seen, stranger = (data.staff(team) for _ in range(3))
    data.on_shift(team, [named, seen, stranger], DAY, by=by)
    episode = data.episodes(team, by=by, workers=[named], count=1)[0]
    earlier = timezone.now() - dt.timedelta(days=1)
    contact = CareContact.objects.create(
        episode=episode,
        started_at=earlier,
        ended_at=earlier + dt.timedelta(minutes=30),
        medium=Medium.FACE_TO_FACE,
        attendance=Attendance.ATTENDED,
        recorded_by=by,
        recorded_at=earlier,
    )
    contact.staff.add(seen)
    data.visit(episode, DAY, dt.time(11), by=by)

    day = build_day_problem(team=team, day=DAY)

    cost = {s.member: day.problem.staff[k].visit_cost.get(0, 0.0) for k, s in enumerate(day.staff)}
    assert cost == {named: 0.0, seen: SEEN_BEFORE_COST, stranger: NEW_FACE_COST}


def test_paired_visits_have_two_services_and_split_their_needs(
    team: Team, manager: StaffMember
) -> None:
    by = manager.user
    nurse, doctor, psych = data.staff(team), data.staff(team, Role.DOCTOR), data.psychologist(team)
    data.on_shift(team, [nurse, doctor, psych], DAY, by=by)
    episode = data.episodes(team, by=by, workers=[nurse], count=1)[0]
    data.visit(
        episode,
        DAY,
        dt.time(14),
        by=by,
        staff_needed=2,
        needs_prescriber=True,
        needs_psychologist=True,
    )

    day = build_day_problem(team=team, day=DAY)

    (visit,) = day.problem.visits
    assert visit.paired and visit.min_lag == visit.max_lag == 0
    first, second = (day.problem.qualified(s) for s in visit.services)
    names = [s.member for s in day.staff]
    assert [names[k] for k in first] == [doctor]
    assert [names[k] for k in second] == [psych]


def test_a_visit_nobody_on_shift_can_do_is_explained_not_planned(
    team: Team, manager: StaffMember
) -> None:
    by = manager.user
    nurse, late = data.staff(team), data.staff(team)
    data.on_shift(team, [nurse], DAY, by=by)
    data.on_shift(team, [late], DAY, by=by, name="Late", starts=dt.time(13), ends=dt.time(21))
    episodes = data.episodes(team, by=by, workers=[nurse], count=3)
    data.visit(episodes[0], DAY, dt.time(9), by=by, needs_psychologist=True)
    data.visit(episodes[1], DAY, dt.time(21), by=by)
    data.visit(episodes[2], DAY, dt.time(9), by=by, staff_needed=2)

    day = build_day_problem(team=team, day=DAY)

    assert day.visits == []
    reasons = {u.visit.episode: (u.reason, u.suggestion) for u in day.unplaceable}
    assert reasons[episodes[0]] == (
        "No psychologist on shift",
        "Add a psychologist to a shift that day",
    )
    assert reasons[episodes[2]] == (
        "Needs two staff together in 9am–10am but only one suitable member of staff is on "
        "shift then",
        "Add a second member of staff to a shift covering 9am–10am",
    )
    assert reasons[episodes[1]][0] == "Window 9pm–10pm but no member of staff is on shift then"


def test_a_visit_already_done_is_pinned_to_its_staff_and_time(
    team: Team, manager: StaffMember
) -> None:
    by = manager.user
    ann, bob = data.staff(team), data.staff(team)
    data.on_shift(team, [ann, bob], DAY, by=by)
    episode = data.episodes(team, by=by, workers=[ann], count=1)[0]
    done = data.visit(episode, DAY, dt.time(9), by=by, status=VisitStatus.ATTENDED)
    started = local_instant(DAY, dt.time(9, 20))
    contact = CareContact.objects.create(
        episode=episode,
        visit=done,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=40),
        medium=Medium.FACE_TO_FACE,
        attendance=Attendance.ATTENDED,
        recorded_by=by,
        recorded_at=started,
    )
    contact.staff.add(bob)

    day = build_day_problem(team=team, day=DAY)

    (dv,) = day.visits
    bob_k = [s.member for s in day.staff].index(bob)
    assert dv.pinned_to == ((bob_k,), 9 * 60 + 20)
    (service,) = day.problem.visits[0].services
    assert day.problem.qualified(service) == [bob_k]


@pytest.mark.parametrize(
    ("day", "minutes"),
    [
        (dt.date(2026, 3, 29), 9 * 60 - 60),  # spring forward: 01:00 never happens
        (dt.date(2026, 10, 25), 9 * 60 + 60),  # fall back: 01:00 happens twice
        (DAY, 9 * 60),
    ],
)
def test_minutes_are_real_minutes_from_london_midnight(
    team: Team, manager: StaffMember, day: dt.date, minutes: int
) -> None:
    by: User = manager.user
    nurse = data.staff(team)
    data.on_shift(team, [nurse], day, by=by)
    episode = data.episodes(team, by=by, workers=[nurse], count=1)[0]
    data.visit(episode, day, dt.time(9), by=by)

    problem = build_day_problem(team=team, day=day)

    assert problem.visits[0].open_min == minutes
    assert problem.clock(minutes) == dt.time(9)
