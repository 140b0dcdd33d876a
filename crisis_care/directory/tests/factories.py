"""Factories for directory records (move to crisis_care.nonprod.factories when the demo
data wants directory entries too)."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from crisis_care.directory.models import (
    Area,
    Organization,
    Phone,
    RegularSchedule,
    Service,
    Taxonomy,
)


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Synthetic Support Trust {n}")


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Synthetic drop-in {n}")
    description = "Somewhere to talk and get practical help."
    who_it_is_for = "Adults in Leicester."
    area = Area.LEICESTER

    @factory.post_generation
    def categories(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            self.categories.set(Taxonomy.objects.filter(code__in=extracted))


class PhoneFactory(DjangoModelFactory):
    class Meta:
        model = Phone

    service = factory.SubFactory(ServiceFactory)
    number = factory.Sequence(lambda n: f"0116 496 {n % 10000:04d}")


class RegularScheduleFactory(DjangoModelFactory):
    class Meta:
        model = RegularSchedule

    service = factory.SubFactory(ServiceFactory)
    byday = "MO"
    opens_at = dt.time(9, 0)
    closes_at = dt.time(17, 0)
