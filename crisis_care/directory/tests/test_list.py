"""Finding services in the directory: filters, search and a fixed number of queries."""

import html
import re

import pytest
from django.urls import reverse

from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.directory.models import ServiceStatus

from .factories import PhoneFactory, RegularScheduleFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    """Service names in the order the list shows them."""
    return [
        html.unescape(name)
        for name in re.findall(r'class="nhsuk-card__link" href="[^"]+">([^<]+)</a>', response.text)
    ]


@pytest.fixture
def client_for(signed_in, staff_user):
    return signed_in(staff_user(Role.SUPPORT_WORKER))


def test_it_lists_every_active_service_with_its_numbers_and_hours(client_for):
    response = client_for.get(reverse("directory:list"))

    text = page_text(response)
    assert "12 services" in text
    assert "Samaritans" in text
    assert "116 123" in text
    assert 'href="tel:116123"' in response.text
    assert "Three evenings a week; check times before you go" in text


def test_it_filters_by_kind_of_help(client_for):
    response = client_for.get(reverse("directory:list"), {"category": "crisis_line"})

    assert names(response) == ["24/7 mental health line (LLR Central Access Point)", "Samaritans"]
    assert "2 services found" in page_text(response)


def test_filtering_by_rutland_finds_llr_wide_and_national_services_but_not_city_ones(client_for):
    ServiceFactory(name="Oakham drop-in", area="rutland")

    found = names(client_for.get(reverse("directory:list"), {"area": "rutland"}))

    assert "Oakham drop-in" in found
    assert "Crisis Resolution and Home Treatment Team" in found
    assert "Samaritans" in found
    assert "Crisis café" not in found
    assert "Crisis Response Service (CRS)" not in found


def test_it_filters_to_services_that_take_referrals(client_for):
    found = names(client_for.get(reverse("directory:list"), {"takes_referrals": "yes"}))

    assert found == [
        "24/7 mental health line (LLR Central Access Point)",
        "Community mental health team (CMHT)",
        "Crisis Resolution and Home Treatment Team",
        "Crisis Response Service (CRS)",
    ]


def test_search_matches_every_word_in_name_description_or_organisation(client_for):
    assert names(client_for.get(reverse("directory:list"), {"q": "café"})) == ["Crisis café"]
    assert names(client_for.get(reverse("directory:list"), {"q": "turning point café"})) == [
        "Crisis café"
    ]
    assert "Crisis Response Service (CRS)" in names(
        client_for.get(reverse("directory:list"), {"q": "county council"})
    )


def test_it_says_when_nothing_matches(client_for):
    response = client_for.get(reverse("directory:list"), {"q": "zzzz-nothing"})

    assert "No services match" in page_text(response)


def test_services_not_running_are_left_out_of_the_list(client_for):
    ServiceFactory(name="Closed drop-in", status=ServiceStatus.INACTIVE)

    assert "Closed drop-in" not in names(client_for.get(reverse("directory:list")))


@pytest.mark.parametrize("extra", [3, 30])
def test_the_list_issues_a_fixed_number_of_queries_however_many_services(
    client_for, django_assert_num_queries, extra
):
    for _ in range(extra):
        service = ServiceFactory(categories=["peer_support", "housing"])
        PhoneFactory(service=service)
        RegularScheduleFactory(service=service)

    # session, user, services (organisation joined), phones, schedules, categories,
    # session save inside a savepoint pair.
    with django_assert_num_queries(10):
        response = client_for.get(reverse("directory:list"))

    assert len(names(response)) == 12 + extra
