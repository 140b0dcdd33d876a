"""Mapping between the directory and Open Referral UK (ORUK) JSON.

Export: services in the ORUK API's paged `/services` shape (`content` holds full service
records: organization, contacts with phones, schedules, service_areas,
service_at_locations and taxonomy attributes). Fields ORUK has no place for travel in
`x_crisis_care`, so an export imports back without loss.

Import: `parse_feed` reads what both ORUK 1.0 (`regular_schedules`, `service_taxonomys`,
`eligibilitys`, `physical_addresses`) and 3.0 (`schedules`, `attributes`,
`eligibility_description`, `addresses`) feeds publish into plain dataclasses;
services.oruk_import writes them. Pure functions: no database access here.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from .models import VOCABULARY, Area, Category, Service, ServiceStatus, Weekday
from .presenters import area_text

EXTENSION = "x_crisis_care"


def _child_id(parent: uuid.UUID, kind: str) -> str:
    """A stable id for a record we do not store separately (contact, service area)."""
    return str(uuid.uuid5(parent, kind))


def service_oruk_id(service: Service) -> str:
    return service.oruk_id or str(service.pk)


def service_to_oruk(service: Service) -> dict[str, Any]:
    """One service as an ORUK service record. Uses prefetched children."""
    org = service.organization
    schedules: list[dict[str, Any]] = [
        {
            "id": str(s.pk),
            "freq": "WEEKLY",
            "interval": 1,
            "byday": s.byday,
            "opens_at": s.opens_at.strftime("%H:%M:%S"),
            "closes_at": s.closes_at.strftime("%H:%M:%S"),
            "description": s.description,
        }
        for s in service.schedules.all()
    ]
    if service.hours_description:
        schedules.append(
            {"id": _child_id(service.pk, "hours"), "description": service.hours_description}
        )
    phones = [
        {"id": str(p.pk), "number": p.number, "description": p.description}
        for p in service.phones.all()
    ]
    return {
        "id": service_oruk_id(service),
        "name": service.name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": service.status,
        "assured_date": service.assured_date.isoformat() if service.assured_date else None,
        "eligibility_description": service.who_it_is_for,
        "organization": (
            {
                "id": org.oruk_id or str(org.pk),
                "name": org.name,
                "description": org.description,
                "email": org.email,
                "website": org.website,
                "url": org.website,
            }
            if org
            else None
        ),
        "contacts": (
            [{"id": _child_id(service.pk, "contact"), "name": service.name, "phones": phones}]
            if phones
            else []
        ),
        "schedules": schedules,
        "service_areas": (
            [{"id": _child_id(service.pk, "area"), "service_area": area_text(service)}]
            if service.area or service.area_description
            else []
        ),
        "service_at_locations": [
            {
                "id": str(link.pk),
                "location": {
                    "id": link.location.oruk_id or str(link.location.pk),
                    "name": link.location.name,
                    "description": link.location.description,
                    "physical_addresses": [
                        {
                            "id": _child_id(link.location.pk, "address"),
                            "address_1": link.location.address_1,
                            "city": link.location.city,
                            "postal_code": link.location.postcode,
                            "country": "GB",
                        }
                    ],
                },
            }
            for link in service.at_locations.all()
        ],
        "attributes": [
            {
                "id": _child_id(service.pk, f"taxonomy/{t.code}"),
                "taxonomy_term": {
                    "id": str(t.pk),
                    "code": t.code,
                    "term": t.name,
                    "vocabulary": t.vocabulary,
                },
            }
            for t in service.categories.all()
        ],
        EXTENSION: {
            "takes_referrals": service.takes_referrals,
            "referral_how": service.referral_how,
            "is_crisis_help": service.is_crisis_help,
            "crisis_help_order": service.crisis_help_order,
            "area": service.area,
            "area_description": service.area_description,
        },
    }


def services_page(services: list[Service]) -> dict[str, Any]:
    """All services as one page of the ORUK `/services` response."""
    return {
        "total_items": len(services),
        "total_pages": 1,
        "number": 1,
        "size": len(services),
        "first_page": True,
        "last_page": True,
        "empty": not services,
        "content": [service_to_oruk(s) for s in services],
    }


# --- Import -------------------------------------------------------------------------------


class FeedError(ValueError):
    """The feed is not shaped like ORUK."""


@dataclass
class FeedOrganization:
    oruk_id: str
    name: str
    description: str = ""
    website: str = ""
    email: str = ""


@dataclass
class FeedSchedule:
    byday: str
    opens_at: dt.time
    closes_at: dt.time
    description: str = ""


@dataclass
class FeedLocation:
    oruk_id: str
    name: str
    description: str = ""
    address_1: str = ""
    city: str = ""
    postcode: str = ""


@dataclass
class FeedService:
    oruk_id: str
    name: str
    fields: dict[str, Any]
    organization: FeedOrganization | None
    # None where the feed says nothing about them: keep what is stored.
    phones: list[tuple[str, str]] | None
    schedules: list[FeedSchedule] | None
    locations: list[FeedLocation] | None
    # None when the feed uses no terms from our vocabulary: keep the local categories.
    categories: list[str] | None
    # Our own fields, present only in a feed we exported.
    local: dict[str, Any] = field(default_factory=dict)


def _text(value: Any, limit: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    return text[:limit] if limit else text


def _time(value: Any) -> dt.time | None:
    text = _text(value)
    if not text:
        return None
    try:
        return dt.time.fromisoformat(text[:8])
    except ValueError:
        return None


def _list(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _services_in(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return _list(data)
    if isinstance(data, dict):
        for key in ("content", "services", "contents"):
            if isinstance(data.get(key), list):
                return _list(data[key])
        if "id" in data and "name" in data:
            return [data]
    raise FeedError("This file is not an ORUK feed: expected a list of services.")


def _organization(raw: Any) -> FeedOrganization | None:
    if not isinstance(raw, dict) or not _text(raw.get("id")) or not _text(raw.get("name")):
        return None
    return FeedOrganization(
        oruk_id=_text(raw["id"], 200),
        name=_text(raw["name"], 200),
        description=_text(raw.get("description")),
        website=_text(raw.get("website") or raw.get("url"), 500),
        email=_text(raw.get("email"), 254),
    )


def _phones(raw: dict[str, Any]) -> list[tuple[str, str]]:
    found = list(_list(raw.get("phones")))
    for contact in _list(raw.get("contacts")):
        found.extend(_list(contact.get("phones")))
    phones: list[tuple[str, str]] = []
    for phone in found:
        number = _text(phone.get("number"), 40)
        if number and number not in {n for n, _ in phones}:
            phones.append((number, _text(phone.get("description"), 300)))
    return phones


def _schedules(raw: dict[str, Any]) -> tuple[list[FeedSchedule], str]:
    rows = _list(raw.get("schedules")) + _list(raw.get("regular_schedules"))
    schedules: list[FeedSchedule] = []
    described: list[str] = []
    for row in rows:
        opens, closes = _time(row.get("opens_at")), _time(row.get("closes_at"))
        days = [d.strip().upper() for d in _text(row.get("byday")).split(",") if d.strip()]
        days = [d for d in days if d in Weekday.values]
        if opens is not None and closes is not None and days:
            for day in days:
                schedules.append(
                    FeedSchedule(day, opens, closes, _text(row.get("description"), 300))
                )
        elif _text(row.get("description")):
            described.append(_text(row.get("description")))
    return schedules, "; ".join(described)[:300]


def _locations(raw: dict[str, Any]) -> list[FeedLocation]:
    locations = []
    for link in _list(raw.get("service_at_locations")):
        place = link.get("location")
        if not isinstance(place, dict) or not _text(place.get("id")):
            continue
        addresses = _list(place.get("physical_addresses")) + _list(place.get("addresses"))
        address = addresses[0] if addresses else {}
        locations.append(
            FeedLocation(
                oruk_id=_text(place["id"], 200),
                name=_text(place.get("name"), 200) or _text(address.get("address_1"), 200),
                description=_text(place.get("description")),
                address_1=_text(address.get("address_1"), 300),
                city=_text(address.get("city"), 100),
                postcode=_text(address.get("postal_code"), 10),
            )
        )
    return locations


def _categories(raw: dict[str, Any]) -> list[str] | None:
    terms: list[dict[str, Any]] = []
    for attribute in _list(raw.get("attributes")):
        if isinstance(attribute.get("taxonomy_term"), dict):
            terms.append(attribute["taxonomy_term"])
    for link in _list(raw.get("service_taxonomys")):
        if isinstance(link.get("taxonomy"), dict):
            terms.append(link["taxonomy"])
    ours = [t for t in terms if _text(t.get("vocabulary")) == VOCABULARY]
    if not ours:
        return None
    codes = {_text(t.get("code")) or _text(t.get("name")) for t in ours}
    return sorted(code for code in codes if code in Category.values)


def _eligibility(raw: dict[str, Any]) -> str:
    if _text(raw.get("eligibility_description")):
        return _text(raw["eligibility_description"])
    return "; ".join(
        _text(e.get("eligibility")) for e in _list(raw.get("eligibilitys")) if e.get("eligibility")
    )


def _area(raw: dict[str, Any]) -> tuple[str, str]:
    """(area choice or '', description) from ORUK service_areas."""
    names = [_text(a.get("service_area") or a.get("name")) for a in _list(raw.get("service_areas"))]
    names = [n for n in names if n]
    by_word = {
        "leicester": Area.LEICESTER,
        "leicestershire": Area.LEICESTERSHIRE,
        "rutland": Area.RUTLAND,
    }
    matched = {by_word[n.casefold()] for n in names if n.casefold() in by_word}
    area = ""
    if len(matched) == 3:
        area = Area.LLR
    elif len(matched) == 1 and len(names) == 1:
        area = matched.pop()
    return area, "; ".join(names)[:300]


def parse_service(raw: dict[str, Any]) -> FeedService:
    oruk_id, name = _text(raw.get("id"), 200), _text(raw.get("name"), 200)
    if not oruk_id or not name:
        raise FeedError("Every service in the feed needs an id and a name.")
    status = _text(raw.get("status")).lower()
    schedules, hours_description = _schedules(raw)
    area, area_description = _area(raw)
    assured = _text(raw.get("assured_date"))[:10]
    # Only what the feed states is written, so a feed that leaves a field out does not
    # blank what the team recorded locally.
    fields: dict[str, Any] = {"name": name}
    if "description" in raw:
        fields["description"] = _text(raw.get("description"))
    if "eligibility_description" in raw or "eligibilitys" in raw:
        fields["who_it_is_for"] = _eligibility(raw)
    if "url" in raw:
        fields["url"] = _text(raw.get("url"), 500)
    if "email" in raw:
        fields["email"] = _text(raw.get("email"), 254)
    if "status" in raw:
        fields["status"] = (
            ServiceStatus.ACTIVE if status in ("", "active") else ServiceStatus.INACTIVE
        )
    if "schedules" in raw or "regular_schedules" in raw:
        fields["hours_description"] = hours_description
    if "service_areas" in raw:
        fields["area_description"] = area_description
        if area:
            fields["area"] = area
    if "assured_date" in raw:
        fields["assured_date"] = dt.date.fromisoformat(assured) if _is_date(assured) else None
    local: dict[str, Any] = {}
    extension = raw.get(EXTENSION)
    if isinstance(extension, dict):
        for key, kind in (
            ("takes_referrals", bool),
            ("referral_how", str),
            ("is_crisis_help", bool),
            ("crisis_help_order", int),
            ("area", str),
            ("area_description", str),
        ):
            if isinstance(extension.get(key), kind):
                local[key] = extension[key]
        if local.get("area") not in (*Area.values, ""):
            local.pop("area", None)
    return FeedService(
        oruk_id=oruk_id,
        name=name,
        fields=fields,
        organization=_organization(raw.get("organization")),
        phones=_phones(raw) if "phones" in raw or "contacts" in raw else None,
        schedules=schedules if "schedules" in raw or "regular_schedules" in raw else None,
        locations=_locations(raw) if "service_at_locations" in raw else None,
        categories=_categories(raw),
        local=local,
    )


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def parse_feed(data: Any) -> list[FeedService]:
    return [parse_service(raw) for raw in _services_in(data)]
