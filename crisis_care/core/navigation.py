"""The header navigation, by role. URL names only: core does not import later apps."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .roles import CLINICAL_ROLES, Role

_ALL = frozenset(Role)
_PERSON_FINDERS = _ALL - {Role.IG_AUDITOR, Role.SYSTEM_ADMINISTRATOR}
_AUDITORS = frozenset({Role.IG_AUDITOR, Role.TEAM_MANAGER})
# The role sets of treatment.rules, written out because core does not import later apps.
_CARE_STAFF = frozenset(CLINICAL_ROLES | {Role.ADMINISTRATOR})  # TreatmentAction.VIEW
_CLINICIANS = frozenset(CLINICAL_ROLES)  # LONE_WORKING, MANAGE_ACTIONS, HANDOVER
_QUALIFIED = frozenset(  # RESPOND_TO_ALERT
    {Role.REGISTERED_PRACTITIONER, Role.DOCTOR, Role.PSYCHOLOGIST, Role.TEAM_MANAGER}
)

# In order of how often a shift reaches for them: the header shows the first few and puts the
# rest under "More".
NAVIGATION: list[tuple[str, str, frozenset[Role]]] = [
    ("Home", "workforce:home", _ALL),
    ("My visits", "treatment:my_visits", _CLINICIANS),
    ("My tasks", "treatment:my_tasks", _CLINICIANS),
    ("Triage queue", "referrals:queue", _PERSON_FINDERS),
    ("Caseload", "treatment:caseload", _CARE_STAFF),
    ("MDT board", "treatment:mdt_board", _CARE_STAFF),
    ("Handover", "treatment:handover", _CLINICIANS),
    ("Discharges", "discharge:discharges", _CARE_STAFF),
    ("Lone working", "treatment:lone_working", _QUALIFIED),
    ("Find a person", "people:search", _PERSON_FINDERS),
    ("Who is on now", "workforce:on_now", _ALL - {Role.IG_AUDITOR}),
    ("Directory", "directory:list", _ALL - {Role.IG_AUDITOR}),
    ("Rota", "workforce:rota", _ALL - {Role.IG_AUDITOR}),
    ("Staff", "workforce:staff_list", _ALL - {Role.IG_AUDITOR}),
    ("Access reviews", "people:access_reviews", _AUDITORS),
    # reporting.rules ReportingAction.VIEW_FIGURES
    ("Performance", "reporting:dashboard", frozenset({Role.TEAM_MANAGER, Role.IG_AUDITOR})),
]


def nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not user.is_authenticated:
        return []
    role = Role(user.role)
    items = []
    for text, name, roles in NAVIGATION:
        if role not in roles:
            continue
        href = reverse(name)
        items.append({"href": href, "text": text, "current": request.path == href})
    return items
