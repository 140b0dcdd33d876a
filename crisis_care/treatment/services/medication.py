"""Writes for medication (CORE item 15): what the person already takes, the team's
prescribing decisions (start, change the dose, review, stop: only prescribers, who are
recorded on the immutable change row) and deliveries the team collects and brings (15c).

Edits of a medicine are version-checked (core.concurrency); each writes its MedicationChange
row in the same transaction, and every write is audited."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import as_utc, local_date
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_team

from ..models import (
    Episode,
    EpisodeStatus,
    Medication,
    MedicationChange,
    MedicationChangeKind,
    MedicationDelivery,
    Visit,
)
from ..rules import TreatmentAction, role_may
from ..selectors.medication import prescriber_for

SECTION = "medication"


def _prescriber(by: User) -> StaffMember:
    staff = prescriber_for(user=by)
    if staff is None:
        raise PermissionDenied(
            "Only a prescriber (a doctor or non-medical prescriber) can start, change, review "
            "or stop a medicine."
        )
    return staff


def _require_recorder(by: User) -> None:
    if not role_may(by.role, TreatmentAction.RECORD_MEDICATION):
        raise PermissionDenied(f"Your role ({by.role_label}) does not record medication.")


def _require_open(episode: Episode) -> None:
    if episode.status != EpisodeStatus.OPEN:
        raise ValidationError(
            "Home treatment has ended for this person, so medication cannot change here."
        )


def _require_current(medication: Medication) -> None:
    if medication.stopped_on is not None:
        raise ValidationError(f"{medication.name} has been stopped.")


def describe(name: str, dose: str, route: str, frequency: str) -> str:
    """'Sertraline 50mg, by mouth, once a day'."""
    parts = [f"{name} {dose}".strip(), route.strip().lower(), frequency.strip()]
    return ", ".join(p for p in parts if p)


def _clean_medicine(
    *, name: str, dose: str, route: str, frequency: str, started_on: dt.date | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Enter the name of the medicine"
    if not dose.strip():
        errors["dose"] = "Enter the dose"
    if not route.strip():
        errors["route"] = "Enter how it is taken"
    if not frequency.strip():
        errors["frequency"] = "Enter how often it is taken"
    if started_on is not None and started_on > timezone.localdate():
        errors["started_on"] = "The date they started must be today or in the past"
    return errors


def _create(
    *,
    episode: Episode,
    by: User,
    kind: MedicationChangeKind,
    prescriber: StaffMember | None,
    name: str,
    dose: str,
    route: str,
    frequency: str,
    started_on: dt.date,
    note: str,
) -> Medication:
    medication = Medication.objects.create(
        person_id=episode.person_id,
        episode=episode,
        name=name.strip(),
        dose=dose.strip(),
        route=route.strip(),
        frequency=frequency.strip(),
        started_by_team=kind == MedicationChangeKind.STARTED,
        started_on=started_on,
        note=note.strip(),
    )
    change = MedicationChange.objects.create(
        medication=medication,
        kind=kind,
        detail=describe(medication.name, medication.dose, medication.route, medication.frequency)
        + (f". {note.strip()}" if note.strip() else ""),
        prescriber=prescriber,
        changed_by=by,
        changed_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=medication,
        person_id=episode.person_id,
        section=SECTION,
        detail={"change": str(change.pk), "kind": kind},
    )
    return medication


@transaction.atomic
def medication_record(
    *,
    episode: Episode,
    by: User,
    name: str,
    dose: str,
    route: str,
    frequency: str,
    started_on: dt.date,
    note: str = "",
) -> Medication:
    """A medicine the person already takes (prescribed by their GP, say)."""
    _require_recorder(by)
    _require_open(episode)
    errors = _clean_medicine(
        name=name, dose=dose, route=route, frequency=frequency, started_on=started_on
    )
    if errors:
        raise ValidationError(errors)
    return _create(
        episode=episode,
        by=by,
        kind=MedicationChangeKind.RECORDED,
        prescriber=None,
        name=name,
        dose=dose,
        route=route,
        frequency=frequency,
        started_on=started_on,
        note=note,
    )


@transaction.atomic
def medication_start(
    *,
    episode: Episode,
    by: User,
    name: str,
    dose: str,
    route: str,
    frequency: str,
    note: str = "",
    started_on: dt.date | None = None,
) -> Medication:
    """A prescriber in the team starts a medicine; they are recorded as the prescriber."""
    prescriber = _prescriber(by)
    _require_open(episode)
    started_on = started_on or timezone.localdate()
    errors = _clean_medicine(
        name=name, dose=dose, route=route, frequency=frequency, started_on=started_on
    )
    if errors:
        raise ValidationError(errors)
    return _create(
        episode=episode,
        by=by,
        kind=MedicationChangeKind.STARTED,
        prescriber=prescriber,
        name=name,
        dose=dose,
        route=route,
        frequency=frequency,
        started_on=started_on,
        note=note,
    )


def _change(
    *,
    medication: Medication,
    episode: Episode,
    by: User,
    prescriber: StaffMember,
    kind: MedicationChangeKind,
    detail: str,
    expected_version: int,
    fields: dict[str, object],
) -> Medication:
    """Save the change if the medicine is still as the prescriber saw it; write its history."""
    medication = save_if_current(medication, expected_version=expected_version, fields=fields)
    MedicationChange.objects.create(
        medication=medication,
        kind=kind,
        detail=detail,
        prescriber=prescriber,
        changed_by=by,
        changed_at=timezone.now(),
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=medication,
        person_id=episode.person_id,
        section=SECTION,
        detail={"kind": kind, "changed": sorted(fields)},
    )
    return medication


@transaction.atomic
def medication_change_dose(
    *,
    medication: Medication,
    episode: Episode,
    by: User,
    dose: str,
    route: str,
    frequency: str,
    reason: str,
    expected_version: int,
) -> Medication:
    prescriber = _prescriber(by)
    _require_open(episode)
    _require_current(medication)
    errors = _clean_medicine(
        name=medication.name, dose=dose, route=route, frequency=frequency, started_on=None
    )
    if not reason.strip():
        errors["reason"] = "Enter why the dose is changing"
    if not errors and (dose.strip(), route.strip(), frequency.strip()) == (
        medication.dose,
        medication.route,
        medication.frequency,
    ):
        errors["dose"] = "This is the dose they take now. Enter the new dose or how often"
    if errors:
        raise ValidationError(errors)
    before = describe("", medication.dose, medication.route, medication.frequency)
    after = describe("", dose, route, frequency)
    return _change(
        medication=medication,
        episode=episode,
        by=by,
        prescriber=prescriber,
        kind=MedicationChangeKind.DOSE_CHANGED,
        detail=f"From {before} to {after}. {reason.strip()}",
        expected_version=expected_version,
        fields={"dose": dose.strip(), "route": route.strip(), "frequency": frequency.strip()},
    )


@transaction.atomic
def medication_review(
    *, medication: Medication, episode: Episode, by: User, note: str, expected_version: int
) -> Medication:
    """A prescriber reviewed the medicine and left it as it is."""
    prescriber = _prescriber(by)
    _require_open(episode)
    _require_current(medication)
    if not note.strip():
        raise ValidationError({"note": "Enter what the review found"})
    return _change(
        medication=medication,
        episode=episode,
        by=by,
        prescriber=prescriber,
        kind=MedicationChangeKind.REVIEWED,
        detail=note.strip(),
        expected_version=expected_version,
        fields={},
    )


@transaction.atomic
def medication_stop(
    *,
    medication: Medication,
    episode: Episode,
    by: User,
    stopped_on: dt.date,
    reason: str,
    expected_version: int,
) -> Medication:
    prescriber = _prescriber(by)
    _require_open(episode)
    _require_current(medication)
    errors: dict[str, str] = {}
    if stopped_on > timezone.localdate():
        errors["stopped_on"] = "The date it was stopped must be today or in the past"
    elif stopped_on < medication.started_on:
        errors["stopped_on"] = "The date it was stopped must be on or after the date it started"
    if not reason.strip():
        errors["reason"] = "Enter why the medicine is being stopped"
    if errors:
        raise ValidationError(errors)
    return _change(
        medication=medication,
        episode=episode,
        by=by,
        prescriber=prescriber,
        kind=MedicationChangeKind.STOPPED,
        detail=reason.strip(),
        expected_version=expected_version,
        fields={"stopped_on": stopped_on},
    )


@transaction.atomic
def delivery_record(
    *,
    episode: Episode,
    by: User,
    medications: Sequence[Medication],
    delivered_at: dt.datetime,
    delivered_by: StaffMember,
    supply: str = "",
    visit: Visit | None = None,
    note: str = "",
) -> MedicationDelivery:
    """Medicines the team collected and delivered (CORE item 15c), immutable."""
    _require_recorder(by)
    _require_open(episode)
    errors: dict[str, str] = {}
    delivered_at = as_utc(delivered_at)
    if not medications:
        errors["medications"] = "Select the medicines that were delivered"
    elif any(m.person_id != episode.person_id for m in medications):
        errors["medications"] = "Select only this person's medicines"
    elif any(
        m.stopped_on is not None and m.stopped_on < local_date(delivered_at) for m in medications
    ):
        errors["medications"] = "A medicine you selected had been stopped before that day"
    if delivered_at > timezone.now():
        errors["delivered_time"] = "The delivery must be now or in the past"
    elif local_date(delivered_at) < local_date(episode.started_at):
        errors["delivered_on"] = "The delivery must be on or after the day home treatment started"
    if not staff_for_team(team=episode.team).filter(pk=delivered_by.pk).exists():
        errors["delivered_by"] = "Select a member of the team"
    if visit is not None and visit.episode_id != episode.pk:
        errors["visit"] = "Select one of this person's visits"
    if errors:
        raise ValidationError(errors)
    delivery = MedicationDelivery.objects.create(
        episode=episode,
        delivered_at=delivered_at,
        delivered_by=delivered_by,
        visit=visit,
        supply=supply.strip(),
        note=note.strip(),
        recorded_by=by,
    )
    delivery.medications.set(medications)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=delivery,
        person_id=episode.person_id,
        section=SECTION,
        detail={"medicines": len(medications)},
    )
    return delivery
