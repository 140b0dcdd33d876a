"""Who may do what with assessments. Support workers contribute to the record; only
registered practitioners, doctors and psychologists finalise it and record the decision."""

from crisis_care.core.roles import Role

CLINICIANS = frozenset(
    {Role.REGISTERED_PRACTITIONER, Role.DOCTOR, Role.PSYCHOLOGIST, Role.TEAM_MANAGER}
)
CONTRIBUTORS = CLINICIANS | {Role.SUPPORT_WORKER}
BOOKERS = CONTRIBUTORS | {Role.ADMINISTRATOR}


def may_book(role: str) -> bool:
    return role in BOOKERS


def may_contribute(role: str) -> bool:
    return role in CONTRIBUTORS


def may_finalise(role: str) -> bool:
    return role in CLINICIANS
