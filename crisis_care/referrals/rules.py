"""Who may do what with referrals. Seeing a referral also needs membership of the team
that holds it (the referral is what gives the team its legitimate relationship)."""

from enum import StrEnum

from crisis_care.core.roles import Role


class ReferralAction(StrEnum):
    VIEW_QUEUE = "view_queue"
    CREATE = "create"
    TAKE = "take"
    SET_PRIORITY = "set_priority"
    RECORD_CONTACT = "record_contact"
    RECORD_BREACH_REASON = "record_breach_reason"
    CONFIRM_ELIGIBILITY = "confirm_eligibility"
    ACCEPT = "accept"
    DECLINE = "decline"


_CLINICIANS = frozenset(
    {Role.REGISTERED_PRACTITIONER, Role.DOCTOR, Role.PSYCHOLOGIST, Role.TEAM_MANAGER}
)
_TEAM = _CLINICIANS | {Role.SUPPORT_WORKER, Role.ADMINISTRATOR}

PERMISSIONS: dict[ReferralAction, frozenset[Role]] = {
    ReferralAction.VIEW_QUEUE: _TEAM,
    # Clerical staff take referrals by phone and letter.
    ReferralAction.CREATE: _TEAM,
    # Triage decisions belong to registered clinicians.
    ReferralAction.TAKE: _CLINICIANS,
    ReferralAction.SET_PRIORITY: _CLINICIANS,
    ReferralAction.RECORD_CONTACT: _TEAM,
    ReferralAction.RECORD_BREACH_REASON: _TEAM,
    ReferralAction.CONFIRM_ELIGIBILITY: _CLINICIANS | {Role.ADMINISTRATOR},
    ReferralAction.ACCEPT: _CLINICIANS,
    ReferralAction.DECLINE: _CLINICIANS,
}


def role_may(role: str, action: ReferralAction) -> bool:
    return role in PERMISSIONS[action]
