"""Who may do what with the directory. Everyone signed in may read it (it is public
information about services); keeping it right is a job for managers and administrators."""

from enum import StrEnum

from crisis_care.core.roles import Role


class DirectoryAction(StrEnum):
    VIEW = "view"
    CHANGE = "change"


PERMISSIONS: dict[DirectoryAction, frozenset[Role]] = {
    DirectoryAction.VIEW: frozenset(Role),
    DirectoryAction.CHANGE: frozenset(
        {Role.TEAM_MANAGER, Role.ADMINISTRATOR, Role.SYSTEM_ADMINISTRATOR}
    ),
}


def role_may(role: str, action: DirectoryAction) -> bool:
    return role in PERMISSIONS[action]
