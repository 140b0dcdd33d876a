"""Home treatment. This stage holds the episode a home treatment decision opens, and
admissions (so early supported discharge can link an admission to a new episode).
The care plan, visits and the rest of the episode arrive with the home treatment issue."""

from django.conf import settings
from django.db import models

from crisis_care.assessments.models import Decision
from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.people.models import Person
from crisis_care.referrals.models import Referral
from crisis_care.workforce.models import Team


class Admission(BaseModel):
    """A psychiatric admission, recorded from an admission decision or when a ward refers
    someone for early supported discharge (CORE item 7)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="admissions")
    decision = models.OneToOneField(
        Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="admission"
    )
    ward = models.CharField(max_length=200)
    legal_status = models.CharField(max_length=10)
    admitted_at = models.DateTimeField()
    discharged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Admission to {self.ward} {self.admitted_at:%Y-%m-%d}"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Episode(VersionedModel):
    """A home treatment episode, opened by a home treatment decision."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="episodes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="episodes")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="episodes")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="episode")
    # Early supported discharge: the admission this episode lets the person leave early.
    early_discharge_from = models.ForeignKey(
        Admission,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="early_discharge_episodes",
    )
    started_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Home treatment from {self.started_at:%Y-%m-%d}"
