"""What the assessments stage shows on a person's record, and the reads behind the risk pages.

The record page (people.views.person_detail) lists these providers through
``settings.CRISIS_CARE_RECORD_PANELS`` (see people/panels.py), so the people app never
imports this one. Every read here runs a fixed number of queries.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from crisis_care.core.models import User
from crisis_care.people.models import Person
from crisis_care.people.panels import Panel
from crisis_care.workforce.selectors import teams_for_user

from .models import Assessment, AssessmentStatus, Decision, SafetyPlan

# How many earlier safety plans and assessments the record lists (the newest first).
HISTORY_LIMIT = 20

_STATUS_TAG = {
    AssessmentStatus.BOOKED: "nhsuk-tag--blue",
    AssessmentStatus.STARTED: "nhsuk-tag--yellow",
    AssessmentStatus.COMPLETED: "nhsuk-tag--green",
    AssessmentStatus.DECIDED: "nhsuk-tag--green",
    AssessmentStatus.CANCELLED: "nhsuk-tag--grey",
}


# --- Reads for the risk and safety plan pages ---


def assessment_get(*, pk: uuid.UUID) -> Assessment:
    """An assessment with its referral, team, person and risk formulation (one query)."""
    return Assessment.objects.select_related(
        "referral", "referral__team", "person", "risk", "risk__recorded_by"
    ).get(pk=pk)


def assessment_in_users_teams(*, assessment: Assessment, user: User) -> bool:
    """Does one of the user's current teams hold the referral this assessment belongs to?"""
    return teams_for_user(user=user).filter(pk=assessment.referral.team_id).exists()


def safety_plan_get(*, pk: uuid.UUID) -> SafetyPlan:
    return SafetyPlan.objects.select_related("person", "written_by", "assessment").get(pk=pk)


def safety_plans_for_person(*, person: Person, limit: int = HISTORY_LIMIT) -> list[SafetyPlan]:
    """The person's safety plans, newest (the current one) first. One query."""
    return list(
        SafetyPlan.objects.filter(person=person)
        .select_related("written_by")
        .order_by("-written_at")[:limit]
    )


# --- The assessment history ---


@dataclass(frozen=True)
class AssessmentRow:
    pk: uuid.UUID
    starts_at: dt.datetime
    venue: str
    status: dict[str, str]
    outcome: str


def assessment_history(*, person: Person, limit: int = HISTORY_LIMIT) -> list[AssessmentRow]:
    """The person's assessments, newest first, with the decision where there is one."""
    rows = []
    for assessment in (
        Assessment.objects.filter(person=person)
        .select_related("decision")
        .order_by("-starts_at")[:limit]
    ):
        decision: Decision | None = getattr(assessment, "decision", None)
        status = AssessmentStatus(assessment.status)
        rows.append(
            AssessmentRow(
                pk=assessment.pk,
                starts_at=assessment.starts_at,
                venue=assessment.get_venue_display(),
                status={"text": status.label, "classes": _STATUS_TAG[status]},
                outcome=decision.get_outcome_display() if decision is not None else "",
            )
        )
    return rows


# --- Panels for the person's record ---


def safety_plan_panel(*, person: Person, user: User) -> Panel:
    """The current safety plan in full, with earlier plans linked (one query)."""
    plans = safety_plans_for_person(person=person)
    return Panel(
        title="Safety plan",
        template="assessments/panels/safety_plan.jinja",
        context={"plan": plans[0] if plans else None, "earlier": plans[1:]},
    )


def assessment_history_panel(*, person: Person, user: User) -> Panel:
    """Every assessment, newest first, with its decision (one query)."""
    return Panel(
        title="Assessments",
        template="assessments/panels/assessment_history.jinja",
        context={"rows": assessment_history(person=person)},
    )
