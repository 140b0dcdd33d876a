"""Writes for the episode itself: the named worker (CORE item 36), the six-week review
(CORE item 10) and whether paired visits are required (CORE item 32b). Each change writes
its immutable history row and its audit row in the same transaction as the change."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.core.roles import CLINICAL_ROLES
from crisis_care.workforce.models import StaffMember, TeamMembership

from ..models import (
    Episode,
    EpisodeReview,
    EpisodeStatus,
    NamedWorkerChange,
    PairedVisitsChange,
    ReviewOutcome,
)

# CORE item 10: an automatic review keeps home treatment brief (under six weeks).
REVIEW_AFTER_DAYS = 42
# A continuing episode is looked at again soon: the next review is at most two weeks away.
NEXT_REVIEW_WITHIN_DAYS = 14
REASON_MAX_LENGTH = 2000


def review_due_on(episode: Episode) -> dt.date:
    """The six-week review date: the London date the episode started, plus 42 days."""
    return local_date(episode.started_at) + dt.timedelta(days=REVIEW_AFTER_DAYS)


def _reason_problem(reason: str, *, required_message: str) -> str | None:
    """What is wrong with a reason (already stripped), or None."""
    if not reason:
        return required_message
    if len(reason) > REASON_MAX_LENGTH:
        return f"The reason must be {REASON_MAX_LENGTH:,} characters or fewer"
    return None


def _refuse_if_closed(episode: Episode) -> None:
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError("This episode has ended, so it can no longer be changed.")


def _is_current_member(staff: StaffMember, episode: Episode, on: dt.date) -> bool:
    return (
        TeamMembership.objects.filter(team_id=episode.team_id, staff=staff, started_on__lte=on)
        .exclude(ended_on__lt=on)
        .exists()
    )


@transaction.atomic
def named_worker_change(
    *, episode: Episode, staff: StaffMember, reason: str, expected_version: int, by: User
) -> Episode:
    """Name a different member of the team as the person's named worker (CORE item 36a).
    Refused if someone changed the episode since the form was opened (StaleEdit)."""
    _refuse_if_closed(episode)
    now = timezone.now()
    errors: dict[str, str] = {}
    if staff.user.role not in CLINICAL_ROLES:
        errors["staff"] = (
            f"{staff} cannot be a named worker: choose a member of the team who gives care"
        )
    elif not _is_current_member(staff, episode, local_date(now)):
        errors["staff"] = f"{staff} is not in {episode.team.name}: choose a member of the team"
    elif staff.pk == episode.named_worker_id:
        errors["staff"] = f"{staff} is already the named worker: choose someone else"
    reason = (reason or "").strip()
    if problem := _reason_problem(
        reason, required_message="Enter why the named worker is changing"
    ):
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)

    episode = save_if_current(
        episode, expected_version=expected_version, fields={"named_worker": staff}
    )
    change = NamedWorkerChange.objects.create(
        episode=episode, staff=staff, reason=reason, changed_by=by, changed_at=now
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=episode,
        person_id=episode.person_id,
        section="named worker",
        detail={"changed": ["named_worker"], "history_row": str(change.pk)},
    )
    return episode


@transaction.atomic
def episode_review_record(
    *,
    episode: Episode,
    outcome: str,
    reason: str,
    next_review_on: dt.date | None,
    by: User,
) -> EpisodeReview:
    """Record a review of the episode (CORE item 10): continue, with a next review date no more
    than two weeks away, or plan discharge. Reviews are immutable; a later one is a new row."""
    # One review at a time per episode: the second waits, then sees the first.
    episode = Episode.objects.select_for_update(of=("self",)).get(pk=episode.pk)
    _refuse_if_closed(episode)
    now = timezone.now()
    today = local_date(now)
    errors: dict[str, str] = {}
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = "Select the outcome of the review"
    reason = (reason or "").strip()
    if problem := _reason_problem(reason, required_message="Enter the reasons for the outcome"):
        errors["reason"] = problem
    if outcome == ReviewOutcome.CONTINUE:
        latest = today + dt.timedelta(days=NEXT_REVIEW_WITHIN_DAYS)
        if next_review_on is None:
            errors["next_review_on"] = "Enter the date of the next review"
        elif next_review_on <= today:
            errors["next_review_on"] = "The date of the next review must be in the future"
        elif next_review_on > latest:
            errors["next_review_on"] = (
                f"The next review must be within {NEXT_REVIEW_WITHIN_DAYS} days, "
                f"on or before {latest.day} {latest:%B %Y}"
            )
    else:
        # Planning discharge: the discharge plan takes over; there is no next review.
        next_review_on = None
    if errors:
        raise ValidationError(errors)

    review = EpisodeReview.objects.create(
        episode=episode,
        reviewed_at=now,
        reviewed_by=by,
        outcome=outcome,
        reason=reason,
        next_review_on=next_review_on,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=review,
        person_id=episode.person_id,
        section="episode review",
        detail={"outcome": outcome},
    )
    return review


@transaction.atomic
def paired_visits_set(
    *, episode: Episode, required: bool, reason: str, expected_version: int, by: User
) -> Episode:
    """Require (or stop requiring) two staff on every visit to the person (CORE item 32b).
    Switching it on needs the reason, which every visit planner and visitor then sees."""
    _refuse_if_closed(episode)
    errors: dict[str, str] = {}
    if required == episode.paired_visits_required:
        errors["required"] = (
            "Paired visits are already required for this person"
            if required
            else "Paired visits are already not required for this person"
        )
    reason = (reason or "").strip()
    problem = _reason_problem(reason, required_message="Enter why paired visits are needed")
    # Switching off: the reason is welcome but not needed.
    if problem and (required or reason):
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    episode = save_if_current(
        episode,
        expected_version=expected_version,
        fields={
            "paired_visits_required": required,
            "paired_visits_reason": reason if required else "",
        },
    )
    change = PairedVisitsChange.objects.create(
        episode=episode, required=required, reason=reason, changed_by=by, changed_at=now
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=episode,
        person_id=episode.person_id,
        section="paired visits",
        detail={
            "changed": ["paired_visits_required", "paired_visits_reason"],
            "required": required,
            "history_row": str(change.pk),
        },
    )
    return episode
