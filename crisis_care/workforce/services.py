"""Writes for teams and the rota. Each runs in one transaction and is audited."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_instant
from crisis_care.core.models import AuditAction, User

from .models import Shift, ShiftAssignment, ShiftType, StaffMember


def shift_bounds(*, shift_type: ShiftType, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Start and end instants of a shift that starts on `day` (local wall-clock times)."""
    end_day = day + dt.timedelta(days=1) if shift_type.overnight else day
    return local_instant(day, shift_type.starts), local_instant(end_day, shift_type.ends)


@transaction.atomic
def shift_get_or_create(*, shift_type: ShiftType, day: dt.date) -> Shift:
    starts_at, ends_at = shift_bounds(shift_type=shift_type, day=day)
    shift, _ = Shift.objects.get_or_create(
        shift_type=shift_type,
        day=day,
        defaults={"team": shift_type.team, "starts_at": starts_at, "ends_at": ends_at},
    )
    return shift


@transaction.atomic
def shift_assign(
    *, shift: Shift, staff: StaffMember, by: User, is_coordinator: bool = False
) -> ShiftAssignment:
    """Put someone on a shift. Refuses staff outside the team and double-booking across shifts."""
    if not staff.memberships.filter(team=shift.team, ended_on__isnull=True).exists():
        raise ValidationError(f"{staff} is not a member of {shift.team}.")
    # Lock the staff member's row so two coordinators cannot double-book them at once.
    StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
    clash = (
        ShiftAssignment.objects.filter(
            staff=staff, shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at
        )
        .exclude(shift=shift)
        .select_related("shift__shift_type")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            f"{staff} is already on the {clash.shift.shift_type.name.lower()} shift that overlaps this one."
        )
    assignment, created = ShiftAssignment.objects.get_or_create(
        shift=shift, staff=staff, defaults={"is_coordinator": is_coordinator}
    )
    if not created and assignment.is_coordinator != is_coordinator:
        assignment.is_coordinator = is_coordinator
        assignment.save(update_fields=["is_coordinator", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=assignment,
        detail={"shift": str(shift.pk), "staff": str(staff.pk), "coordinator": is_coordinator},
    )
    return assignment


@transaction.atomic
def shift_unassign(*, shift: Shift, staff: StaffMember, by: User) -> None:
    assignment = ShiftAssignment.objects.filter(shift=shift, staff=staff).first()
    if assignment is None:
        return
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=assignment,
        detail={"removed": True, "shift": str(shift.pk), "staff": str(staff.pk)},
    )
    assignment.delete()
