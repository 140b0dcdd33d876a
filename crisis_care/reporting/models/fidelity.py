"""A CORE fidelity self-review, saved as dated so the team sees its progress over time."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel
from crisis_care.workforce.models import Team


class Band(models.TextChoices):
    # DOMAIN.md §3.3: high above a mean item score of 4 (total > 156); the moderate/low split
    # at a mean of 3 (total 117) is inferred, and the page says so.
    HIGH = "high", "High fidelity"
    MODERATE = "moderate", "Moderate fidelity"
    LOW = "low", "Low fidelity"


class FidelityReview(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="fidelity_reviews")
    # The records the computed criteria were read from.
    period_first = models.DateField()
    period_last = models.DateField()
    reviewed_on = models.DateField()
    total = models.PositiveSmallIntegerField()  # 39–195
    band = models.CharField(max_length=10, choices=Band.choices)
    note = models.TextField(blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField()

    class Meta:
        ordering = ["-reviewed_on", "-saved_at"]


class CriterionSource(models.TextChoices):
    COMPUTED = "computed", "Computed from the records"
    JUDGED = "judged", "Reviewer's judgement"


class FidelityItemScore(BaseModel):
    """One item's score in a saved review, with each criterion as it was judged or computed:
    `criteria` is a list of {"code", "met", "source", "evidence"} (kept as it stood)."""

    review = models.ForeignKey(FidelityReview, on_delete=models.CASCADE, related_name="items")
    item = models.PositiveSmallIntegerField()  # 1–39
    score = models.PositiveSmallIntegerField()  # 1–5
    criteria = models.JSONField(default=list)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["item"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="fidelity_item_once"),
        ]
