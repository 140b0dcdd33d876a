"""Shared model parts: the user, the base model and the append-only audit log."""

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models

from .roles import Role


class BaseModel(models.Model):
    """UUID primary key (no guessable IDs in URLs) and created/updated stamps."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(BaseModel):
    """A record edited by people: every save through a service bumps `version`.

    A form carries the version it was read at; services refuse a save whose
    version is no longer current (see core.concurrency).
    """

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class User(AbstractUser):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # New accounts start with no access to anyone's record until given a care role.
    role = models.CharField(max_length=40, choices=Role.choices, default=Role.SYSTEM_ADMINISTRATOR)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    SEARCH = "search", "Searched"
    ACCESS_DENIED = "access_denied", "Refused access"
    BREAK_GLASS = "break_glass", "Break-glass access"
    REVIEW = "review", "Reviewed"
    LOGIN = "login", "Signed in"
    LOGOUT = "logout", "Signed out"
    LOGIN_FAILED = "login_failed", "Failed sign-in"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")


class AuditLogIsAppendOnly(Exception):
    pass


class AuditEvent(models.Model):
    """One row per view or change of a record, never edited.

    Written only by core.audit. The database also refuses UPDATE (both engines) and
    DELETE (PostgreSQL) on this table; see the migration and ADR 0003.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=300, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.UUIDField(null=True, blank=True)
    # The person whose record this touches, so a person's access log is one indexed read.
    person_id = models.UUIDField(null=True, blank=True)
    section = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    flagged_for_review = models.BooleanField(default=False)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["person_id", "-occurred_at"], name="audit_person_time"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time"),
            models.Index(
                fields=["-occurred_at"],
                name="audit_flagged_time",
                condition=models.Q(flagged_for_review=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.action} {self.object_type} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")


class AuditReview(BaseModel):
    """An IG lead's review of a flagged audit event (the event itself stays untouched)."""

    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="review")
    reviewed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(
        max_length=20,
        choices=[("appropriate", "Appropriate"), ("inappropriate", "Not appropriate, escalated")],
    )
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Review of {self.event_id}: {self.outcome}"
