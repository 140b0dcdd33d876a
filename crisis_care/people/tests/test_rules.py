"""The role x action matrix for person records, checked through the pages themselves."""

import pytest
from django.urls import reverse

from crisis_care.core.roles import Role
from crisis_care.nonprod import factories

pytestmark = pytest.mark.django_db

# role -> (search, open record, change details, add contact, record consent, access log, access reviews)
MATRIX = {
    Role.ADMINISTRATOR: (True, True, True, True, False, False, False),
    Role.SUPPORT_WORKER: (True, True, True, True, True, False, False),
    Role.REGISTERED_PRACTITIONER: (True, True, True, True, True, False, False),
    Role.DOCTOR: (True, True, True, True, True, False, False),
    Role.PSYCHOLOGIST: (True, True, True, True, True, False, False),
    Role.TEAM_MANAGER: (True, True, True, True, True, True, True),
    Role.IG_AUDITOR: (False, False, False, False, False, True, True),
    Role.SYSTEM_ADMINISTRATOR: (False, False, False, False, False, False, False),
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_each_role_can_do_exactly_what_its_rules_allow(role, signed_in, staff_user, person_in_care):
    contact = factories.ContactFactory(person=person_in_care)
    client = signed_in(staff_user(role))
    pages = [
        reverse("people:search"),
        reverse("people:detail", args=[person_in_care.pk]),
        reverse("people:edit", args=[person_in_care.pk]),
        reverse("people:contact_create", args=[person_in_care.pk]),
        reverse("people:consent_create", args=[person_in_care.pk, contact.pk]),
        reverse("people:access_log", args=[person_in_care.pk]),
        reverse("people:access_reviews"),
    ]

    allowed = tuple(client.get(url).status_code == 200 for url in pages)

    assert allowed == MATRIX[role]


def test_a_manager_sees_access_logs_only_for_people_their_team_holds(
    signed_in, staff_user, other_team, person_in_care
):
    manager_elsewhere = staff_user(Role.TEAM_MANAGER, in_team=other_team)

    response = signed_in(manager_elsewhere).get(
        reverse("people:access_log", args=[person_in_care.pk])
    )

    assert response.status_code == 403


def test_an_ig_auditor_sees_any_access_log_but_not_the_record(
    signed_in, staff_user, other_team, person_in_care
):
    auditor = staff_user(Role.IG_AUDITOR, in_team=None)
    client = signed_in(auditor)

    assert client.get(reverse("people:access_log", args=[person_in_care.pk])).status_code == 200
    assert client.get(reverse("people:detail", args=[person_in_care.pk])).status_code == 403
