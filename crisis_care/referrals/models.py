"""The front door: referrals, their triage priority and status history, contacts with
the person and referrer, breach reasons, and the postcode geography for eligibility.

A referral is the spine of the pathway: assessments and episodes (later stages) belong
to one. Current priority and status are kept on the referral in step with immutable
history rows written in the same transaction (referrals.services).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.people.models import Person
from crisis_care.workforce.models import Team


class Source(models.TextChoices):
    GP = "gp", "GP"
    TRUST_MH_PROFESSIONAL = "trust_mh", "Trust mental health professional"
    OTHER_HEALTH = "other_health", "Other health service"
    ED_LIAISON = "ed_liaison", "Emergency department liaison"
    INPATIENT_WARD = "inpatient_ward", "Inpatient ward (early discharge)"
    EMERGENCY_SERVICES = "emergency_services", "Emergency services"
    NON_HEALTH_AGENCY = "non_health_agency", "Non-health agency"
    CRISIS_CAFE = "crisis_cafe", "Crisis café"
    COUNCIL_CRS = "council_crs", "Council crisis response service"
    CARER_FAMILY = "carer_family", "Carer or family"
    SELF = "self", "Self-referral"


# MHSDS SOURCE OF REFERRAL FOR MENTAL HEALTH codes, for the national data set export.
MHSDS_SOURCE_CODE = {
    Source.GP: "A3",
    Source.TRUST_MH_PROFESSIONAL: "B1",
    Source.OTHER_HEALTH: "C1",
    Source.ED_LIAISON: "H1",
    Source.INPATIENT_WARD: "I2",
    Source.EMERGENCY_SERVICES: "P1",
    Source.NON_HEALTH_AGENCY: "M9",
    Source.CRISIS_CAFE: "M9",
    Source.COUNCIL_CRS: "E4",
    Source.CARER_FAMILY: "A2",
    Source.SELF: "A1",
}


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    MESSAGE = "message", "Secure message"
    ONLINE = "online", "Online self-referral"


class Priority(models.TextChoices):
    """MHSDS CLINICAL RESPONSE PRIORITY TYPE (DOMAIN.md §2.3); ordered by urgency in PRIORITY_RANK."""

    EMERGENCY = "1", "Emergency"
    VERY_URGENT = "4", "Very urgent"
    URGENT = "2", "Urgent"
    ROUTINE = "3", "Routine"


PRIORITY_RANK: dict[str, int] = {
    Priority.EMERGENCY: 0,
    Priority.VERY_URGENT: 1,
    Priority.URGENT: 2,
    Priority.ROUTINE: 3,
}


class Pathway(models.TextChoices):
    MENTAL_HEALTH = "mh", "Mental health crisis"
    COUNCIL_CRS = "crs", "Council crisis response"


class Status(models.TextChoices):
    NEW = "new", "Awaiting triage"
    TAKEN = "taken", "With a clinician"
    ACCEPTED = "accepted", "Accepted for assessment"
    DECLINED = "declined", "Declined and signposted"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.NEW, Status.TAKEN, Status.ACCEPTED)


class PersonAgrees(models.TextChoices):
    KNOWS_AND_AGREES = "agrees", "Knows and agrees"
    KNOWS_DOES_NOT_AGREE = "does_not_agree", "Knows but does not agree"
    DOES_NOT_KNOW = "does_not_know", "Does not know"


class AreaCheck(models.TextChoices):
    IN_AREA = "in", "Lives in Leicester, Leicestershire or Rutland"
    CHECK = "check", "Postcode district crosses the boundary: confirm the address"
    OUT_OF_AREA = "out", "Lives outside Leicester, Leicestershire and Rutland"
    UNKNOWN = "unknown", "No postcode: confirm where they live"


class AgeCheck(models.TextChoices):
    IN_RANGE = "in", "Adult (18 to 65)"
    CAMHS = "camhs", "Under 18: route to the CAMHS crisis team"
    OLDER_PEOPLE = "older", "Over 65: route to the older people's team"
    UNKNOWN = "unknown", "Age not known"


class DeclineCategory(models.TextChoices):
    """Why a referral was declined, kept as its own field for CORE item 8 reporting."""

    OUT_OF_AREA = "out_of_area", "Lives outside Leicester, Leicestershire and Rutland"
    UNDER_18 = "under_18", "Under 18: CAMHS crisis team is the right service"
    OVER_65 = "over_65", "Over 65: older people's team is the right service"
    NOT_CRISIS = "not_crisis", "Not a mental health crisis: other help is better"
    OTHER = "other", "Other"


class Referral(VersionedModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="referrals")
    pathway = models.CharField(max_length=3, choices=Pathway.choices, default=Pathway.MENTAL_HEALTH)
    # Null only for a self-referral not yet matched to a person by staff.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    # What a self-referrer told us about the person, kept until staff match a record.
    submitted_details = models.JSONField(default=dict, blank=True)

    received_at = models.DateTimeField(db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_phone = models.CharField(max_length=30, blank=True)
    referrer_email = models.EmailField(blank=True)

    reason = models.TextField()
    presenting_crisis = models.TextField(blank=True)
    person_agrees = models.CharField(max_length=20, choices=PersonAgrees.choices)
    current_location = models.CharField(max_length=300, blank=True)
    current_postcode = models.CharField(max_length=8, blank=True)
    known_risks = models.TextField(blank=True)

    priority = models.CharField(max_length=1, choices=Priority.choices)
    priority_reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)

    # Eligibility as checked at intake; shown, never silently applied.
    area_check = models.CharField(
        max_length=10, choices=AreaCheck.choices, default=AreaCheck.UNKNOWN
    )
    age_check = models.CharField(max_length=10, choices=AgeCheck.choices, default=AgeCheck.UNKNOWN)
    eligibility_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    eligibility_confirmed_at = models.DateTimeField(null=True, blank=True)
    eligibility_note = models.TextField(blank=True)

    # Council crisis response pathway (DOMAIN.md §1.3): which of the eight criteria apply.
    crs_criteria = models.JSONField(default=list, blank=True)
    reablement_needed = models.BooleanField(default=False)
    reablement_started_at = models.DateTimeField(null=True, blank=True)

    # Clock stops, set from the contact log in the same transaction as the contact.
    referrer_responded_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    face_to_face_at = models.DateTimeField(null=True, blank=True)

    decline_category = models.CharField(max_length=20, choices=DeclineCategory.choices, blank=True)
    decline_reason = models.TextField(blank=True)
    decline_letter = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(
                fields=["team", "received_at"],
                name="referral_open_queue",
                condition=Q(status__in=["new", "taken", "accepted"]),
            ),
            models.Index(fields=["team", "-received_at"], name="referral_team_received"),
        ]

    def __str__(self) -> str:
        return f"Referral received {self.received_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def display_name(self) -> str:
        if self.person is not None:
            return self.person.full_name
        details = self.submitted_details or {}
        name = f"{details.get('given_name', '')} {details.get('family_name', '')}".strip()
        return name or "Name not given"


class PriorityChange(BaseModel):
    """Every setting or change of triage priority: who, when and why. Never edited."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="priority_history"
    )
    priority = models.CharField(max_length=1, choices=Priority.choices)
    reason = models.TextField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["set_at"]


class StatusChange(BaseModel):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="status_history")
    status = models.CharField(max_length=10, choices=Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at"]


class ContactWith(models.TextChoices):
    PERSON = "person", "The person"
    REFERRER = "referrer", "The referrer"
    CARER = "carer", "A carer or family member"


class Medium(models.TextChoices):
    """MHSDS consultation medium, grouped as a crisis team records it."""

    FACE_TO_FACE = "f2f", "Face to face"
    PHONE = "phone", "Phone"
    VIDEO = "video", "Video call"
    TEXT = "text", "Text message"


class Outcome(models.TextChoices):
    SPOKE = "spoke", "Spoke with them"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a message"
    WRONG_NUMBER = "wrong_number", "Wrong or unavailable number"
    DECLINED = "declined", "They declined to talk"


class ReferralContact(BaseModel):
    """An attempt or contact with the person, the referrer or a carer. Never edited."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField()
    with_whom = models.CharField(max_length=10, choices=ContactWith.choices)
    medium = models.CharField(max_length=10, choices=Medium.choices)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at"]

    @property
    def successful(self) -> bool:
        return self.outcome == Outcome.SPOKE


class BreachReason(BaseModel):
    """Why a clock was breached, kept for review (CORE item 1a)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="breach_reasons")
    clock = models.CharField(max_length=30)
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "clock"], name="breach_reason_once_per_clock"
            )
        ]


class ReferralSignpost(BaseModel):
    """A directory service the referrer or person was signposted to on decline."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="signposts")
    service = models.ForeignKey("directory.Service", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "service"], name="signpost_once_per_service"
            )
        ]


class PostcodeLocalAuthority(models.Model):
    """Full postcode -> local authority, loaded from the ONS Postcode Directory
    (`manage.py load_onspd`). When present it settles eligibility exactly."""

    postcode = models.CharField(max_length=8, primary_key=True)
    local_authority_code = models.CharField(max_length=9)
    terminated = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.postcode} {self.local_authority_code}"


class SelfReferralThrottle(models.Model):
    """Submissions per address per hour, for the public self-referral form's rate limit.
    In the database so every worker process sees the same count."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="throttle_window")
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start}: {self.count}"
