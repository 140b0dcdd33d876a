"""Medication (CORE item 15): what the person takes, changes the team's prescribers make,
and deliveries the team collects and brings."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.people.models import Person
from crisis_care.workforce.models import StaffMember

from .episodes import Episode
from .visits import Visit


class Medication(VersionedModel):
    """A medicine the person takes. `stopped_on` is kept in step with MedicationChange."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="medications")
    # The episode in which the team started or first recorded it.
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.PROTECT, related_name="medications"
    )
    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=100)
    route = models.CharField(max_length=50, default="By mouth")
    frequency = models.CharField(max_length=100)
    started_by_team = models.BooleanField(default=False)
    started_on = models.DateField()
    stopped_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "started_on"]


class MedicationChangeKind(models.TextChoices):
    RECORDED = "recorded", "Recorded as already taken"
    STARTED = "started", "Started"
    DOSE_CHANGED = "dose_changed", "Dose changed"
    REVIEWED = "reviewed", "Reviewed, no change"
    STOPPED = "stopped", "Stopped"


class MedicationChange(BaseModel):
    """Immutable history of a medicine: who prescribed or reviewed it, and what changed."""

    medication = models.ForeignKey(Medication, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(max_length=20, choices=MedicationChangeKind.choices)
    detail = models.TextField(blank=True)
    # The prescriber who made a prescribing decision (a doctor or non-medical prescriber).
    prescriber = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "created_at"]


class MedicationDelivery(BaseModel):
    """Medicines collected and delivered by the team (CORE item 15c), immutable."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="deliveries")
    medications = models.ManyToManyField(Medication, related_name="deliveries")
    delivered_at = models.DateTimeField()
    delivered_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    visit = models.ForeignKey(
        Visit, null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    supply = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["delivered_at"]
