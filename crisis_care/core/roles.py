"""Roles in the system. A user acts in exactly one role; each app's rules.py maps actions to roles."""

from django.db import models


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator (clerical)"
    SUPPORT_WORKER = "support_worker", "Support worker"
    REGISTERED_PRACTITIONER = "registered_practitioner", "Registered practitioner"
    DOCTOR = "doctor", "Doctor"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    TEAM_MANAGER = "team_manager", "Team manager"
    IG_AUDITOR = "ig_auditor", "Information governance auditor"
    SYSTEM_ADMINISTRATOR = "system_administrator", "System administrator"


# Roles that give care directly: they may record consent and use break-glass.
# (Clerical administrators may also open records their team holds; see people/rules.py.)
CLINICAL_ROLES = frozenset(
    {
        Role.SUPPORT_WORKER,
        Role.REGISTERED_PRACTITIONER,
        Role.DOCTOR,
        Role.PSYCHOLOGIST,
        Role.TEAM_MANAGER,
    }
)
