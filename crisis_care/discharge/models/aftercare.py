"""Planning aftercare from day one (CORE items 24 and 25): the other services involved, the
referrals on, the discharge meeting and the relapse prevention plan."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.directory.models import Service
from crisis_care.people.models import Contact
from crisis_care.treatment.models import Episode


class InvolvedService(VersionedModel):
    """Another service involved in the person's care. CORE 25a asks that end-of-care and
    follow-on plans are agreed with every other involved secondary mental health service, and
    25d that they attend the discharge meeting, so the flag and the agreement live here."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="involved_services")
    # From the directory where it is listed; the name is kept either way so the record reads
    # the same after the directory changes.
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(max_length=200)
    secondary_mental_health = models.BooleanField(default=False)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    contact_email = models.EmailField(blank=True)
    # CORE 25a: what was agreed about the end of crisis care and what follows.
    plan_agreed = models.TextField(blank=True)
    plan_agreed_on = models.DateField(null=True, blank=True)
    plan_agreed_with = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-secondary_mental_health", "name"]

    def __str__(self) -> str:
        return self.name


class FollowOnKind(models.TextChoices):
    CMHT = "cmht", "Community mental health team"
    GP = "gp", "GP"
    PSYCHOLOGY = "psychology", "Psychology or talking therapies"
    SUBSTANCE_MISUSE = "substance", "Drug and alcohol service"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector or peer support"
    SOCIAL_CARE = "social_care", "Adult social care"
    OTHER = "other", "Other"


class OnwardReferralStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class OnwardReferral(VersionedModel):
    """A referral on for support after discharge (CORE 25b). `status` is kept in step with
    OnwardReferralStatusChange inside the service."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="onward_referrals")
    kind = models.CharField(max_length=20, choices=FollowOnKind.choices)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_name = models.CharField(max_length=200)
    reason = models.TextField()
    sent_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=OnwardReferralStatus.choices, default=OnwardReferralStatus.SENT
    )
    # Who will see the person, once the service says so: the written plan names them.
    worker_name = models.CharField(max_length=200, blank=True)
    worker_phone = models.CharField(max_length=40, blank=True)
    first_appointment_at = models.DateTimeField(null=True, blank=True)
    first_appointment_place = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_on", "created_at"]

    def __str__(self) -> str:
        return f"Referral to {self.service_name}"


class OnwardReferralStatusChange(BaseModel):
    """Immutable history of an onward referral's status."""

    referral = models.ForeignKey(
        OnwardReferral, on_delete=models.PROTECT, related_name="status_history"
    )
    status = models.CharField(max_length=10, choices=OnwardReferralStatus.choices)
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "created_at"]


class MeetingStatus(models.TextChoices):
    ARRANGED = "arranged", "Arranged"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class DischargeMeeting(VersionedModel):
    """The discharge meeting (CORE 25c–d), arranged with notice; who was invited and who came."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="discharge_meetings"
    )
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.ARRANGED
    )
    person_invited = models.BooleanField(default=True)
    person_attended = models.BooleanField(null=True, blank=True)
    agreed = models.TextField(blank=True)
    cancelled_reason = models.TextField(blank=True)
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    arranged_at = models.DateTimeField()
    held_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"Discharge meeting {self.starts_at:%Y-%m-%d %H:%M}"


class MeetingInvitee(BaseModel):
    """A family member (only with the person's consent) or another service invited to the
    discharge meeting, and whether they came."""

    meeting = models.ForeignKey(DischargeMeeting, on_delete=models.CASCADE, related_name="invitees")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    involved_service = models.ForeignKey(
        InvolvedService, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(contact__isnull=False, involved_service__isnull=True)
                    | models.Q(contact__isnull=True, involved_service__isnull=False)
                ),
                name="invitee_is_contact_or_service",
            ),
        ]


class RelapsePreventionPlan(VersionedModel):
    """Written with the person (CORE item 24): what a future crisis looks like coming, what sets
    it off, what helps, who to contact, and what the person wants to happen."""

    episode = models.OneToOneField(
        Episode, on_delete=models.PROTECT, related_name="relapse_prevention_plan"
    )
    early_warning_signs = models.TextField()
    triggers = models.TextField()
    what_helps = models.TextField()
    who_to_contact = models.TextField()
    advance_statement = models.TextField(blank=True)
    written_with_person = models.BooleanField(default=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    def __str__(self) -> str:
        return "Relapse prevention plan"
