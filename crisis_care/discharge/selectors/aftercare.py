"""Reads for aftercare planning, scoped to the user's teams: the episode's involved services,
referrals on and discharge meetings in a fixed number of queries however many there are, and
each of those records on its own (for its change page) with the episode it belongs to."""

import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from crisis_care.core.models import User
from crisis_care.directory.models import Service
from crisis_care.directory.selectors import services_for_choosing
from crisis_care.people.models import Contact
from crisis_care.treatment.models import Episode
from crisis_care.workforce.selectors import teams_for_user

from ..models import (
    Discharge,
    DischargeMeeting,
    InvolvedService,
    MeetingInvitee,
    MeetingStatus,
    OnwardReferral,
    OnwardReferralStatusChange,
)

# The episode and what every aftercare page shows about it.
_EPISODE = ("episode", "episode__person", "episode__person__gp_practice", "episode__team")


@dataclass(frozen=True)
class AftercareRecords:
    involved: list[InvolvedService]
    referrals: list[OnwardReferral]  # each with its status history, oldest first
    meetings: list[DischargeMeeting]  # latest first, each with its invitees
    discharge: Discharge | None

    @property
    def arranged_meeting(self) -> DischargeMeeting | None:
        return next((m for m in self.meetings if m.status == MeetingStatus.ARRANGED), None)


def _in_users_teams(user: User) -> Q:
    return Q(episode__team__in=teams_for_user(user=user))


def _meetings(episode: Episode) -> QuerySet[DischargeMeeting]:
    return (
        DischargeMeeting.objects.filter(episode=episode)
        .select_related("arranged_by", "held_recorded_by")
        .prefetch_related(
            Prefetch(
                "invitees",
                queryset=MeetingInvitee.objects.select_related(
                    "contact", "involved_service"
                ).order_by("involved_service__name", "contact__name"),
            )
        )
        .order_by("-starts_at")
    )


def aftercare_records(*, episode: Episode) -> AftercareRecords:
    """Everything the aftercare page lists, in at most six queries."""
    return AftercareRecords(
        involved=list(InvolvedService.objects.filter(episode=episode).select_related("service")),
        referrals=list(
            OnwardReferral.objects.filter(episode=episode).prefetch_related(
                Prefetch(
                    "status_history",
                    queryset=OnwardReferralStatusChange.objects.select_related("changed_by"),
                )
            )
        ),
        meetings=list(_meetings(episode)),
        discharge=Discharge.objects.filter(episode=episode).first(),
    )


def involved_services(*, episode: Episode) -> list[InvolvedService]:
    return list(InvolvedService.objects.filter(episode=episode))


def involved_service_for_user(*, pk: uuid.UUID, user: User) -> InvolvedService:
    """An involved service in an episode one of the user's teams holds (else DoesNotExist)."""
    return (
        InvolvedService.objects.select_related(*_EPISODE, "service")
        .filter(_in_users_teams(user))
        .get(pk=pk)
    )


def involved_service_exists(*, pk: uuid.UUID) -> bool:
    return InvolvedService.objects.filter(pk=pk).exists()


def involved_service_current(*, pk: uuid.UUID) -> InvolvedService:
    """As it is saved now (after a stale save, to compare with what was typed)."""
    return InvolvedService.objects.select_related(*_EPISODE, "service").get(pk=pk)


def onward_referral_for_user(*, pk: uuid.UUID, user: User) -> OnwardReferral:
    """A referral on in an episode one of the user's teams holds (else DoesNotExist)."""
    return (
        OnwardReferral.objects.select_related(*_EPISODE)
        .prefetch_related(
            Prefetch(
                "status_history",
                queryset=OnwardReferralStatusChange.objects.select_related("changed_by"),
            )
        )
        .filter(_in_users_teams(user))
        .get(pk=pk)
    )


def onward_referral_exists(*, pk: uuid.UUID) -> bool:
    return OnwardReferral.objects.filter(pk=pk).exists()


def meeting_for_user(*, pk: uuid.UUID, user: User) -> DischargeMeeting:
    """A discharge meeting in an episode one of the user's teams holds, with its invitees
    (else DoesNotExist)."""
    return (
        DischargeMeeting.objects.select_related(*_EPISODE)
        .prefetch_related(
            Prefetch(
                "invitees",
                queryset=MeetingInvitee.objects.select_related(
                    "contact", "involved_service"
                ).order_by("involved_service__name", "contact__name"),
            )
        )
        .filter(_in_users_teams(user))
        .get(pk=pk)
    )


def meeting_exists(*, pk: uuid.UUID) -> bool:
    return DischargeMeeting.objects.filter(pk=pk).exists()


def arranged_meeting(*, episode: Episode) -> DischargeMeeting | None:
    return DischargeMeeting.objects.filter(episode=episode, status=MeetingStatus.ARRANGED).first()


def family_contacts(*, episode: Episode) -> list[Contact]:
    """The person's contacts with their current consent, carers first (the meeting form
    offers those who may see the care plan and names the others)."""
    return list(
        Contact.objects.filter(person_id=episode.person_id)
        .select_related("current_consent")
        .order_by("-is_carer", "name")
    )


def directory_services() -> list[Service]:
    """Active services in the directory, by name, for a choice list."""
    return list(services_for_choosing())


def discharge_for(*, episode: Episode) -> Discharge | None:
    return Discharge.objects.filter(episode=episode).first()
