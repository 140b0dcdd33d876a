"""Recording a shift handover as given (CORE item 33a-b). The summary is kept exactly as it was
handed over, with who gave it and who received it; a handover is never edited."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import Shift, StaffMember, Team, TeamMembership

from ..models import Handover

SECTION = "handover"
NOTES_MAX = 5000


def _in_team(staff: StaffMember, team: Team, on: dt.date) -> bool:
    return (
        TeamMembership.objects.filter(team=team, staff=staff, started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .exists()
    )


@transaction.atomic
def handover_give(
    *,
    team: Team,
    given_by: StaffMember,
    received_by: Sequence[StaffMember],
    shift: Shift | None,
    notes: str,
    summary_html: str,
    person_ids: Sequence[str],
    by: User,
) -> Handover:
    """Record that `given_by` handed over to `received_by` (at least one of them someone else).

    `summary_html` is the summary as it was rendered for the handover; it is stored as it is
    and shown later exactly as given. Raises ValidationError with a dict of field -> message.
    """
    now = timezone.now()
    notes = (notes or "").strip()
    errors: dict[str, str] = {}
    if not _in_team(given_by, team, local_date(now)):
        errors["__all__"] = f"Only a member of {team} can give its handover"
    others = {staff.pk: staff for staff in received_by if staff.pk != given_by.pk}
    if not others:
        errors["received_by"] = (
            "Select at least one person who received the handover (not yourself)"
        )
    if shift is not None and shift.team_id != team.pk:
        errors["shift"] = "Choose one of the team's shifts"
    if len(notes) > NOTES_MAX:
        errors["notes"] = f"Notes must be {NOTES_MAX} characters or fewer"
    if not summary_html.strip():
        errors["__all__"] = "There is no summary to hand over"
    if errors:
        raise ValidationError(errors)

    handover = Handover.objects.create(
        team=team,
        shift=shift,
        given_by=given_by,
        given_at=now,
        summary_html=summary_html,
        person_ids=[str(pk) for pk in person_ids],
        notes=notes,
        recorded_by=by,
    )
    # The giver may tick their own name by mistake; they gave it, they did not receive it.
    handover.received_by.set(list(others.values()))
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=handover,
        section=SECTION,
        detail={
            "team": str(team.pk),
            "shift": str(shift.pk) if shift is not None else None,
            "given_by": str(given_by.pk),
            "received_by": sorted(str(pk) for pk in others),
            "person_ids": [str(pk) for pk in person_ids],
        },
    )
    return handover
