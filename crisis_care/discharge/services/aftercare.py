"""Writes for aftercare planning (CORE item 25 a–d): the other services involved and what was
agreed with them, the referrals on for support after discharge, and the discharge meeting.

Every write checks that the episode is open (a discharged episode is a record) and is audited
in the same transaction. A refusal is a ValidationError of {field: message} in words a person
can act on; an edit of a record someone else changed since the form was opened raises StaleEdit.

The consent boundary: family are invited to the discharge meeting only if the person agreed to
share their care plan with them (`treatment.selectors.carers.may_share_care_plan`); anyone else
is refused by name.
"""

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from crisis_care.core.audit import audit_record, changed_fields
from crisis_care.core.clock import local_date
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User
from crisis_care.directory.models import Service, ServiceStatus
from crisis_care.people.models import Contact
from crisis_care.treatment.models import Episode, EpisodeStatus
from crisis_care.treatment.selectors.carers import may_share_care_plan

from ..models import (
    DischargeMeeting,
    FollowOnKind,
    InvolvedService,
    MeetingInvitee,
    MeetingStatus,
    OnwardReferral,
    OnwardReferralStatus,
    OnwardReferralStatusChange,
)

SECTION = "aftercare"
NAME_MAX = 200
PHONE_MAX = 40
TEXT_MAX = 5000
# A time typed as "now" may reach the server a moment later than the clock it was read from.
CLOCK_GRACE = dt.timedelta(minutes=2)
# CORE asks for "plenty of notice" of the discharge meeting: less than this is warned about.
SHORT_NOTICE_DAYS = 2

# Where a referral may go next. Declined and withdrawn are final: a new referral is a new row.
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    OnwardReferralStatus.SENT: (
        OnwardReferralStatus.ACCEPTED,
        OnwardReferralStatus.DECLINED,
        OnwardReferralStatus.WITHDRAWN,
    ),
    # Accepted again: the worker or first appointment is added or changed.
    OnwardReferralStatus.ACCEPTED: (OnwardReferralStatus.ACCEPTED, OnwardReferralStatus.WITHDRAWN),
    OnwardReferralStatus.DECLINED: (),
    OnwardReferralStatus.WITHDRAWN: (),
}

INVOLVED_FIELDS = (
    "service",
    "name",
    "secondary_mental_health",
    "contact_name",
    "contact_phone",
    "contact_email",
    "plan_agreed",
    "plan_agreed_on",
    "plan_agreed_with",
)


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _check_open(episode: Episode, errors: dict[str, str]) -> None:
    if episode.status != EpisodeStatus.OPEN:
        errors["__all__"] = "This episode has ended, so aftercare plans can no longer be changed."


def _text(
    value: str | None,
    name: str,
    errors: dict[str, str],
    *,
    required: str = "",
    maximum: int = TEXT_MAX,
) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = required
    elif len(value) > maximum:
        errors[name] = f"This must be {maximum:,} characters or fewer"
    return value


def _active_service(service: Service | None, name: str, errors: dict[str, str]) -> None:
    if service is not None and service.status != ServiceStatus.ACTIVE:
        errors[name] = f"{service.name} is not running at the moment: choose another service"


# -- Other services involved (25a, 25d) ------------------------------------------------------


def _involved_values(
    *,
    service: Service | None,
    name: str,
    secondary_mental_health: bool,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    plan_agreed: str,
    plan_agreed_on: dt.date | None,
    plan_agreed_with: str,
    errors: dict[str, str],
) -> dict[str, object]:
    _active_service(service, "service", errors)
    name = _text(name, "name", errors, maximum=NAME_MAX) or (service.name if service else "")
    if not name:
        errors["name"] = "Choose the service from the directory or enter its name"
    plan = _text(plan_agreed, "plan_agreed", errors)
    agreed_with = _text(plan_agreed_with, "plan_agreed_with", errors, maximum=NAME_MAX)
    if plan:
        if plan_agreed_on is None:
            errors["plan_agreed_on"] = "Enter the date the plan was agreed"
        if not agreed_with:
            errors["plan_agreed_with"] = "Enter who the plan was agreed with"
    elif plan_agreed_on is not None or agreed_with:
        errors["plan_agreed"] = "Enter what was agreed, or leave the date and who it was with empty"
    if plan_agreed_on is not None and plan_agreed_on > timezone.localdate():
        errors["plan_agreed_on"] = "The date the plan was agreed must be today or in the past"
    return {
        "service": service,
        "name": name,
        "secondary_mental_health": bool(secondary_mental_health),
        "contact_name": _text(contact_name, "contact_name", errors, maximum=NAME_MAX),
        "contact_phone": _text(contact_phone, "contact_phone", errors, maximum=PHONE_MAX),
        "contact_email": _text(contact_email, "contact_email", errors, maximum=254),
        "plan_agreed": plan,
        "plan_agreed_on": plan_agreed_on if plan else None,
        "plan_agreed_with": agreed_with,
    }


@transaction.atomic
def involved_service_add(
    *,
    episode: Episode,
    service: Service | None,
    name: str,
    secondary_mental_health: bool,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    plan_agreed: str = "",
    plan_agreed_on: dt.date | None = None,
    plan_agreed_with: str = "",
    by: User,
) -> InvolvedService:
    """Record another service involved in the person's care, from the directory or by name,
    with what was agreed about the end of crisis care and what follows (CORE 25a)."""
    errors: dict[str, str] = {}
    _check_open(episode, errors)
    values = _involved_values(
        service=service,
        name=name,
        secondary_mental_health=secondary_mental_health,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        plan_agreed=plan_agreed,
        plan_agreed_on=plan_agreed_on,
        plan_agreed_with=plan_agreed_with,
        errors=errors,
    )
    _raise(errors)
    involved = InvolvedService.objects.create(
        episode=episode, recorded_by=by, recorded_at=timezone.now(), **values
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=involved,
        person_id=episode.person_id,
        section=SECTION,
        detail={
            "secondary_mental_health": involved.secondary_mental_health,
            "from_directory": service is not None,
            "plan_agreed": bool(involved.plan_agreed),
        },
    )
    return involved


@transaction.atomic
def involved_service_update(
    *,
    involved: InvolvedService,
    expected_version: int,
    service: Service | None,
    name: str,
    secondary_mental_health: bool,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    plan_agreed: str = "",
    plan_agreed_on: dt.date | None = None,
    plan_agreed_with: str = "",
    by: User,
) -> InvolvedService:
    """Change an involved service's details or the plan agreed with it, if nobody else has
    changed it since the form was opened (StaleEdit otherwise)."""
    episode = involved.episode
    errors: dict[str, str] = {}
    _check_open(episode, errors)
    values = _involved_values(
        service=service,
        name=name,
        secondary_mental_health=secondary_mental_health,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        plan_agreed=plan_agreed,
        plan_agreed_on=plan_agreed_on,
        plan_agreed_with=plan_agreed_with,
        errors=errors,
    )
    _raise(errors)
    before = {name: getattr(involved, name) for name in INVOLVED_FIELDS}
    changed = changed_fields(before, values)
    involved = save_if_current(involved, expected_version=expected_version, fields=values)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=involved,
        person_id=episode.person_id,
        section=SECTION,
        detail=changed,
    )
    return involved


# -- Referrals on (25b) --------------------------------------------------------------------


def gp_default_name(episode: Episode) -> str:
    """Who a GP referral goes to when no service is chosen: the person's GP practice."""
    practice = episode.person.gp_practice
    return practice.name if practice is not None else ""


@transaction.atomic
def onward_referral_make(
    *,
    episode: Episode,
    kind: str,
    service: Service | None,
    reason: str,
    sent_on: dt.date | None,
    by: User,
) -> OnwardReferral:
    """Record a referral on for support after discharge (CORE 25b). The service comes from the
    directory, except that a referral to the GP goes to the person's own practice by default.
    The first row of its status history ("sent") is written with it."""
    errors: dict[str, str] = {}
    _check_open(episode, errors)
    if kind not in FollowOnKind.values:
        errors["kind"] = "Select what kind of service the referral is to"
    _active_service(service, "service", errors)
    service_name = service.name if service is not None else ""
    if service is None and kind == FollowOnKind.GP:
        service_name = gp_default_name(episode)
        if not service_name:
            errors["service"] = (
                f"No GP practice is recorded for {episode.person.given_name}: "
                "choose the practice from the directory"
            )
    elif service is None and kind in FollowOnKind.values:
        errors["service"] = "Choose the service from the directory"
    reason = _text(reason, "reason", errors, required="Enter why you are referring")
    started_on = local_date(episode.started_at)
    if sent_on is None:
        errors["sent_on"] = "Enter the date the referral was sent"
    elif sent_on > timezone.localdate():
        errors["sent_on"] = "The date the referral was sent must be today or in the past"
    elif sent_on < started_on:
        errors["sent_on"] = (
            "The date the referral was sent must be on or after the day home treatment started "
            f"({started_on.day} {started_on:%B %Y})"
        )
    _raise(errors)
    assert sent_on is not None
    now = timezone.now()
    referral = OnwardReferral.objects.create(
        episode=episode,
        kind=kind,
        service=service,
        service_name=service_name,
        reason=reason,
        sent_on=sent_on,
        status=OnwardReferralStatus.SENT,
        recorded_by=by,
        recorded_at=now,
    )
    OnwardReferralStatusChange.objects.create(
        referral=referral, status=OnwardReferralStatus.SENT, changed_by=by, changed_at=now
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=referral,
        person_id=episode.person_id,
        section=SECTION,
        detail={"kind": kind, "from_directory": service is not None},
    )
    return referral


@transaction.atomic
def onward_referral_status_change(
    *,
    referral: OnwardReferral,
    expected_version: int,
    status: str,
    note: str = "",
    worker_name: str = "",
    worker_phone: str = "",
    first_appointment_at: dt.datetime | None = None,
    first_appointment_place: str = "",
    by: User,
) -> OnwardReferral:
    """What the service said: accepted (with who will see the person and the first appointment,
    where known), declined or withdrawn, each with a note. A change of status writes an
    immutable history row and keeps `status` in step; an accepted referral can have its worker
    and appointment changed. Version-checked (StaleEdit)."""
    episode = referral.episode
    errors: dict[str, str] = {}
    _check_open(episode, errors)
    allowed = NEXT_STATUSES.get(referral.status, ())
    if status not in OnwardReferralStatus.values or status == OnwardReferralStatus.SENT:
        errors["status"] = "Select what the service said"
    elif status not in allowed:
        current = referral.get_status_display().lower()
        errors["status"] = (
            f"This referral was {current}, so it cannot be changed. "
            "Make a new referral if one is needed."
            if not allowed
            else f"This referral was {current}: it can only be updated or withdrawn."
        )
    accepted = status == OnwardReferralStatus.ACCEPTED
    note = _text(
        note,
        "note",
        errors,
        required=""
        if accepted
        else "Enter a note: why the referral was declined or withdrawn, and what happens instead",
    )
    fields: dict[str, object] = {"status": status}
    if accepted:
        fields["worker_name"] = _text(worker_name, "worker_name", errors, maximum=NAME_MAX)
        fields["worker_phone"] = _text(worker_phone, "worker_phone", errors, maximum=PHONE_MAX)
        place = _text(first_appointment_place, "first_appointment_place", errors, maximum=NAME_MAX)
        if first_appointment_at is not None and local_date(first_appointment_at) < referral.sent_on:
            errors["first_appointment_at"] = (
                "The first appointment must be on or after the day the referral was sent"
            )
        if place and first_appointment_at is None:
            errors["first_appointment_at"] = "Enter the date and time of the first appointment"
        fields["first_appointment_at"] = first_appointment_at
        fields["first_appointment_place"] = place
    _raise(errors)
    before_status = referral.status
    before = {name: getattr(referral, name) for name in fields}
    changed = changed_fields(before, fields)
    referral = save_if_current(referral, expected_version=expected_version, fields=fields)
    if status != before_status or note:
        OnwardReferralStatusChange.objects.create(
            referral=referral,
            status=status,
            note=note,
            changed_by=by,
            changed_at=timezone.now(),
        )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=referral,
        person_id=episode.person_id,
        section=SECTION,
        detail={"status": status, "from": before_status, **changed},
    )
    return referral


# -- The discharge meeting (25c, 25d) --------------------------------------------------------


def notice_days(meeting: DischargeMeeting) -> int:
    """Days of notice, counted in London calendar days from arranging it to the meeting."""
    return (local_date(meeting.starts_at) - local_date(meeting.arranged_at)).days


def short_notice(meeting: DischargeMeeting) -> bool:
    return notice_days(meeting) < SHORT_NOTICE_DAYS


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def invitee_name(invitee: MeetingInvitee) -> str:
    if invitee.contact is not None:
        return invitee.contact.name
    assert invitee.involved_service is not None
    return invitee.involved_service.name


@dataclass(frozen=True)
class _Invitees:
    contacts: list[Contact]
    services: list[InvolvedService]


def _invitees(
    episode: Episode,
    contact_ids: Iterable[uuid.UUID | str],
    service_ids: Iterable[uuid.UUID | str],
    errors: dict[str, str],
) -> _Invitees:
    wanted_contacts = {str(pk) for pk in contact_ids}
    wanted_services = {str(pk) for pk in service_ids}
    contacts = list(
        Contact.objects.filter(person_id=episode.person_id, pk__in=wanted_contacts)
        .select_related("current_consent")
        .order_by("name")
    )
    services = list(
        InvolvedService.objects.filter(episode=episode, pk__in=wanted_services).order_by("name")
    )
    if len(contacts) != len(wanted_contacts):
        errors["family"] = f"Choose family from {episode.person.given_name}'s contacts"
    refused = [c.name for c in contacts if not may_share_care_plan(c)]
    if refused:
        errors["family"] = (
            f"{_names(refused)} cannot be invited: {episode.person.given_name} has not agreed "
            f"to share their care plan with {'them' if len(refused) > 1 else refused[0]}. "
            "Record the person's consent first, or leave them out."
        )
    if len(services) != len(wanted_services):
        errors["services"] = "Choose services recorded as involved in this episode"
    return _Invitees(contacts=contacts, services=services)


@transaction.atomic
def meeting_arrange(
    *,
    episode: Episode,
    starts_at: dt.datetime | None,
    place: str,
    person_invited: bool,
    contact_ids: Iterable[uuid.UUID | str] = (),
    involved_service_ids: Iterable[uuid.UUID | str] = (),
    by: User,
) -> DischargeMeeting:
    """Arrange the discharge meeting (CORE 25c): in the future, with the person invited and
    family invited only with the person's consent to share their care plan, and the other
    services involved (25d). One arranged meeting at a time: to move it, cancel it with a
    reason and arrange another. Short notice is allowed (the view warns about it)."""
    # Lock the episode so two people arranging at once cannot both succeed.
    Episode.objects.select_for_update().filter(pk=episode.pk).first()
    errors: dict[str, str] = {}
    _check_open(episode, errors)
    if DischargeMeeting.objects.filter(episode=episode, status=MeetingStatus.ARRANGED).exists():
        errors.setdefault(
            "__all__",
            "A discharge meeting is already arranged. To change it, cancel it with a reason, "
            "then arrange the new one.",
        )
    if starts_at is None:
        errors["starts_at"] = "Enter the date and time of the meeting"
    elif starts_at <= timezone.now():
        errors["starts_at"] = "The meeting must be in the future"
    place = _text(place, "place", errors, required="Enter where the meeting will be", maximum=200)
    invitees = _invitees(episode, contact_ids, involved_service_ids, errors)
    _raise(errors)
    assert starts_at is not None
    meeting = DischargeMeeting.objects.create(
        episode=episode,
        starts_at=starts_at,
        place=place,
        status=MeetingStatus.ARRANGED,
        person_invited=bool(person_invited),
        arranged_by=by,
        arranged_at=timezone.now(),
    )
    MeetingInvitee.objects.bulk_create(
        [MeetingInvitee(meeting=meeting, contact=c) for c in invitees.contacts]
        + [MeetingInvitee(meeting=meeting, involved_service=s) for s in invitees.services]
    )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        obj=meeting,
        person_id=episode.person_id,
        section=SECTION,
        detail={
            "person_invited": meeting.person_invited,
            "contacts": [str(c.pk) for c in invitees.contacts],
            "involved_services": [str(s.pk) for s in invitees.services],
            "notice_days": notice_days(meeting),
        },
    )
    return meeting


def _check_arranged(meeting: DischargeMeeting, errors: dict[str, str]) -> None:
    if meeting.status != MeetingStatus.ARRANGED:
        errors.setdefault(
            "__all__", f"This meeting has already been {meeting.get_status_display().lower()}."
        )


@transaction.atomic
def meeting_record_held(
    *,
    meeting: DischargeMeeting,
    expected_version: int,
    person_attended: bool | None,
    attended: Mapping[str, bool | None],
    agreed: str,
    by: User,
) -> DischargeMeeting:
    """Record the meeting as held: whether the person came, whether each invitee came, and
    what was agreed. Version-checked (StaleEdit)."""
    episode = meeting.episode
    errors: dict[str, str] = {}
    _check_open(episode, errors)
    _check_arranged(meeting, errors)
    if meeting.starts_at > timezone.now() + CLOCK_GRACE:
        errors.setdefault(
            "__all__", "The meeting has not started yet: record it once it has been held."
        )
    if person_attended is None:
        errors["person_attended"] = (
            f"Select whether {episode.person.given_name} came to the meeting"
        )
    invitees = list(meeting.invitees.select_related("contact", "involved_service"))
    answers = {str(k): v for k, v in attended.items()}
    for invitee in invitees:
        if answers.get(str(invitee.pk)) is None:
            who = invitee_name(invitee)
            errors[f"invitee_{invitee.pk}"] = f"Select whether {who} came to the meeting"
    agreed = _text(agreed, "agreed", errors, required="Enter what was agreed at the meeting")
    _raise(errors)
    meeting = save_if_current(
        meeting,
        expected_version=expected_version,
        fields={
            "status": MeetingStatus.HELD,
            "person_attended": bool(person_attended),
            "agreed": agreed,
            "held_recorded_by": by,
        },
    )
    for invitee in invitees:
        invitee.attended = bool(answers[str(invitee.pk)])
    MeetingInvitee.objects.bulk_update(invitees, ["attended"])
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=meeting,
        person_id=episode.person_id,
        section=SECTION,
        detail={
            "status": MeetingStatus.HELD,
            "person_attended": bool(person_attended),
            "attended": [str(i.pk) for i in invitees if i.attended],
        },
    )
    return meeting


@transaction.atomic
def meeting_cancel(
    *, meeting: DischargeMeeting, expected_version: int, reason: str, by: User
) -> DischargeMeeting:
    """Cancel an arranged meeting, with the reason (a new one can then be arranged)."""
    episode = meeting.episode
    errors: dict[str, str] = {}
    _check_open(episode, errors)
    _check_arranged(meeting, errors)
    reason = _text(reason, "reason", errors, required="Enter why the meeting is cancelled")
    _raise(errors)
    meeting = save_if_current(
        meeting,
        expected_version=expected_version,
        fields={"status": MeetingStatus.CANCELLED, "cancelled_reason": reason},
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=meeting,
        person_id=episode.person_id,
        section=SECTION,
        detail={"status": MeetingStatus.CANCELLED},
    )
    return meeting
