"""Writes for the directory: create and change a service, and import an ORUK feed.

Each runs in one transaction and writes its own audit rows. Changing a service refuses
a stale edit (core.concurrency) so two managers cannot silently overwrite each other.
"""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from crisis_care.core.audit import audit_record, changed_fields
from crisis_care.core.concurrency import save_if_current
from crisis_care.core.models import AuditAction, User

from . import oruk
from .models import (
    Location,
    Organization,
    Phone,
    RegularSchedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
)

SERVICE_FIELDS = (
    "organization",
    "name",
    "description",
    "who_it_is_for",
    "email",
    "url",
    "status",
    "hours_description",
    "area",
    "area_description",
    "takes_referrals",
    "referral_how",
    "is_crisis_help",
    "crisis_help_order",
    "assured_date",
)

PhoneRow = tuple[str, str]
ScheduleRow = tuple[str, dt.time, dt.time]


def _organization_for(data: dict[str, Any]) -> Organization | None:
    """The chosen organisation, or a new one when a new name is typed."""
    name = (data.get("new_organization") or "").strip()
    if name:
        existing = Organization.objects.filter(name__iexact=name).first()
        return existing or Organization.objects.create(name=name)
    organization: Organization | None = data.get("organization")
    return organization


def _clean_service_data(data: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: data[k] for k in SERVICE_FIELDS if k in data}
    if "organization" in data or "new_organization" in data:
        cleaned["organization"] = _organization_for(data)
    if "is_crisis_help" in cleaned and not cleaned["is_crisis_help"]:
        cleaned["crisis_help_order"] = 0
    return cleaned


def phone_rows(service: Service) -> list[PhoneRow]:
    return [(p.number, p.description) for p in service.phones.all()]


def schedule_rows(service: Service) -> list[ScheduleRow]:
    return sorted((s.byday, s.opens_at, s.closes_at) for s in service.schedules.all())


def category_codes(service: Service) -> list[str]:
    return sorted(t.code for t in service.categories.all())


def _set_phones(service: Service, phones: list[PhoneRow]) -> bool:
    if phone_rows(service) == phones:
        return False
    Phone.objects.filter(service=service).delete()
    Phone.objects.bulk_create(
        Phone(service=service, number=number, description=description, order=order)
        for order, (number, description) in enumerate(phones)
    )
    return True


def _set_schedules(
    service: Service, schedules: list[ScheduleRow], descriptions: list[str] | None = None
) -> bool:
    if schedule_rows(service) == sorted(schedules) and descriptions is None:
        return False
    RegularSchedule.objects.filter(service=service).delete()
    RegularSchedule.objects.bulk_create(
        RegularSchedule(
            service=service,
            byday=byday,
            opens_at=opens,
            closes_at=closes,
            description=(descriptions[i] if descriptions else ""),
        )
        for i, (byday, opens, closes) in enumerate(schedules)
    )
    return True


def _set_categories(service: Service, codes: list[str]) -> bool:
    if category_codes(service) == sorted(codes):
        return False
    service.categories.set(Taxonomy.objects.filter(code__in=codes))
    return True


def _children_changed(service: Service, data: dict[str, Any]) -> list[str]:
    changed = []
    if "phones" in data and _set_phones(service, data["phones"]):
        changed.append("phones")
    if "schedules" in data and _set_schedules(service, data["schedules"]):
        changed.append("opening times")
    if "categories" in data and _set_categories(service, data["categories"]):
        changed.append("categories")
    return changed


@transaction.atomic
def service_create(*, data: dict[str, Any], by: User) -> Service:
    """Add a service to the directory, with its phones, opening times and categories."""
    service = Service.objects.create(**_clean_service_data(data))
    _children_changed(service, data)
    audit_record(actor=by, action=AuditAction.CREATE, obj=service, section="directory")
    return service


@transaction.atomic
def service_update(
    *, service: Service, data: dict[str, Any], expected_version: int, by: User
) -> Service:
    """Save changes to a service, refusing a stale edit (StaleEdit)."""
    cleaned = _clean_service_data(data)
    before = {k: getattr(service, k) for k in cleaned}
    service = save_if_current(service, expected_version=expected_version, fields=cleaned)
    changed = changed_fields(before, cleaned)["changed"] + _children_changed(service, data)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        obj=service,
        section="directory",
        detail={"changed": sorted(changed)},
    )
    return service


# --- ORUK import --------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged"
        )


def _as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _find_by_feed_id(model: type[Any], oruk_id: str) -> Any:
    """The record with this ORUK id; or, for a feed we exported ourselves, the local
    record whose primary key is the id (those have no ORUK id of their own)."""
    found = model.objects.filter(oruk_id=oruk_id).first()
    if found is None and (pk := _as_uuid(oruk_id)) is not None:
        found = model.objects.filter(pk=pk, oruk_id="").first()
    return found


def _import_organization(feed: oruk.FeedOrganization) -> Organization:
    values = {
        "name": feed.name,
        "description": feed.description,
        "website": feed.website,
        "email": feed.email,
    }
    org = _find_by_feed_id(Organization, feed.oruk_id)
    if org is None:
        return Organization.objects.create(oruk_id=feed.oruk_id, **values)
    if any(getattr(org, k) != v for k, v in values.items()):
        Organization.objects.filter(pk=org.pk).update(**values, updated_at=timezone.now())
    return org


def _import_locations(service: Service, feeds: list[oruk.FeedLocation]) -> bool:
    wanted = []
    for feed in feeds:
        values = {
            "name": feed.name,
            "description": feed.description,
            "address_1": feed.address_1,
            "city": feed.city,
            "postcode": feed.postcode,
        }
        place = _find_by_feed_id(Location, feed.oruk_id)
        if place is None:
            place = Location.objects.create(oruk_id=feed.oruk_id, **values)
        elif any(getattr(place, k) != v for k, v in values.items()):
            Location.objects.filter(pk=place.pk).update(**values, updated_at=timezone.now())
        wanted.append(place.pk)
    current = set(
        ServiceAtLocation.objects.filter(service=service).values_list("location_id", flat=True)
    )
    if current == set(wanted):
        return False
    ServiceAtLocation.objects.filter(service=service).exclude(location_id__in=wanted).delete()
    ServiceAtLocation.objects.bulk_create(
        ServiceAtLocation(service=service, location_id=pk) for pk in wanted if pk not in current
    )
    return True


def _import_service(feed: oruk.FeedService, by: User | None, result: ImportResult) -> None:
    values: dict[str, Any] = {**feed.fields, **feed.local}
    if feed.organization is not None:
        values["organization"] = _import_organization(feed.organization)
    service = _find_by_feed_id(Service, feed.oruk_id)
    created = service is None
    if service is None:
        service = Service.objects.create(oruk_id=feed.oruk_id, **values)
        changed = sorted(values)
    else:
        changed = [k for k, v in values.items() if getattr(service, k) != v]
        if changed:
            Service.objects.filter(pk=service.pk).update(
                **values, version=F("version") + 1, updated_at=timezone.now()
            )
    if feed.phones is not None and _set_phones(service, feed.phones):
        changed.append("phones")
    if feed.schedules is not None:
        rows = [(s.byday, s.opens_at, s.closes_at) for s in feed.schedules]
        current = [
            (s.byday, s.opens_at, s.closes_at, s.description) for s in service.schedules.all()
        ]
        incoming = [(s.byday, s.opens_at, s.closes_at, s.description) for s in feed.schedules]
        if sorted(current) != sorted(incoming):
            _set_schedules(service, rows, [s.description for s in feed.schedules])
            changed.append("opening times")
    if feed.locations is not None and _import_locations(service, feed.locations):
        changed.append("locations")
    if feed.categories is not None and _set_categories(service, feed.categories):
        changed.append("categories")
    if created:
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            obj=service,
            section="directory",
            detail={"source": "oruk_import", "oruk_id": feed.oruk_id},
        )
        result.created.append(feed.name)
    elif changed:
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            obj=service,
            section="directory",
            detail={"source": "oruk_import", "oruk_id": feed.oruk_id, "changed": sorted(changed)},
        )
        result.updated.append(feed.name)
    else:
        result.unchanged.append(feed.name)


@transaction.atomic
def oruk_import(*, data: Any, by: User | None) -> ImportResult:
    """Create or update services (and their organisations, phones, opening times,
    locations and categories) from an ORUK feed, matched on each record's ORUK id.

    Running the same feed twice changes nothing the second time. The whole feed goes in
    or, if any service is malformed (oruk.FeedError), none of it does.
    """
    feeds = oruk.parse_feed(data)
    result = ImportResult()
    for feed in feeds:
        _import_service(feed, by, result)
    return result
