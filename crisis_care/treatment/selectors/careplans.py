"""Reads for the care plan, scoped to the user's teams. The plan page reads a fixed number of
queries however many goals, progress entries and interventions it has: everything below the
plan is prefetched."""

import datetime as dt
import uuid

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from crisis_care.core.clock import local_date, local_instant
from crisis_care.core.models import User
from crisis_care.people.models import Contact, Person, ShareScope
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_team, teams_for_user

from ..models import (
    CarePlan,
    Episode,
    Goal,
    GoalProgress,
    GoalStatusChange,
    Intervention,
    Medication,
    Visit,
    VisitStatus,
    WrittenPlanGiven,
)


def _goals() -> QuerySet[Goal]:
    return Goal.objects.order_by("order", "created_at").prefetch_related(
        Prefetch(
            "progress",
            queryset=GoalProgress.objects.select_related("recorded_by").order_by(
                "recorded_at", "created_at"
            ),
        ),
        Prefetch(
            "status_history",
            queryset=GoalStatusChange.objects.select_related("changed_by").order_by(
                "changed_at", "created_at"
            ),
        ),
    )


def _interventions() -> QuerySet[Intervention]:
    return (
        Intervention.objects.select_related(
            "lead__user", "family_member", "family_member__current_consent"
        )
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.order_by("order", "created_at")))
        .order_by("created_at")
    )


def care_plan_for_episode(*, episode: Episode) -> CarePlan | None:
    """The episode's plan with its goals (progress and status history), interventions (goals,
    lead, family member and their consent) and each time the written plan was given."""
    return (
        CarePlan.objects.filter(episode=episode)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("goals", queryset=_goals()),
            Prefetch("interventions", queryset=_interventions()),
            Prefetch(
                "given",
                queryset=WrittenPlanGiven.objects.select_related("recorded_by")
                .prefetch_related(
                    Prefetch("to_contacts", queryset=Contact.objects.order_by("name"))
                )
                .order_by("given_on", "created_at"),
            ),
        )
        .first()
    )


def care_plan_exists(*, episode: Episode) -> bool:
    return CarePlan.objects.filter(episode=episode).exists()


def _in_users_teams(user: User, prefix: str) -> Q:
    return Q(**{f"{prefix}episode__team__in": teams_for_user(user=user)})


def goal_for_user(*, pk: uuid.UUID, user: User) -> Goal:
    """A goal in a plan whose episode one of the user's teams holds (else DoesNotExist)."""
    return (
        Goal.objects.select_related("care_plan", "care_plan__episode", "care_plan__episode__person")
        .filter(_in_users_teams(user, "care_plan__"))
        .get(pk=pk)
    )


def goal_exists(*, pk: uuid.UUID) -> bool:
    return Goal.objects.filter(pk=pk).exists()


def intervention_for_user(*, pk: uuid.UUID, user: User) -> Intervention:
    """An intervention in a plan whose episode one of the user's teams holds."""
    return (
        Intervention.objects.select_related(
            "care_plan",
            "care_plan__episode",
            "care_plan__episode__person",
            "care_plan__episode__team",
            "lead__user",
            "family_member",
        )
        .prefetch_related("goals")
        .filter(_in_users_teams(user, "care_plan__"))
        .get(pk=pk)
    )


def intervention_exists(*, pk: uuid.UUID) -> bool:
    return Intervention.objects.filter(pk=pk).exists()


def contacts_for_person(*, person: Person) -> list[Contact]:
    """The person's family and friends with their current consent decision."""
    return list(
        Contact.objects.filter(person=person)
        .select_related("current_consent")
        .order_by("-is_carer", "name")
    )


def contacts_sharing_care_plan(*, person: Person) -> QuerySet[Contact]:
    """Contacts the person has agreed may see their care plan (the consent rule, as a query:
    see services.careplans.may_see_care_plan)."""
    return (
        Contact.objects.filter(person=person, current_consent__scope=ShareScope.CARE_PLAN)
        .select_related("current_consent")
        .order_by("-is_carer", "name")
    )


def team_staff(*, episode: Episode) -> list[StaffMember]:
    """Who can lead an intervention: the team's current staff."""
    return list(staff_for_team(team=episode.team).order_by("user__last_name", "user__first_name"))


def planned_visits(
    *, episode: Episode, days: int = 7, now: dt.datetime | None = None
) -> list[Visit]:
    """Planned visits from now to the end of the `days`-th London day (today counts as the
    first), whose window has not yet closed."""
    now = now or timezone.now()
    until = local_instant(local_date(now) + dt.timedelta(days=days), dt.time(0, 0))
    return list(
        Visit.objects.filter(
            episode=episode,
            status=VisitStatus.PLANNED,
            window_end__gt=now,
            window_start__lt=until,
        ).order_by("window_start")
    )


def current_medication(*, episode: Episode, on: dt.date | None = None) -> list[Medication]:
    """Medicines the team manages in this episode and the person still takes."""
    on = on or timezone.localdate()
    return list(
        Medication.objects.filter(episode=episode, started_on__lte=on)
        .filter(Q(stopped_on__isnull=True) | Q(stopped_on__gt=on))
        .order_by("name", "started_on")
    )
