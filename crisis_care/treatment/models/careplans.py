"""The individualised care plan (CORE item 20): the person's needs and goals in their own
words, the interventions that meet them, progress against each goal, and the written
treatment plan given to the person and involved family (item 12b)."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.people.models import Contact
from crisis_care.workforce.models import StaffMember

from .episodes import Episode


class CarePlan(VersionedModel):
    """One plan per episode, written with the person and revised as treatment goes on."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="care_plan")
    written_with_person = models.BooleanField(default=True)
    # Strengths and what has helped before, in the person's words (CORE item 11 ix, item 20).
    strengths = models.TextField(blank=True)
    # Treatment preferences and what the person does not want.
    preferences = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )


class GoalStatus(models.TextChoices):
    ACTIVE = "active", "Working on it"
    ACHIEVED = "achieved", "Achieved"
    NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"


class Goal(VersionedModel):
    """A need and the goal that answers it, both in the person's own words (CORE item 20a).
    `status` is kept in step with GoalStatusChange."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="goals")
    need = models.TextField("What I need help with")
    goal = models.TextField("What I want to achieve")
    order = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["order", "created_at"]


class GoalStatusChange(BaseModel):
    """Immutable history of a goal's status."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="status_history")
    status = models.CharField(max_length=20, choices=GoalStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "created_at"]


class Progress(models.TextChoices):
    WORSE = "worse", "Things are harder"
    NO_CHANGE = "no_change", "No change yet"
    SOME = "some", "Some progress"
    GOOD = "good", "Good progress"


class GoalProgress(BaseModel):
    """A progress entry against a goal (immutable), often written at a visit."""

    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="progress")
    progress = models.CharField(max_length=20, choices=Progress.choices)
    note = models.TextField()
    care_contact = models.ForeignKey(
        "treatment.CareContact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="goal_progress",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "created_at"]


class InterventionKind(models.TextChoices):
    """The intervention catalogue. It deliberately reaches beyond medication and risk (CORE item
    20c); each entry names the CORE item it evidences (see INTERVENTION_CORE_ITEM)."""

    MEDICATION_REVIEW = "medication_review", "Medication review"
    PRESCRIBING = "prescribing", "Prescribing"
    MEDICATION_DELIVERY = "medication_delivery", "Medication collection and delivery"
    BRIEF_PSYCHOLOGICAL = "brief_psychological", "Brief psychological intervention"
    PSYCHOEDUCATION = "psychoeducation", "Understanding the illness and treatment"
    PRACTICAL_FOOD_HEATING = "practical_food_heating", "Help with food, heating or repairs"
    BENEFITS_DEBT = "benefits_debt", "Help with benefits and debt"
    HOUSING = "housing", "Help with housing"
    LEGAL = "legal", "Help with legal or work problems"
    PHYSICAL_HEALTH = "physical_health", "Physical health checks and care"
    FAMILY_NETWORK = "family_network", "Work with family and social network"
    CARER_SUPPORT = "carer_support", "Support for carers"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention planning"
    SAFETY_PLANNING = "safety_planning", "Safety planning"
    DAILY_ROUTINE = "daily_routine", "Sleep, activity and daily routine"
    SOCIAL_CONNECTION = "social_connection", "Reconnecting with people and activities"
    SUBSTANCE_USE = "substance_use", "Support with alcohol or drug use"


# Which CORE fidelity item each intervention evidences (reporting reads this).
INTERVENTION_CORE_ITEM: dict[str, int] = {
    InterventionKind.MEDICATION_REVIEW: 15,
    InterventionKind.PRESCRIBING: 15,
    InterventionKind.MEDICATION_DELIVERY: 15,
    InterventionKind.BRIEF_PSYCHOLOGICAL: 17,
    InterventionKind.PSYCHOEDUCATION: 16,
    InterventionKind.PRACTICAL_FOOD_HEATING: 19,
    InterventionKind.BENEFITS_DEBT: 19,
    InterventionKind.HOUSING: 19,
    InterventionKind.LEGAL: 19,
    InterventionKind.PHYSICAL_HEALTH: 18,
    InterventionKind.FAMILY_NETWORK: 13,
    InterventionKind.CARER_SUPPORT: 14,
    InterventionKind.RELAPSE_PREVENTION: 24,
    InterventionKind.SAFETY_PLANNING: 31,
    InterventionKind.DAILY_ROUTINE: 20,
    InterventionKind.SOCIAL_CONNECTION: 20,
    InterventionKind.SUBSTANCE_USE: 20,
}

# CORE item 20c: care includes at least one intervention beyond these.
MEDICATION_AND_RISK_ONLY = frozenset(
    {
        InterventionKind.MEDICATION_REVIEW,
        InterventionKind.PRESCRIBING,
        InterventionKind.MEDICATION_DELIVERY,
        InterventionKind.SAFETY_PLANNING,
    }
)


class Intervention(VersionedModel):
    """What the team (or family, where agreed) will do, towards which goals."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="interventions")
    kind = models.CharField(max_length=30, choices=InterventionKind.choices)
    detail = models.TextField()
    goals = models.ManyToManyField(Goal, blank=True, related_name="interventions")
    # Who leads it in the team, if anyone in particular.
    lead = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # CORE item 13d: a role for a family member or friend, only where the person agrees.
    family_member = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]


class GivenMethod(models.TextChoices):
    IN_PERSON = "in_person", "Handed over in person"
    POST = "post", "Sent by post"
    EMAIL = "email", "Sent by email"


class WrittenPlanGiven(BaseModel):
    """The written treatment plan was given (CORE item 12b: within 4 working days of the start).
    Keeps exactly what was given, so a later change to the plan does not rewrite history."""

    care_plan = models.ForeignKey(CarePlan, on_delete=models.PROTECT, related_name="given")
    given_on = models.DateField()
    method = models.CharField(max_length=20, choices=GivenMethod.choices)
    to_person = models.BooleanField(default=True)
    # Family and carers given a copy: only those the person agreed may see personal information.
    to_contacts = models.ManyToManyField(Contact, blank=True, related_name="+")
    snapshot_html = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["given_on", "created_at"]
