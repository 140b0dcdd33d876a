"""Two-person assessments, the structured assessment (CORE item 11), risk formulation,
safety plans and the decision that follows (CORE items 6, 7, 13, 18, 31; NICE NG225).

Risk is a formulation in words and a safety plan written with the person. There is no
risk score anywhere, by design (NICE NG225; DOMAIN.md §5.3).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.people.models import Contact, Person
from crisis_care.referrals.models import Referral
from crisis_care.workforce.models import StaffMember


class Venue(models.TextChoices):
    HOME = "home", "The person's home"
    BRADGATE_WARD = "bradgate_ward", "A ward at the Bradgate Unit"
    LRI_ED = "lri_ed", "Emergency department, Leicester Royal Infirmary"
    GP_SURGERY = "gp_surgery", "A GP surgery"
    FRIEND_RELATIVE = "friend_relative", "A friend's or relative's home"
    OTHER = "other", "Another agreed place"


# Venues whose address must be typed (home uses the person's address).
VENUES_NEEDING_ADDRESS = frozenset({Venue.GP_SURGERY, Venue.FRIEND_RELATIVE, Venue.OTHER})


class AssessmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"
    DECIDED = "decided", "Decided"
    CANCELLED = "cancelled", "Cancelled"


class Assessment(VersionedModel):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="assessments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.CharField(max_length=20, choices=Venue.choices)
    venue_address = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.BOOKED
    )
    # Set when the booking was knowingly made past the referral's face-to-face target.
    clock_breach_acknowledged = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    cancelled_reason = models.TextField(blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    # Who was present (staff are the booked pair; these record the others).
    person_present = models.BooleanField(default=True)
    others_present = models.TextField(blank=True)

    # The structured assessment (CORE item 11 domains, plus items 18 and 31a).
    circumstances_triggers = models.TextField(
        "Circumstances and triggers of the crisis", blank=True
    )
    mental_state = models.TextField("Mental state", blank=True)
    symptoms = models.TextField("Symptoms", blank=True)
    medication = models.TextField("Medication and adherence", blank=True)
    family_social_network = models.TextField("Family and social network", blank=True)
    social_functioning = models.TextField("Social functioning: work, housing, money", blank=True)
    substance_use = models.TextField("Substance use", blank=True)
    risks_summary = models.TextField("Risks", blank=True)
    strengths_goals = models.TextField("Strengths, goals and treatment preferences", blank=True)
    history = models.TextField("Personal and psychiatric history", blank=True)
    carers_views = models.TextField("Carers' views", blank=True)
    religion_spirituality = models.TextField("Religion and spirituality", blank=True)
    physical_health = models.TextField("Physical health", blank=True)
    children_vulnerable_adults = models.TextField(
        "Children or vulnerable adults in the household", blank=True
    )
    needs_and_goals = models.TextField("The person's needs and goals, in their words", blank=True)

    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="assessment_time")]

    def __str__(self) -> str:
        return f"Assessment {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_finalised(self) -> bool:
        return self.finalised_at is not None


# The domains that must be filled in before an assessment can be finalised.
MANDATORY_DOMAINS = (
    "circumstances_triggers", "mental_state", "symptoms", "medication", "family_social_network",
    "social_functioning", "substance_use", "risks_summary", "strengths_goals", "history",
    "carers_views", "religion_spirituality", "physical_health", "children_vulnerable_adults",
)  # fmt: skip


class AssessmentStaff(BaseModel):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="staff_links")
    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="assessment_links"
    )
    # Kept with the booking so a later lapse of registration does not rewrite history.
    registered_practitioner = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "staff"], name="assessment_staff_once")
        ]


class AssessmentStatusChange(BaseModel):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="status_history"
    )
    status = models.CharField(max_length=10, choices=AssessmentStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at"]


class Addendum(BaseModel):
    """A correction or addition to a finalised assessment. The original is never changed."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at"]


class KeyPerson(BaseModel):
    """A key person in the person's life as discussed at assessment (CORE item 13), with the
    person's wish about involving them. Linked to the contact on the person's record."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="key_people")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    involvement = models.CharField(max_length=20)
    note = models.TextField(blank=True)


class RiskFormulation(BaseModel):
    """Risk in words: never a score. One per assessment; later reviews are new rows in treatment."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="risk")
    to_self = models.TextField("Risk to self", blank=True)
    from_others = models.TextField("Risk from others", blank=True)
    to_others = models.TextField("Risk to others", blank=True)
    self_neglect = models.TextField("Self-neglect", blank=True)
    to_children_vulnerable = models.TextField("Risk to children or vulnerable adults", blank=True)
    protective_factors = models.TextField("Protective factors", blank=True)
    formulation = models.TextField("Formulation", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )


class SafetyPlan(BaseModel):
    """A safety plan written with the person. A new plan is a new row; the latest is current."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="safety_plans")
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="safety_plans"
    )
    warning_signs = models.TextField("Warning signs")
    coping_steps = models.TextField("Things I can do to cope")
    people_and_places = models.TextField("People and places that help")
    professional_contacts = models.TextField("Professionals I can contact")
    environment_safer = models.TextField("Making my environment safer")
    written_with_person = models.BooleanField(default=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["-written_at"]
        indexes = [models.Index(fields=["person", "-written_at"], name="safety_plan_current")]


class Outcome(models.TextChoices):
    HOME_TREATMENT = "home_treatment", "Home treatment"
    ADMISSION = "admission", "Hospital admission"
    REFERRAL_ON = "referral_on", "Referral on to another service"
    SIGNPOSTING = "signposting", "Signposting"


class LegalStatus(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary (informal)"
    SECTION_2 = "s2", "Mental Health Act section 2"
    SECTION_3 = "s3", "Mental Health Act section 3"
    SECTION_4 = "s4", "Mental Health Act section 4"
    SECTION_136 = "s136", "Mental Health Act section 136 (place of safety)"


class Decision(BaseModel):
    """The outcome of an assessment, discussed with the person. Never edited."""

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    reasons = models.TextField()
    discussed_with_person = models.BooleanField(default=True)
    person_view = models.TextField("The person's view", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    # Admission (CORE item 6: the gatekeeping record).
    legal_status = models.CharField(max_length=10, choices=LegalStatus.choices, blank=True)
    ward = models.CharField(max_length=200, blank=True)
    gatekept_in_person = models.BooleanField(null=True, blank=True)
    gatekeeping_failure_reason = models.TextField(blank=True)

    # Referral on or signposting: chosen from the directory.
    services = models.ManyToManyField("directory.Service", blank=True, related_name="+")

    letter = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="admission")
                | (~Q(legal_status="") & Q(gatekept_in_person__isnull=False)),
                name="admission_has_gatekeeping_record",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} decided {self.decided_at:%Y-%m-%d}"
