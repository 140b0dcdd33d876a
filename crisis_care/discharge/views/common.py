"""What every discharge view shares: the role rule, the episode held by one of the user's
teams (an audited 403 otherwise, as in treatment) and the audit of each view."""

from django.core.exceptions import PermissionDenied

from crisis_care.core.models import User
from crisis_care.treatment.models import Episode, EpisodeStatus
from crisis_care.treatment.views.common import audit_view, episode_or_refuse, refuse, user_of

from ..rules import DischargeAction, role_may

__all__ = [
    "audit_view",
    "episode_or_refuse",
    "refuse",
    "require",
    "require_open",
    "user_of",
]


def require(user: User, action: DischargeAction) -> None:
    if not role_may(user.role, action):
        raise PermissionDenied(f"Your role ({user.role_label}) does not allow this.")


def require_open(episode: Episode) -> Episode:
    """A discharged episode is a record: only addendums are added to it."""
    if episode.status != EpisodeStatus.OPEN:
        raise PermissionDenied(
            "This episode has ended, so it can no longer be changed. Add an addendum instead."
        )
    return episode
