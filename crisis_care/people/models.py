"""Service users, their GP, communication needs, contacts and consent to share,
and the team links and break-glass grants that decide who may open a record."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.workforce.models import Team


class GPPractice(BaseModel):
    ods_code = models.CharField("ODS code", max_length=10, unique=True)
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    # MHSDS GENDER IDENTITY CODE (person stated).
    MALE = "1", "Male (including trans man)"
    FEMALE = "2", "Female (including trans woman)"
    NON_BINARY = "3", "Non-binary"
    OTHER = "4", "Other"
    NOT_STATED = "X", "Not stated"
    NOT_KNOWN = "Z", "Not known"


class Person(VersionedModel):
    """Someone the service cares for. Never deleted through the application."""

    nhs_number = models.CharField("NHS number", max_length=10, blank=True)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.NOT_KNOWN)
    pronouns = models.CharField(max_length=40, blank=True)

    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)

    gp_practice = models.ForeignKey(
        GPPractice, null=True, blank=True, on_delete=models.PROTECT, related_name="patients"
    )

    # Communication needs.
    interpreter_needed = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=100, blank=True)
    uses_bsl = models.BooleanField("Uses British Sign Language", default=False)
    easy_read = models.BooleanField("Needs Easy Read information", default=False)
    other_adjustments = models.TextField(blank=True)

    # For case-insensitive search by name without functions on every row.
    family_name_search = models.CharField(max_length=100, db_index=True, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~Q(nhs_number=""), name="person_unique_nhs_number"
            ),
            models.CheckConstraint(
                condition=Q(interpreter_needed=False) | ~Q(interpreter_language=""),
                name="person_interpreter_has_language",
            ),
        ]
        indexes = [
            models.Index(fields=["family_name_search", "date_of_birth"], name="person_name_dob"),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def has_communication_needs(self) -> bool:
        return (
            self.interpreter_needed
            or self.uses_bsl
            or self.easy_read
            or bool(self.other_adjustments)
        )


class Relationship(models.TextChoices):
    PARTNER = "partner", "Partner"
    SPOUSE = "spouse", "Husband, wife or civil partner"
    PARENT = "parent", "Parent"
    CHILD = "child", "Son or daughter"
    SIBLING = "sibling", "Brother or sister"
    OTHER_RELATIVE = "relative", "Other relative"
    FRIEND = "friend", "Friend"
    NEIGHBOUR = "neighbour", "Neighbour"
    OTHER = "other", "Other"


class Involvement(models.TextChoices):
    """The person's own wish about involving this contact in their care."""

    WANTS_INVOLVED = "involve", "Wants them involved"
    DOES_NOT_WANT = "do_not_involve", "Does not want them involved"
    NOT_YET_ASKED = "not_asked", "Not yet asked"


class ShareScope(models.TextChoices):
    NOTHING = "nothing", "Nothing"
    GENERAL = "general", "General information only"
    CARE_PLAN = "care_plan", "Care plan and progress"


class Capacity(models.TextChoices):
    HAS_CAPACITY = "has", "Has capacity to decide"
    LACKS_CAPACITY = "lacks", "Lacks capacity: decided in best interests"
    NOT_ASSESSED = "not_assessed", "Capacity not assessed"


class Contact(VersionedModel):
    """Family, friends and carers: the key people in a person's life."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300, blank=True)
    is_carer = models.BooleanField(default=False)
    is_next_of_kin = models.BooleanField(default=False)
    involvement = models.CharField(
        max_length=20, choices=Involvement.choices, default=Involvement.NOT_YET_ASKED
    )
    involvement_note = models.TextField(blank=True)
    # The latest consent decision; the full history is in ConsentRecord.
    current_consent = models.ForeignKey(
        "ConsentRecord", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-is_carer", "name"]

    def __str__(self) -> str:
        return self.name


class ConsentRecord(BaseModel):
    """One decision about what may be shared with a contact. Never edited: a new
    decision is a new row, so the history of consent is always there to see."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="consent_history")
    scope = models.CharField(max_length=20, choices=ShareScope.choices)
    capacity = models.CharField(
        max_length=20, choices=Capacity.choices, default=Capacity.HAS_CAPACITY
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    review_on = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at"]


class CareTeamLink(BaseModel):
    """A team's link to a person: the basis of a legitimate relationship.

    Referrals and episodes (later stages) open and close these through
    people.services.care_team_link_open/close; `source` says which record did.
    """

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="person_links")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="team_links")
    source = models.CharField(max_length=40)
    source_id = models.UUIDField(null=True, blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "team", "closed_at"], name="link_person_team")]


class BreakGlassAccess(BaseModel):
    """Emergency access to a record without a legitimate relationship. Time-limited,
    needs a written reason, and is flagged for IG review in the audit log."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="break_glass")
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "person", "expires_at"], name="breakglass_lookup")]
