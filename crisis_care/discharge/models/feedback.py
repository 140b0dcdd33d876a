"""'How did we do?': anonymous feedback after discharge, in the Friends and Family Test style.
No link to a person is kept, so it can be given without signing in and without fear."""

from django.db import models

from crisis_care.core.models import BaseModel
from crisis_care.workforce.models import Team


class Experience(models.TextChoices):
    # The Friends and Family Test's six answers, best first.
    VERY_GOOD = "1", "Very good"
    GOOD = "2", "Good"
    NEITHER = "3", "Neither good nor poor"
    POOR = "4", "Poor"
    VERY_POOR = "5", "Very poor"
    DONT_KNOW = "6", "Don't know"


POSITIVE = (Experience.VERY_GOOD, Experience.GOOD)
NEGATIVE = (Experience.POOR, Experience.VERY_POOR)


class Respondent(models.TextChoices):
    PERSON = "person", "The person who had care from the team"
    CARER = "carer", "A carer, family member or friend"


class FeedbackResponse(BaseModel):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="feedback")
    experience = models.CharField(max_length=1, choices=Experience.choices)
    respondent = models.CharField(max_length=10, choices=Respondent.choices)
    what_went_well = models.TextField(blank=True)
    what_could_be_better = models.TextField(blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["team", "submitted_at"], name="feedback_team_at")]
