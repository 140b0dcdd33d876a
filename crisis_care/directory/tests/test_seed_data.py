"""The directory is seeded with the public services the source documents name."""

import pytest

from crisis_care.directory import selectors
from crisis_care.directory.models import Service

pytestmark = pytest.mark.django_db


def numbers(service: Service) -> list[str]:
    return [p.number for p in service.phones.all()]


def test_it_lists_samaritans_116_123_as_crisis_help():
    samaritans = Service.objects.get(name="Samaritans")

    assert numbers(samaritans) == ["116 123"]
    assert samaritans.is_crisis_help
    assert samaritans.hours_description == "24 hours, every day"


def test_it_seeds_the_crisis_team_and_council_numbers_from_the_seed_documents():
    crisis_team = Service.objects.get(name="Crisis Resolution and Home Treatment Team")
    crs = Service.objects.get(name="Crisis Response Service (CRS)")
    line = Service.objects.get(name__startswith="24/7 mental health line")

    assert numbers(crisis_team) == ["0300 300 1010"]
    assert crisis_team.takes_referrals
    assert crisis_team.at_locations.get().location.name == "Bradgate Unit, Glenfield Hospital"
    assert numbers(crs) == ["0116 305 0495", "0116 305 0004"]
    assert numbers(line) == ["0808 800 3302"]


def test_it_does_not_invent_the_crisis_cafe_nights_or_support_group_numbers():
    cafe = Service.objects.get(name="Crisis café")

    assert cafe.hours_description == "Three evenings a week; check times before you go"
    assert not cafe.schedules.exists()
    for name in ("Mind", "LAMP", "Citizens Advice"):
        assert numbers(Service.objects.get(name=name)) == []


def test_crisis_help_starts_with_999_and_lists_the_six_crisis_services_in_order():
    names = [s.name for s in selectors.crisis_help_services()]

    assert names == [
        "999 emergency services",
        "24/7 mental health line (LLR Central Access Point)",
        "NHS 111",
        "Crisis Resolution and Home Treatment Team",
        "Crisis café",
        "Samaritans",
    ]


def test_every_service_the_seeds_name_is_there():
    names = set(Service.objects.values_list("name", flat=True))

    for expected in (
        "Mind",
        "LAMP",
        "Citizens Advice",
        "Crisis café",
        "NHS 111",
        "Your GP",
        "Community mental health team (CMHT)",
        "Crisis Response Service (CRS)",
    ):
        assert expected in names
