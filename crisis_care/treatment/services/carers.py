"""Writes for carers and family (CORE items 13 and 14; Care Act 2014 s.10).

Every write checks that the contact is one of the episode's person's contacts, that recorded
times are not in the future, and that the episode is open; each one is audited in the same
transaction. Validation errors are a dict of field -> message (or one message for the whole
form) that a person can act on.

The consent boundary: general support can always be given (a conversation of the carer's own,
their own support plan, general crisis information, a referral for their own assessment); an
invitation to the person's care-planning or review meetings needs the person's agreement to
share their care plan with that contact (`selectors.carers.may_share_care_plan`).
"""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record, changed_fields
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.directory.models import Service, ServiceStatus
from crisis_care.people.models import Contact

from ..models import (
    AttemptMethod,
    AttemptOutcome,
    CarerAssessmentReferral,
    CarerAssessmentStatus,
    CarerConversation,
    CarerConversationOffer,
    CarerSupportPlan,
    Episode,
    EpisodeStatus,
    FamilyContactAttempt,
    OfferResponse,
    ReviewInvitation,
)
from ..selectors.carers import may_share_care_plan

SECTION = "carers"
TEXT_MAX = 5000
PURPOSE_MAX = 200
COUNCIL_MAX = 100
# A time typed as "now" may reach the server a moment later than the clock it was read from.
CLOCK_GRACE = dt.timedelta(minutes=2)

# What the record of general information says was given (CORE item 14d). It names no one
# and nothing about the person, because the information itself is not about them.
GENERAL_INFORMATION_NOTE = (
    "General information given: how to get crisis help, support for carers and what the "
    "crisis team does."
)


def _person_name(episode: Episode) -> str:
    return episode.person.given_name


def _check(
    episode: Episode, contact: Contact, *, carer: bool = False, errors: dict[str, str]
) -> None:
    """The episode is open and the contact is one of its person's contacts (and, where the
    record is about a carer's own needs, marked as a carer on the person's record)."""
    if episode.status != EpisodeStatus.OPEN:
        errors["__all__"] = "This episode has ended, so nothing new can be recorded in it."
    elif contact.person_id != episode.person_id:
        errors["__all__"] = f"{contact.name} is not one of {_person_name(episode)}'s contacts."
    elif carer and not contact.is_carer:
        errors["__all__"] = (
            f"{contact.name} is not marked as a carer on {_person_name(episode)}'s record. "
            "If they are a carer, change their details on the record first."
        )


def _check_past(when: dt.datetime | None, name: str, label: str, errors: dict[str, str]) -> None:
    if when is None or timezone.is_naive(when):
        errors[name] = f"Enter {label}"
    elif when > timezone.now() + CLOCK_GRACE:
        errors[name] = f"{label[0].upper()}{label[1:]} must be now or in the past"


def _text(
    value: str, name: str, errors: dict[str, str], *, required: str = "", maximum: int = TEXT_MAX
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = required
    elif len(value) > maximum:
        errors[name] = f"This must be {maximum:,} characters or fewer"
    return value


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


# -- A conversation of their own (14a) ------------------------------------------------------


@transaction.atomic
def carer_offer_record(
    *,
    episode: Episode,
    carer: Contact,
    response: str,
    offered_at: dt.datetime,
    by: User,
) -> CarerConversationOffer:
    """Record that a carer was offered a conversation of their own, and their answer."""
    errors: dict[str, str] = {}
    _check(episode, carer, carer=True, errors=errors)
    if response not in OfferResponse.values:
        errors["response"] = f"Select what {carer.name} said"
    _check_past(offered_at, "offered_at", "when you offered it", errors)
    _raise(errors)
    offer = CarerConversationOffer.objects.create(
        episode=episode, carer=carer, offered_at=offered_at, response=response, offered_by=by
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=offer,
        person_id=episode.person_id,
        section=SECTION,
        detail={"contact": str(carer.pk), "response": response},
    )
    return offer


@transaction.atomic
def carer_conversation_record(
    *,
    episode: Episode,
    carer: Contact,
    held_at: dt.datetime,
    separate_from_person: bool,
    carer_needs: str,
    notes: str,
    by: User,
) -> CarerConversation:
    """Record the carer's own conversation: their needs, not the person's."""
    errors: dict[str, str] = {}
    _check(episode, carer, carer=True, errors=errors)
    _check_past(held_at, "held_at", "when the conversation was", errors)
    carer_needs = _text(
        carer_needs, "carer_needs", errors, required=f"Enter what {carer.name} needs"
    )
    notes = _text(notes, "notes", errors)
    _raise(errors)
    conversation = CarerConversation.objects.create(
        episode=episode,
        carer=carer,
        held_at=held_at,
        separate_from_person=bool(separate_from_person),
        carer_needs=carer_needs,
        notes=notes,
        held_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=conversation,
        person_id=episode.person_id,
        section=SECTION,
        detail={"contact": str(carer.pk), "separate_from_person": bool(separate_from_person)},
    )
    return conversation


# -- The carer's support plan (14b, 14c) ----------------------------------------------------

PLAN_FIELDS = ("needs", "support", "if_things_get_worse")


def _plan_text(data: dict[str, str], carer: Contact, errors: dict[str, str]) -> dict[str, str]:
    required = {
        "needs": f"Enter what {carer.name} needs",
        "support": "Enter what will help and who will do it",
        "if_things_get_worse": f"Enter what {carer.name} can do if things get worse",
    }
    return {
        name: _text(data.get(name, ""), name, errors, required=required[name])
        for name in PLAN_FIELDS
    }


def _chosen_services(ids: Iterable[uuid.UUID | str], errors: dict[str, str]) -> list[Service]:
    wanted = list(dict.fromkeys(str(i) for i in ids))
    try:
        found = list(Service.objects.filter(pk__in=wanted, status=ServiceStatus.ACTIVE))
    except ValidationError:
        found = []
    if len(found) != len(wanted):
        errors["services"] = "Choose services that are listed in the directory"
    return found


@transaction.atomic
def carer_plan_create(
    *,
    episode: Episode,
    carer: Contact,
    needs: str,
    support: str,
    if_things_get_worse: str,
    service_ids: Iterable[uuid.UUID | str],
    by: User,
) -> CarerSupportPlan:
    """Write a carer's support plan. One per carer in an episode: the contact's row is locked so
    two people writing one at the same moment cannot both create it."""
    errors: dict[str, str] = {}
    _check(episode, carer, carer=True, errors=errors)
    text = _plan_text(
        {"needs": needs, "support": support, "if_things_get_worse": if_things_get_worse},
        carer,
        errors,
    )
    services = _chosen_services(service_ids, errors)
    _raise(errors)
    Contact.objects.select_for_update(of=("self",)).filter(pk=carer.pk).first()
    if CarerSupportPlan.objects.filter(episode=episode, carer=carer).exists():
        raise ValidationError(
            f"Someone has already written a support plan for {carer.name}. "
            "Open it from the carers page to change it."
        )
    plan = CarerSupportPlan.objects.create(episode=episode, carer=carer, written_by=by, **text)
    plan.services.set(services)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=plan,
        person_id=episode.person_id,
        section=SECTION,
        detail={"contact": str(carer.pk), "services": len(services)},
    )
    return plan


@transaction.atomic
def carer_plan_update(
    *,
    plan: CarerSupportPlan,
    expected_version: int,
    needs: str,
    support: str,
    if_things_get_worse: str,
    service_ids: Iterable[uuid.UUID | str],
    by: User,
) -> CarerSupportPlan:
    """Change a carer's support plan, if nobody else has changed it since the form was opened
    (StaleEdit otherwise). A change to what the carer's copy says clears 'given on': the copy
    the carer has is no longer the plan, so the new one needs giving."""
    episode = plan.episode
    carer = plan.carer
    errors: dict[str, str] = {}
    _check(episode, carer, carer=True, errors=errors)
    text = _plan_text(
        {"needs": needs, "support": support, "if_things_get_worse": if_things_get_worse},
        carer,
        errors,
    )
    services = _chosen_services(service_ids, errors)
    _raise(errors)
    before = {name: getattr(plan, name) for name in PLAN_FIELDS}
    before_services = {s.pk for s in plan.services.all()}
    after_services = {s.pk for s in services}
    changed = changed_fields(before, text)["changed"]
    if before_services != after_services:
        changed.append("services")
    fields: dict[str, object] = dict(text)
    if changed and plan.given_on is not None:
        fields["given_on"] = None
    given_before = plan.given_on
    plan = save_if_current(plan, expected_version=expected_version, fields=fields)
    plan.services.set(services)
    detail: dict[str, object] = {"changed": changed}
    if "given_on" in fields and given_before is not None:
        detail["copy_given_on_cleared"] = given_before.isoformat()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=plan,
        person_id=episode.person_id,
        section=SECTION,
        detail=detail,
    )
    return plan


@transaction.atomic
def carer_plan_given(
    *, plan: CarerSupportPlan, given_on: dt.date, expected_version: int, by: User
) -> CarerSupportPlan:
    """Record the day the written copy of the plan was given to the carer (14c)."""
    errors: dict[str, str] = {}
    _check(plan.episode, plan.carer, carer=True, errors=errors)
    if given_on is None:
        errors["given_on"] = "Enter the date you gave the plan"
    elif given_on > timezone.localdate():
        errors["given_on"] = "The date you gave the plan must be today or in the past"
    elif given_on < local_date(plan.updated_at):
        errors["given_on"] = (
            "The plan was last changed after that date, so the copy given then is not this "
            "plan. Enter the date you gave this version."
        )
    _raise(errors)
    plan = save_if_current(plan, expected_version=expected_version, fields={"given_on": given_on})
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=plan,
        person_id=plan.episode.person_id,
        section=SECTION,
        detail={"changed": ["given_on"], "given_on": given_on.isoformat()},
    )
    return plan


# -- A statutory carer's assessment (Care Act 2014 s.10) -------------------------------------


@transaction.atomic
def carer_assessment_refer(
    *,
    episode: Episode,
    carer: Contact,
    council: str,
    carer_agreed: bool | None,
    note: str,
    by: User,
) -> CarerAssessmentReferral:
    """Refer a carer to the council for a carer's assessment, only with their agreement. A carer
    with a referral still waiting for (or accepted by) the council is not referred twice."""
    errors: dict[str, str] = {}
    _check(episode, carer, carer=True, errors=errors)
    council = _text(council, "council", errors, required="Select the council", maximum=COUNCIL_MAX)
    if carer_agreed is not True:
        errors["carer_agreed"] = (
            f"You can only refer {carer.name} for a carer's assessment if they agree. "
            "If they do not agree, do not refer them: you can still give them information "
            "about support for carers."
        )
    note = _text(note, "note", errors)
    _raise(errors)
    Contact.objects.select_for_update(of=("self",)).filter(pk=carer.pk).first()
    open_referral = CarerAssessmentReferral.objects.filter(
        episode=episode,
        carer=carer,
        status__in=[CarerAssessmentStatus.SENT, CarerAssessmentStatus.ACCEPTED],
    ).first()
    if open_referral is not None:
        raise ValidationError(
            f"{carer.name} was already referred to {open_referral.council} and the referral is "
            f"{CarerAssessmentStatus(open_referral.status).label.lower()}. Update that referral "
            "instead."
        )
    referral = CarerAssessmentReferral.objects.create(
        episode=episode,
        carer=carer,
        council=council,
        carer_agreed=True,
        referred_at=timezone.now(),
        status=CarerAssessmentStatus.SENT,
        note=note,
        referred_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=referral,
        person_id=episode.person_id,
        section=SECTION,
        detail={"contact": str(carer.pk), "council": council},
    )
    return referral


@transaction.atomic
def carer_assessment_status_update(
    *,
    referral: CarerAssessmentReferral,
    status: str,
    expected_status: str,
    note: str,
    by: User,
) -> CarerAssessmentReferral:
    """Record what the council did with the referral. The row is locked and the status the form
    was opened on is checked, so two updates at once cannot silently overwrite each other. A
    note is added to the referral's notes with the date, never replacing what was there."""
    errors: dict[str, str] = {}
    if referral.episode.status != EpisodeStatus.OPEN:
        errors["__all__"] = "This episode has ended, so nothing new can be recorded in it."
    if status not in CarerAssessmentStatus.values:
        errors["status"] = "Select what the council said"
    note = _text(note, "note", errors)
    _raise(errors)
    locked = CarerAssessmentReferral.objects.select_for_update(of=("self",)).get(pk=referral.pk)
    if locked.status != expected_status:
        raise ValidationError(
            "Someone else updated this referral while you were looking at it: it is now "
            f"'{CarerAssessmentStatus(locked.status).label}'. Check it, then update it again."
        )
    if status == locked.status:
        raise ValidationError(
            {"status": f"The referral is already '{CarerAssessmentStatus(status).label}'"}
        )
    fields: dict[str, object] = {"status": status}
    if note:
        line = f"{timezone.localdate():%d/%m/%Y}, {CarerAssessmentStatus(status).label}: {note}"
        fields["note"] = f"{locked.note}\n\n{line}".strip()
    CarerAssessmentReferral.objects.filter(pk=locked.pk).update(**fields, updated_at=timezone.now())
    locked.refresh_from_db()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=locked,
        person_id=referral.episode.person_id,
        section=SECTION,
        detail={"from": expected_status, "to": status},
    )
    return locked


# -- Family involvement (CORE item 13) and general information (14d) -------------------------


@transaction.atomic
def family_contact_attempt_record(
    *,
    episode: Episode,
    contact: Contact,
    attempted_at: dt.datetime,
    method: str,
    outcome: str,
    note: str,
    by: User,
) -> FamilyContactAttempt:
    """Record an attempt to contact one of the person's key people (13b)."""
    errors: dict[str, str] = {}
    _check(episode, contact, errors=errors)
    _check_past(attempted_at, "attempted_at", "when you tried to contact them", errors)
    if method not in AttemptMethod.values:
        errors["method"] = "Select how you tried to contact them"
    if outcome not in AttemptOutcome.values:
        errors["outcome"] = "Select what happened"
    note = _text(note, "note", errors)
    _raise(errors)
    attempt = FamilyContactAttempt.objects.create(
        episode=episode,
        contact=contact,
        attempted_at=attempted_at,
        method=method,
        outcome=outcome,
        note=note,
        attempted_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=attempt,
        person_id=episode.person_id,
        section=SECTION,
        detail={"contact": str(contact.pk), "method": method, "outcome": outcome},
    )
    return attempt


@transaction.atomic
def general_information_given(
    *,
    episode: Episode,
    contact: Contact,
    given_at: dt.datetime,
    method: str,
    note: str,
    by: User,
) -> FamilyContactAttempt:
    """Record that general information (crisis help, carer services, what the crisis team does)
    was given to a carer or family member (14d). Whatever the person has agreed to share: the
    information is not about them. It is kept as a contact with that key person (13b) whose
    note says what was given: spoken with, if given in person or by phone; a message left for
    them, if sent by post or email."""
    errors: dict[str, str] = {}
    _check(episode, contact, errors=errors)
    _check_past(given_at, "given_at", "when you gave it", errors)
    if method not in AttemptMethod.values:
        errors["method"] = "Select how you gave it"
    note = _text(note, "note", errors)
    _raise(errors)
    spoke = method in (AttemptMethod.PHONE, AttemptMethod.IN_PERSON)
    attempt = FamilyContactAttempt.objects.create(
        episode=episode,
        contact=contact,
        attempted_at=given_at,
        method=method,
        outcome=AttemptOutcome.SPOKE if spoke else AttemptOutcome.MESSAGE,
        note=f"{GENERAL_INFORMATION_NOTE}\n\n{note}".strip(),
        attempted_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=attempt,
        person_id=episode.person_id,
        section=SECTION,
        detail={"contact": str(contact.pk), "given": "general information", "method": method},
    )
    return attempt


@transaction.atomic
def review_invitation_record(
    *,
    episode: Episode,
    contact: Contact,
    meeting_at: dt.datetime,
    purpose: str,
    by: User,
) -> ReviewInvitation:
    """Invite a family member or friend to a care-planning or review meeting (13c). Only with
    the person's consent: the contact's current consent must cover the person's care plan."""
    errors: dict[str, str] = {}
    _check(episode, contact, errors=errors)
    if "__all__" not in errors and not may_share_care_plan(contact):
        errors["__all__"] = (
            f"{_person_name(episode)} has not agreed to share their care plan with "
            f"{contact.name}, so {contact.name} cannot be invited to care-planning or review "
            f"meetings. Ask {_person_name(episode)}, and record their consent on their record "
            "first."
        )
    if meeting_at is None or timezone.is_naive(meeting_at):
        errors["meeting_at"] = "Enter when the meeting is"
    purpose = _text(
        purpose, "purpose", errors, required="Enter what the meeting is for", maximum=PURPOSE_MAX
    )
    _raise(errors)
    invitation = ReviewInvitation.objects.create(
        episode=episode,
        contact=contact,
        meeting_at=meeting_at,
        purpose=purpose,
        invited_at=timezone.now(),
        invited_by=by,
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=invitation,
        person_id=episode.person_id,
        section=SECTION,
        detail={"contact": str(contact.pk)},
    )
    return invitation
