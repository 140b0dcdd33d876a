"""Helpers shared by the referral views."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User

from .. import selectors
from ..models import Referral
from ..rules import ReferralAction, role_may


def current_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def require(request: HttpRequest, action: ReferralAction) -> User:
    user = current_user(request)
    if not role_may(user.role, action):
        raise PermissionDenied(f"Your role ({user.role_label}) does not allow this.")
    return user


def referral_or_refuse(
    request: HttpRequest, pk: uuid.UUID, *, section: str = "referral"
) -> Referral:
    """The referral if it belongs to one of the user's teams. Otherwise 404 if it does not exist,
    or 403 (audited) if it belongs to another team."""
    user = current_user(request)
    try:
        return selectors.referral_for_user(pk=pk, user=user)
    except Referral.DoesNotExist:
        if not selectors.referral_exists_elsewhere(pk=pk):
            raise Http404("No such referral") from None
    audit_record(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        object_type="referrals.Referral",
        object_id=pk,
        person_id=selectors.referral_person_id(pk=pk),
        section=section,
    )
    raise PermissionDenied("This referral belongs to a team you are not in.")
