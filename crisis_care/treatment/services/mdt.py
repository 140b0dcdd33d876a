"""Writes for the daily MDT review (CORE items 29, 31e, 33): starting and ending the meeting,
who attended (with their profession that day), each person's review with its actions, and the
team's red/amber/green risk rating.

Reviews and ratings are immutable history: each is a new row, never updated. Every write is
audited in the same transaction. A rating is a clinician's judgement in the team's words with a
reason (ADR 0014), never computed.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditAction, User
from crisis_care.core.presenters import time_short
from crisis_care.workforce.models import StaffMember, Team, TeamMembership

from ..models import (
    DischargeReadiness,
    Episode,
    EpisodeStatus,
    MdtAttendance,
    MdtMeeting,
    MdtReview,
    Rating,
    RiskRating,
)
from ..rules import TreatmentAction, role_may
from ..selectors.mdt import open_meeting_today
from . import actions as action_services

SECTION = "mdt"
RATING_SECTION = "risk rating"
DECISION_MAX = 5000
SUMMARY_MAX = 2000
REASON_MAX = 2000
MAX_ACTIONS = 3


def _members(team: Team, staff: Sequence[StaffMember], on: dt.date) -> set[uuid.UUID]:
    """Which of these staff are current members of the team (one query)."""
    return set(
        TeamMembership.objects.filter(team=team, staff__in=list(staff), started_on__lte=on)
        .exclude(ended_on__lt=on)
        .values_list("staff_id", flat=True)
    )


def _lock_meeting(meeting: MdtMeeting) -> MdtMeeting:
    """The meeting as saved now, locked until the transaction ends (two people changing the
    attendance, or reviewing the same person, wait for each other)."""
    return (
        MdtMeeting.objects.select_for_update(of=("self",))
        .select_related("team", "chair", "chair__user")
        .get(pk=meeting.pk)
    )


def _refuse_unless_open_today(meeting: MdtMeeting, now: dt.datetime) -> None:
    if meeting.ended_at is not None:
        raise ValidationError(
            f"This meeting ended at {time_short(meeting.ended_at)}. "
            "Start a new meeting to review people."
        )
    if local_date(meeting.started_at) != local_date(now):
        raise ValidationError(
            "This meeting was started on an earlier day and not ended. "
            "End it and start today's meeting."
        )


def _text(value: str, *, field: str, required: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required})
    if len(value) > max_length:
        raise ValidationError({field: f"{label} must be {max_length:,} characters or fewer"})
    return value


# -- The meeting ------------------------------------------------------------------------


def _attendance_detail(rows: Sequence[MdtAttendance]) -> dict[str, object]:
    return {
        "attendees": [str(r.staff_id) for r in rows],
        "professions": sorted({r.profession for r in rows}),
    }


@transaction.atomic
def mdt_start(*, team: Team, attendees: Sequence[StaffMember], by: User) -> MdtMeeting:
    """Start today's review meeting for the team, chaired by the user. The chair always
    attends; each attendee's profession is recorded as it is today (CORE item 29)."""
    if not role_may(by.role, TreatmentAction.RUN_MDT):
        raise PermissionDenied("Your role does not allow you to run the team's review.")
    chair = StaffMember.objects.filter(user=by).first()
    if chair is None:
        raise ValidationError("Your sign-in is not linked to a staff record, so you cannot chair.")
    # One meeting at a time per team: a second start waits for the first, then sees it.
    Team.objects.select_for_update().filter(pk=team.pk).first()
    now = timezone.now()
    today = local_date(now)
    running = open_meeting_today(team=team, now=now)
    if running is not None:
        raise ValidationError(
            f"{running.chair} is already chairing today's meeting for {team.name}. "
            "Join it from the board, or end it first."
        )
    people = {s.pk: s for s in [chair, *attendees]}
    members = _members(team, list(people.values()), today)
    outsiders = [str(s) for pk, s in people.items() if pk not in members]
    if outsiders:
        raise ValidationError(
            {
                "attendees": f"Only members of {team.name} can be recorded as attending: "
                + ", ".join(sorted(outsiders))
            }
        )
    meeting = MdtMeeting.objects.create(team=team, started_at=now, chair=chair, started_by=by)
    rows = MdtAttendance.objects.bulk_create(
        [
            MdtAttendance(meeting=meeting, staff=staff, profession=staff.profession)
            for staff in people.values()
        ]
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=meeting,
        section=SECTION,
        detail={"team": str(team.pk), "chair": str(chair.pk), **_attendance_detail(rows)},
    )
    return meeting


@transaction.atomic
def mdt_attendance_set(
    *, meeting: MdtMeeting, attendees: Sequence[StaffMember], by: User
) -> list[MdtAttendance]:
    """Correct who is attending while the meeting is open. The chair always attends; someone
    already recorded keeps the profession recorded when they joined."""
    if not role_may(by.role, TreatmentAction.RUN_MDT):
        raise PermissionDenied("Your role does not allow you to run the team's review.")
    meeting = _lock_meeting(meeting)
    now = timezone.now()
    if meeting.ended_at is not None:
        raise ValidationError("This meeting has ended, so who attended can no longer change.")
    wanted = {s.pk: s for s in [meeting.chair, *attendees]}
    members = _members(meeting.team, list(wanted.values()), local_date(now))
    outsiders = [str(s) for pk, s in wanted.items() if pk not in members]
    if outsiders:
        raise ValidationError(
            {
                "attendees": f"Only members of {meeting.team.name} can be recorded as attending: "
                + ", ".join(sorted(outsiders))
            }
        )
    current = {row.staff_id: row for row in MdtAttendance.objects.filter(meeting=meeting)}
    removed = [pk for pk in current if pk not in wanted]
    added = [s for pk, s in wanted.items() if pk not in current]
    if removed:
        MdtAttendance.objects.filter(meeting=meeting, staff_id__in=removed).delete()
    if added:
        MdtAttendance.objects.bulk_create(
            [MdtAttendance(meeting=meeting, staff=s, profession=s.profession) for s in added]
        )
    rows = list(
        MdtAttendance.objects.filter(meeting=meeting).select_related("staff", "staff__user")
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=meeting,
        section=SECTION,
        detail={
            "changed": ["attendance"] if (added or removed) else [],
            "added": [str(s.pk) for s in added],
            "removed": [str(pk) for pk in removed],
            **_attendance_detail(rows),
        },
    )
    return rows


@transaction.atomic
def mdt_end(*, meeting: MdtMeeting, by: User) -> MdtMeeting:
    """End the meeting. Who attended and the reviews stay as recorded."""
    if not role_may(by.role, TreatmentAction.RUN_MDT):
        raise PermissionDenied("Your role does not allow you to run the team's review.")
    meeting = _lock_meeting(meeting)
    if meeting.ended_at is not None:
        raise ValidationError("This meeting has already ended.")
    now = timezone.now()
    MdtMeeting.objects.filter(pk=meeting.pk).update(ended_at=now, updated_at=now)
    meeting.ended_at = now
    reviewed = MdtReview.objects.filter(meeting=meeting).count()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=meeting,
        section=SECTION,
        detail={"changed": ["ended_at"], "reviews": reviewed},
    )
    return meeting


# -- The rating -------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    """What the rating fields held: the rating and summary (prefilled with the rating the user
    saw), the reason, and which rating the user saw (None if there was none)."""

    rating: str
    summary: str
    reason: str
    seen: uuid.UUID | None


def _seen_rating(episode: Episode, seen: uuid.UUID | None) -> RiskRating | None:
    if seen is None:
        return None
    return RiskRating.objects.filter(episode=episode, pk=seen).first()


def rating_is_change(given: RatingInput, seen: RiskRating | None) -> bool:
    """Whether the fields change the rating the user saw: a different colour or different
    words. Blank fields with no rating seen, or the seen rating left as it was, are no change."""
    rating, summary = (given.rating or "").strip(), (given.summary or "").strip()
    if seen is None:
        return bool(rating or summary)
    return rating != seen.rating or summary != seen.summary.strip()


def _rating_errors(
    *, episode: Episode, given: RatingInput, by: User
) -> tuple[dict[str, str], RiskRating | None]:
    """What is wrong with a change of rating (the caller has decided it is a change), and the
    current rating. A change made on a form opened before someone else's change is refused."""
    if not role_may(by.role, TreatmentAction.SET_RATING):
        raise PermissionDenied(
            "Your role does not allow you to set the rating: a qualified clinician sets it."
        )
    errors: dict[str, str] = {}
    if (given.rating or "").strip() not in Rating.values:
        errors["rating"] = "Select red, amber or green"
    for name, required, label, max_length in (
        (
            "summary",
            "Enter the team's summary of risk, in its own words",
            "The summary",
            SUMMARY_MAX,
        ),
        ("reason", "Enter the reason for the rating", "The reason", REASON_MAX),
    ):
        try:
            _text(
                getattr(given, name),
                field=name,
                required=required,
                label=label,
                max_length=max_length,
            )
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    current = (
        RiskRating.objects.filter(episode=episode)
        .select_related("set_by")
        .order_by("-set_at", "-created_at")
        .first()
    )
    if current is not None and current.pk != given.seen:
        errors["rating"] = (
            f"{current.set_by} changed the rating to {current.get_rating_display().lower()} "
            f"at {time_short(current.set_at)} while you had this page open. "
            "Your changes are still in the form: check the current rating, then save again."
        )
    return errors, current


def _write_rating(
    *,
    episode: Episode,
    given: RatingInput,
    current: RiskRating | None,
    by: User,
    now: dt.datetime,
    meeting: MdtMeeting | None,
) -> RiskRating:
    rating = given.rating.strip()
    row = RiskRating.objects.create(
        episode=episode,
        rating=rating,
        summary=given.summary.strip(),
        reason=given.reason.strip(),
        meeting=meeting,
        set_by=by,
        set_at=now,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=row,
        person_id=episode.person_id,
        section=RATING_SECTION,
        detail={
            "rating": rating,
            "from": current.rating if current else None,
            "meeting": str(meeting.pk) if meeting else None,
        },
    )
    return row


def _lock_episode(episode: Episode) -> Episode:
    """The episode as saved now, locked: two ratings or reviews for one person wait for each
    other, so the second sees the first."""
    return (
        Episode.objects.select_for_update(of=("self",))
        .select_related("person", "team")
        .get(pk=episode.pk)
    )


@transaction.atomic
def risk_rating_set(*, episode: Episode, given: RatingInput, by: User) -> RiskRating:
    """Set or change the team's rating outside a meeting. The reason is always required; a
    change made on a form opened before someone else's change is refused."""
    episode = _lock_episode(episode)
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError("This episode has ended, so the rating can no longer change.")
    seen = _seen_rating(episode, given.seen)
    if not rating_is_change(given, seen):
        raise ValidationError(
            {"rating": "The rating and summary are the same as now: change one of them"}
        )
    errors, current = _rating_errors(episode=episode, given=given, by=by)
    if errors:
        raise ValidationError(errors)
    return _write_rating(
        episode=episode, given=given, current=current, by=by, now=timezone.now(), meeting=None
    )


# -- Reviewing a person ----------------------------------------------------------------


@dataclass(frozen=True)
class ActionInput:
    """One action row of the review form (already complete: the form refuses half a row)."""

    description: str
    owner: StaffMember
    due_at: dt.datetime


def _action_errors(
    actions: Sequence[ActionInput], episode: Episode, now: dt.datetime
) -> dict[str, str]:
    """Every action's problems at once, keyed "actions.<n>.<field>" (n from 0), so the form
    can show each against its row before anything is saved."""
    errors: dict[str, str] = {}
    if len(actions) > MAX_ACTIONS:
        errors["actions"] = f"Add up to {MAX_ACTIONS} actions at a time"
    members = _members(episode.team, [a.owner for a in actions], local_date(now))
    for n, action in enumerate(actions):
        if not action.description.strip():
            errors[f"actions.{n}.description"] = "Enter what needs to be done"
        elif len(action.description.strip()) > action_services.DESCRIPTION_MAX:
            errors[f"actions.{n}.description"] = (
                f"What needs to be done must be {action_services.DESCRIPTION_MAX:,} "
                "characters or fewer"
            )
        if action.owner.pk not in members:
            errors[f"actions.{n}.owner"] = (
                f"{action.owner} is not in {episode.team.name}: choose a member of the team"
            )
        if action.due_at < now.replace(second=0, microsecond=0):
            errors[f"actions.{n}.due_at"] = "The due time must not be in the past"
    return errors


@transaction.atomic
def mdt_review_record(
    *,
    meeting: MdtMeeting,
    episode: Episode,
    decision: str,
    discharge_readiness: str,
    rating: RatingInput | None,
    actions: Sequence[ActionInput],
    by: User,
) -> MdtReview:
    """Record the team's review of one person at today's meeting: the decision (required),
    discharge readiness, a change of rating if the team made one (with its reason), and up to
    three actions, each with an owner in the team and a due time not in the past. Everything
    is checked before anything is written; it is all saved together or not at all."""
    if not role_may(by.role, TreatmentAction.RUN_MDT):
        raise PermissionDenied("Your role does not allow you to record the team's review.")
    meeting = _lock_meeting(meeting)
    episode = _lock_episode(episode)
    now = timezone.now()
    _refuse_unless_open_today(meeting, now)
    if episode.team_id != meeting.team_id:
        raise PermissionDenied("This person is not on this team's board.")
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError("This episode has ended, so it is no longer on the board.")

    errors: dict[str, str] = {}
    try:
        decision = _text(
            decision,
            field="decision",
            required="Enter the team's decision",
            label="The decision",
            max_length=DECISION_MAX,
        )
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if discharge_readiness not in DischargeReadiness.values:
        errors["discharge_readiness"] = "Select how ready for discharge the person is"
    errors.update(_action_errors(actions, episode, now))
    change = rating is not None and rating_is_change(rating, _seen_rating(episode, rating.seen))
    current = None
    if change:
        assert rating is not None
        rating_errors, current = _rating_errors(episode=episode, given=rating, by=by)
        errors.update(rating_errors)
    if errors:
        raise ValidationError(errors)

    new_rating = None
    if change:
        assert rating is not None
        new_rating = _write_rating(
            episode=episode, given=rating, current=current, by=by, now=now, meeting=meeting
        )
    review = MdtReview.objects.create(
        meeting=meeting,
        episode=episode,
        decision=decision,
        discharge_readiness=discharge_readiness,
        reviewed_by=by,
        reviewed_at=now,
    )
    created = [
        action_services.action_create(
            episode=episode,
            description=action.description,
            owner=action.owner,
            due_at=action.due_at,
            by=by,
            review=review,
        )
        for action in actions
    ]
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=review,
        person_id=episode.person_id,
        section=SECTION,
        detail={
            "meeting": str(meeting.pk),
            "discharge_readiness": discharge_readiness,
            "rating": str(new_rating.pk) if new_rating else None,
            "actions": [str(a.pk) for a in created],
        },
    )
    return review
