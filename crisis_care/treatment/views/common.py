"""What every home treatment view shares: the signed-in user, the role rule, the episode
(or an audited refusal) and the audit of each view of a person's record."""

import uuid
from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User

from .. import selectors
from ..models import Episode
from ..rules import TreatmentAction, role_may


def user_of(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def require(user: User, action: TreatmentAction) -> None:
    if not role_may(user.role, action):
        raise PermissionDenied(f"Your role ({user.role_label}) does not allow this.")


def refuse(user: User, *, object_type: str, pk: uuid.UUID, section: str) -> NoReturn:
    """Refuse (403) and audit the attempt: the record belongs to another team."""
    audit_record(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        object_type=object_type,
        object_id=pk,
        section=section,
    )
    raise PermissionDenied("This record belongs to a team you are not in.")


def episode_or_refuse(user: User, pk: uuid.UUID, section: str = "episode") -> Episode:
    """The episode if one of the user's teams holds it; 404 if there is no such episode; an
    audited 403 if another team holds it."""
    try:
        return selectors.episode_for_user(pk=pk, user=user)
    except Episode.DoesNotExist:
        if not selectors.episode_exists(pk=pk):
            raise Http404("No such episode") from None
    refuse(user, object_type="treatment.Episode", pk=pk, section=section)


def audit_view(user: User, obj: Any, person_id: uuid.UUID, section: str, **detail: str) -> None:
    """Every view of a person's record is audited (who, what, which section)."""
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=obj,
        person_id=person_id,
        section=section,
        detail=detail or None,
    )
