"""Who may do what with a person's record: the role x action matrix.

A role rule is necessary but not sufficient: opening a record also needs a
legitimate relationship (selectors.person_access) or break-glass.
"""

from enum import StrEnum

from crisis_care.core.roles import CLINICAL_ROLES, Role


class PersonAction(StrEnum):
    SEARCH = "search"
    VIEW_RECORD = "view_record"
    REGISTER = "register"
    EDIT_DETAILS = "edit_details"
    EDIT_CONTACTS = "edit_contacts"
    RECORD_CONSENT = "record_consent"
    BREAK_GLASS = "break_glass"
    VIEW_ACCESS_LOG = "view_access_log"
    REVIEW_ACCESS = "review_access"


_CARE_STAFF = CLINICAL_ROLES | {Role.ADMINISTRATOR}

PERMISSIONS: dict[PersonAction, frozenset[Role]] = {
    PersonAction.SEARCH: frozenset(_CARE_STAFF),
    PersonAction.VIEW_RECORD: frozenset(_CARE_STAFF),
    PersonAction.REGISTER: frozenset(_CARE_STAFF),
    PersonAction.EDIT_DETAILS: frozenset(_CARE_STAFF),
    # Clerical staff take calls from relatives, so they may record a contact...
    PersonAction.EDIT_CONTACTS: frozenset(_CARE_STAFF),
    # ...but consent to share is a clinical conversation with the person.
    PersonAction.RECORD_CONSENT: frozenset(CLINICAL_ROLES),
    # Break-glass is for clinicians in an emergency, not for clerical look-ups.
    PersonAction.BREAK_GLASS: frozenset(CLINICAL_ROLES),
    # IG auditors see who accessed a record, never its clinical content.
    PersonAction.VIEW_ACCESS_LOG: frozenset({Role.TEAM_MANAGER, Role.IG_AUDITOR}),
    PersonAction.REVIEW_ACCESS: frozenset({Role.TEAM_MANAGER, Role.IG_AUDITOR}),
}

# Actions that also need a legitimate relationship (or break-glass) with the person.
NEEDS_RELATIONSHIP = frozenset(
    {
        PersonAction.VIEW_RECORD,
        PersonAction.EDIT_DETAILS,
        PersonAction.EDIT_CONTACTS,
        PersonAction.RECORD_CONSENT,
    }
)
# IG auditors review any record's access log; managers only for people their team holds.
RELATIONSHIP_FREE_ROLES_FOR_ACCESS_LOG = frozenset({Role.IG_AUDITOR})


def role_may(role: str, action: PersonAction) -> bool:
    return role in PERMISSIONS[action]
