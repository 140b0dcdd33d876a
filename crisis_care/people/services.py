"""Writes for people, contacts, consent, team links and break-glass.

Each runs in one transaction and writes its own audit row, so the record and
its audit land together or not at all.
"""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record, changed_fields
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, AuditEvent, AuditReview, User
from crisis_care.workforce.models import Team

from .models import BreakGlassAccess, CareTeamLink, ConsentRecord, Contact, Person
from .selectors import AccessDecision
from .validators import normalise_nhs_number, normalise_postcode

PERSON_FIELDS = (
    "nhs_number",
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "pronouns",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
    "email",
    "gp_practice",
    "interpreter_needed",
    "interpreter_language",
    "uses_bsl",
    "easy_read",
    "other_adjustments",
)
CONTACT_FIELDS = (
    "name",
    "relationship",
    "phone",
    "email",
    "address",
    "is_carer",
    "is_next_of_kin",
    "involvement",
    "involvement_note",
)


def _clean_person_data(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: data[k] for k in PERSON_FIELDS if k in data}
    if "nhs_number" in cleaned:
        cleaned["nhs_number"] = normalise_nhs_number(cleaned["nhs_number"] or "")
    if cleaned.get("postcode"):
        cleaned["postcode"] = normalise_postcode(cleaned["postcode"])
    if "family_name" in cleaned:
        cleaned["family_name_search"] = cleaned["family_name"].strip().casefold()
    if not cleaned.get("interpreter_needed", True):
        cleaned["interpreter_language"] = ""
    return cleaned


def _check_nhs_number_free(nhs_number: str, *, exclude: uuid.UUID | None = None) -> None:
    if not nhs_number:
        return
    clash = Person.objects.filter(nhs_number=nhs_number)
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            {
                "nhs_number": "A person with this NHS number is already registered: search for them instead"
            }
        )


@transaction.atomic
def person_create(*, data: dict[str, Any], by: User | None) -> Person:
    """Create a person's record. The caller decides what relationship opens (a referral's link,
    or person_register's)."""
    cleaned = _clean_person_data(data)
    _check_nhs_number_free(cleaned.get("nhs_number", ""))
    person = Person.objects.create(**cleaned)
    audit_record(actor=by, action=AuditAction.CREATE, obj=person, person_id=person.pk)
    return person


@transaction.atomic
def person_register(*, data: dict[str, Any], team: Team, by: User) -> Person:
    """Register a new person and give the registering team a relationship with them."""
    person = person_create(data=data, by=by)
    care_team_link_open(team=team, person=person, source="registration", source_id=None, by=by)
    return person


@transaction.atomic
def person_update(
    *, person: Person, data: dict[str, Any], expected_version: int, by: User
) -> Person:
    """Save changes to a person's details, refusing a stale edit (StaleEdit)."""
    cleaned = _clean_person_data(data)
    _check_nhs_number_free(cleaned.get("nhs_number", ""), exclude=person.pk)
    before = {k: getattr(person, k) for k in cleaned}
    person = save_if_current(person, expected_version=expected_version, fields=cleaned)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=person,
        person_id=person.pk,
        section="details",
        detail=changed_fields(before, cleaned),
    )
    return person


@transaction.atomic
def contact_create(*, person: Person, data: dict[str, Any], by: User) -> Contact:
    contact = Contact.objects.create(
        person=person, **{k: data[k] for k in CONTACT_FIELDS if k in data}
    )
    audit_record(
        actor=by, action=AuditAction.CREATE, obj=contact, person_id=person.pk, section="contacts"
    )
    return contact


@transaction.atomic
def contact_update(
    *, contact: Contact, data: dict[str, Any], expected_version: int, by: User
) -> Contact:
    cleaned = {k: data[k] for k in CONTACT_FIELDS if k in data}
    before = {k: getattr(contact, k) for k in cleaned}
    contact = save_if_current(contact, expected_version=expected_version, fields=cleaned)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=contact,
        person_id=contact.person_id,
        section="contacts",
        detail=changed_fields(before, cleaned),
    )
    return contact


@transaction.atomic
def consent_record(
    *,
    contact: Contact,
    scope: str,
    capacity: str,
    review_on: dt.date,
    note: str,
    by: User,
) -> ConsentRecord:
    """Record a new decision about sharing with a contact; the old ones stay as history."""
    if review_on <= timezone.localdate():
        raise ValidationError({"review_on": "Review date must be in the future"})
    record = ConsentRecord.objects.create(
        contact=contact,
        scope=scope,
        capacity=capacity,
        review_on=review_on,
        note=note,
        recorded_by=by,
        recorded_at=timezone.now(),
    )
    # Locked update of the pointer: two clinicians recording at once both get history rows,
    # and the later one is current.
    Contact.objects.select_for_update().filter(pk=contact.pk).update(
        current_consent=record, updated_at=timezone.now()
    )
    contact.current_consent = record
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=record,
        person_id=contact.person_id,
        section="consent",
        detail={"contact": str(contact.pk), "scope": scope, "capacity": capacity},
    )
    return record


@transaction.atomic
def care_team_link_open(
    *,
    team: Team,
    person: Person,
    source: str,
    source_id: uuid.UUID | None,
    by: User | None,
    at: dt.datetime | None = None,
) -> CareTeamLink:
    """Start a team's legitimate relationship with a person (referrals and episodes call this)."""
    link = CareTeamLink.objects.create(
        team=team, person=person, source=source, source_id=source_id, opened_at=at or timezone.now()
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=link,
        person_id=person.pk,
        section="care team",
        detail={"team": team.name, "source": source},
    )
    return link


@transaction.atomic
def care_team_link_close(
    *, link: CareTeamLink, by: User | None, at: dt.datetime | None = None
) -> CareTeamLink:
    if link.closed_at is None:
        link.closed_at = at or timezone.now()
        link.save(update_fields=["closed_at", "updated_at"])
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=link,
            person_id=link.person_id,
            section="care team",
            detail={"closed": True},
        )
    return link


@transaction.atomic
def break_glass_grant(*, user: User, person: Person, reason: str) -> BreakGlassAccess:
    """Emergency access with a written reason: time-limited and flagged for IG review."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": "Enter the reason you need to see this record now"})
    now = timezone.now()
    grant = BreakGlassAccess.objects.create(
        user=user,
        person=person,
        reason=reason,
        granted_at=now,
        expires_at=now + dt.timedelta(minutes=settings.CRISIS_CARE["BREAK_GLASS_MINUTES"]),
    )
    audit_record(
        actor=user,
        action=AuditAction.BREAK_GLASS,
        obj=grant,
        person_id=person.pk,
        reason=reason,
        flagged=True,
    )
    return grant


def record_viewed(
    *, user: User, person: Person, decision: AccessDecision, section: str = "record"
) -> None:
    """Every view of a person's record is logged, with the basis of access.

    Views under break-glass say so in `detail`; only the grant itself is flagged, so the
    IG lead reviews one row per emergency access, with its views beside it in the log.
    """
    audit_record(
        actor=user,
        action=AuditAction.VIEW,
        obj=person,
        person_id=person.pk,
        section=section,
        detail={"basis": decision.access.value},
    )


def record_access_refused(
    *, user: User, person: Person, decision: AccessDecision, section: str
) -> None:
    audit_record(
        actor=user,
        action=AuditAction.ACCESS_DENIED,
        obj=person,
        person_id=person.pk,
        section=section,
        detail={"basis": decision.access.value},
    )


def search_logged(*, user: User, by_nhs_number: bool, results: int) -> None:
    """Searches are logged without the search terms (they are identifiers themselves)."""
    audit_record(
        actor=user,
        action=AuditAction.SEARCH,
        object_type="people.Person",
        detail={
            "by": "nhs_number" if by_nhs_number else "name_and_date_of_birth",
            "results": results,
        },
    )


@transaction.atomic
def access_review_record(*, event: AuditEvent, outcome: str, note: str, by: User) -> AuditReview:
    if AuditReview.objects.filter(event=event).exists():
        raise ValidationError("This access has already been reviewed.")
    review = AuditReview.objects.create(event=event, outcome=outcome, note=note, reviewed_by=by)
    audit_record(
        actor=by,
        action=AuditAction.REVIEW,
        obj=review,
        person_id=event.person_id,
        section="access review",
        detail={"event": str(event.pk), "outcome": outcome},
    )
    return review
