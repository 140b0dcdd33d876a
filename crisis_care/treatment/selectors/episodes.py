"""Reads for the episode page: its histories (status, named worker, reviews, paired visits)
and the members of the team who may be named worker. The episode itself comes from
selectors.episode_for_user, which scopes it to the user's teams."""

import uuid
from dataclasses import dataclass

from django.db.models import QuerySet, prefetch_related_objects

from crisis_care.core.roles import CLINICAL_ROLES
from crisis_care.workforce.models import StaffMember
from crisis_care.workforce.selectors import staff_for_team

from ..models import (
    Episode,
    EpisodeReview,
    EpisodeStatusChange,
    NamedWorkerChange,
    PairedVisitsChange,
)


@dataclass(frozen=True)
class EpisodeHistory:
    statuses: list[EpisodeStatusChange]
    named_workers: list[NamedWorkerChange]  # oldest first
    reviews: list[EpisodeReview]  # oldest first
    paired_visits: list[PairedVisitsChange]  # oldest first

    @property
    def latest_review(self) -> EpisodeReview | None:
        return self.reviews[-1] if self.reviews else None


def episode_history(*, episode: Episode) -> EpisodeHistory:
    """The episode's immutable histories, each with who made the change, and the named
    worker's name on the episode (five queries)."""
    prefetch_related_objects([episode], "named_worker__user")
    return EpisodeHistory(
        statuses=list(
            EpisodeStatusChange.objects.filter(episode=episode).select_related("changed_by")
        ),
        named_workers=list(
            NamedWorkerChange.objects.filter(episode=episode).select_related(
                "staff__user", "changed_by"
            )
        ),
        reviews=list(EpisodeReview.objects.filter(episode=episode).select_related("reviewed_by")),
        paired_visits=list(
            PairedVisitsChange.objects.filter(episode=episode).select_related("changed_by")
        ),
    )


def named_worker_choices(*, episode: Episode) -> QuerySet[StaffMember]:
    """Members of the episode's team today who give care (clerical staff are not named
    workers), by name."""
    return (
        staff_for_team(team=episode.team)
        .filter(user__role__in=CLINICAL_ROLES)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def named_worker_candidate(*, episode: Episode, pk: uuid.UUID) -> StaffMember | None:
    """One member of the episode's team who may be named worker, or None."""
    return named_worker_choices(episode=episode).filter(pk=pk).first()


def episode_for_change(*, episode: Episode) -> Episode:
    """The episode as it is saved now (after a stale save, to show the current values)."""
    return Episode.objects.select_related(
        "person", "team", "named_worker", "named_worker__user"
    ).get(pk=episode.pk)
