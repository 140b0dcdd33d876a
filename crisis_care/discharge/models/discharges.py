"""The end of an episode: the written discharge plan given, the discharge itself with its
outcome and any checklist gaps, the summary to the GP (CORE 34b), addendums, and re-referral."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel
from crisis_care.people.models import Contact
from crisis_care.referrals.models import Referral
from crisis_care.treatment.models import Episode


class PlanFormat(models.TextChoices):
    STANDARD = "standard", "Standard"
    EASY_READ = "easy_read", "Easy Read"


class GivenMethod(models.TextChoices):
    IN_PERSON = "in_person", "Handed over in person"
    POST = "post", "By post"
    EMAIL = "email", "By secure email"


class DischargePlanGiven(BaseModel):
    """The written discharge plan was given (CORE 25e) with how to get crisis help (25f).
    Keeps exactly what was given. Family with consent to see the care plan get the plan;
    family with consent to general information only get the crisis-help card."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="discharge_plans")
    given_on = models.DateField()
    method = models.CharField(max_length=20, choices=GivenMethod.choices)
    format = models.CharField(
        max_length=10, choices=PlanFormat.choices, default=PlanFormat.STANDARD
    )
    to_person = models.BooleanField(default=True)
    plan_to_contacts = models.ManyToManyField(Contact, blank=True, related_name="+")
    crisis_card_to_contacts = models.ManyToManyField(Contact, blank=True, related_name="+")
    # Who will support the person after discharge, as named in what was given (CORE 25e).
    follow_on_named = models.CharField(max_length=300)
    snapshot_html = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["given_on", "created_at"]


class DischargeOutcome(models.TextChoices):
    CMHT = "cmht", "Crisis resolved: handed to the community mental health team"
    GP = "gp", "Crisis resolved: handed back to the GP"
    OTHER_SECONDARY = "other_secondary", "Crisis resolved: handed to another mental health service"
    ADMITTED = "admitted", "Admitted to hospital"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    DECLINED = "declined", "Declined further contact"
    DIED = "died", "Died"


class Discharge(BaseModel):
    """The discharge: a state transition of the episode (EpisodeStatusChange is written in the
    same transaction). Immutable; later facts are addendums."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="discharge")
    outcome = models.CharField(max_length=20, choices=DischargeOutcome.choices)
    reason = models.TextField()
    discharged_at = models.DateTimeField()
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The aftercare checklist as it stood at discharge: {code: state}.
    checklist = models.JSONField(default=dict)
    # The summary to the GP and involved services is due within 3 days (CORE 34b).
    summary_due_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["discharged_at"], name="discharge_at")]

    def __str__(self) -> str:
        return f"Discharged {self.discharged_at:%Y-%m-%d}"


class DischargeGap(BaseModel):
    """Why an aftercare checklist item was not met at discharge: kept for review."""

    discharge = models.ForeignKey(Discharge, on_delete=models.PROTECT, related_name="gaps")
    item = models.CharField(max_length=3)  # "25a" … "25f"
    reason = models.TextField()

    class Meta:
        ordering = ["item"]
        constraints = [
            models.UniqueConstraint(fields=["discharge", "item"], name="discharge_gap_once"),
        ]


class SummaryMethod(models.TextChoices):
    NHS_MAIL = "nhs_mail", "Secure email (NHSmail)"
    DOCMAN = "docman", "GP document transfer"
    POST = "post", "By post"


class DischargeSummary(BaseModel):
    """The discharge summary sent to the GP and involved services (CORE 34b: within 3 days).
    Generated from the record; keeps exactly what was sent."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="discharge_summaries"
    )
    sent_on = models.DateField()
    method = models.CharField(max_length=20, choices=SummaryMethod.choices)
    to_gp = models.BooleanField(default=True)
    recipients = models.TextField()  # names as sent, one per line
    snapshot_html = models.TextField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_on", "created_at"]


class Addendum(BaseModel):
    """A later note on a discharged episode: the record itself stays as it was."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="addendums")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["written_at"]


class ReReferral(BaseModel):
    """A new referral for someone the team discharged: linked to the episode it follows so
    readmission and re-referral within 28 days can be counted."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="re_referrals")
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, related_name="re_referral_of"
    )
    days_after_discharge = models.PositiveIntegerField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()


class FollowUpMissedReason(BaseModel):
    """Why the 72-hour follow-up after inpatient discharge did not happen in time (the
    follow-up itself is the first attended contact after the ward discharge, derived)."""

    admission = models.OneToOneField(
        "treatment.Admission", on_delete=models.PROTECT, related_name="follow_up_missed"
    )
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
