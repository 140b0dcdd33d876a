"""Reads for medication (CORE item 15). Every read starts from an episode the view has
already checked one of the user's teams holds (views/common.episode_or_refuse), so these are
scoped through it: a medicine is read only for that episode's person."""

import datetime as dt
import uuid

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from crisis_care.core.models import User
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_team

from ..models import Episode, Medication, MedicationChange, MedicationDelivery, Visit
from ..rules import TreatmentAction, is_prescriber, role_may


def prescriber_for(*, user: User) -> StaffMember | None:
    """The user's staff record if they may prescribe: a prescribing role (rules.PRESCRIBE) and
    a prescribing profession (a doctor or non-medical prescriber); else None. No query for
    roles that never prescribe."""
    if not role_may(user.role, TreatmentAction.PRESCRIBE):
        return None
    staff = StaffMember.objects.filter(user=user).first()
    return staff if staff is not None and is_prescriber(staff.profession) else None


def _changes() -> "Prefetch[str]":
    return Prefetch(
        "changes",
        queryset=MedicationChange.objects.select_related("prescriber__user", "changed_by").order_by(
            "changed_at", "created_at"
        ),
    )


def medications_for_episode(*, episode: Episode) -> list[Medication]:
    """Every medicine recorded for the episode's person, with its history (two queries)."""
    return list(
        Medication.objects.filter(person_id=episode.person_id)
        .prefetch_related(_changes())
        .order_by("name", "started_on", "created_at")
    )


def medication_for_episode(*, episode: Episode, pk: uuid.UUID) -> Medication:
    """One of the episode's person's medicines (else DoesNotExist)."""
    return Medication.objects.prefetch_related(_changes()).get(pk=pk, person_id=episode.person_id)


def current_medications(*, episode: Episode) -> QuerySet[Medication]:
    return Medication.objects.filter(person_id=episode.person_id, stopped_on__isnull=True).order_by(
        "name", "started_on"
    )


def deliveries_for_episode(*, episode: Episode) -> list[MedicationDelivery]:
    """The episode's deliveries, latest first, with what was delivered and by whom."""
    return list(
        MedicationDelivery.objects.filter(episode=episode)
        .select_related("delivered_by__user", "visit", "recorded_by")
        .prefetch_related(Prefetch("medications", queryset=Medication.objects.order_by("name")))
        .order_by("-delivered_at", "-created_at")
    )


def delivery_staff(*, episode: Episode) -> QuerySet[StaffMember]:
    """Who may have delivered: the staff of the episode's team."""
    return staff_for_team(team=episode.team)


def delivery_visits(*, episode: Episode, at: dt.datetime | None = None) -> QuerySet[Visit]:
    """The episode's visits from the last week up to now, latest first, to link a delivery to."""
    at = at or timezone.now()
    return Visit.objects.filter(
        episode=episode, window_start__gte=at - dt.timedelta(days=7), window_start__lte=at
    ).order_by("-window_start")
