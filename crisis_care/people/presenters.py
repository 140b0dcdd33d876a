"""Display values for people pages: tags, consent text, access log rows."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.presenters import date_long
from crisis_care.core.roles import Role

from .models import Capacity, Contact, Involvement, Person, Relationship, ShareScope

_SCOPE_TAG = {
    ShareScope.NOTHING: "nhsuk-tag--red",
    ShareScope.GENERAL: "nhsuk-tag--yellow",
    ShareScope.CARE_PLAN: "nhsuk-tag--green",
}


def consent_tag(contact: Contact) -> dict[str, str]:
    consent = contact.current_consent
    if consent is None:
        return {"text": "Consent not recorded", "classes": "nhsuk-tag--grey"}
    return {
        "text": f"Share: {ShareScope(consent.scope).label}",
        "classes": _SCOPE_TAG[ShareScope(consent.scope)],
    }


def consent_summary(contact: Contact, today: dt.date | None = None) -> str:
    consent = contact.current_consent
    if consent is None:
        return "Not recorded. Share only general information, such as how to get crisis help."
    today = today or timezone.localdate()
    review = f"review by {date_long(consent.review_on)}"
    if consent.review_on < today:
        review = f"review was due {date_long(consent.review_on)}: ask again"
    capacity = (
        "" if consent.capacity == Capacity.HAS_CAPACITY else f" {Capacity(consent.capacity).label}."
    )
    return (
        f"{ShareScope(consent.scope).label}. Recorded by {consent.recorded_by} on "
        f"{date_long(consent.recorded_at)}; {review}.{capacity}"
    )


def consent_review_overdue(contact: Contact, today: dt.date | None = None) -> bool:
    consent = contact.current_consent
    return consent is not None and consent.review_on < (today or timezone.localdate())


def involvement_tag(contact: Contact) -> dict[str, str]:
    if contact.involvement == Involvement.DOES_NOT_WANT:
        return {"text": "Does not want them involved", "classes": "nhsuk-tag--red"}
    if contact.involvement == Involvement.WANTS_INVOLVED:
        return {"text": "Wants them involved", "classes": "nhsuk-tag--green"}
    return {"text": "Involvement not yet asked", "classes": "nhsuk-tag--grey"}


def relationship_label(contact: Contact) -> str:
    return Relationship(contact.relationship).label


def communication_needs(person: Person) -> list[str]:
    needs = []
    if person.interpreter_needed:
        needs.append(f"Needs an interpreter: {person.interpreter_language}")
    if person.uses_bsl:
        needs.append("Uses British Sign Language (BSL)")
    if person.easy_read:
        needs.append("Needs information in Easy Read")
    if person.other_adjustments:
        needs.append(person.other_adjustments)
    return needs


def address_lines(person: Person) -> list[str]:
    return [
        line
        for line in (person.address_line_1, person.address_line_2, person.town, person.postcode)
        if line
    ]


@dataclass(frozen=True)
class AccessLogRow:
    when: dt.datetime
    who: str
    role: str
    action: str
    section: str
    reason: str
    flagged: bool
    review: str


def access_log_rows(events: Any) -> list[AccessLogRow]:
    rows = []
    for event in events:
        review = ""
        if event.flagged_for_review:
            reviewed = getattr(event, "review", None) if _has_review(event) else None
            review = (
                f"Reviewed by {reviewed.reviewed_by}: {reviewed.get_outcome_display()}"
                if reviewed
                else "Awaiting review"
            )
        rows.append(
            AccessLogRow(
                when=event.occurred_at,
                who=event.actor_name or "Unknown",
                role=Role(event.actor_role).label
                if event.actor_role in Role.values
                else event.actor_role,
                action=AuditAction(event.action).label,
                section=event.section,
                reason=event.reason,
                flagged=event.flagged_for_review or event.detail.get("basis") == "break_glass",
                review=review,
            )
        )
    return rows


def _has_review(event: AuditEvent) -> bool:
    try:
        event.review  # noqa: B018 - touching the relation tells us if it exists
    except AuditEvent.review.RelatedObjectDoesNotExist:
        return False
    return True
