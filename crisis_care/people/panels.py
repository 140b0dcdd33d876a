"""Panels on a person's record, contributed by later stages of the pathway.

The people app comes first along the pathway, so it must not import assessments,
treatment or discharge. Instead, the record page asks each callable named in
``settings.CRISIS_CARE_RECORD_PANELS`` (dotted paths, in display order) for a panel::

    def safety_plan_panel(*, person: Person, user: User) -> Panel | None: ...

A provider returns None when it has nothing to show this user. Each provider must run a
fixed number of queries whatever the size of the record, because the record page is
opened many times a shift. The record page shows the panels only after it has checked
that the user may open the record, and each panel's template is included with ``panel``
in its context (``panel.context`` holds what the provider put there).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from crisis_care.core.models import User

from .models import Person


@dataclass(frozen=True)
class Panel:
    """One section of the record page: a heading, a template and what it needs."""

    title: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PanelProvider = Callable[..., Panel | None]


def panel_providers() -> list[PanelProvider]:
    """The configured providers, in order. A misspelt path fails loudly, naming the setting."""
    providers = []
    for path in getattr(settings, "CRISIS_CARE_RECORD_PANELS", []):
        try:
            providers.append(import_string(path))
        except ImportError as error:
            raise ImproperlyConfigured(
                f"CRISIS_CARE_RECORD_PANELS names {path!r}, which cannot be imported: {error}"
            ) from error
    return providers


def record_panels(*, person: Person, user: User) -> list[Panel]:
    """The panels to show on this person's record for this user, in the configured order."""
    panels = []
    for provider in panel_providers():
        panel = provider(person=person, user=user)
        if panel is not None:
            panels.append(panel)
    return panels
