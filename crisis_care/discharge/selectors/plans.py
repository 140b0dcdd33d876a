"""Reads for the relapse prevention plan (CORE item 24) and the written discharge plan (CORE
25e–f). The discharge plan reads everything it shows in a fixed number of queries however
many referrals on, medicines, crisis services and family there are: children are prefetched
and the episode arrives with its person, GP practice and team already joined."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.utils import timezone

from crisis_care.directory import selectors as directory_selectors
from crisis_care.directory.models import Service
from crisis_care.people.models import Contact, GPPractice
from crisis_care.treatment.models import Episode, Medication
from crisis_care.treatment.selectors import careplans as treatment_careplans
from crisis_care.workforce.models import Team

from ..models import (
    DischargeMeeting,
    DischargePlanGiven,
    MeetingStatus,
    OnwardReferral,
    OnwardReferralStatus,
    RelapsePreventionPlan,
)


def relapse_plan_for_episode(*, episode: Episode) -> RelapsePreventionPlan | None:
    """The episode's relapse prevention plan (one at most), with who last wrote it."""
    return (
        RelapsePreventionPlan.objects.filter(episode=episode).select_related("written_by").first()
    )


def follow_on_support(*, episode: Episode) -> list[OnwardReferral]:
    """Who will support the person after discharge: referrals on that are accepted (first)
    or sent and not yet answered. Declined and withdrawn referrals support no one."""
    accepted_first = Case(
        When(status=OnwardReferralStatus.ACCEPTED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(
        OnwardReferral.objects.filter(
            episode=episode,
            status__in=[OnwardReferralStatus.ACCEPTED, OnwardReferralStatus.SENT],
        ).order_by(accepted_first, "sent_on", "created_at")
    )


def next_discharge_meeting(
    *, episode: Episode, now: dt.datetime | None = None
) -> DischargeMeeting | None:
    """The discharge meeting still to come, if one is arranged."""
    now = now or timezone.now()
    return (
        DischargeMeeting.objects.filter(
            episode=episode, status=MeetingStatus.ARRANGED, starts_at__gte=now
        )
        .order_by("starts_at")
        .first()
    )


def contacts_for_person(*, episode: Episode) -> list[Contact]:
    """The person's family and friends with their current consent decision (one query)."""
    return treatment_careplans.contacts_for_person(person=episode.person)


def plans_given(*, episode: Episode) -> list[DischargePlanGiven]:
    """Each time the written discharge plan (or the crisis card) was given, oldest first, with
    who recorded it and which family had which copy."""
    contacts = Contact.objects.order_by("name")
    return list(
        DischargePlanGiven.objects.filter(episode=episode)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("plan_to_contacts", queryset=contacts),
            Prefetch("crisis_card_to_contacts", queryset=contacts),
        )
        .order_by("given_on", "created_at")
    )


@dataclass(frozen=True)
class DischargePlanContent:
    """Everything the written discharge plan says, read once for the page, the PDF and the
    copy kept when it is given."""

    episode: Episode
    team: Team
    gp_practice: GPPractice | None
    follow_on: list[OnwardReferral]
    relapse_plan: RelapsePreventionPlan | None
    medication: list[Medication]
    meeting: DischargeMeeting | None
    crisis_services: list[Service]
    today: dt.date
    now: dt.datetime


def discharge_plan_content(
    *, episode: Episode, now: dt.datetime | None = None
) -> DischargePlanContent:
    """The written discharge plan's facts. Crisis numbers are read from the directory now, so
    a change there shows in every plan made after it."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return DischargePlanContent(
        episode=episode,
        team=episode.team,
        gp_practice=episode.person.gp_practice,
        follow_on=follow_on_support(episode=episode),
        relapse_plan=relapse_plan_for_episode(episode=episode),
        medication=treatment_careplans.current_medication(episode=episode, on=today),
        meeting=next_discharge_meeting(episode=episode, now=now),
        crisis_services=crisis_help_services(),
        today=today,
        now=now,
    )


def crisis_help_services() -> list[Service]:
    """'How to get help in a crisis', as the directory lists it (phones and schedules
    prefetched)."""
    return directory_selectors.crisis_help_services()
