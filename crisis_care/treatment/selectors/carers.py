"""Reads for carers and family (CORE items 13 and 14). The episode has already been scoped to
the user's teams (views/common.episode_or_refuse); everything here hangs off that episode, and
a contact is found only among the episode's person's contacts.

What may reach a carer follows the person's consent to share with that contact
(`may_share_care_plan`): the person's care plan goals are read for a carer's copy only when the
contact's current consent covers the care plan."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from crisis_care.directory import selectors as directory_selectors
from crisis_care.directory.models import (
    Category,
    Phone,
    RegularSchedule,
    Service,
    ServiceStatus,
    ServiceTaxonomy,
    Taxonomy,
)
from crisis_care.people.models import Contact, Involvement, ShareScope

from ..models import (
    CarerAssessmentReferral,
    CarerConversation,
    CarerConversationOffer,
    CarerSupportPlan,
    Episode,
    FamilyContactAttempt,
    Goal,
    GoalStatus,
    Intervention,
    ReviewInvitation,
)

# -- Consent ----------------------------------------------------------------------------


def may_share_care_plan(contact: Contact) -> bool:
    """Whether the person has agreed that this contact may have their care plan: the current
    consent covers the care plan, and the person has not said they do not want the contact
    involved (the stricter answer wins if the two disagree)."""
    consent = contact.current_consent
    return (
        consent is not None
        and consent.scope == ShareScope.CARE_PLAN
        and contact.involvement != Involvement.DOES_NOT_WANT
    )


# -- Contacts ---------------------------------------------------------------------------


def _contacts(episode: Episode) -> QuerySet[Contact]:
    return Contact.objects.filter(person_id=episode.person_id).select_related(
        "current_consent", "current_consent__recorded_by"
    )


def contacts_for_episode(*, episode: Episode) -> list[Contact]:
    """The person's contacts: carers first, then other key people, by name. (One query.)"""
    return list(_contacts(episode).order_by("-is_carer", "name"))


def contact_for_episode(*, episode: Episode, pk: uuid.UUID) -> Contact:
    """One of the episode's person's contacts (else Contact.DoesNotExist)."""
    return _contacts(episode).get(pk=pk)


# -- What has been done with each contact -------------------------------------------------


@dataclass
class ContactHistory:
    offers: list[CarerConversationOffer] = field(default_factory=list)
    conversations: list[CarerConversation] = field(default_factory=list)
    plan: CarerSupportPlan | None = None
    referrals: list[CarerAssessmentReferral] = field(default_factory=list)
    attempts: list[FamilyContactAttempt] = field(default_factory=list)
    invitations: list[ReviewInvitation] = field(default_factory=list)
    roles: list[Intervention] = field(default_factory=list)


def histories_for_episode(*, episode: Episode) -> dict[uuid.UUID, ContactHistory]:
    """Everything recorded with each of the person's contacts in this episode, keyed by contact.
    A fixed number of queries (one per kind of record), however many contacts there are."""
    histories: dict[uuid.UUID, ContactHistory] = defaultdict(ContactHistory)
    for offer in CarerConversationOffer.objects.filter(episode=episode).select_related(
        "offered_by"
    ):
        histories[offer.carer_id].offers.append(offer)
    for conversation in CarerConversation.objects.filter(episode=episode).select_related("held_by"):
        histories[conversation.carer_id].conversations.append(conversation)
    for plan in CarerSupportPlan.objects.filter(episode=episode).select_related("written_by"):
        histories[plan.carer_id].plan = plan
    for referral in (
        CarerAssessmentReferral.objects.filter(episode=episode)
        .select_related("referred_by")
        .order_by("referred_at", "created_at")
    ):
        histories[referral.carer_id].referrals.append(referral)
    for attempt in FamilyContactAttempt.objects.filter(episode=episode).select_related(
        "attempted_by"
    ):
        histories[attempt.contact_id].attempts.append(attempt)
    for invitation in ReviewInvitation.objects.filter(episode=episode).select_related("invited_by"):
        histories[invitation.contact_id].invitations.append(invitation)
    for role in (
        Intervention.objects.filter(
            care_plan__episode=episode, family_member__isnull=False, stopped_at__isnull=True
        )
        .select_related("lead", "lead__user")
        .order_by("created_at")
    ):
        assert role.family_member_id is not None
        histories[role.family_member_id].roles.append(role)
    return histories


# -- The carer's support plan -----------------------------------------------------------


def _services_with_details() -> QuerySet[Service]:
    return Service.objects.prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("order", "created_at")),
        Prefetch("schedules", queryset=RegularSchedule.objects.order_by("opens_at")),
        Prefetch("categories", queryset=Taxonomy.objects.order_by("name")),
    )


def support_plan_for(*, episode: Episode, carer: Contact) -> CarerSupportPlan | None:
    """The carer's support plan in this episode (one per carer), with its chosen services and
    their phones and opening times."""
    return (
        CarerSupportPlan.objects.filter(episode=episode, carer=carer)
        .select_related("written_by")
        .prefetch_related(Prefetch("services", queryset=_services_with_details().order_by("name")))
        .order_by("created_at")
        .first()
    )


def _carer_first(services: QuerySet[Service]) -> QuerySet[Service]:
    """Services for carers (the directory's carer support category) first, then by name."""
    carer_ids = ServiceTaxonomy.objects.filter(taxonomy__code=Category.CARER_SUPPORT).values(
        "service_id"
    )
    return services.annotate(
        for_carers=Case(
            When(pk__in=carer_ids, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("for_carers", "name")


def services_for_carer_plan() -> list[Service]:
    """Active services a carer's plan can point to, carer services first, with details."""
    return list(_carer_first(_services_with_details().filter(status=ServiceStatus.ACTIVE)))


def carer_service_choices() -> list[tuple[str, str]]:
    """The same services as form choices (value, name). Called by the form on each use."""
    services = _carer_first(Service.objects.filter(status=ServiceStatus.ACTIVE))
    return [(str(pk), name) for pk, name in services.values_list("pk", "name")]


def carer_support_services() -> list[Service]:
    """Active services in the directory's carer support category, by name, with details."""
    carer_ids = ServiceTaxonomy.objects.filter(taxonomy__code=Category.CARER_SUPPORT).values(
        "service_id"
    )
    return list(
        _services_with_details()
        .filter(status=ServiceStatus.ACTIVE, pk__in=carer_ids)
        .order_by("name")
    )


def crisis_help_services() -> list[Service]:
    """'How to get crisis help', as every plan and letter lists it (the directory decides)."""
    return directory_selectors.crisis_help_services()


def goals_to_share_with(*, episode: Episode, carer: Contact) -> list[Goal]:
    """The person's care plan goals for the 'how we are helping' part of a carer's copy: none at
    all unless the person has agreed to share their care plan with this carer. Goals that are
    no longer needed are left out."""
    if not may_share_care_plan(carer):
        return []
    return list(
        Goal.objects.filter(care_plan__episode=episode)
        .exclude(status=GoalStatus.NO_LONGER_NEEDED)
        .order_by("order", "created_at")
    )


# -- Carer's assessment referrals ---------------------------------------------------------


def assessment_referral_for(*, episode: Episode, pk: uuid.UUID) -> CarerAssessmentReferral:
    """A referral for a carer's assessment made in this episode (else DoesNotExist)."""
    return CarerAssessmentReferral.objects.select_related(
        "carer", "carer__current_consent", "referred_by"
    ).get(episode=episode, pk=pk)
