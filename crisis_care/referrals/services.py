"""Writes for referrals. Each runs in one transaction: the referral, its history rows,
the person's team link and the audit row land together or not at all."""

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record
from crisis_care.core.clock import local_date
from crisis_care.core.models import AuditAction, User
from crisis_care.people import services as people_services
from crisis_care.people.models import Person
from crisis_care.workforce.models import Team, TeamType

from . import eligibility
from .clocks import ClockName, ClockState, clocks_for
from .models import (
    BreachReason,
    ContactWith,
    Medium,
    Outcome,
    Pathway,
    PriorityChange,
    Referral,
    ReferralContact,
    Source,
    Status,
    StatusChange,
)
from .selectors import clock_input

# Clock skew we tolerate between a caller's watch and the server.
FUTURE_TOLERANCE = dt.timedelta(minutes=2)

REFERRAL_FIELDS = (
    "channel", "source", "referrer_name", "referrer_organisation", "referrer_phone", "referrer_email",
    "reason", "presenting_crisis", "person_agrees", "current_location", "current_postcode", "known_risks",
    "crs_criteria", "reablement_needed",
)  # fmt: skip


class AlreadyTaken(Exception):
    def __init__(self, referral: Referral) -> None:
        self.referral = referral
        super().__init__(f"{referral.owner} took this referral first.")


def pathway_for(team: Team) -> Pathway:
    """The council's crisis response service runs its own pathway and clocks."""
    return (
        Pathway.COUNCIL_CRS
        if team.team_type == TeamType.COUNCIL_CRISIS_RESPONSE
        else Pathway.MENTAL_HEALTH
    )


def _check_not_future(when: dt.datetime, field: str, label: str) -> None:
    if when > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({field: f"{label} must be now or in the past"})


def _set_status(referral: Referral, status: Status, by: User | None, note: str = "") -> None:
    now = timezone.now()
    referral.status = status
    if status in (Status.DECLINED, Status.CLOSED):
        referral.closed_at = now
    StatusChange.objects.create(
        referral=referral, status=status, changed_by=by, changed_at=now, note=note
    )


@transaction.atomic
def referral_create(
    *,
    team: Team,
    person: Person | None,
    data: dict[str, Any],
    received_at: dt.datetime,
    priority: str,
    priority_reason: str,
    by: User | None,
    submitted_details: dict[str, Any] | None = None,
) -> Referral:
    """Record a referral, check eligibility (shown, not applied) and start its clocks.

    The team gets a legitimate relationship with the person from this moment.
    """
    _check_not_future(received_at, "received_at", "Time received")
    if not (
        data.get("referrer_phone")
        or data.get("referrer_email")
        or (person and person.phone)
        or (submitted_details or {}).get("phone")
        or (submitted_details or {}).get("email")
    ):
        raise ValidationError("Enter at least one way to contact the person or the referrer")
    details = submitted_details or {}
    # Eligibility is about where the person lives; where they are now (an ED, a friend's)
    # is used only when no home postcode is known.
    home = person.postcode if person else details.get("postcode", "")
    postcode = home or data.get("current_postcode", "")
    date_of_birth = person.date_of_birth if person else details.get("date_of_birth")
    if isinstance(date_of_birth, str):
        date_of_birth = dt.date.fromisoformat(date_of_birth)
    pathway = pathway_for(team)
    referral = Referral.objects.create(
        team=team,
        pathway=pathway,
        person=person,
        submitted_details=details,
        received_at=received_at,
        priority=priority,
        priority_reason=priority_reason,
        area_check=eligibility.check_area(postcode).check,
        age_check=eligibility.check_age(date_of_birth, local_date(received_at), pathway=pathway),
        created_by=by,
        **{k: data[k] for k in REFERRAL_FIELDS if k in data},
    )
    PriorityChange.objects.create(
        referral=referral,
        priority=priority,
        reason=priority_reason,
        set_by=by,
        set_at=timezone.now(),
    )
    _set_status(referral, Status.NEW, by)
    referral.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=referral,
        person_id=person.pk if person else None,
        section="referral",
        detail={"source": referral.source, "priority": priority},
    )
    if person is not None:
        people_services.care_team_link_open(
            team=team, person=person, source="referral", source_id=referral.pk, by=by
        )
    return referral


@transaction.atomic
def referral_take(*, referral_id: uuid.UUID, by: User) -> Referral:
    """Take ownership. The row lock means two clinicians pressing at once cannot both win."""
    referral = (
        Referral.objects.select_for_update(of=("self",)).select_related("owner").get(pk=referral_id)
    )
    if referral.owner_id and referral.owner_id != by.pk:
        raise AlreadyTaken(referral)
    if not referral.is_open:
        raise ValidationError("This referral is closed.")
    if referral.owner_id == by.pk:
        return referral
    referral.owner = by
    referral.taken_at = timezone.now()
    if referral.status == Status.NEW:
        _set_status(referral, Status.TAKEN, by)
    _save_and_audit(
        referral, ["owner", "taken_at", "status"], by=by, section="referral", detail={"taken": True}
    )
    return referral


@transaction.atomic
def priority_set(*, referral: Referral, priority: str, reason: str, by: User) -> Referral:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the priority is changing"})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    PriorityChange.objects.create(
        referral=referral, priority=priority, reason=reason, set_by=by, set_at=timezone.now()
    )
    before = referral.priority
    referral.priority = priority
    referral.priority_reason = reason
    _save_and_audit(
        referral,
        ["priority", "priority_reason"],
        by=by,
        section="referral priority",
        detail={"from": before, "to": priority},
    )
    return referral


@transaction.atomic
def contact_record(
    *,
    referral: Referral,
    occurred_at: dt.datetime,
    with_whom: str,
    medium: str,
    outcome: str,
    note: str,
    by: User,
) -> ReferralContact:
    """Log an attempt or contact. The first successful contact stops the matching clocks."""
    _check_not_future(occurred_at, "occurred_at", "Time of contact")
    if occurred_at < referral.received_at - FUTURE_TOLERANCE:
        raise ValidationError(
            {"occurred_at": "Time of contact must be after the referral was received"}
        )
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    contact = ReferralContact.objects.create(
        referral=referral,
        occurred_at=occurred_at,
        with_whom=with_whom,
        medium=medium,
        outcome=outcome,
        note=note,
        by=by,
    )
    if outcome == Outcome.SPOKE:
        stops = _clock_stops(referral, with_whom=with_whom, medium=medium)
        changed = [
            name
            for name in stops
            if getattr(referral, name) is None or getattr(referral, name) > occurred_at
        ]
        for name in changed:
            setattr(referral, name, occurred_at)
        if changed:
            referral.version += 1
            referral.save(update_fields=[*changed, "version", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=contact,
        person_id=referral.person_id,
        section="referral contact",
        detail={"with": with_whom, "medium": medium, "outcome": outcome},
    )
    return contact


def _clock_stops(referral: Referral, *, with_whom: str, medium: str) -> list[str]:
    stops = []
    # A self-referrer is both the person and the referrer.
    person_is_referrer = referral.source == Source.SELF
    if with_whom == ContactWith.REFERRER or (
        person_is_referrer and with_whom == ContactWith.PERSON
    ):
        stops.append("referrer_responded_at")
    if with_whom == ContactWith.PERSON:
        stops.append("first_contact_at")
        if medium == Medium.FACE_TO_FACE:
            stops.append("face_to_face_at")
    return stops


@transaction.atomic
def breach_reason_record(*, referral: Referral, clock: str, reason: str, by: User) -> BreachReason:
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the standard was not met"})
    clocks = {c.name: c for c in clocks_for(clock_input(referral), timezone.now())}
    if ClockName(clock) not in clocks or clocks[ClockName(clock)].state is not ClockState.BREACHED:
        raise ValidationError("That clock has not been breached.")
    if BreachReason.objects.filter(referral=referral, clock=clock).exists():
        raise ValidationError("A reason has already been recorded for this breach.")
    breach = BreachReason.objects.create(
        referral=referral, clock=clock, reason=reason, recorded_by=by, recorded_at=timezone.now()
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=breach,
        person_id=referral.person_id,
        section="breach reason",
        detail={"clock": clock},
    )
    return breach


@transaction.atomic
def eligibility_confirm(*, referral: Referral, note: str, by: User) -> Referral:
    referral.eligibility_confirmed_by = by
    referral.eligibility_confirmed_at = timezone.now()
    referral.eligibility_note = note
    _save_and_audit(
        referral,
        ["eligibility_confirmed_by", "eligibility_confirmed_at", "eligibility_note"],
        by=by,
        section="eligibility",
        detail={"confirmed": True},
    )
    return referral


@transaction.atomic
def referral_accept(*, referral: Referral, by: User) -> Referral:
    """Accept for assessment (booking the assessment is the next stage)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status not in (Status.NEW, Status.TAKEN):
        raise ValidationError(
            "Only a referral awaiting triage or with a clinician can be accepted."
        )
    if referral.person_id is None:
        raise ValidationError("Match this referral to a person's record before accepting it.")
    _set_status(referral, Status.ACCEPTED, by)
    _save_and_audit(
        referral, ["status"], by=by, section="referral", detail={"status": Status.ACCEPTED}
    )
    return referral


@transaction.atomic
def referral_match_person(*, referral: Referral, person: Person, by: User) -> Referral:
    """Link a self-referral (or one taken without a record) to a person, opening the team link."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.person_id is not None:
        raise ValidationError("This referral is already linked to a person.")
    referral.person = person
    if referral.age_check == "unknown":
        referral.age_check = eligibility.check_age(
            person.date_of_birth, local_date(referral.received_at), pathway=referral.pathway
        )
    if referral.area_check == "unknown":
        referral.area_check = eligibility.check_area(
            person.postcode or referral.current_postcode
        ).check
    _save_and_audit(
        referral,
        ["person", "age_check", "area_check"],
        by=by,
        section="referral",
        detail={"matched_person": True},
    )
    people_services.care_team_link_open(
        team=referral.team, person=person, source="referral", source_id=referral.pk, by=by
    )
    return referral


@transaction.atomic
def referral_decline(
    *,
    referral: Referral,
    reason: str,
    letter: str,
    service_ids: list[uuid.UUID],
    by: User,
    category: str = "other",
) -> Referral:
    """Decline with reasons and signposting (CORE item 8). The referral stays on record;
    the team's relationship with the person closes (and lapses after the set period)."""
    from crisis_care.directory.models import Service

    from .models import ReferralSignpost

    if not reason.strip():
        raise ValidationError({"reason": "Enter why the referral is being declined"})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_open:
        raise ValidationError("This referral is already closed.")
    services = list(Service.objects.filter(pk__in=service_ids))
    if len(services) != len(set(service_ids)):
        raise ValidationError({"services": "Choose services from the directory"})
    ReferralSignpost.objects.bulk_create(
        ReferralSignpost(referral=referral, service=s) for s in services
    )
    referral.decline_category = category
    referral.decline_reason = reason
    referral.decline_letter = letter
    _set_status(referral, Status.DECLINED, by, note=reason)
    _save_and_audit(
        referral,
        ["decline_category", "decline_reason", "decline_letter", "status", "closed_at"],
        by=by,
        section="referral",
        detail={"status": Status.DECLINED, "signposted": len(services)},
    )
    _close_referral_links(referral, by)
    return referral


@transaction.atomic
def referral_close(*, referral: Referral, note: str, by: User) -> Referral:
    """Close a referral once it has been assessed and decided (the episode or admission that
    follows carries the team's relationship from here)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.is_open:
        return referral
    _set_status(referral, Status.CLOSED, by, note=note)
    _save_and_audit(
        referral,
        ["status", "closed_at"],
        by=by,
        section="referral",
        detail={"status": Status.CLOSED},
    )
    _close_referral_links(referral, by)
    return referral


def _save_and_audit(
    referral: Referral, fields: list[str], *, by: User, section: str, detail: dict[str, Any]
) -> None:
    """Save changed fields with a new version (so open forms see the record moved on) and
    write the audit row, in the caller's transaction."""
    referral.version += 1
    referral.save(update_fields=[*fields, "version", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=referral,
        person_id=referral.person_id,
        section=section,
        detail=detail,
    )


def _close_referral_links(referral: Referral, by: User | None) -> None:
    """The team's relationship through this referral ends (and lapses after the set period)."""
    from crisis_care.people.models import CareTeamLink

    for link in CareTeamLink.objects.filter(
        source="referral", source_id=referral.pk, closed_at__isnull=True
    ):
        people_services.care_team_link_close(link=link, by=by)
