"""Who may plan the team's day: the shift coordinator's work, done by a team manager or a
registered practitioner. A role rule is necessary but not sufficient: the team must be one
of the user's teams."""

from crisis_care.core.roles import Role

PLANNERS = frozenset({Role.TEAM_MANAGER, Role.REGISTERED_PRACTITIONER})


def may_plan(role: str) -> bool:
    return role in PLANNERS
