"""Writes for care contacts: what happened at a planned visit (or an unplanned call or visit),
and the note written up afterwards.

Rules (DOMAIN.md, CORE items 12e-f, 21, 33d, 39):

- a contact cannot end before it starts, nor start or end in the future;
- one contact per planned visit; the visit's status follows the attendance (with its
  immutable status row);
- the time the team arrived is measured against the visit's window: minutes after the window
  closed (negative: before it opened; none: within it). More than 15 minutes late needs the
  answer to "did you phone the person?";
- the note can be left to write up later; the time it was first written is kept, so a note
  written up on a later day is flagged (presenters.contacts).
"""

import datetime as dt
import math
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_team

from ..models import (
    Attendance,
    CareContact,
    Episode,
    EpisodeStatus,
    Goal,
    Intervention,
    Medium,
    Visit,
    VisitLocation,
    VisitStatus,
    VisitStatusChange,
)

SECTION = "contacts"
LATE_MINUTES = 15
# The team arrived (or tried to): lateness applies. A cancellation has no arrival.
ARRIVALS = frozenset({Attendance.ATTENDED, Attendance.NOT_AT_HOME, Attendance.DECLINED})


def minutes_outside_window(visit: Visit, started_at: dt.datetime) -> int | None:
    """Whole minutes after the window closed (positive), before it opened (negative), or
    None within the window."""
    if started_at > visit.window_end:
        return math.ceil((started_at - visit.window_end).total_seconds() / 60)
    if started_at < visit.window_start:
        return -math.ceil((visit.window_start - started_at).total_seconds() / 60)
    return None


def is_late(visit: Visit | None, started_at: dt.datetime, attendance: str) -> bool:
    """More than 15 minutes after the window closed, for a contact where the team arrived."""
    if visit is None or attendance not in ARRIVALS:
        return False
    minutes = minutes_outside_window(visit, started_at)
    return minutes is not None and minutes > LATE_MINUTES


def _check_times(started_at: dt.datetime, ended_at: dt.datetime, now: dt.datetime) -> None:
    errors = {}
    if started_at > now:
        errors["started_at"] = "The start time must be now or in the past"
    if ended_at > now:
        errors["ended_at"] = "The end time must be now or in the past"
    if ended_at < started_at:
        errors["ended_at"] = "The end time must be after the start time"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contact_record(
    *,
    episode: Episode,
    visit: Visit | None,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    medium: str,
    location: str,
    location_detail: str = "",
    attendance: str,
    staff: Sequence[StaffMember],
    goals: Sequence[Goal] = (),
    interventions: Sequence[Intervention] = (),
    note: str = "",
    phoned_about_lateness: bool | None = None,
    by: User,
) -> CareContact:
    """Record a contact, at a planned visit or unplanned."""
    now = timezone.now()
    _check_times(started_at, ended_at, now)
    if medium not in Medium.values:
        raise ValidationError({"medium": "Select how the contact happened"})
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": "Select what happened"})
    if medium == Medium.FACE_TO_FACE:
        if location not in VisitLocation.values:
            raise ValidationError({"location": "Select where the contact was"})
        if location == VisitLocation.OTHER and not location_detail.strip():
            raise ValidationError({"location_detail": "Enter where the contact was"})
    else:
        # CORE item 39 counts where face-to-face contacts happen; a call has no place.
        location, location_detail = "", ""
    if location != VisitLocation.OTHER:
        location_detail = ""
    if not staff:
        raise ValidationError({"staff": "Select who was there"})
    team_staff = set(staff_for_team(team=episode.team).values_list("pk", flat=True))
    outsiders = [member for member in staff if member.pk not in team_staff]
    if outsiders:
        raise ValidationError({"staff": f"{outsiders[0]} is not in {episode.team}"})
    plan_goals = {g.pk for g in Goal.objects.filter(care_plan__episode=episode)}
    plan_interventions = {i.pk for i in Intervention.objects.filter(care_plan__episode=episode)}
    if any(goal.pk not in plan_goals for goal in goals):
        raise ValidationError({"goals": "Select goals from this person's care plan"})
    if any(item.pk not in plan_interventions for item in interventions):
        raise ValidationError(
            {"interventions": "Select interventions from this person's care plan"}
        )

    minutes: int | None = None
    phoned: bool | None = None
    if visit is not None:
        visit = Visit.objects.select_for_update(of=("self",)).get(pk=visit.pk)
        if visit.episode_id != episode.pk:
            raise ValidationError("This visit belongs to another episode.")
        if CareContact.objects.filter(visit=visit).exists():
            raise ValidationError("A contact has already been recorded for this visit.")
        if visit.status != VisitStatus.PLANNED:
            raise ValidationError(
                f"This visit is recorded as {visit.get_status_display().lower()}, so a contact "
                "cannot be recorded against it. Record an unplanned contact instead."
            )
        if attendance in ARRIVALS:
            minutes = minutes_outside_window(visit, started_at)
        if is_late(visit, started_at, attendance):
            if phoned_about_lateness is None:
                raise ValidationError(
                    {
                        "phoned_about_lateness": "You arrived more than 15 minutes after the "
                        "window: select yes if you phoned the person to say you were running late"
                    }
                )
            phoned = phoned_about_lateness
    elif episode.status != EpisodeStatus.OPEN:
        raise ValidationError("This episode is closed.")

    try:
        with transaction.atomic():
            contact = CareContact.objects.create(
                episode=episode,
                visit=visit,
                started_at=started_at,
                ended_at=ended_at,
                medium=medium,
                location=location,
                location_detail=location_detail.strip(),
                attendance=attendance,
                note=note.strip(),
                note_written_at=now if note.strip() else None,
                minutes_outside_window=minutes,
                phoned_about_lateness=phoned,
                recorded_by=by,
                recorded_at=now,
            )
    except IntegrityError:
        # Someone recorded this visit's contact a moment ago (one contact per visit).
        raise ValidationError("A contact has already been recorded for this visit.") from None
    contact.staff.set(staff)
    contact.goals.set(goals)
    contact.interventions.set(interventions)

    if visit is not None:
        visit.status = attendance  # Attendance and VisitStatus share their values
        VisitStatusChange.objects.create(
            visit=visit, status=attendance, changed_by=by, changed_at=now, note="Contact recorded"
        )
        visit.version += 1
        visit.save(update_fields=["status", "version", "updated_at"])

    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=contact,
        person_id=episode.person_id,
        section=SECTION,
        detail={
            "visit": str(visit.pk) if visit else None,
            "attendance": attendance,
            "medium": medium,
            "minutes_outside_window": minutes,
        },
    )
    return contact


@transaction.atomic
def contact_write_up(
    *, contact: CareContact, note: str, expected_version: int, by: User
) -> CareContact:
    """Write up (or revise) a contact's note. The time it was first written up is kept."""
    if not note.strip():
        raise ValidationError({"note": "Enter the note"})
    fields: dict[str, object] = {"note": note.strip()}
    if contact.note_written_at is None:
        fields["note_written_at"] = timezone.now()
    saved = save_if_current(contact, expected_version=expected_version, fields=fields)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=saved,
        person_id=saved.episode.person_id,
        section=SECTION,
        detail={"changed": ["note"]},
    )
    return saved
