"""Reads for staff, teams and the rota. Each returns a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.models import User

from .models import Registration, Shift, ShiftAssignment, StaffMember, Team
from .rules import is_registered_practitioner


def teams_for_user(*, user: User, on: dt.date | None = None) -> QuerySet[Team]:
    """The teams a user currently belongs to (the basis of their legitimate relationships)."""
    on = on or timezone.localdate()
    return (
        Team.objects.filter(
            memberships__staff__user=user,
            memberships__started_on__lte=on,
        )
        .exclude(memberships__ended_on__lt=on)
        .distinct()
    )


def staff_with_registrations() -> QuerySet[StaffMember]:
    return StaffMember.objects.select_related("user").prefetch_related(
        Prefetch("registrations", queryset=Registration.objects.order_by("body"))
    )


def staff_is_registered_practitioner(staff: StaffMember, *, on: dt.date | None = None) -> bool:
    """Uses prefetched registrations when present (no query per row)."""
    on = on or timezone.localdate()
    return is_registered_practitioner(
        profession=staff.profession,
        registrations=[(r.body, r.expires_on) for r in staff.registrations.all()],
        on=on,
    )


def staff_for_team(*, team: Team, on: dt.date | None = None) -> QuerySet[StaffMember]:
    on = on or timezone.localdate()
    return (
        staff_with_registrations()
        .filter(memberships__team=team, memberships__started_on__lte=on)
        .exclude(memberships__team=team, memberships__ended_on__lt=on)
        .distinct()
    )


def staff_on_shift(*, team: Team | None = None, at: dt.datetime) -> QuerySet[StaffMember]:
    """Who is on shift at an instant. Assessment booking and visit planning ask this."""
    shifts = Shift.objects.filter(starts_at__lte=at, ends_at__gt=at)
    if team is not None:
        shifts = shifts.filter(team=team)
    return staff_with_registrations().filter(assignments__shift__in=shifts).distinct()


def is_on_shift(*, staff: StaffMember, at: dt.datetime, team: Team | None = None) -> bool:
    shifts = Shift.objects.filter(starts_at__lte=at, ends_at__gt=at, assignments__staff=staff)
    if team is not None:
        shifts = shifts.filter(team=team)
    return shifts.exists()


def shifts_covering(*, team: Team, start: dt.datetime, end: dt.datetime) -> QuerySet[Shift]:
    """Shifts overlapping [start, end), each with its staff (and their registrations) prefetched."""
    return (
        Shift.objects.filter(team=team, starts_at__lt=end, ends_at__gt=start)
        .select_related("shift_type")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=ShiftAssignment.objects.select_related("staff__user")
                .prefetch_related("staff__registrations")
                .order_by("-is_coordinator", "staff__user__last_name"),
            )
        )
        .order_by("starts_at")
    )


def shifts_on_day(*, team: Team, day: dt.date) -> QuerySet[Shift]:
    return shifts_covering(
        team=team,
        start=local_instant(day, dt.time(0, 0)),
        end=local_instant(day + dt.timedelta(days=1), dt.time(0, 0)),
    ).filter(day=day)


@dataclass(frozen=True)
class OnShiftRow:
    staff: StaffMember
    shift: Shift
    is_coordinator: bool
    registered_practitioner: bool


def on_now(*, team: Team, at: dt.datetime | None = None) -> list[OnShiftRow]:
    """Everyone on shift for a team at an instant, coordinators first (fixed query count)."""
    at = at or timezone.now()
    rows: list[OnShiftRow] = []
    seen: set[object] = set()
    for shift in shifts_covering(team=team, start=at, end=at + dt.timedelta(microseconds=1)):
        for assignment in shift.assignments.all():
            if assignment.staff_id in seen:
                continue
            seen.add(assignment.staff_id)
            rows.append(
                OnShiftRow(
                    staff=assignment.staff,
                    shift=shift,
                    is_coordinator=assignment.is_coordinator,
                    registered_practitioner=staff_is_registered_practitioner(assignment.staff),
                )
            )
    rows.sort(key=lambda r: (not r.is_coordinator, not r.registered_practitioner, r.staff.user.last_name))
    return rows
