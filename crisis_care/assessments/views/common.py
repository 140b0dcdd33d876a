"""Helpers shared by the assessment views (and the treatment stage's decision view)."""

import uuid
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User

from .. import selectors
from ..models import Assessment


def current_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def require(request: HttpRequest, allowed: Callable[[str], bool]) -> User:
    user = current_user(request)
    if not allowed(user.role):
        raise PermissionDenied(f"Your role ({user.role_label}) does not allow this.")
    return user


def assessment_or_refuse(
    request: HttpRequest,
    pk: uuid.UUID,
    *,
    section: str = "assessment",
    allowed: Callable[[str], bool] | None = None,
) -> Assessment:
    """The assessment if the user's role is `allowed` and one of their teams holds its referral.
    Otherwise 404 if it does not exist, or 403 with the refusal in the person's access log."""
    user = current_user(request)
    if allowed is None or allowed(user.role):
        try:
            return selectors.assessment_for_user(pk=pk, user=user)
        except Assessment.DoesNotExist:
            reason = "This assessment belongs to a team you are not in."
    else:
        reason = f"Your role ({user.role_label}) does not allow this."
    person_id = selectors.assessment_person_id(pk=pk)
    if person_id is None:
        raise Http404("No such assessment")
    audit_record(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        object_type="assessments.Assessment",
        object_id=pk,
        person_id=person_id,
        section=section,
    )
    raise PermissionDenied(reason)


def audit_view(user: User, assessment: Assessment, section: str) -> None:
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=assessment,
        person_id=assessment.person_id,
        section=section,
    )
