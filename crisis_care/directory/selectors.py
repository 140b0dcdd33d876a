"""Reads for the directory. Lists issue a fixed number of queries however many services
there are (one for the services, one per prefetched child table)."""

import uuid
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from .models import (
    Area,
    Organization,
    Phone,
    RegularSchedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
    ServiceTaxonomy,
    Taxonomy,
)

# Filtering by one local authority also finds services for all of LLR and national ones.
AREAS_COVERING: dict[str, list[str]] = {
    Area.LEICESTER: [Area.LEICESTER, Area.LLR, Area.NATIONAL],
    Area.LEICESTERSHIRE: [Area.LEICESTERSHIRE, Area.LLR, Area.NATIONAL],
    Area.RUTLAND: [Area.RUTLAND, Area.LLR, Area.NATIONAL],
    Area.LLR: [Area.LLR, Area.NATIONAL],
    Area.NATIONAL: [Area.NATIONAL],
}


def _with_details(services: QuerySet[Service], *, locations: bool = False) -> QuerySet[Service]:
    services = services.select_related("organization").prefetch_related(
        Prefetch("phones", queryset=Phone.objects.order_by("order", "created_at")),
        Prefetch("schedules", queryset=RegularSchedule.objects.order_by("opens_at")),
        Prefetch("categories", queryset=Taxonomy.objects.order_by("name")),
    )
    if locations:
        services = services.prefetch_related(
            Prefetch(
                "at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").order_by(
                    "location__name"
                ),
            )
        )
    return services


def services_list(
    *,
    search: str = "",
    category: str = "",
    area: str = "",
    takes_referrals: bool | None = None,
    include_inactive: bool = False,
) -> list[Service]:
    """Services matching the filters, by name, with phones, schedules and categories."""
    services = Service.objects.all()
    if not include_inactive:
        services = services.filter(status=ServiceStatus.ACTIVE)
    if search.strip():
        words = search.split()
        for word in words:
            services = services.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(who_it_is_for__icontains=word)
                | Q(organization__name__icontains=word)
            )
    if category:
        services = services.filter(
            pk__in=ServiceTaxonomy.objects.filter(taxonomy__code=category).values("service_id")
        )
    if area:
        services = services.filter(area__in=AREAS_COVERING.get(area, [area]))
    if takes_referrals is not None:
        services = services.filter(takes_referrals=takes_referrals)
    return list(_with_details(services).order_by("name"))


def service_detail(*, pk: uuid.UUID) -> Service:
    """One service with everything its page shows (raises Service.DoesNotExist)."""
    return _with_details(Service.objects.all(), locations=True).get(pk=pk)


def crisis_help_services() -> list[Service]:
    """'How to get crisis help': active crisis-help services in their agreed order.

    Plans and letters read these when they are written, so one change here updates every
    future letter.
    """
    services = Service.objects.filter(is_crisis_help=True, status=ServiceStatus.ACTIVE)
    return list(_with_details(services).order_by("crisis_help_order", "name"))


def services_for_signposting(ids: Iterable[uuid.UUID]) -> list[Service]:
    """The chosen services, with their details, in the order they were chosen."""
    wanted = list(dict.fromkeys(ids))
    found = {s.pk: s for s in _with_details(Service.objects.filter(pk__in=wanted))}
    return [found[pk] for pk in wanted if pk in found]


def services_for_choosing() -> QuerySet[Service]:
    """Active services for a choice list (referral declines, discharge plans)."""
    return Service.objects.filter(status=ServiceStatus.ACTIVE).order_by("name")


def organizations() -> QuerySet[Organization]:
    return Organization.objects.order_by("name")


def services_for_export() -> list[Service]:
    return list(_with_details(Service.objects.all(), locations=True).order_by("name"))
