"""Carers and family (CORE items 13 and 14; Care Act 2014 s.10). A carer is a people.Contact
marked is_carer. What a carer is given follows the person's consent to share (ShareScope on
the contact's current consent): general support and crisis information can always be given;
the person's care plan only with consent."""

from django.conf import settings
from django.db import models

from crisis_care.core.models import BaseModel, VersionedModel
from crisis_care.people.models import Contact

from .episodes import Episode


class OfferResponse(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    NOT_YET = "not_yet", "Thinking about it"


class CarerConversationOffer(BaseModel):
    """A carer was offered a conversation of their own, separate from the person (14a)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="carer_offers")
    carer = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField()
    response = models.CharField(max_length=10, choices=OfferResponse.choices)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["offered_at", "created_at"]


class CarerConversation(BaseModel):
    """The carer's own conversation: their needs, not the person's (14a, 14c)."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="carer_conversations"
    )
    carer = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField()
    separate_from_person = models.BooleanField(default=True)
    carer_needs = models.TextField()
    notes = models.TextField(blank=True)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["held_at", "created_at"]


class CarerSupportPlan(VersionedModel):
    """The carer's own support plan, with a written copy for the carer (14c). It holds only
    the carer's information and general material, so it can be given whatever the person
    has agreed to share."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="carer_support_plans"
    )
    carer = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    needs = models.TextField("What the carer needs")
    support = models.TextField("What will help and who will do it")
    if_things_get_worse = models.TextField("What the carer can do if things get worse")
    services = models.ManyToManyField("directory.Service", blank=True, related_name="+")
    given_on = models.DateField(null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]


class CarerAssessmentStatus(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted by the council"
    DECLINED = "declined", "Declined by the council"


class CarerAssessmentReferral(BaseModel):
    """A referral to the council for a statutory carer's assessment (Care Act 2014 s.10),
    made with the carer's agreement."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="carer_assessment_referrals"
    )
    carer = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    council = models.CharField(max_length=100)
    carer_agreed = models.BooleanField()
    referred_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=CarerAssessmentStatus.choices, default=CarerAssessmentStatus.SENT
    )
    note = models.TextField(blank=True)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )


class AttemptMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"


class AttemptOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke with them"
    MESSAGE = "message", "Left a message"
    NO_ANSWER = "no_answer", "No answer"


class FamilyContactAttempt(BaseModel):
    """An attempt to contact a key person (CORE item 13b)."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="family_contact_attempts"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=10, choices=AttemptMethod.choices)
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices)
    note = models.TextField(blank=True)
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["attempted_at", "created_at"]


class ReviewInvitation(BaseModel):
    """A family member or friend invited to a care-planning or review meeting, with the
    person's consent (CORE item 13c)."""

    episode = models.ForeignKey(
        Episode, on_delete=models.PROTECT, related_name="review_invitations"
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+")
    meeting_at = models.DateTimeField()
    purpose = models.CharField(max_length=200)
    invited_at = models.DateTimeField()
    attended = models.BooleanField(null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["meeting_at"]
