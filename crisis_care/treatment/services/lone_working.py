"""Writes for lone working (CORE item 32a): check in on arrival with an expected duration,
check out on leaving, and the shift coordinator's record of what they did about an overrunning
visit. When an overdue check-in is an alert, and what closes it, is set out in
selectors/lone_working.py."""

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import as_utc
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import StaffMember, Team
from crisis_care.workforce.selectors import teams_for_staff, teams_for_user

from ..models import (
    AlertAction,
    CheckInStatus,
    LoneWorkingAlertAction,
    LoneWorkingCheck,
    Visit,
    VisitStatus,
)
from ..rules import TreatmentAction, role_may
from ..selectors.lone_working import ALERT_CLOSING_ACTIONS

MIN_MINUTES = 5
MAX_MINUTES = 240  # CORE item 31f: staff may stay with someone up to 4 hours.
# Actions that need a note saying what was done (who was told, the police reference).
NOTE_REQUIRED = frozenset({AlertAction.ESCALATED, AlertAction.POLICE})
_CANCELLED = frozenset({VisitStatus.CANCELLED_BY_PERSON, VisitStatus.CANCELLED_BY_TEAM})


def _person_id(check: LoneWorkingCheck) -> uuid.UUID | None:
    return check.visit.episode.person_id if check.visit is not None else None


def _validate_minutes(minutes: int) -> None:
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise ValidationError(
            {
                "minutes": f"The expected time must be between {MIN_MINUTES} and "
                f"{MAX_MINUTES} minutes"
            }
        )


def _in_team(user: User, team_id: uuid.UUID) -> bool:
    return teams_for_user(user=user).filter(pk=team_id).exists()


@transaction.atomic
def check_in(
    *,
    by: User,
    team: Team,
    location: str,
    minutes: int,
    visit: Visit | None = None,
    purpose: str = "",
    at: dt.datetime | None = None,
) -> LoneWorkingCheck:
    """The signed-in member of staff checks in, expected to leave `minutes` from now. One open
    check-in per member of staff: a second is refused until they check out of the first."""
    if not role_may(by.role, TreatmentAction.LONE_WORKING):
        raise PermissionDenied(f"Your role ({by.role_label}) does not check in for lone working.")
    location = location.strip()
    errors: dict[str, str] = {}
    if not location:
        errors["location"] = "Enter where you are"
    try:
        _validate_minutes(minutes)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    # Lock the member of staff's row so two check-ins sent at once queue up.
    staff = StaffMember.objects.select_for_update(of=("self",)).filter(user=by).first()
    if staff is None:
        raise PermissionDenied("Only members of staff can check in for lone working.")
    if visit is not None:
        if visit.episode.team_id != team.pk:
            raise ValidationError("This visit belongs to another team.")
        if visit.status in _CANCELLED:
            raise ValidationError("This visit was cancelled, so you cannot check in on it.")
    if not teams_for_staff(staff=staff).filter(pk=team.pk).exists():
        raise PermissionDenied("You can only check in with a team you are in.")
    already = LoneWorkingCheck.objects.filter(staff=staff, status=CheckInStatus.CHECKED_IN).first()
    if already is not None:
        raise ValidationError(
            f"You are already checked in at {already.location}. Check out there before you "
            "check in somewhere else."
        )
    at = as_utc(at or timezone.now())
    try:
        with transaction.atomic():
            check = LoneWorkingCheck.objects.create(
                staff=staff,
                team=team,
                visit=visit,
                location=location,
                purpose=purpose.strip(),
                checked_in_at=at,
                expected_end_at=at + dt.timedelta(minutes=minutes),
            )
    except IntegrityError as error:  # the one-open-check constraint, should the lock be bypassed
        raise ValidationError(
            "You are already checked in somewhere else. Check out there first."
        ) from error
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=check,
        person_id=_person_id(check),
        section="lone working",
        detail={"event": "checked in", "minutes": minutes, "visit": bool(visit)},
    )
    return check


def _locked(check: LoneWorkingCheck) -> LoneWorkingCheck:
    return (
        LoneWorkingCheck.objects.select_for_update(of=("self",))
        .select_related("staff__user", "visit__episode")
        .get(pk=check.pk)
    )


def _require_coordinator(by: User, check: LoneWorkingCheck, doing: str) -> None:
    if not role_may(by.role, TreatmentAction.RESPOND_TO_ALERT):
        raise PermissionDenied(
            f"Only a registered practitioner, doctor, psychologist or team manager can {doing}."
        )
    if not _in_team(by, check.team_id):
        raise PermissionDenied("This check-in belongs to a team you are not in.")


@transaction.atomic
def check_out(
    *, check: LoneWorkingCheck, by: User, note: str = "", at: dt.datetime | None = None
) -> LoneWorkingCheck:
    """The member of staff checks out; or a coordinator checks them out on their behalf, saying
    how they know the member of staff has left safely."""
    check = _locked(check)
    if check.status == CheckInStatus.CHECKED_OUT:
        raise ValidationError(f"{check.staff} has already checked out.")
    note = note.strip()
    on_behalf = check.staff.user_id != by.pk
    if on_behalf:
        _require_coordinator(by, check, "check out someone else")
        if not note:
            raise ValidationError(
                {
                    "note": "Say how you know they have left safely, for example that you spoke to them"
                }
            )
    at = as_utc(at or timezone.now())
    check.status = CheckInStatus.CHECKED_OUT
    check.checked_out_at = max(at, check.checked_in_at)
    check.checked_out_by = by
    check.check_out_note = note
    check.save(
        update_fields=["status", "checked_out_at", "checked_out_by", "check_out_note", "updated_at"]
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=check,
        person_id=_person_id(check),
        section="lone working",
        detail={"event": "checked out", "on_behalf": on_behalf},
    )
    return check


@transaction.atomic
def alert_action_record(
    *,
    check: LoneWorkingCheck,
    action: str,
    by: User,
    note: str = "",
    new_expected_end_at: dt.datetime | None = None,
    at: dt.datetime | None = None,
) -> LoneWorkingAlertAction:
    """The coordinator records what they did about an overdue check-in (immutable). "Extended"
    moves the check-in's expected end to the new time agreed with the member of staff."""
    _require_coordinator(by, check, "record the action taken on a lone working alert")
    if action not in AlertAction.values:
        raise ValidationError({"action": "Select what you did"})
    check = _locked(check)  # two coordinators acting at once: the second sees the first's action
    at = as_utc(at or timezone.now())
    if check.status == CheckInStatus.CHECKED_OUT:
        raise ValidationError(f"{check.staff} has checked out, so there is no alert to act on.")
    if check.expected_end_at > at:
        raise ValidationError(
            f"{check.staff}'s visit is not overdue: they are expected to finish later."
        )
    closing = (
        LoneWorkingAlertAction.objects.select_related("taken_by")
        .filter(
            lone_check=check, action__in=ALERT_CLOSING_ACTIONS, was_due_at=check.expected_end_at
        )
        .first()
    )
    # Agreeing a new expected end is still allowed: a new alert is raised if it passes.
    if closing is not None and action != AlertAction.EXTENDED:
        raise ValidationError(
            f"{closing.taken_by} has already recorded that {check.staff} is safe. "
            "The alert is closed."
        )
    note = note.strip()
    errors: dict[str, str] = {}
    if action == AlertAction.EXTENDED:
        if new_expected_end_at is None:
            errors["new_end"] = "Enter the new time they expect to finish"
        elif new_expected_end_at <= at:
            errors["new_end"] = "The new expected end must be later than now"
        elif new_expected_end_at > at + dt.timedelta(minutes=MAX_MINUTES):
            errors["new_end"] = "The new expected end must be within 4 hours from now"
    else:
        new_expected_end_at = None
    if action in NOTE_REQUIRED and not note:
        errors["note"] = "Say what you did: who you told, and any reference number"
    if errors:
        raise ValidationError(errors)
    was_due_at = check.expected_end_at
    taken = LoneWorkingAlertAction.objects.create(
        lone_check=check,
        action=action,
        note=note,
        was_due_at=was_due_at,
        new_expected_end_at=as_utc(new_expected_end_at) if new_expected_end_at else None,
        taken_by=by,
        taken_at=at,
    )
    person_id = _person_id(check)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=taken,
        person_id=person_id,
        section="lone working",
        detail={"event": "alert action", "action": action},
    )
    if taken.new_expected_end_at is not None:
        check.expected_end_at = taken.new_expected_end_at
        check.save(update_fields=["expected_end_at", "updated_at"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=check,
            person_id=person_id,
            section="lone working",
            detail={"changed": ["expected_end_at"]},
        )
    return taken
