"""Reads for the treatment stage, scoped to the user's teams: the assessment a decision is
being made on, the decision (with what it opened) and the home treatment episode."""

import uuid

from django.db.models import Prefetch

from crisis_care.assessments.models import Assessment, Decision
from crisis_care.core.models import User
from crisis_care.directory.models import Phone, Service
from crisis_care.people.models import Person
from crisis_care.workforce.selectors import teams_for_user

from ..models import Admission, Episode


def assessment_for_decision(*, pk: uuid.UUID, user: User) -> Assessment:
    """An assessment whose referral is held by one of the user's teams (else DoesNotExist)."""
    return Assessment.objects.select_related(
        "referral", "referral__team", "person", "person__gp_practice"
    ).get(pk=pk, referral__team__in=teams_for_user(user=user))


def assessment_exists(*, pk: uuid.UUID) -> bool:
    return Assessment.objects.filter(pk=pk).exists()


def decision_for_assessment(*, assessment: Assessment) -> Decision | None:
    return Decision.objects.filter(assessment=assessment).first()


def decision_for_user(*, pk: uuid.UUID, user: User) -> Decision:
    """A decision with its assessment, referral, person, chosen services and what it opened
    (episode or admission), if the referral is held by one of the user's teams."""
    return (
        Decision.objects.select_related(
            "assessment",
            "assessment__referral",
            "assessment__referral__team",
            "assessment__person",
            "decided_by",
            "episode",
            "admission",
        )
        .prefetch_related(
            Prefetch(
                "services",
                queryset=Service.objects.order_by("name").prefetch_related(
                    Prefetch("phones", queryset=Phone.objects.order_by("order", "created_at"))
                ),
            )
        )
        .get(pk=pk, assessment__referral__team__in=teams_for_user(user=user))
    )


def decision_exists(*, pk: uuid.UUID) -> bool:
    return Decision.objects.filter(pk=pk).exists()


def episode_for_user(*, pk: uuid.UUID, user: User) -> Episode:
    """A home treatment episode held by one of the user's teams (else DoesNotExist)."""
    return Episode.objects.select_related(
        "referral",
        "person",
        "person__gp_practice",
        "team",
        "decision",
        "decision__decided_by",
        "early_discharge_from",
        "opened_by",
    ).get(pk=pk, team__in=teams_for_user(user=user))


def episode_exists(*, pk: uuid.UUID) -> bool:
    return Episode.objects.filter(pk=pk).exists()


def open_admission(*, person: Person) -> Admission | None:
    """The person's latest admission with no discharge recorded (early supported discharge
    links the new episode to it)."""
    return (
        Admission.objects.filter(person=person, discharged_at__isnull=True)
        .order_by("-admitted_at")
        .first()
    )
