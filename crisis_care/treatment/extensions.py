"""Hooks for the stages after home treatment. The episode page shows panels that later apps
(discharge) register in their AppConfig.ready, so treatment never imports them and the
dependencies still run one way (DESIGN.md)."""

from collections.abc import Callable

from markupsafe import Markup

from crisis_care.core.models import User

from .models import Episode

EpisodePanel = Callable[[Episode, User], Markup | None]

_episode_panels: list[EpisodePanel] = []


def register_episode_panel(panel: EpisodePanel) -> None:
    if panel not in _episode_panels:
        _episode_panels.append(panel)


def episode_panels(episode: Episode, user: User) -> list[Markup]:
    """The registered panels' HTML for this episode, in registration order (a panel returns
    None when it has nothing to show this user)."""
    return [html for panel in _episode_panels if (html := panel(episode, user)) is not None]
