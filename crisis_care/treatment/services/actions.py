"""Writes for actions: something to do for a person, with an owner and a due time (CORE item
31e). Each change writes an ActionStatusChange row and an audit row in the same transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import StaffMember, TeamMembership

from ..models import Action, ActionStatus, ActionStatusChange, Episode, EpisodeStatus, MdtReview

SECTION = "actions"

# How long a description can be: a task, not a care plan.
DESCRIPTION_MAX = 1000


def owner_in_team(*, owner: StaffMember, episode: Episode, on: dt.date) -> bool:
    """Whether the owner is a current member of the team that holds the episode."""
    return (
        TeamMembership.objects.filter(team_id=episode.team_id, staff=owner, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .exists()
    )


@transaction.atomic
def action_create(
    *,
    episode: Episode,
    description: str,
    owner: StaffMember,
    due_at: dt.datetime,
    by: User,
    review: MdtReview | None = None,
) -> Action:
    """Set an action for someone in the episode's team.

    The owner must be a current member of the episode's team, the due time must not be in the
    past, and the episode must be open. Raises ValidationError with a dict of field -> message
    so a form can put each message against its field.
    """
    now = timezone.now()
    description = (description or "").strip()
    errors: dict[str, str] = {}
    if not description:
        errors["description"] = "Enter what needs to be done"
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = (
            f"What needs to be done must be {DESCRIPTION_MAX} characters or fewer"
        )
    if due_at is None or timezone.is_naive(due_at):
        errors["due_at"] = "Enter when it is due"
    elif due_at < now.replace(second=0, microsecond=0):
        errors["due_at"] = "The due time must not be in the past"
    if not owner_in_team(owner=owner, episode=episode, on=local_date(now)):
        errors["owner"] = "Choose someone in the team that holds this episode"
    if episode.status != EpisodeStatus.OPEN:
        errors["__all__"] = "This episode is closed, so no new actions can be set"
    if review is not None and review.episode_id != episode.pk:
        errors["__all__"] = "The review is for a different episode"
    if errors:
        raise ValidationError(errors)

    action = Action.objects.create(
        episode=episode,
        review=review,
        description=description,
        owner=owner,
        due_at=due_at,
        status=ActionStatus.OPEN,
        created_by=by,
    )
    ActionStatusChange.objects.create(
        action=action, status=ActionStatus.OPEN, changed_by=by, changed_at=now
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=action,
        person_id=episode.person_id,
        section=SECTION,
        detail={
            "owner": str(owner.pk),
            "due_at": due_at.isoformat(),
            "review": str(review.pk) if review is not None else None,
        },
    )
    return action


def _close(
    *, action: Action, status: ActionStatus, note: str, expected_version: int, by: User
) -> Action:
    if action.status != ActionStatus.OPEN:
        raise ValidationError(
            f"This action is already {ActionStatus(action.status).label.lower()}, "
            "so it cannot be changed"
        )
    now = timezone.now()
    before = action.status
    save_if_current(action, expected_version=expected_version, fields={"status": status})
    ActionStatusChange.objects.create(
        action=action, status=status, note=note, changed_by=by, changed_at=now
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=action,
        person_id=action.episode.person_id,
        section=SECTION,
        detail={"status": {"from": before, "to": str(status)}, "changed": ["status"]},
    )
    return action


@transaction.atomic
def action_complete(*, action: Action, note: str, expected_version: int, by: User) -> Action:
    """Mark an open action done, with an optional note. Raises StaleEdit if someone else changed
    it since the page was opened (for example a colleague already marked it done)."""
    return _close(
        action=action,
        status=ActionStatus.DONE,
        note=(note or "").strip(),
        expected_version=expected_version,
        by=by,
    )


@transaction.atomic
def action_cancel(*, action: Action, reason: str, expected_version: int, by: User) -> Action:
    """Cancel an open action; the reason is required and kept in the status history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the action is being cancelled"})
    return _close(
        action=action,
        status=ActionStatus.CANCELLED,
        note=reason,
        expected_version=expected_version,
        by=by,
    )
