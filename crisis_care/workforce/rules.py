"""Who counts as a registered mental health practitioner, and who may change the rota.

A registered practitioner is someone whose profession qualifies AND who holds a current
registration with that profession's regulator (DOMAIN.md §1.1: assessments need one).
"""

import datetime as dt
from collections.abc import Iterable

from crisis_care.core.roles import Role

from .models import Profession, RegulatoryBody

QUALIFYING_REGISTRATIONS: dict[str, frozenset[str]] = {
    Profession.NURSE: frozenset({RegulatoryBody.NMC}),
    Profession.SOCIAL_WORKER: frozenset({RegulatoryBody.SWE}),
    Profession.OCCUPATIONAL_THERAPIST: frozenset({RegulatoryBody.HCPC}),
    Profession.PSYCHOLOGIST: frozenset({RegulatoryBody.HCPC}),
    Profession.PSYCHIATRIST: frozenset({RegulatoryBody.GMC}),
    # Non-medical prescribers in mental health are nurses or pharmacists by first registration;
    # only the nursing route makes them a mental health practitioner.
    Profession.NON_MEDICAL_PRESCRIBER: frozenset({RegulatoryBody.NMC}),
}

ROTA_EDITORS = frozenset({Role.TEAM_MANAGER, Role.ADMINISTRATOR, Role.SYSTEM_ADMINISTRATOR})
STAFF_EDITORS = frozenset({Role.TEAM_MANAGER, Role.SYSTEM_ADMINISTRATOR})


def is_registered_practitioner(
    *, profession: str, registrations: Iterable[tuple[str, dt.date | None]], on: dt.date
) -> bool:
    bodies = QUALIFYING_REGISTRATIONS.get(profession, frozenset())
    return any(
        body in bodies and (expires is None or expires >= on) for body, expires in registrations
    )


def can_edit_rota(role: str) -> bool:
    return role in ROTA_EDITORS
