"""Reads other stages use: signposting choices and crisis help lists."""

import pytest

from crisis_care.directory import selectors
from crisis_care.directory.models import Service, ServiceStatus

pytestmark = pytest.mark.django_db


def test_services_for_signposting_come_back_in_the_order_chosen(django_assert_num_queries):
    chosen = [Service.objects.get(name=n).pk for n in ("Samaritans", "Mind", "Citizens Advice")]

    with django_assert_num_queries(4):
        found = selectors.services_for_signposting(chosen)
        numbers = [[p.number for p in s.phones.all()] for s in found]

    assert [s.name for s in found] == ["Samaritans", "Mind", "Citizens Advice"]
    assert numbers == [["116 123"], [], []]


def test_a_service_that_stops_running_drops_out_of_crisis_help():
    Service.objects.filter(name="Crisis café").update(status=ServiceStatus.INACTIVE)

    assert "Crisis café" not in [s.name for s in selectors.crisis_help_services()]
