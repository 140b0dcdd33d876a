"""Optimistic locking for records people edit (see VersionedModel)."""

from typing import Any, TypeVar

from django.db.models import F
from django.utils import timezone

from .models import VersionedModel

M = TypeVar("M", bound=VersionedModel)


class StaleEdit(Exception):
    """Someone else saved the record after this form was opened."""

    message = (
        "Someone else changed this record while you were editing it. Your changes have not "
        "been saved. They are still in the form below: check the record's current details, "
        "then save again."
    )


def differences(instance: VersionedModel, submitted: dict[str, Any]) -> list[str]:
    """Fields where what was submitted differs from what the record now holds."""
    return [
        name
        for name, value in submitted.items()
        if hasattr(instance, name) and getattr(instance, name) != value
    ]


def save_if_current(instance: M, *, expected_version: int, fields: dict[str, Any]) -> M:
    """Write `fields` only if the row is still at `expected_version`; bump the version.

    One conditional UPDATE, so two people saving at once cannot both win.
    """
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        **fields, version=F("version") + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise StaleEdit(StaleEdit.message)
    instance.refresh_from_db()
    return instance
