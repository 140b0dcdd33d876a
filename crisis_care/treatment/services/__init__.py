"""Writes for home treatment. This stage owns what a decision opens: a home treatment
episode (with the team's legitimate relationship) or an admission record. Assessments
never import this module; its views call assessments.services and then these, in one
transaction (DESIGN.md: dependencies run one way)."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.assessments import services as assessment_services
from crisis_care.assessments.models import Assessment, Decision, Outcome
from crisis_care.core.audit import audit_record
from crisis_care.core.models import AuditAction, User
from crisis_care.people import services as people_services
from crisis_care.people.models import Person
from crisis_care.referrals.eligibility import locality

from ..models import Admission, Episode, EpisodeStatus, EpisodeStatusChange, NamedWorkerChange


@transaction.atomic
def admission_record(
    *,
    person: Person,
    ward: str,
    legal_status: str,
    admitted_at: dt.datetime,
    by: User,
    decision: Decision | None = None,
) -> Admission:
    admission = Admission.objects.create(
        person=person,
        decision=decision,
        ward=ward,
        legal_status=legal_status,
        admitted_at=admitted_at,
    )
    audit_record(
        actor=by, action=AuditAction.CREATE, obj=admission, person_id=person.pk, section="admission"
    )
    return admission


@transaction.atomic
def episode_open(
    *, decision: Decision, by: User, early_discharge_from: Admission | None = None
) -> Episode:
    """Open a home treatment episode from a home treatment decision."""
    if decision.outcome != Outcome.HOME_TREATMENT:
        raise ValidationError("Only a home treatment decision opens an episode.")
    assessment = decision.assessment
    referral = assessment.referral
    now = timezone.now()
    # The person who made the decision is named worker until the team names someone else.
    named_worker = getattr(by, "staff", None)
    episode = Episode.objects.create(
        referral=referral,
        person=assessment.person,
        team=referral.team,
        decision=decision,
        early_discharge_from=early_discharge_from,
        started_at=now,
        opened_by=by,
        named_worker=named_worker,
        locality=locality(assessment.person.postcode),
    )
    EpisodeStatusChange.objects.create(
        episode=episode, status=EpisodeStatus.OPEN, changed_by=by, changed_at=now
    )
    if named_worker is not None:
        NamedWorkerChange.objects.create(
            episode=episode,
            staff=named_worker,
            reason="Named when home treatment began",
            changed_by=by,
            changed_at=now,
        )
    people_services.care_team_link_open(
        team=referral.team, person=assessment.person, source="episode", source_id=episode.pk, by=by
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=episode,
        person_id=assessment.person_id,
        section="episode",
        detail={"early_discharge": early_discharge_from is not None},
    )
    return episode


@transaction.atomic
def decision_apply(
    *,
    assessment: Assessment,
    by: User,
    early_discharge_ward: str = "",
    early_discharge_admitted_on: dt.date | None = None,
    **decision: Any,
) -> tuple[Decision, Episode | Admission | None]:
    """Record the decision and open what follows: an episode for home treatment (linked to the
    admission it shortens, for early supported discharge), or an admission record."""
    recorded = assessment_services.decision_record(assessment=assessment, by=by, **decision)
    if recorded.outcome == Outcome.HOME_TREATMENT:
        from_admission = None
        if early_discharge_ward:
            # The admission on that ward still open, if one is recorded; otherwise record it now.
            from_admission = (
                Admission.objects.filter(
                    person=assessment.person,
                    ward__iexact=early_discharge_ward.strip(),
                    discharged_at__isnull=True,
                )
                .order_by("-admitted_at")
                .first()
            )
            if from_admission is None:
                admitted_on = early_discharge_admitted_on or timezone.localdate()
                from_admission = admission_record(
                    person=assessment.person,
                    ward=early_discharge_ward,
                    legal_status="voluntary",
                    admitted_at=dt.datetime.combine(admitted_on, dt.time(12, 0), tzinfo=dt.UTC),
                    by=by,
                )
        return recorded, episode_open(decision=recorded, by=by, early_discharge_from=from_admission)
    if recorded.outcome == Outcome.ADMISSION:
        return recorded, admission_record(
            person=assessment.person,
            ward=recorded.ward,
            legal_status=recorded.legal_status,
            admitted_at=recorded.decided_at,
            by=by,
            decision=recorded,
        )
    return recorded, None


@transaction.atomic
def admission_discharge_record(
    *, admission: Admission, discharged_at: dt.datetime, by: User
) -> Admission:
    """Record when the person left the ward (the 72-hour follow-up after inpatient discharge
    runs from here): not in the future, not before they were admitted."""
    locked = Admission.objects.select_for_update(of=("self",)).get(pk=admission.pk)
    if discharged_at > timezone.now() + dt.timedelta(minutes=2):
        raise ValidationError({"discharged_at": "The time they left the ward must be in the past"})
    if discharged_at < locked.admitted_at:
        raise ValidationError(
            {"discharged_at": "The time they left the ward must be after they were admitted"}
        )
    before = locked.discharged_at
    locked.discharged_at = discharged_at
    locked.save(update_fields=["discharged_at", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=locked,
        person_id=locked.person_id,
        section="admission",
        detail={"changed": ["discharged_at"], "corrected": before is not None},
    )
    return locked
