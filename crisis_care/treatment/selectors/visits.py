"""Reads for visits and contacts, scoped to the user's teams. "My visits today" and an
episode's visits each take a fixed number of queries, however many visits there are."""

import datetime as dt
import uuid

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from crisis_care.assessments.models import SafetyPlan
from crisis_care.core.clock import local_instant
from crisis_care.core.models import User
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_team, teams_for_user

from ..models import (
    CareContact,
    Episode,
    Goal,
    GoalStatus,
    Intervention,
    LoneWorkingCheck,
    Visit,
    VisitStaff,
)


def _staff_links() -> Prefetch:
    return Prefetch(
        "staff_links",
        queryset=VisitStaff.objects.select_related("staff__user")
        .prefetch_related("staff__registrations")
        .order_by("staff__user__last_name", "staff__user__first_name"),
    )


def _current_safety_plan_id() -> Subquery:
    """The person's current safety plan (as assessments.selectors.current_safety_plan: the
    latest written), inside the same query."""
    return Subquery(
        SafetyPlan.objects.filter(person=OuterRef("episode__person"))
        .order_by("-written_at")
        .values("pk")[:1]
    )


def visits_for_episode(*, episode: Episode) -> list[Visit]:
    """Every visit of an episode, past and planned, with staff and any contact recorded."""
    return list(
        Visit.objects.filter(episode=episode)
        .select_related("care_contact", "care_contact__recorded_by")
        .prefetch_related(_staff_links())
        .order_by("window_start")
    )


def unplanned_contacts_for_episode(*, episode: Episode) -> list[CareContact]:
    """Contacts recorded without a planned visit (calls, extra visits)."""
    return list(
        CareContact.objects.filter(episode=episode, visit__isnull=True)
        .select_related("recorded_by")
        .prefetch_related("staff__user")
        .order_by("started_at")
    )


def _visits_for_user(user: User) -> QuerySet[Visit]:
    return Visit.objects.filter(episode__team__in=teams_for_user(user=user))


def visit_for_user(*, pk: uuid.UUID, user: User) -> Visit:
    """A visit whose episode one of the user's teams holds (else DoesNotExist), with its
    episode, person, staff and contact."""
    return (
        _visits_for_user(user)
        .select_related(
            "episode",
            "episode__person",
            "episode__team",
            "planned_by",
            "care_contact",
        )
        .prefetch_related(_staff_links(), "status_history__changed_by")
        .get(pk=pk)
    )


def visit_exists(*, pk: uuid.UUID) -> bool:
    return Visit.objects.filter(pk=pk).exists()


def contact_for_user(*, pk: uuid.UUID, user: User) -> CareContact:
    return (
        CareContact.objects.filter(episode__team__in=teams_for_user(user=user))
        .select_related("episode", "episode__person", "episode__team", "visit", "recorded_by")
        .prefetch_related("staff__user")
        .get(pk=pk)
    )


def contact_exists(*, pk: uuid.UUID) -> bool:
    return CareContact.objects.filter(pk=pk).exists()


def my_visits_on(*, user: User, day: dt.date) -> list[Visit]:
    """The user's visits on a London day, in window order: person (with the current safety
    plan's id), the staff on each visit, any contact, and the user's own lone-working
    check-ins for each visit (as `my_checks`, latest first). Four queries, whatever the
    number of visits."""
    start = local_instant(day, dt.time(0, 0))
    end = local_instant(day + dt.timedelta(days=1), dt.time(0, 0))
    return list(
        _visits_for_user(user)
        .filter(staff_links__staff__user=user, window_start__gte=start, window_start__lt=end)
        .select_related("episode", "episode__person", "care_contact")
        .annotate(safety_plan_id=_current_safety_plan_id())
        .prefetch_related(
            _staff_links(),
            Prefetch(
                "lone_checks",
                queryset=LoneWorkingCheck.objects.filter(staff__user=user).order_by(
                    "-checked_in_at"
                ),
                to_attr="my_checks",
            ),
        )
        .order_by("window_start", "window_end")
    )


def team_staff(*, episode: Episode) -> list[StaffMember]:
    """The episode's team, with registrations (to say who is a registered practitioner)."""
    return list(staff_for_team(team=episode.team).order_by("user__last_name", "user__first_name"))


def care_plan_choices(*, episode: Episode) -> tuple[list[Goal], list[Intervention]]:
    """The goals being worked on and the interventions not stopped, from the episode's care
    plan (empty if there is no plan yet)."""
    goals = list(
        Goal.objects.filter(care_plan__episode=episode, status=GoalStatus.ACTIVE).order_by(
            "order", "created_at"
        )
    )
    interventions = list(
        Intervention.objects.filter(care_plan__episode=episode, stopped_at__isnull=True).order_by(
            "created_at"
        )
    )
    return goals, interventions


def goals_and_interventions(
    *, episode: Episode, goal_ids: list[str], intervention_ids: list[str]
) -> tuple[list[Goal], list[Intervention]]:
    """The chosen goals and interventions, from this episode's plan only."""
    goals = list(Goal.objects.filter(care_plan__episode=episode, pk__in=goal_ids))
    interventions = list(
        Intervention.objects.filter(care_plan__episode=episode, pk__in=intervention_ids)
    )
    return goals, interventions
