"""Reads for assessments, scoped to the user's teams: an assessment is visible to the members
of the team that holds its referral. Each read issues a fixed number of queries."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from crisis_care.core.models import User
from crisis_care.people.models import Contact, Person
from crisis_care.referrals.clocks import Clock, ClockName
from crisis_care.referrals.models import Referral
from crisis_care.referrals.selectors import referral_clocks
from crisis_care.workforce.models import StaffMember, Team
from crisis_care.workforce.selectors import (
    staff_for_team,
    staff_is_registered_practitioner,
    staff_on_shift,
    teams_for_user,
)

from .models import (
    Addendum,
    Assessment,
    AssessmentStaff,
    AssessmentStatus,
    AssessmentStatusChange,
    KeyPerson,
    SafetyPlan,
)


def assessment_for_user(*, pk: uuid.UUID, user: User) -> Assessment:
    """One assessment with its pair, history and addenda, if its referral belongs to one of
    the user's teams (else Assessment.DoesNotExist)."""
    return (
        Assessment.objects.filter(referral__team__in=teams_for_user(user=user))
        .select_related(
            "referral",
            "referral__team",
            "person",
            "booked_by",
            "finalised_by",
            "risk",
            "decision",
            "decision__decided_by",
        )
        .prefetch_related(
            Prefetch(
                "staff_links",
                queryset=AssessmentStaff.objects.select_related("staff__user").order_by(
                    "-registered_practitioner", "staff__user__last_name"
                ),
            ),
            Prefetch(
                "status_history",
                queryset=AssessmentStatusChange.objects.select_related("changed_by"),
            ),
            Prefetch("addenda", queryset=Addendum.objects.select_related("written_by")),
        )
        .get(pk=pk)
    )


def assessment_exists(*, pk: uuid.UUID) -> bool:
    """Whether an assessment exists at all (to tell 'not found' from 'not your team')."""
    return Assessment.objects.filter(pk=pk).exists()


def assessments_for_referral(*, referral: Referral) -> QuerySet[Assessment]:
    """A referral's assessments, newest first, not counting cancelled ones. The caller has
    already checked the referral is the user's to see."""
    return (
        Assessment.objects.filter(referral=referral)
        .exclude(status=AssessmentStatus.CANCELLED)
        .order_by("-starts_at")
    )


def face_to_face_clock(referral: Referral, now: dt.datetime | None = None) -> Clock:
    """The clock an assessment stops: face-to-face, or the council's 2-hour response."""
    return next(
        c
        for c in referral_clocks(referral, now)
        if c.name in (ClockName.FACE_TO_FACE, ClockName.CRS_RESPONSE)
    )


@dataclass(frozen=True)
class StaffOption:
    """A member of the team as a choice for booking."""

    staff: StaffMember
    registered_practitioner: bool
    on_shift: bool | None  # None when no time has been chosen yet


def booking_staff(
    *, team: Team, at: dt.datetime | None = None, until: dt.datetime | None = None
) -> list[StaffOption]:
    """The team's staff with whether each is a registered practitioner and (when a time has
    been chosen) on shift from `at` until `until`. On-shift first, then registered
    practitioners. Two queries, or up to six with a time."""
    on = timezone.localdate(at) if at else timezone.localdate()
    staff = list(staff_for_team(team=team, on=on))
    on_shift_ids: set[uuid.UUID] = set()
    if at is not None:
        ids = [member.pk for member in staff]
        on_shift_ids = {s.pk for s in staff_on_shift(at=at).filter(pk__in=ids)}
        if until is not None and on_shift_ids:
            last_minute = until - dt.timedelta(minutes=1)
            on_shift_ids &= {
                s.pk for s in staff_on_shift(at=last_minute).filter(pk__in=on_shift_ids)
            }
    options = [
        StaffOption(
            staff=member,
            registered_practitioner=staff_is_registered_practitioner(member, on=on),
            on_shift=(member.pk in on_shift_ids) if at else None,
        )
        for member in staff
    ]
    options.sort(
        key=lambda o: (
            not o.on_shift,
            not o.registered_practitioner,
            o.staff.user.last_name,
            o.staff.user.first_name,
        )
    )
    return options


def contacts_for_person(*, person: Person) -> list[Contact]:
    """The person's family, friends and carers (the key people in their life)."""
    return list(Contact.objects.filter(person=person))


def key_people_recorded(*, assessment: Assessment) -> list[KeyPerson]:
    """What was recorded about key people at this assessment, latest first."""
    return list(
        KeyPerson.objects.filter(assessment=assessment)
        .select_related("contact")
        .order_by("-created_at")
    )


def current_safety_plan(*, person: Person) -> SafetyPlan | None:
    """The person's current safety plan: the latest written (earlier ones are history)."""
    return SafetyPlan.objects.filter(person=person).order_by("-written_at").first()


def assessment_person_id(*, pk: uuid.UUID) -> uuid.UUID | None:
    """Whose assessment this is (for auditing a refusal), or None if there is none."""
    return Assessment.objects.filter(pk=pk).values_list("person_id", flat=True).first()
