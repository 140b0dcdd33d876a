"""The header navigation, by role. URL names only: core does not import later apps."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .roles import Role

_ALL = frozenset(Role)
_PERSON_FINDERS = _ALL - {Role.IG_AUDITOR, Role.SYSTEM_ADMINISTRATOR}
_AUDITORS = frozenset({Role.IG_AUDITOR, Role.TEAM_MANAGER})

NAVIGATION: list[tuple[str, str, frozenset[Role]]] = [
    ("Home", "workforce:home", _ALL),
    ("Triage queue", "referrals:queue", _PERSON_FINDERS),
    ("Find a person", "people:search", _PERSON_FINDERS),
    ("Who is on now", "workforce:on_now", _ALL - {Role.IG_AUDITOR}),
    ("Directory", "directory:list", _ALL - {Role.IG_AUDITOR}),
    ("Rota", "workforce:rota", _ALL - {Role.IG_AUDITOR}),
    ("Staff", "workforce:staff_list", _ALL - {Role.IG_AUDITOR}),
    ("Access reviews", "people:access_reviews", _AUDITORS),
]


def nav_items(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    if not user.is_authenticated:
        return []
    role = Role(user.role)
    items = []
    for text, name, roles in NAVIGATION:
        if role not in roles:
            continue
        href = reverse(name)
        items.append({"href": href, "text": text, "current": request.path == href})
    return items
