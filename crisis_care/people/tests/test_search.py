"""Finding a person by NHS number, or by last name and date of birth."""

import pytest
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories

pytestmark = pytest.mark.django_db


def test_it_finds_a_person_by_nhs_number_typed_with_spaces(signed_in, practitioner, person_in_care):
    n = person_in_care.nhs_number
    response = signed_in(practitioner).get(
        reverse("people:search"), {"nhs_number": f"{n[:3]} {n[3:6]} {n[6:]}"}
    )

    text = page_text(response)
    assert "1 person found" in text
    assert "ELLISON, Sam" in text
    assert f"{n[:3]} {n[3:6]} {n[6:]}" in text
    assert "Open record" in text


def test_it_finds_people_by_last_name_and_date_of_birth_ignoring_case(
    signed_in, practitioner, person_in_care
):
    dob = person_in_care.date_of_birth
    response = signed_in(practitioner).get(
        reverse("people:search"),
        {
            "family_name": "ellison",
            "date_of_birth[day]": dob.day,
            "date_of_birth[month]": dob.month,
            "date_of_birth[year]": dob.year,
        },
    )

    assert "ELLISON, Sam" in page_text(response)


def test_it_marks_people_outside_the_users_teams(signed_in, practitioner):
    stranger = factories.PersonFactory(family_name="Stranger")

    response = signed_in(practitioner).get(
        reverse("people:search"), {"nhs_number": stranger.nhs_number}
    )

    assert "Not in your team's care" in page_text(response)


def test_it_explains_an_nhs_number_that_fails_the_check(signed_in, practitioner):
    response = signed_in(practitioner).get(reverse("people:search"), {"nhs_number": "9990000011"})

    text = page_text(response)
    assert "There is a problem" in text
    assert "NHS number is not valid" in text
    assert 'href="#id_nhs_number"' in response.text


def test_it_asks_for_a_date_of_birth_with_a_last_name(signed_in, practitioner):
    response = signed_in(practitioner).get(
        reverse("people:search"), {"family_name": "Ellison", "date_of_birth[year]": ""}
    )

    assert "Enter their date of birth as well as their last name" in page_text(response)


def test_searches_are_audited_without_the_search_terms(signed_in, practitioner, person_in_care):
    signed_in(practitioner).get(reverse("people:search"), {"nhs_number": person_in_care.nhs_number})

    event = AuditEvent.objects.get(action=AuditAction.SEARCH)
    assert event.detail == {"by": "nhs_number", "results": 1}
    assert person_in_care.nhs_number not in str(event.detail)


@pytest.mark.parametrize("matches", [1, 25])
def test_search_issues_a_fixed_number_of_queries_however_many_results(
    signed_in, practitioner, team, django_assert_num_queries, matches
):
    for _ in range(matches):
        person = factories.PersonFactory(family_name="Patel", date_of_birth="1980-03-31")
        factories.CareTeamLinkFactory(team=team, person=person)
    client = signed_in(practitioner)
    params = {
        "family_name": "Patel",
        "date_of_birth[day]": "31",
        "date_of_birth[month]": "3",
        "date_of_birth[year]": "1980",
    }

    # session, user, the search with relationship flags (teams joined in), audit insert
    # inside a savepoint pair, session save.
    with django_assert_num_queries(8):
        response = client.get(reverse("people:search"), params)

    assert f"{matches} {'person' if matches == 1 else 'people'} found" in page_text(response)


def test_ig_auditors_cannot_search_for_people(signed_in, staff_user):
    auditor = staff_user(Role.IG_AUDITOR)

    assert signed_in(auditor).get(reverse("people:search")).status_code == 403
