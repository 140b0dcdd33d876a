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


def audit_list_view(
    *,
    actor: User,
    object_type: str,
    object_id: uuid.UUID | None,
    section: str,
    person_ids: list[uuid.UUID] | list[str],
    detail: dict[str, Any] | None = None,
) -> None:
    """A list page that shows people (a caseload, a board, a task list) writes one row for the
    list and one row per person shown, so each person's access log shows that they appeared
    on it. All rows go in one bulk insert (on SQLite, Django splits it every ~60 rows to stay
    under SQLite's 999-parameter limit; PostgreSQL takes it in one)."""
    now = timezone.now()
    unique = list(dict.fromkeys(str(pk) for pk in person_ids))

    def row(person_id: str | None, extra: dict[str, Any]) -> AuditEvent:
        return AuditEvent(
            occurred_at=now,
            actor=actor,
            actor_name=str(actor),
            actor_role=actor.role,
            action=AuditAction.VIEW,
            object_type=object_type,
            object_id=object_id,
            person_id=person_id,
            section=section,
            detail=extra,
        )

    rows = [row(None, {**(detail or {}), "rows": len(unique)})]
    rows += [row(pk, {"on_list": True}) for pk in unique]
    AuditEvent.objects.bulk_create(rows)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Field names that changed, for the audit detail. Values are left out on purpose:
    the audit log must not become a second copy of the clinical record."""
    return {"changed": sorted(k for k in after if before.get(k) != after.get(k))}
