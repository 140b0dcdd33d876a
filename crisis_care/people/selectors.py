"""Reads for people. Searches and record pages issue a fixed number of queries."""

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from crisis_care.core.models import AuditEvent, User
from crisis_care.workforce.selectors import teams_for_user

from .models import BreakGlassAccess, CareTeamLink, ConsentRecord, Contact, Person
from .rules import (
    NEEDS_RELATIONSHIP,
    RELATIONSHIP_FREE_ROLES_FOR_ACCESS_LOG,
    PersonAction,
    role_may,
)
from .validators import normalise_nhs_number


def _relationship_cutoff(now: dt.datetime) -> dt.datetime:
    days = settings.CRISIS_CARE["LEGITIMATE_RELATIONSHIP_DAYS_AFTER_CLOSURE"]
    return now - dt.timedelta(days=days)


def legitimate_links(*, user: User, now: dt.datetime | None = None) -> QuerySet[CareTeamLink]:
    """Links that give this user a legitimate relationship: one of their current teams
    holds the person, now or within the configured period after closure."""
    now = now or timezone.now()
    return CareTeamLink.objects.filter(
        team__in=teams_for_user(user=user, on=timezone.localdate(now)),
        opened_at__lte=now,
    ).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=_relationship_cutoff(now)))


def active_break_glass(*, user: User, now: dt.datetime | None = None) -> QuerySet[BreakGlassAccess]:
    now = now or timezone.now()
    return BreakGlassAccess.objects.filter(user=user, granted_at__lte=now, expires_at__gt=now)


class Access(StrEnum):
    RELATIONSHIP = "relationship"
    BREAK_GLASS = "break_glass"
    NEEDS_BREAK_GLASS = "needs_break_glass"
    ROLE_DENIED = "role_denied"


@dataclass(frozen=True)
class AccessDecision:
    access: Access
    reason: str

    @property
    def allowed(self) -> bool:
        return self.access in (Access.RELATIONSHIP, Access.BREAK_GLASS)


def person_access(*, user: User, person: Person, action: PersonAction) -> AccessDecision:
    """May this user do `action` to this person's record, and on what basis?"""
    if not role_may(user.role, action):
        return AccessDecision(
            Access.ROLE_DENIED, f"Your role ({user.role_label}) does not allow this."
        )
    if action not in NEEDS_RELATIONSHIP and (
        action is not PersonAction.VIEW_ACCESS_LOG
        or user.role in RELATIONSHIP_FREE_ROLES_FOR_ACCESS_LOG
    ):
        return AccessDecision(Access.RELATIONSHIP, "")
    if legitimate_links(user=user).filter(person=person).exists():
        return AccessDecision(Access.RELATIONSHIP, "")
    if active_break_glass(user=user).filter(person=person).exists():
        return AccessDecision(Access.BREAK_GLASS, "")
    if role_may(user.role, PersonAction.BREAK_GLASS):
        return AccessDecision(
            Access.NEEDS_BREAK_GLASS,
            "None of your teams is caring for this person, so you cannot open their record.",
        )
    return AccessDecision(
        Access.ROLE_DENIED,
        "None of your teams is caring for this person, so you cannot open their record.",
    )


def person_search(
    *,
    user: User,
    nhs_number: str = "",
    family_name: str = "",
    date_of_birth: dt.date | None = None,
    limit: int = 50,
) -> list[Person]:
    """Find people by NHS number, or by family name and date of birth.

    Each result carries `has_relationship` so the list can say whose record the user
    can open directly. Two queries whatever the number of results.
    """
    people = Person.objects.select_related("gp_practice")
    if nhs_number:
        people = people.filter(nhs_number=normalise_nhs_number(nhs_number))
    elif family_name and date_of_birth:
        people = people.filter(
            family_name_search=family_name.strip().casefold(), date_of_birth=date_of_birth
        )
    else:
        return []
    links = legitimate_links(user=user).filter(person=OuterRef("pk"))
    return list(
        people.annotate(has_relationship=Exists(links)).order_by("family_name", "given_name")[
            :limit
        ]
    )


def person_record(*, pk: uuid.UUID) -> Person:
    """A person with everything their record page shows, in a fixed number of queries."""
    return (
        Person.objects.select_related("gp_practice")
        .prefetch_related(
            Prefetch(
                "contacts",
                queryset=Contact.objects.select_related(
                    "current_consent", "current_consent__recorded_by"
                ).order_by("-is_carer", "name"),
            )
        )
        .get(pk=pk)
    )


def person_get(*, pk: uuid.UUID) -> Person:
    return Person.objects.get(pk=pk)


def contact_get(*, person: Person, pk: uuid.UUID) -> Contact:
    return Contact.objects.select_related("current_consent").get(person=person, pk=pk)


def consent_history(*, contact: Contact) -> QuerySet[ConsentRecord]:
    return contact.consent_history.select_related("recorded_by").order_by("-recorded_at")


def access_log(*, person: Person, limit: int = 500) -> QuerySet[AuditEvent]:
    """Who viewed or changed this person's record, newest first."""
    return (
        AuditEvent.objects.filter(person_id=person.pk)
        .select_related("review", "review__reviewed_by")
        .order_by("-occurred_at")[:limit]
    )


def flagged_events_to_review(*, limit: int = 200) -> QuerySet[AuditEvent]:
    """Break-glass accesses (and anything else flagged) not yet reviewed, oldest first."""
    return AuditEvent.objects.filter(flagged_for_review=True, review__isnull=True).order_by(
        "occurred_at"
    )[:limit]


def recently_reviewed_events(*, limit: int = 50) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(flagged_for_review=True, review__isnull=False)
        .select_related("review", "review__reviewed_by")
        .order_by("-review__created_at")[:limit]
    )


def people_by_ids(ids: set[uuid.UUID]) -> dict[uuid.UUID, Person]:
    return {p.pk: p for p in Person.objects.filter(pk__in=ids)}


def flagged_event_get(*, pk: uuid.UUID) -> AuditEvent:
    return AuditEvent.objects.get(pk=pk, flagged_for_review=True)


def possible_matches(
    *, nhs_number: str, family_name: str, date_of_birth: dt.date | None
) -> list[Person]:
    """Existing records that may be the same person: by NHS number, or by name and date of birth.
    For duplicate checks when taking a referral (one query)."""
    query = Q(pk__in=[])
    if nhs_number:
        query |= Q(nhs_number=normalise_nhs_number(nhs_number))
    if family_name and date_of_birth:
        query |= Q(family_name_search=family_name.strip().casefold(), date_of_birth=date_of_birth)
    return list(Person.objects.filter(query).order_by("family_name", "given_name")[:10])
