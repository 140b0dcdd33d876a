"""The home treatment episode: opened by a home treatment decision (or for early supported
discharge from a ward), with its named worker, status history and six-week reviews."""

from django.conf import settings
from django.db import models

from crisis_care.assessments.models import Decision
from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.people.models import Person
from crisis_care.referrals.models import Referral
from crisis_care.workforce.models import StaffMember, Team


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
    """A home treatment episode, opened by a home treatment decision. `status` is kept in step
    with the EpisodeStatusChange history, and `named_worker` with NamedWorkerChange, inside the
    service that changes them."""

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
    closed_at = models.DateTimeField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # CORE item 36: one named worker per person for key tasks.
    named_worker = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="named_episodes"
    )
    # The area the person lives in (from their postcode district when the episode opened), so
    # the caseload can be filtered by locality without a lookup per row.
    locality = models.CharField(max_length=60, blank=True)
    # CORE item 32b: practical safety measures for higher-risk visits.
    paired_visits_required = models.BooleanField(default=False)
    paired_visits_reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["team", "status"], name="episode_team_status")]

    def __str__(self) -> str:
        return f"Home treatment from {self.started_at:%Y-%m-%d}"


class EpisodeStatusChange(BaseModel):
    """Immutable history of an episode's status."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="status_history")
    status = models.CharField(max_length=10, choices=EpisodeStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "created_at"]


class NamedWorkerChange(BaseModel):
    """Immutable history of who the named worker was (CORE item 36), and why it changed."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="named_worker_history"
    )
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "created_at"]


class PairedVisitsChange(BaseModel):
    """Immutable history of whether paired visits are required for the person (CORE item 32b:
    practical safety measures for higher-risk visits), and why."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="paired_visits_history"
    )
    required = models.BooleanField()
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "created_at"]


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Continue home treatment"
    PLAN_DISCHARGE = "plan_discharge", "Plan discharge"


class EpisodeReview(BaseModel):
    """The six-week review (CORE item 10: an automatic review keeps treatment brief). Immutable;
    a further review is a new row."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="reviews")
    reviewed_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)
    reason = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["reviewed_at", "created_at"]
