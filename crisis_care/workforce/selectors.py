"""Reads for staff, teams and the rota. Each returns a fixed number of queries."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import User

from .models import Registration, Shift, ShiftAssignment, ShiftType, StaffMember, Team
from .rules import is_registered_practitioner
from .services import shift_bounds


def _current_membership(on: dt.date, prefix: str = "memberships__") -> Q:
    """A membership that has started and not ended on `on`.

    Used inside one filter() call with the other membership conditions, so every condition
    applies to the same membership row (an exclude() across the relation would not).
    """
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    )


def teams_for_user(*, user: User, on: dt.date | None = None) -> QuerySet[Team]:
    """The teams a user currently belongs to (the basis of their legitimate relationships)."""
    on = on or timezone.localdate()
    return Team.objects.filter(_current_membership(on), memberships__staff__user=user).distinct()


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
        .filter(_current_membership(on), memberships__team=team)
        .distinct()
    )


def staff_for_user(*, user: User) -> StaffMember | None:
    """The staff record behind a sign-in, if there is one."""
    return StaffMember.objects.select_related("user").filter(user=user).first()


def staff_member_for_user(
    *, user: User, pk: uuid.UUID, on: dt.date | None = None
) -> StaffMember | None:
    """One staff member, if they are the user or in one of the user's current teams."""
    on = on or timezone.localdate()
    teams = teams_for_user(user=user, on=on)
    return (
        staff_with_registrations()
        .filter(Q(user=user) | Q(_current_membership(on), memberships__team__in=teams), pk=pk)
        .distinct()
        .first()
    )


def teams_for_staff(*, staff: StaffMember, on: dt.date | None = None) -> QuerySet[Team]:
    on = on or timezone.localdate()
    return Team.objects.filter(_current_membership(on), memberships__staff=staff).distinct()


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


def _with_staff(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts with their type and staff (and the staff's registrations) prefetched."""
    return (
        shifts.select_related("shift_type")
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


def shifts_covering(*, team: Team, start: dt.datetime, end: dt.datetime) -> QuerySet[Shift]:
    """Shifts overlapping [start, end), each with its staff (and their registrations) prefetched."""
    return _with_staff(Shift.objects.filter(team=team, starts_at__lt=end, ends_at__gt=start))


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
    rows.sort(
        key=lambda r: (not r.is_coordinator, not r.registered_practitioner, r.staff.user.last_name)
    )
    return rows


def shift_types_for_team(*, team: Team) -> QuerySet[ShiftType]:
    return ShiftType.objects.filter(team=team).order_by("ordering", "starts")


def shift_type_for_user(*, user: User, pk: uuid.UUID) -> ShiftType | None:
    """A shift type of one of the user's current teams."""
    return (
        ShiftType.objects.select_related("team")
        .filter(pk=pk, team__in=teams_for_user(user=user))
        .first()
    )


def shift_for_user(*, user: User, pk: uuid.UUID) -> Shift | None:
    """A shift of one of the user's current teams."""
    return (
        Shift.objects.select_related("shift_type", "team")
        .filter(pk=pk, team__in=teams_for_user(user=user))
        .first()
    )


def assignment_on_shift(*, shift: Shift, staff_pk: uuid.UUID) -> ShiftAssignment | None:
    return (
        ShiftAssignment.objects.select_related("staff__user")
        .filter(shift=shift, staff_id=staff_pk)
        .first()
    )


@dataclass(frozen=True)
class RotaSlot:
    """One kind of shift on one day: its real start and end, and who is on it (if anyone)."""

    shift_type: ShiftType
    day: dt.date
    starts_at: dt.datetime
    ends_at: dt.datetime
    shift: Shift | None
    rows: list[OnShiftRow]


def _slot(shift_type: ShiftType, day: dt.date, shift: Shift | None) -> RotaSlot:
    if shift is not None:
        starts_at, ends_at = shift.starts_at, shift.ends_at
        rows = [
            OnShiftRow(
                staff=a.staff,
                shift=shift,
                is_coordinator=a.is_coordinator,
                registered_practitioner=staff_is_registered_practitioner(a.staff, on=day),
            )
            for a in shift.assignments.all()
        ]
    else:
        starts_at, ends_at = shift_bounds(shift_type=shift_type, day=day)
        rows = []
    return RotaSlot(shift_type, day, starts_at, ends_at, shift, rows)


def rota_for_day(*, team: Team, day: dt.date) -> list[RotaSlot]:
    """Every kind of shift the team runs on `day`, in order, whether or not anyone is on it yet."""
    shifts = {shift.shift_type_id: shift for shift in shifts_on_day(team=team, day=day)}
    return [
        _slot(shift_type, day, shifts.get(shift_type.pk))
        for shift_type in shift_types_for_team(team=team)
    ]


def next_shift_start(*, team: Team, after: dt.datetime | None = None) -> list[RotaSlot]:
    """The shifts that start next after an instant (several if they start together).

    Worked out from the team's shift types, so the answer is there even before anyone is
    on the rota for it.
    """
    after = after or timezone.now()
    today = local_date(after)
    candidates: list[tuple[dt.datetime, ShiftType, dt.date]] = []
    for shift_type in shift_types_for_team(team=team):
        for day in (today, today + dt.timedelta(days=1)):
            starts_at, _ = shift_bounds(shift_type=shift_type, day=day)
            if starts_at > after:
                candidates.append((starts_at, shift_type, day))
                break
    if not candidates:
        return []
    first = min(starts_at for starts_at, _, _ in candidates)
    chosen = [(shift_type, day) for starts_at, shift_type, day in candidates if starts_at == first]
    condition = Q()
    for shift_type, day in chosen:
        condition |= Q(shift_type=shift_type, day=day)
    shifts = {s.shift_type_id: s for s in _with_staff(Shift.objects.filter(condition, team=team))}
    return [_slot(shift_type, day, shifts.get(shift_type.pk)) for shift_type, day in chosen]


def assignments_for_staff(
    *, staff: StaffMember, start: dt.datetime, end: dt.datetime
) -> QuerySet[ShiftAssignment]:
    """A staff member's shifts overlapping [start, end), earliest first."""
    return (
        ShiftAssignment.objects.filter(
            staff=staff, shift__starts_at__lt=end, shift__ends_at__gt=start
        )
        .select_related("shift__shift_type", "shift__team")
        .order_by("shift__starts_at")
    )
