"""The directory of services and support groups, shaped on the Open Referral UK (ORUK)
data standard so that a directory feed can be imported later (see oruk.py).

ORUK names are kept where they exist: organization, service, phone, location,
service_at_location, schedule (byday, opens_at, closes_at), taxonomy and
service_taxonomy. Fields ORUK has no place for (takes_referrals, is_crisis_help and its
order, referral_how, area) are ours; the export carries them in an extension object.
"""

from django.db import models
from django.db.models import Q

from crisis_care.core.models import BaseModel, VersionedModel

# Our own taxonomy vocabulary, as it appears in an ORUK feed.
VOCABULARY = "crisis-care-directory"


class Organization(BaseModel):
    """Who runs a service (ORUK organization)."""

    # The record's id in an imported ORUK feed, so a later import updates it.
    oruk_id = models.CharField("ORUK id", max_length=200, blank=True, default="")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    website = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["oruk_id"], condition=~Q(oruk_id=""), name="organization_unique_oruk_id"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    """What kind of help a service gives. Each is a Taxonomy row (seeded by migration)."""

    CRISIS_LINE = "crisis_line", "Crisis line"
    CRISIS_CAFE = "crisis_cafe", "Crisis café"
    CRISIS_TEAM = "crisis_team", "Mental health crisis team"
    EMERGENCY = "emergency", "Emergency"
    NHS_URGENT_CARE = "nhs_urgent_care", "NHS urgent care"
    COMMUNITY_MENTAL_HEALTH = "community_mental_health", "Community mental health"
    GP = "gp", "GP"
    SOCIAL_CARE = "social_care", "Social care"
    CARER_SUPPORT = "carer_support", "Carer support"
    SUPPORT_GROUP = "support_group", "Support group"
    PEER_SUPPORT = "peer_support", "Peer support"
    HOUSING = "housing", "Housing"
    MONEY_AND_BENEFITS = "money_and_benefits", "Money and benefits"
    SUBSTANCE_USE = "substance_use", "Drugs and alcohol"
    BEREAVEMENT = "bereavement", "Bereavement"


class Taxonomy(BaseModel):
    """One term in our category vocabulary (ORUK taxonomy / taxonomy_term)."""

    code = models.CharField(max_length=40, choices=Category.choices, unique=True)
    name = models.CharField(max_length=100)
    vocabulary = models.CharField(max_length=100, default=VOCABULARY)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Not running at the moment"


class Area(models.TextChoices):
    """The area a service serves: an LLR local authority, all of LLR, or England-wide."""

    LLR = "llr", "Leicester, Leicestershire and Rutland"
    LEICESTER = "leicester", "Leicester (city)"
    LEICESTERSHIRE = "leicestershire", "Leicestershire (county)"
    RUTLAND = "rutland", "Rutland"
    NATIONAL = "national", "National"


class Service(VersionedModel):
    """A service or support group people can be signposted or referred to (ORUK service)."""

    oruk_id = models.CharField("ORUK id", max_length=200, blank=True, default="")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    # What it offers (ORUK service.description).
    description = models.TextField()
    # Who it is for (ORUK eligibility description).
    who_it_is_for = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    url = models.URLField("Website", max_length=500, blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    # Free text for hours that a weekly schedule cannot say ("24 hours, every day").
    hours_description = models.CharField(max_length=300, blank=True)
    area = models.CharField(max_length=20, choices=Area.choices, blank=True)
    # ORUK service_area, in words ("Residents of Leicester, Leicestershire and Rutland").
    area_description = models.CharField(max_length=300, blank=True)
    takes_referrals = models.BooleanField(default=False)
    referral_how = models.TextField(blank=True)
    # Listed in "how to get crisis help" on plans and letters, in this order.
    is_crisis_help = models.BooleanField(default=False)
    crisis_help_order = models.PositiveSmallIntegerField(default=0)
    # When someone last checked these details were right (ORUK assured_date).
    assured_date = models.DateField(null=True, blank=True)
    categories = models.ManyToManyField(
        Taxonomy, through="ServiceTaxonomy", related_name="services", blank=True
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["oruk_id"], condition=~Q(oruk_id=""), name="service_unique_oruk_id"
            )
        ]
        indexes = [
            models.Index(
                fields=["crisis_help_order", "name"],
                name="service_crisis_help",
                condition=Q(is_crisis_help=True),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceTaxonomy(BaseModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "taxonomy"], name="service_taxonomy_once")
        ]


class Phone(BaseModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=40)
    # For example "Free, 24 hours" or "Customer Service Centre".
    description = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "created_at"]

    def __str__(self) -> str:
        return self.number


class Location(BaseModel):
    """A place a service is delivered from (ORUK location with its physical address)."""

    oruk_id = models.CharField("ORUK id", max_length=200, blank=True, default="")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    address_1 = models.CharField("Address", max_length=300, blank=True)
    city = models.CharField("Town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["oruk_id"], condition=~Q(oruk_id=""), name="location_unique_oruk_id"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceAtLocation(BaseModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="service_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_at_location_once")
        ]


class Weekday(models.TextChoices):
    """RFC 5545 BYDAY codes, as ORUK schedules use them, in the order of the week."""

    MO = "MO", "Monday"
    TU = "TU", "Tuesday"
    WE = "WE", "Wednesday"
    TH = "TH", "Thursday"
    FR = "FR", "Friday"
    SA = "SA", "Saturday"
    SU = "SU", "Sunday"


WEEKDAY_ORDER = {code: index for index, code in enumerate(Weekday.values)}


class RegularSchedule(BaseModel):
    """One weekly opening session. A closing time before the opening time means the
    session runs past midnight into the next day."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    byday = models.CharField("Day", max_length=2, choices=Weekday.choices)
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["service", "opens_at"]

    def __str__(self) -> str:
        return f"{self.get_byday_display()} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"
