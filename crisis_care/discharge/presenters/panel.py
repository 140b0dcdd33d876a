"""The aftercare panel on the episode page (registered with treatment.extensions)."""

from markupsafe import Markup

from crisis_care.core.models import User
from crisis_care.treatment.models import Episode


def aftercare_panel(episode: Episode, user: User) -> Markup | None:
    return None
