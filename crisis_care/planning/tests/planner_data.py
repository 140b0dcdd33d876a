"""Building a team's day for the planner's tests and benchmark: staff on a day shift, open
episodes in bulk (as the caseload tests build them) and planned visits in given windows."""

import datetime as dt
from collections.abc import Sequence
from typing import cast

from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.treatment.models import Episode, Visit, VisitStatus
from crisis_care.treatment.tests.caseload_data import bulk_episodes
from crisis_care.workforce import services as workforce_services
from crisis_care.workforce.models import Profession, ShiftAssignment, StaffMember, Team


def staff(team: Team, role: Role = Role.REGISTERED_PRACTITIONER, **kwargs: object) -> StaffMember:
    return cast(StaffMember, factories.StaffMemberFactory(role=role, team=team, **kwargs))


def on_shift(
    team: Team,
    members: Sequence[StaffMember],
    day: dt.date,
    *,
    by: User,
    name: str = "Day",
    starts: dt.time = dt.time(8, 0),
    ends: dt.time = dt.time(20, 0),
    coordinator: StaffMember | None = None,
) -> None:
    shift_type = factories.ShiftTypeFactory(team=team, name=name, starts=starts, ends=ends)
    shift = workforce_services.shift_get_or_create(shift_type=shift_type, day=day)
    ShiftAssignment.objects.bulk_create(
        ShiftAssignment(shift=shift, staff=m, is_coordinator=m == coordinator) for m in members
    )


def episodes(
    team: Team, *, by: User, workers: Sequence[StaffMember], count: int, seed: int = 5
) -> list[Episode]:
    return bulk_episodes(
        team=team, by=by, workers=workers, count=count, now=timezone.now(), seed=seed, max_days=10
    )


def visit(
    episode: Episode,
    day: dt.date,
    at: dt.time,
    *,
    by: User,
    minutes: int = 60,
    staff_needed: int = 1,
    expected: int = 45,
    status: str = VisitStatus.PLANNED,
    **needs: bool,
) -> Visit:
    start = local_instant(day, at)
    return Visit.objects.create(
        episode=episode,
        window_start=start,
        window_end=start + dt.timedelta(minutes=minutes),
        expected_minutes=expected,
        staff_needed=staff_needed,
        status=status,
        planned_by=by,
        **needs,
    )


def psychologist(team: Team) -> StaffMember:
    member = staff(team, Role.PSYCHOLOGIST)
    assert member.profession == Profession.PSYCHOLOGIST
    return member
