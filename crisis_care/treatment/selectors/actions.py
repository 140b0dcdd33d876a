"""Reads for actions: a member of staff's task list, the team's open actions, an episode's
actions. Every read is scoped to the user's teams and takes a fixed number of queries."""

import datetime as dt
import uuid

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.workforce.models import ShiftAssignment, StaffMember, Team
from crisis_care.workforce.selectors import staff_for_team, teams_for_user

from ..models import Action, ActionStatus, Episode

# The task lists show who set each action and from which review, so these come along in the
# same query as the action.
_RELATED = (
    "episode",
    "episode__person",
    "owner",
    "owner__user",
    "created_by",
    "review",
    "review__meeting",
)


def _actions() -> QuerySet[Action]:
    return Action.objects.select_related(*_RELATED)


def open_actions_for_staff(*, user: User, staff: StaffMember) -> QuerySet[Action]:
    """A member of staff's open actions, for episodes held by one of the user's teams, earliest
    due first. (One query.)"""
    return (
        _actions()
        .filter(
            owner=staff,
            status=ActionStatus.OPEN,
            episode__team__in=teams_for_user(user=user),
        )
        .order_by("due_at", "created_at")
    )


def open_actions_for_team(
    *,
    team: Team,
    owner: StaffMember | None = None,
    overdue_only: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[Action]:
    """The team's open actions, optionally one owner's or only the overdue ones. (One query.)"""
    actions = _actions().filter(episode__team=team, status=ActionStatus.OPEN)
    if owner is not None:
        actions = actions.filter(owner=owner)
    if overdue_only:
        actions = actions.filter(due_at__lt=now or timezone.now())
    return actions.order_by("due_at", "created_at")


def actions_for_episode(*, episode: Episode) -> QuerySet[Action]:
    """Every action for an episode: open ones first (earliest due first), then done and
    cancelled ones (latest due first). For the episode page and the MDT board. (One query.)"""
    return (
        _actions()
        .filter(episode=episode)
        .annotate(
            closed=Case(
                When(status=ActionStatus.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "due_at", "created_at")
    )


def action_for_user(*, pk: uuid.UUID, user: User) -> Action:
    """An action on an episode held by one of the user's teams (else Action.DoesNotExist)."""
    return _actions().get(pk=pk, episode__team__in=teams_for_user(user=user))


def action_exists(*, pk: uuid.UUID) -> bool:
    return Action.objects.filter(pk=pk).exists()


def last_status_change_by(*, action: Action) -> tuple[str, dt.datetime] | None:
    """Who last changed an action's status and when (for 'a colleague already did this')."""
    change = (
        action.status_history.select_related("changed_by").order_by("-changed_at", "-created_at")
    ).first()
    if change is None:
        return None
    return str(change.changed_by), change.changed_at


def owner_choices(*, team: Team) -> list[StaffMember]:
    """Who an action can be given to: the current members of the team holding the episode."""
    return list(staff_for_team(team=team).order_by("user__first_name", "user__last_name"))


def may_oversee_team_tasks(*, user: User, team: Team, at: dt.datetime | None = None) -> bool:
    """Team managers always; anyone else while they coordinate one of the team's shifts."""
    if user.role == Role.TEAM_MANAGER:
        return True
    at = at or timezone.now()
    return ShiftAssignment.objects.filter(
        staff__user=user,
        is_coordinator=True,
        shift__team=team,
        shift__starts_at__lte=at,
        shift__ends_at__gt=at,
    ).exists()
