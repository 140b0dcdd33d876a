"""The aftercare panel on the episode page (registered with treatment.extensions): how much
of the aftercare checklist is done, what is missing, and a link to the aftercare page. Its
queries are the checklist's own."""

from django.template.loader import render_to_string
from markupsafe import Markup

from crisis_care.core.models import User
from crisis_care.treatment.models import Episode

from ..rules import DischargeAction, role_may
from ..selectors.checklist import aftercare_checklist
from .aftercare import progress


def aftercare_panel(episode: Episode, user: User) -> Markup | None:
    """None when the user's role may not see aftercare planning."""
    if not role_may(user.role, DischargeAction.VIEW):
        return None
    checklist = aftercare_checklist(episode=episode)
    html = render_to_string(
        "discharge/aftercare/_panel.jinja",
        {"episode": episode, "progress": progress(checklist)},
    )
    return Markup(html)  # noqa: S704 - rendered by the autoescaping Jinja environment
