"""What every report view shares: the role rule and the team the report is for (one of the
user's own teams; any other is an audited 403)."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import Team

from ..rules import ReportingAction, role_may
from ..selectors.teams import teams_for_reports


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def require(user: User, action: ReportingAction) -> None:
    if not role_may(user.role, action):
        raise PermissionDenied(f"Your role ({user.role_label}) does not allow this.")


def team_for(user: User, wanted: str | None) -> Team:
    """The team asked for (?team=<uuid>) if the user may report on it, else their first team."""
    teams = teams_for_reports(user=user)
    if not teams:
        raise PermissionDenied("You are not a member of a team, so there is nothing to report.")
    if not wanted:
        return teams[0]
    try:
        pk = uuid.UUID(wanted)
    except ValueError:
        return teams[0]
    for team in teams:
        if team.pk == pk:
            return team
    audit_record(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        object_type="workforce.Team",
        object_id=pk,
        section="reporting",
    )
    raise PermissionDenied("You can only see reports for your own teams.")
