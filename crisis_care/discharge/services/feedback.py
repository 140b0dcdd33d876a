"""Writes for 'How did we do?': one anonymous answer to the Friends and Family Test style
question, with two optional comments.

Nothing that links the answer to a person is taken or kept: no name, no NHS number, no
episode, no internet address, no session. The creation is audited without a person and
without an address.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction
from crisis_care.workforce.models import Team

from ..models import Experience, FeedbackResponse, Respondent

SECTION = "feedback"
COMMENT_MAX_LENGTH = 2000

LABELS = {
    "what_went_well": "What went well",
    "what_could_be_better": "What we could do better",
}


def _comment(name: str, value: str, errors: dict[str, str]) -> str:
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > COMMENT_MAX_LENGTH:
        errors[name] = f"{LABELS[name]} must be {COMMENT_MAX_LENGTH:,} characters or fewer"
    if "\x00" in text:
        errors[name] = f"{LABELS[name]} must not include unusual characters"
    return text


@transaction.atomic
def feedback_submit(
    *,
    team: Team,
    experience: str,
    respondent: str,
    what_went_well: str = "",
    what_could_be_better: str = "",
    at: dt.datetime | None = None,
) -> FeedbackResponse:
    """Keep one answer for the team. Raises ValidationError({field: message})."""
    errors: dict[str, str] = {}
    if experience not in Experience.values:
        errors["experience"] = "Select how your experience of the crisis team was overall"
    if respondent not in Respondent.values:
        errors["respondent"] = (
            "Select whether you had care from the team or are a carer, family member or friend"
        )
    went_well = _comment("what_went_well", what_went_well, errors)
    better = _comment("what_could_be_better", what_could_be_better, errors)
    if errors:
        raise ValidationError(errors)
    submitted_at = at or timezone.now()
    response = FeedbackResponse.objects.create(
        team=team,
        experience=experience,
        respondent=respondent,
        what_went_well=went_well,
        what_could_be_better=better,
        submitted_at=submitted_at,
    )
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=response,
        person_id=None,
        section=SECTION,
        detail={"team": str(team.pk)},
    )
    return response
