"""Alerts shown at the top of every page, contributed by later stages of the pathway.

Core comes first along the pathway, so it must not import treatment or later apps. The
layout asks each callable named in ``settings.CRISIS_CARE_ALERT_PROVIDERS`` (dotted paths,
in display order) for what this user must see now::

    def overdue_lone_working(*, user: User) -> list[tuple[str, str]] | None: ...

A provider returns ``(text, href)`` pairs (the text is the link text), or None or an empty
list when it has nothing for this user. It is asked on every page a signed-in user opens, so
it must run a fixed number of queries, at most one, and none when the user's role has no
part in it. Pages without a signed-in user never ask. Each request asks at most once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.module_loading import import_string

AlertProvider = Callable[..., list[tuple[str, str]] | None]

_CACHE_ATTRIBUTE = "_crisis_care_alert_banners"


@dataclass(frozen=True)
class AlertBanner:
    text: str
    href: str


@cache
def _import(paths: tuple[str, ...]) -> tuple[AlertProvider, ...]:
    providers = []
    for path in paths:
        try:
            providers.append(import_string(path))
        except ImportError as error:
            raise ImproperlyConfigured(
                f"CRISIS_CARE_ALERT_PROVIDERS names {path!r}, which cannot be imported: {error}"
            ) from error
    return tuple(providers)


def alert_providers() -> tuple[AlertProvider, ...]:
    """The configured providers, in order. A misspelt path fails loudly, naming the setting."""
    return _import(tuple(getattr(settings, "CRISIS_CARE_ALERT_PROVIDERS", [])))


def alert_banners(request: HttpRequest) -> list[AlertBanner]:
    """What the signed-in user must see at the top of this page (asked once per request)."""
    cached: list[AlertBanner] | None = getattr(request, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    banners: list[AlertBanner] = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        for provider in alert_providers():
            for text, href in provider(user=user) or []:
                banners.append(AlertBanner(text=text, href=href))
    setattr(request, _CACHE_ATTRIBUTE, banners)
    return banners
