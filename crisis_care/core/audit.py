"""The auditor: every view and change of a person's record is written here, explicitly.

Services call `audit_record` inside their own transaction, so a change and its
audit row land together or not at all.
"""

import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from .models import AuditAction, AuditEvent, User


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: uuid.UUID | None = None,
    person_id: uuid.UUID | None = None,
    section: str = "",
    detail: dict[str, Any] | None = None,
    reason: str = "",
    flagged: bool = False,
    ip_address: str | None = None,
) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or obj.pk
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor,
        actor_name=str(actor) if actor else "",
        actor_role=actor.role if actor else "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        person_id=person_id,
        section=section,
        detail=detail or {},
        reason=reason,
        flagged_for_review=flagged,
        ip_address=ip_address,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Field names that changed, for the audit detail. Values are left out on purpose:
    the audit log must not become a second copy of the clinical record."""
    return {"changed": sorted(k for k in after if before.get(k) != after.get(k))}
