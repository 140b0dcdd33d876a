"""Writes for planned visits: plan one, plan a pattern, staff them, move, cancel, and record
that the person was told the window.

Rules (DOMAIN.md, CORE items 12c-d, 32b, 38, 39):

- a window ends after it starts and lasts at most an hour (item 12d);
- a visit is at home unless somewhere else is named (item 39);
- one or two staff; two whenever the episode needs paired visits (item 32b);
- staff come from the episode's team; a visit that needs a registered practitioner (or a
  prescriber, or a psychologist) cannot be filled without one;
- nobody is booked into two overlapping visits (or a visit and an assessment): the staff rows
  are locked while the check and the booking happen, so two coordinators cannot both win;
- a pattern (twice a day, then daily, then tapering) covers at most six weeks (item 10: the
  six-week review decides what follows) and is created in one transaction.

Times come in as UTC instants built from London wall-clock times (core.clock.local_instant),
so a pattern stays at 9:30am London across the clock change.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.assessments.models import AssessmentStaff, AssessmentStatus
from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.core.presenters import date_long, time_short
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_team, staff_is_registered_practitioner

from ..models import (
    Episode,
    EpisodeStatus,
    Visit,
    VisitLocation,
    VisitStaff,
    VisitStatus,
    VisitStatusChange,
)
from ..rules import is_prescriber, is_psychologist

SECTION = "visits"
MAX_WINDOW_MINUTES = 60
MAX_PATTERN_DAYS = 42
MAX_VISITS_PER_DAY = 3
CANCELLED = (VisitStatus.CANCELLED_BY_PERSON, VisitStatus.CANCELLED_BY_TEAM)
# The window start times a pattern uses when none are given, by visits a day.
DEFAULT_TIMES: dict[int, tuple[dt.time, ...]] = {
    1: (dt.time(9, 30),),
    2: (dt.time(9, 30), dt.time(16, 0)),
    3: (dt.time(9, 30), dt.time(13, 0), dt.time(18, 0)),
}

REGISTERED_PRACTITIONER = "registered_practitioner"
PRESCRIBER = "prescriber"
PSYCHOLOGIST = "psychologist"
NEED_LABELS = {
    REGISTERED_PRACTITIONER: "a registered practitioner",
    PRESCRIBER: "a prescriber",
    PSYCHOLOGIST: "a psychologist",
}


@dataclass(frozen=True)
class VisitDetails:
    """What every planned visit carries, one-off or from a pattern."""

    location: str = VisitLocation.HOME
    location_detail: str = ""
    staff_needed: int = 1
    needs: frozenset[str] = field(default_factory=frozenset)
    purpose: str = ""
    expected_minutes: int = 45


@dataclass(frozen=True)
class PatternPhase:
    """A stretch of the pattern: `days` days, visiting `per_day` times on every `every`th day
    (every=1: daily; every=2: every other day), with the window starting at `times`."""

    days: int
    per_day: int = 1
    every: int = 1
    times: tuple[dt.time, ...] = ()

    @property
    def start_times(self) -> tuple[dt.time, ...]:
        return self.times or DEFAULT_TIMES.get(self.per_day, ())


# -- Validation shared by one-off visits, patterns and moves ----------------------------


def _check_window(start: dt.datetime, end: dt.datetime, *, now: dt.datetime) -> None:
    if end <= start:
        raise ValidationError({"window_end": "The window must end after it starts"})
    if end - start > dt.timedelta(minutes=MAX_WINDOW_MINUTES):
        raise ValidationError(
            {
                "window_end": "The window can be at most an hour long, so the person knows "
                "when to expect you"
            }
        )
    if end <= now:
        raise ValidationError(
            {
                "window_start": "This window has already passed. To record a visit that "
                "happened, record an unplanned contact instead"
            }
        )


def _check_details(episode: Episode, details: VisitDetails) -> None:
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError("This episode is closed, so no more visits can be planned.")
    if details.location not in VisitLocation.values:
        raise ValidationError({"location": "Select where the visit will be"})
    if details.location == VisitLocation.OTHER and not details.location_detail.strip():
        raise ValidationError({"location_detail": "Enter where the visit will be"})
    if details.staff_needed not in (1, 2):
        raise ValidationError({"staff_needed": "A visit needs one or two members of staff"})
    if episode.paired_visits_required and details.staff_needed != 2:
        raise ValidationError(
            {
                "staff_needed": "This person needs paired visits: two members of staff must go "
                "to every visit"
            }
        )
    unknown = details.needs - set(NEED_LABELS)
    if unknown:
        raise ValidationError({"needs": "Select what the visit needs from the list"})
    if {PRESCRIBER, PSYCHOLOGIST} <= details.needs and details.staff_needed == 1:
        raise ValidationError(
            {"staff_needed": "A visit that needs a prescriber and a psychologist needs two staff"}
        )
    if not 5 <= details.expected_minutes <= 240:
        raise ValidationError(
            {"expected_minutes": "How long the visit will take must be between 5 and 240 minutes"}
        )


def _status(visit: Visit, status: str, by: User, note: str = "") -> None:
    """Keep the visit's status in step with its immutable history (caller saves the visit)."""
    visit.status = status
    VisitStatusChange.objects.create(
        visit=visit, status=status, changed_by=by, changed_at=timezone.now(), note=note
    )


def _new_visit(
    episode: Episode,
    start: dt.datetime,
    end: dt.datetime,
    details: VisitDetails,
    by: User,
    pattern_id: uuid.UUID | None = None,
) -> Visit:
    return Visit(
        episode=episode,
        window_start=start,
        window_end=end,
        expected_minutes=details.expected_minutes,
        location=details.location,
        location_detail=details.location_detail.strip()
        if details.location == VisitLocation.OTHER
        else "",
        staff_needed=details.staff_needed,
        needs_registered_practitioner=REGISTERED_PRACTITIONER in details.needs,
        needs_prescriber=PRESCRIBER in details.needs,
        needs_psychologist=PSYCHOLOGIST in details.needs,
        purpose=details.purpose.strip(),
        pattern_id=pattern_id,
        status=VisitStatus.PLANNED,
        planned_by=by,
    )


def _audit(visit: Visit, by: User, action: AuditAction, **detail: object) -> None:
    audit_record(
        actor=by,
        action=action,
        obj=visit,
        person_id=visit.episode.person_id,
        section=SECTION,
        detail=detail or None,
    )


# -- Staffing ----------------------------------------------------------------------------


def qualities(member: StaffMember, *, on: dt.date) -> set[str]:
    """Which of a visit's needs this member of staff meets."""
    met = set()
    if staff_is_registered_practitioner(member, on=on):
        met.add(REGISTERED_PRACTITIONER)
    if is_prescriber(member.profession):
        met.add(PRESCRIBER)
    if is_psychologist(member.profession):
        met.add(PSYCHOLOGIST)
    return met


def visit_needs(visit: Visit) -> set[str]:
    needs = set()
    if visit.needs_registered_practitioner:
        needs.add(REGISTERED_PRACTITIONER)
    if visit.needs_prescriber:
        needs.add(PRESCRIBER)
    if visit.needs_psychologist:
        needs.add(PSYCHOLOGIST)
    return needs


def _lock_staff(members: Iterable[StaffMember]) -> None:
    """Lock staff rows in a fixed order, so two bookings cannot deadlock."""
    pks = sorted({member.pk for member in members})
    list(StaffMember.objects.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk"))


def _lock_visit(visit: Visit) -> Visit:
    return Visit.objects.select_for_update(of=("self",)).select_related("episode").get(pk=visit.pk)


def _check_free(
    member: StaffMember, start: dt.datetime, end: dt.datetime, *, except_visit: Visit | None
) -> None:
    """Refuse a double booking: another visit (not cancelled) or an assessment overlapping."""
    clashes = Visit.objects.filter(
        staff_links__staff=member, window_start__lt=end, window_end__gt=start
    ).exclude(status__in=CANCELLED)
    if except_visit is not None:
        clashes = clashes.exclude(pk=except_visit.pk)
    clash = clashes.order_by("window_start").first()
    if clash is not None:
        raise ValidationError(
            {
                "staff": f"{member} is already booked for a visit from "
                f"{time_short(clash.window_start)} to {time_short(clash.window_end)} on "
                f"{date_long(clash.window_start)}"
            }
        )
    assessment = (
        AssessmentStaff.objects.filter(
            staff=member, assessment__starts_at__lt=end, assessment__ends_at__gt=start
        )
        .exclude(assessment__status=AssessmentStatus.CANCELLED)
        .select_related("assessment")
        .first()
    )
    if assessment is not None:
        raise ValidationError(
            {
                "staff": f"{member} is booked for an assessment from "
                f"{time_short(assessment.assessment.starts_at)} on "
                f"{date_long(assessment.assessment.starts_at)}"
            }
        )


def _assign(visit: Visit, member: StaffMember, by: User) -> VisitStaff:
    """Assign one member of staff to a locked, planned visit (the caller holds the locks)."""
    episode = visit.episode
    if visit.status != VisitStatus.PLANNED:
        raise ValidationError("Only a planned visit can be staffed.")
    if not staff_for_team(team=episode.team).filter(pk=member.pk).exists():
        raise ValidationError({"staff": f"{member} is not in {episode.team}"})
    assigned = list(
        StaffMember.objects.filter(visit_links__visit=visit)
        .select_related("user")
        .prefetch_related("registrations")
    )
    if any(other.pk == member.pk for other in assigned):
        raise ValidationError({"staff": f"{member} is already assigned to this visit"})
    if len(assigned) >= visit.staff_needed:
        raise ValidationError(
            {
                "staff": "This visit already has the "
                + ("two members of staff" if visit.staff_needed == 2 else "member of staff")
                + " it needs. Unassign someone first"
            }
        )
    on = local_date(visit.window_start)
    covered = qualities(member, on=on).union(*(qualities(other, on=on) for other in assigned))
    unmet = visit_needs(visit) - covered
    if unmet and len(assigned) + 1 >= visit.staff_needed:
        needed = " and ".join(NEED_LABELS[n] for n in sorted(unmet))
        raise ValidationError(
            {
                "staff": f"This visit needs {needed}. {member} would fill the last place "
                f"without one: assign {needed} instead"
            }
        )
    _check_free(member, visit.window_start, visit.window_end, except_visit=visit)
    link = VisitStaff.objects.create(visit=visit, staff=member, assigned_by=by)
    _audit(visit, by, AuditAction.UPDATE, assigned=str(member.pk))
    return link


@transaction.atomic
def visit_assign(*, visit: Visit, staff: StaffMember, by: User) -> VisitStaff:
    """Assign a member of the episode's team to a planned visit. Refuses someone from another
    team, more staff than the visit needs, filling the last place without the skill the visit
    needs, and a double booking (the staff row is locked for the check)."""
    locked = _lock_visit(visit)
    _lock_staff([staff])
    return _assign(locked, staff, by)


@transaction.atomic
def visit_unassign(*, visit: Visit, staff: StaffMember, by: User) -> Visit:
    locked = _lock_visit(visit)
    if locked.status != VisitStatus.PLANNED:
        raise ValidationError("Only a planned visit can be staffed.")
    deleted, _ = VisitStaff.objects.filter(visit=locked, staff=staff).delete()
    if not deleted:
        raise ValidationError({"staff": f"{staff} is not assigned to this visit"})
    _audit(locked, by, AuditAction.UPDATE, unassigned=str(staff.pk))
    return locked


# -- Planning ----------------------------------------------------------------------------


@transaction.atomic
def visit_plan(
    *,
    episode: Episode,
    window_start: dt.datetime,
    window_end: dt.datetime,
    details: VisitDetails,
    staff: Sequence[StaffMember] = (),
    by: User,
) -> Visit:
    """Plan a one-off visit, and staff it now if staff are given."""
    _check_details(episode, details)
    _check_window(window_start, window_end, now=timezone.now())
    if len({member.pk for member in staff}) != len(staff):
        raise ValidationError({"staff": "Choose two different members of staff"})
    if len(staff) > details.staff_needed:
        raise ValidationError({"staff": "You chose more staff than the visit needs"})
    visit = _new_visit(episode, window_start, window_end, details, by)
    visit.save()
    _status(visit, VisitStatus.PLANNED, by)
    _audit(
        visit,
        by,
        AuditAction.CREATE,
        window_start=window_start.isoformat(),
        location=visit.location,
    )
    if staff:
        _lock_staff(staff)
        # Assign the skilled member first, so a pair of a practitioner and a support
        # worker is accepted in either order.
        on = local_date(window_start)
        ordered = sorted(staff, key=lambda m: -len(qualities(m, on=on) & details.needs))
        for member in ordered:
            _assign(visit, member, by)
    return visit


def pattern_windows(
    *, start_on: dt.date, phases: Sequence[PatternPhase], window_minutes: int
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every window a pattern makes, as UTC instants, in order. Each start time is a London
    wall-clock time on its own day, so 9:30am stays 9:30am across the clock change."""
    if not phases:
        raise ValidationError({"phases": "Enter at least one part of the pattern"})
    if not 15 <= window_minutes <= MAX_WINDOW_MINUTES:
        raise ValidationError(
            {"window_minutes": "The window must be between 15 minutes and an hour long"}
        )
    total = sum(phase.days for phase in phases)
    if total > MAX_PATTERN_DAYS:
        raise ValidationError(
            {
                "phases": f"A pattern can cover at most {MAX_PATTERN_DAYS} days (six weeks). "
                f"This one covers {total}: the six-week review decides what follows"
            }
        )
    windows: list[tuple[dt.datetime, dt.datetime]] = []
    first_day = start_on
    for number, phase in enumerate(phases, start=1):
        if phase.days < 1:
            raise ValidationError({f"phase_{number}_days": "Enter a number of days, 1 or more"})
        if not 1 <= phase.per_day <= MAX_VISITS_PER_DAY or phase.every < 1:
            raise ValidationError({f"phase_{number}_frequency": "Select how often to visit"})
        if phase.per_day > 1 and phase.every > 1:
            raise ValidationError(
                {f"phase_{number}_frequency": "Visit several times a day, or every few days"}
            )
        times = phase.start_times
        if len(times) != phase.per_day:
            raise ValidationError(
                {
                    f"phase_{number}_times": f"Enter {phase.per_day} start "
                    + ("time" if phase.per_day == 1 else "times")
                    + " for the windows"
                }
            )
        for earlier, later in pairwise(times):
            gap = dt.datetime.combine(start_on, later) - dt.datetime.combine(start_on, earlier)
            if gap < dt.timedelta(minutes=window_minutes):
                raise ValidationError(
                    {
                        f"phase_{number}_times": "Put the start times in order, with each "
                        "window ending before the next begins"
                    }
                )
        for offset in range(0, phase.days, phase.every):
            day = first_day + dt.timedelta(days=offset)
            for at in times:
                start = local_instant(day, at)
                windows.append((start, start + dt.timedelta(minutes=window_minutes)))
        first_day += dt.timedelta(days=phase.days)
    return windows


def visit_pattern_preview(
    *,
    episode: Episode,
    start_on: dt.date,
    phases: Sequence[PatternPhase],
    window_minutes: int,
    details: VisitDetails,
) -> list[tuple[dt.datetime, dt.datetime]]:
    """Every window the pattern would create, after every check the creation makes: the
    preview the coordinator confirms. Writes nothing."""
    _check_details(episode, details)
    windows = pattern_windows(start_on=start_on, phases=phases, window_minutes=window_minutes)
    now = timezone.now()
    if any(end <= now for _, end in windows):
        raise ValidationError(
            {
                "start_on": "The first windows have already passed. Start the pattern later, "
                "or change the times"
            }
        )
    return windows


@transaction.atomic
def visit_pattern_create(
    *,
    episode: Episode,
    start_on: dt.date,
    phases: Sequence[PatternPhase],
    window_minutes: int,
    details: VisitDetails,
    by: User,
) -> list[Visit]:
    """Create every visit of a pattern in one transaction, sharing one pattern_id. Staff are
    assigned to each visit afterwards, nearer the day (the rota is not written six weeks
    ahead)."""
    windows = visit_pattern_preview(
        episode=episode,
        start_on=start_on,
        phases=phases,
        window_minutes=window_minutes,
        details=details,
    )
    pattern_id = uuid.uuid4()
    visits = Visit.objects.bulk_create(
        [_new_visit(episode, start, end, details, by, pattern_id) for start, end in windows]
    )
    changed_at = timezone.now()
    VisitStatusChange.objects.bulk_create(
        VisitStatusChange(
            visit=visit, status=VisitStatus.PLANNED, changed_by=by, changed_at=changed_at
        )
        for visit in visits
    )
    for visit in visits:
        _audit(
            visit,
            by,
            AuditAction.CREATE,
            window_start=visit.window_start.isoformat(),
            pattern_id=str(pattern_id),
        )
    return visits


# -- Changing a planned visit ------------------------------------------------------------


@transaction.atomic
def visit_cancel(*, visit: Visit, by_whom: str, reason: str, by: User) -> Visit:
    """Cancel a planned visit, by the person or by the team, with the reason kept in the
    visit's status history."""
    if by_whom not in CANCELLED:
        raise ValidationError({"by_whom": "Select who cancelled the visit"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the visit is cancelled"})
    locked = _lock_visit(visit)
    if locked.status != VisitStatus.PLANNED:
        raise ValidationError("Only a planned visit can be cancelled.")
    _status(locked, by_whom, by, note=reason.strip())
    locked.version += 1
    locked.save(update_fields=["status", "version", "updated_at"])
    _audit(locked, by, AuditAction.UPDATE, status=by_whom)
    return locked


@transaction.atomic
def visit_move(
    *,
    visit: Visit,
    window_start: dt.datetime,
    window_end: dt.datetime,
    expected_version: int,
    by: User,
) -> Visit:
    """Move a planned visit's window. The assigned staff must be free at the new time (their
    rows are locked for the check); the person has to be told the new window again."""
    _check_window(window_start, window_end, now=timezone.now())
    locked = _lock_visit(visit)
    if locked.status != VisitStatus.PLANNED:
        raise ValidationError("Only a planned visit can be moved.")
    assigned = list(StaffMember.objects.filter(visit_links__visit=locked).select_related("user"))
    _lock_staff(assigned)
    for member in assigned:
        _check_free(member, window_start, window_end, except_visit=locked)
    moved = save_if_current(
        locked,
        expected_version=expected_version,
        fields={"window_start": window_start, "window_end": window_end, "person_told_at": None},
    )
    _audit(moved, by, AuditAction.UPDATE, changed=["window_start", "window_end"])
    return moved


@transaction.atomic
def visit_person_told(*, visit: Visit, by: User) -> Visit:
    """The person has been told the visit's window (CORE item 12c: the day before)."""
    locked = _lock_visit(visit)
    if locked.status != VisitStatus.PLANNED:
        raise ValidationError("Only a planned visit can be arranged with the person.")
    locked.person_told_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["person_told_at", "version", "updated_at"])
    _audit(locked, by, AuditAction.UPDATE, changed=["person_told_at"])
    return locked
