"""Fixtures for the directory tests. The seeded services come from the data migration."""

from typing import Any

import pytest

from crisis_care.directory.models import Service


@pytest.fixture
def cafe(db: None) -> Service:
    return Service.objects.get(name="Crisis café")


def service_post(service: Service | None = None, **overrides: Any) -> dict[str, Any]:
    """What the service form posts for `service` (or a minimal new service)."""
    data: dict[str, Any] = {
        "version": service.version if service else "",
        "name": service.name if service else "Oakham peer support group",
        "organization": str(service.organization_id or "") if service else "",
        "new_organization": "",
        "description": service.description if service else "A weekly peer support group.",
        "who_it_is_for": service.who_it_is_for if service else "",
        "categories": [t.code for t in service.categories.all()] if service else [],
        "area": (service.area or "llr") if service else "rutland",
        "area_description": service.area_description if service else "",
        "hours_description": service.hours_description if service else "",
        "email": service.email if service else "",
        "url": service.url if service else "",
        "takes_referrals": str(service.takes_referrals) if service else "False",
        "referral_how": service.referral_how if service else "",
        "is_crisis_help": str(service.is_crisis_help) if service else "False",
        "crisis_help_order": service.crisis_help_order if service else "",
        "status": service.status if service else "active",
        "phone_1_number": "",
        "phone_1_description": "",
        "phone_2_number": "",
        "phone_2_description": "",
        "schedule_1_opens": "",
        "schedule_1_closes": "",
        "schedule_2_opens": "",
        "schedule_2_closes": "",
    }
    if service:
        for i, phone in enumerate(service.phones.all(), start=1):
            data[f"phone_{i}_number"] = phone.number
            data[f"phone_{i}_description"] = phone.description
    data.update(overrides)
    return data
