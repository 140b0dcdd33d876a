"""Writes for assessments. Each runs in one transaction and is audited.

Booking locks the two staff members' rows so two coordinators cannot book the same person
into overlapping assessments at once. Starting an assessment records a face-to-face contact
on the referral, which stops its assessment clock.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.people.models import Contact
from crisis_care.referrals import services as referral_services
from crisis_care.referrals.clocks import ClockName
from crisis_care.referrals.models import Referral
from crisis_care.referrals.selectors import referral_clocks
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import is_on_shift, staff_is_registered_practitioner

from .models import (
    MANDATORY_DOMAINS,
    VENUES_NEEDING_ADDRESS,
    Addendum,
    Assessment,
    AssessmentStaff,
    AssessmentStatus,
    AssessmentStatusChange,
    Decision,
    KeyPerson,
    LegalStatus,
    Outcome,
    RiskFormulation,
    SafetyPlan,
)
from .rules import may_finalise

RECORD_FIELDS = (*MANDATORY_DOMAINS, "needs_and_goals", "others_present", "person_present")
DOMAIN_LABELS: dict[str, str] = {
    field.name: str(field.verbose_name)
    for field in Assessment._meta.fields
    if field.name in MANDATORY_DOMAINS
}
SAFETY_PLAN_MESSAGES = {
    "warning_signs": "Enter the warning signs",
    "coping_steps": "Enter the things they can do to cope",
    "people_and_places": "Enter the people and places that help",
    "professional_contacts": "Enter the professionals they can contact",
    "environment_safer": "Enter how to make their environment safer",
}


@dataclass
class ClockWouldBreach(Exception):
    """The booking is later than the referral's face-to-face target."""

    target: dt.datetime

    def __str__(self) -> str:
        return "This time is after the referral's face-to-face target."


def _status(assessment: Assessment, status: AssessmentStatus, by: User, note: str = "") -> None:
    assessment.status = status
    AssessmentStatusChange.objects.create(
        assessment=assessment, status=status, changed_by=by, changed_at=timezone.now(), note=note
    )


def _check_pair(staff: list[StaffMember], on: dt.date) -> list[bool]:
    if len(staff) != 2 or staff[0].pk == staff[1].pk:
        raise ValidationError({"staff": "Choose two different members of staff"})
    registered = [staff_is_registered_practitioner(s, on=on) for s in staff]
    if not any(registered):
        raise ValidationError(
            {"staff": "At least one of the two must be a registered mental health practitioner"}
        )
    return registered


@transaction.atomic
def assessment_book(
    *,
    referral: Referral,
    starts_at: dt.datetime,
    duration: dt.timedelta,
    venue: str,
    venue_address: str,
    staff: list[StaffMember],
    by: User,
    breach_acknowledged: str = "",
) -> Assessment:
    """Book a two-person assessment. Refuses: no registered practitioner, a double booking,
    staff not on shift, and (unless acknowledged with a reason) a time past the clock."""
    if referral.person_id is None:
        raise ValidationError(
            "Match the referral to a person's record before booking an assessment."
        )
    if not referral.is_open:
        raise ValidationError("This referral is closed.")
    if starts_at < timezone.now() - dt.timedelta(hours=1):
        raise ValidationError({"starts_at": "The assessment time must be in the future"})
    if venue in VENUES_NEEDING_ADDRESS and not venue_address.strip():
        raise ValidationError({"venue_address": "Enter the address of the venue"})
    ends_at = starts_at + duration
    registered = _check_pair(staff, on=timezone.localdate(starts_at))

    # Lock both staff rows (in a fixed order, so two bookings cannot deadlock).
    list(
        StaffMember.objects.select_for_update().filter(pk__in=[s.pk for s in staff]).order_by("pk")
    )
    for member in staff:
        clash = (
            AssessmentStaff.objects.filter(
                staff=member,
                assessment__starts_at__lt=ends_at,
                assessment__ends_at__gt=starts_at,
            )
            .exclude(assessment__status=AssessmentStatus.CANCELLED)
            .select_related("assessment")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                {
                    "staff": f"{member} is already booked for an assessment from "
                    f"{timezone.localtime(clash.assessment.starts_at):%H:%M} on that day"
                }
            )
        last_minute = ends_at - dt.timedelta(minutes=1)
        if not (
            is_on_shift(staff=member, at=starts_at) and is_on_shift(staff=member, at=last_minute)
        ):
            raise ValidationError({"staff": f"{member} is not on shift for the whole assessment"})

    target = next(
        c
        for c in referral_clocks(referral)
        if c.name in (ClockName.FACE_TO_FACE, ClockName.CRS_RESPONSE)
    )
    if starts_at > target.target_at and not breach_acknowledged.strip():
        raise ClockWouldBreach(target.target_at)

    assessment = Assessment.objects.create(
        referral=referral,
        person_id=referral.person_id,
        starts_at=starts_at,
        ends_at=ends_at,
        venue=venue,
        venue_address=venue_address,
        booked_by=by,
        clock_breach_acknowledged=breach_acknowledged.strip(),
    )
    AssessmentStaff.objects.bulk_create(
        AssessmentStaff(assessment=assessment, staff=member, registered_practitioner=is_registered)
        for member, is_registered in zip(staff, registered, strict=True)
    )
    _status(assessment, AssessmentStatus.BOOKED, by)
    assessment.save(update_fields=["status"])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=assessment,
        person_id=referral.person_id,
        section="assessment",
        detail={"venue": venue, "staff": [str(s.pk) for s in staff]},
    )
    return assessment


@transaction.atomic
def assessment_cancel(*, assessment: Assessment, reason: str, by: User) -> Assessment:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the assessment is cancelled"})
    if assessment.status not in (AssessmentStatus.BOOKED, AssessmentStatus.STARTED):
        raise ValidationError("Only a booked or started assessment can be cancelled.")
    assessment.cancelled_reason = reason
    _status(assessment, AssessmentStatus.CANCELLED, by, note=reason)
    assessment.version += 1
    assessment.save(update_fields=["status", "cancelled_reason", "version", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=assessment,
        person_id=assessment.person_id,
        section="assessment",
        detail={"status": "cancelled"},
    )
    return assessment


@transaction.atomic
def assessment_start(*, assessment: Assessment, at: dt.datetime | None, by: User) -> Assessment:
    """The assessment has begun face to face: this stops the referral's assessment clock."""
    if assessment.status != AssessmentStatus.BOOKED:
        raise ValidationError("Only a booked assessment can be started.")
    at = at or timezone.now()
    assessment.started_at = at
    _status(assessment, AssessmentStatus.STARTED, by)
    assessment.version += 1
    assessment.save(update_fields=["status", "started_at", "version", "updated_at"])
    referral_services.contact_record(
        referral=assessment.referral,
        occurred_at=at,
        with_whom="person",
        medium="f2f",
        outcome="spoke",
        note="Face-to-face assessment",
        by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=assessment,
        person_id=assessment.person_id,
        section="assessment",
        detail={"status": "started"},
    )
    return assessment


def _editable(assessment: Assessment) -> None:
    if assessment.is_finalised:
        raise ValidationError(
            "This assessment is finalised. Add an addendum to correct or add to it."
        )
    if assessment.status not in (AssessmentStatus.STARTED, AssessmentStatus.COMPLETED):
        raise ValidationError("Start the assessment before recording it.")


@transaction.atomic
def assessment_save(
    *, assessment: Assessment, data: dict[str, Any], expected_version: int, by: User
) -> Assessment:
    """Save the structured record as a draft (any fields may be empty). Refuses a stale save."""
    from crisis_care.core.concurrency import save_if_current

    _editable(assessment)
    fields = {k: data[k] for k in RECORD_FIELDS if k in data}
    assessment = save_if_current(assessment, expected_version=expected_version, fields=fields)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=assessment,
        person_id=assessment.person_id,
        section="assessment record",
        detail={"changed": sorted(fields)},
    )
    return assessment


def missing_domains(assessment: Assessment) -> list[str]:
    return [name for name in MANDATORY_DOMAINS if not getattr(assessment, name).strip()]


@transaction.atomic
def assessment_finalise(*, assessment: Assessment, by: User) -> Assessment:
    """Complete and lock the record. Only clinicians may; every domain must be filled in."""
    if not may_finalise(by.role):
        raise ValidationError(
            "Only a registered practitioner, doctor or psychologist can finalise an assessment."
        )
    _editable(assessment)
    missing = missing_domains(assessment)
    if missing:
        labels = [DOMAIN_LABELS[name].lower() for name in missing]
        raise ValidationError(
            f"Complete every part before finalising. Missing: {', '.join(labels)}"
        )
    if not hasattr(assessment, "risk"):
        raise ValidationError("Record the risk formulation before finalising.")
    assessment.finalised_at = timezone.now()
    assessment.finalised_by = by
    _status(assessment, AssessmentStatus.COMPLETED, by)
    assessment.version += 1
    assessment.save(
        update_fields=["finalised_at", "finalised_by", "status", "version", "updated_at"]
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=assessment,
        person_id=assessment.person_id,
        section="assessment",
        detail={"finalised": True},
    )
    return assessment


@transaction.atomic
def addendum_add(*, assessment: Assessment, text: str, by: User) -> Addendum:
    if not assessment.is_finalised:
        raise ValidationError("Edit the draft directly: addenda are for finalised assessments.")
    if not text.strip():
        raise ValidationError({"text": "Enter the addendum"})
    addendum = Addendum.objects.create(
        assessment=assessment, text=text, written_by=by, written_at=timezone.now()
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=addendum,
        person_id=assessment.person_id,
        section="assessment addendum",
    )
    return addendum


@transaction.atomic
def key_person_record(
    *, assessment: Assessment, contact: Contact, involvement: str, note: str, by: User
) -> KeyPerson:
    """Record a key person and the person's wish about them; the contact's own record follows
    the latest wish so every page that offers contact shows it."""
    _editable(assessment)
    if contact.person_id != assessment.person_id:
        raise ValidationError("That contact belongs to someone else.")
    key = KeyPerson.objects.create(
        assessment=assessment, contact=contact, involvement=involvement, note=note
    )
    Contact.objects.filter(pk=contact.pk).update(
        involvement=involvement,
        involvement_note=note or contact.involvement_note,
        updated_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=key,
        person_id=assessment.person_id,
        section="key people",
        detail={"involvement": involvement},
    )
    return key


@transaction.atomic
def risk_save(*, assessment: Assessment, data: dict[str, Any], by: User) -> RiskFormulation:
    _editable(assessment)
    fields = (
        "to_self",
        "from_others",
        "to_others",
        "self_neglect",
        "to_children_vulnerable",
        "protective_factors",
        "formulation",
    )
    values = {k: data.get(k, "") for k in fields}
    if not values["formulation"].strip():
        raise ValidationError(
            {"formulation": "Write the risk formulation: what, why now, and what would help"}
        )
    risk, _ = RiskFormulation.objects.update_or_create(
        assessment=assessment, defaults={**values, "recorded_by": by}
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=risk,
        person_id=assessment.person_id,
        section="risk",
    )
    return risk


@transaction.atomic
def safety_plan_create(*, assessment: Assessment, data: dict[str, Any], by: User) -> SafetyPlan:
    """A new safety plan (earlier ones stay as history; the newest is current)."""
    fields = (
        "warning_signs",
        "coping_steps",
        "people_and_places",
        "professional_contacts",
        "environment_safer",
    )
    if assessment.status == AssessmentStatus.CANCELLED:
        raise ValidationError(
            "This assessment was cancelled: write the safety plan on a current one."
        )
    missing = [f for f in fields if not str(data.get(f, "")).strip()]
    if missing:
        raise ValidationError({f: SAFETY_PLAN_MESSAGES[f] for f in missing})
    plan = SafetyPlan.objects.create(
        person_id=assessment.person_id,
        assessment=assessment,
        written_by=by,
        written_at=timezone.now(),
        written_with_person=bool(data.get("written_with_person", True)),
        **{f: data[f] for f in fields},
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=plan,
        person_id=assessment.person_id,
        section="safety plan",
    )
    return plan


@transaction.atomic
def decision_record(
    *,
    assessment: Assessment,
    outcome: str,
    reasons: str,
    by: User,
    discussed_with_person: bool = True,
    person_view: str = "",
    legal_status: str = "",
    ward: str = "",
    gatekept_in_person: bool | None = None,
    gatekeeping_failure_reason: str = "",
    service_ids: list[Any] | None = None,
    letter: str = "",
) -> Decision:
    """Record the decision. Home treatment and admission are then opened by the treatment
    stage (treatment.services), which calls this inside its own transaction."""
    if not may_finalise(by.role):
        raise ValidationError(
            "Only a registered practitioner, doctor or psychologist can record the decision."
        )
    # Lock the assessment: two clinicians deciding at once cannot both record a decision.
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("referral")
        .get(pk=assessment.pk)
    )
    if not assessment.is_finalised:
        raise ValidationError("Finalise the assessment before recording the decision.")
    if Decision.objects.filter(assessment=assessment).exists():
        raise ValidationError("A decision has already been recorded for this assessment.")
    errors: dict[str, str] = {}
    if not reasons.strip():
        errors["reasons"] = "Enter the reasons for the decision"
    if outcome == Outcome.ADMISSION:
        if legal_status not in LegalStatus.values:
            errors["legal_status"] = "Select the legal status of the admission"
        if not ward.strip():
            errors["ward"] = "Enter the ward"
        if gatekept_in_person is None:
            errors["gatekept_in_person"] = (
                "Select whether the crisis team assessed the person in person before admission"
            )
        elif not gatekept_in_person and not gatekeeping_failure_reason.strip():
            errors["gatekeeping_failure_reason"] = (
                "Enter why the person was not assessed in person before admission"
            )
    if outcome in (Outcome.REFERRAL_ON, Outcome.SIGNPOSTING) and not service_ids:
        errors["services"] = "Choose at least one service from the directory"
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        assessment=assessment,
        outcome=outcome,
        reasons=reasons,
        discussed_with_person=discussed_with_person,
        person_view=person_view,
        decided_by=by,
        decided_at=timezone.now(),
        legal_status=legal_status if outcome == Outcome.ADMISSION else "",
        ward=ward if outcome == Outcome.ADMISSION else "",
        gatekept_in_person=gatekept_in_person if outcome == Outcome.ADMISSION else None,
        gatekeeping_failure_reason=gatekeeping_failure_reason
        if outcome == Outcome.ADMISSION
        else "",
        letter=letter,
    )
    if service_ids:
        decision.services.set(service_ids)
    _status(assessment, AssessmentStatus.DECIDED, by)
    assessment.version += 1
    assessment.save(update_fields=["status", "version", "updated_at"])
    referral_services.referral_close(
        referral=assessment.referral,
        note=f"Assessed: {decision.get_outcome_display().lower()}",
        by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=decision,
        person_id=assessment.person_id,
        section="decision",
        detail={"outcome": outcome, "gatekept_in_person": gatekept_in_person},
        flagged=outcome == Outcome.ADMISSION and gatekept_in_person is False,
    )
    return decision
