"""The triage queue: every open referral, most pressing clock first."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction

from .. import presenters, selectors
from ..forms import QueueFilterForm
from ..rules import ReferralAction, role_may
from .common import require


def triage_queue(request: HttpRequest) -> HttpResponse:
    user = require(request, ReferralAction.VIEW_QUEUE)
    teams = selectors.user_teams(user=user)
    if not teams:
        raise PermissionDenied(
            "You are not a member of a team, so there is no triage queue to show."
        )
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), teams[0])
    filters = QueueFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    queue = selectors.triage_queue(
        team=team,
        priority=chosen.get("priority", ""),
        source=chosen.get("source", ""),
        status=chosen.get("status", ""),
    )
    # One audit row for the list (it shows names, not records).
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        object_type="referrals.queue",
        object_id=team.pk,
        detail={"rows": queue.open_count},
    )
    context = {
        "title": "Triage queue",
        "team": team,
        "teams": teams,
        "queue": queue,
        "filters": filters,
        "p": presenters,
        "can_create": role_may(user.role, ReferralAction.CREATE),
    }
    if request.GET.get("fragment") == "rows":
        return render(request, "referrals/_queue_rows.jinja", context)
    return render(request, "referrals/queue.jinja", context)
