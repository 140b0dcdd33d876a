"""Registering and changing a person's details, contacts and consent."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.people.models import Contact, Person

pytestmark = pytest.mark.django_db


def person_post(person: Person, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": person.version,
        "nhs_number": person.nhs_number,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth[day]": person.date_of_birth.day,
        "date_of_birth[month]": person.date_of_birth.month,
        "date_of_birth[year]": person.date_of_birth.year,
        "gender": person.gender,
        "address_line_1": person.address_line_1,
        "town": person.town,
        "postcode": person.postcode,
        "phone": person.phone,
        "gp_practice": str(person.gp_practice_id) if person.gp_practice_id else "",
    }
    data.update(overrides)
    return data


def test_it_refuses_a_stale_edit_and_keeps_the_users_input(
    signed_in, practitioner, staff_user, person_in_care
):
    url = reverse("people:edit", args=[person_in_care.pk])
    opened_at_version = person_in_care.version
    # A colleague saves a new phone number first.
    colleague = staff_user(Role.REGISTERED_PRACTITIONER)
    first = signed_in(colleague).post(url, person_post(person_in_care, phone="0116 496 0001"))
    assert first.status_code == 302

    response = signed_in(practitioner).post(
        url,
        person_post(person_in_care, version=opened_at_version, address_line_1="12 Narborough Road"),
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Someone else changed this record while you were editing it" in text
    assert 'value="12 Narborough Road"' in response.text
    assert "Your form differs from the saved record in: Address line 1, Phone number" in text
    person_in_care.refresh_from_db()
    assert person_in_care.phone == "0116 496 0001"
    assert person_in_care.address_line_1 != "12 Narborough Road"

    # Having checked, the user saves again from the re-shown form: now it is accepted.
    assert f'name="version" value="{person_in_care.version}"' in response.text
    again = signed_in(practitioner).post(
        url, person_post(person_in_care, address_line_1="12 Narborough Road", phone="0116 496 0001")
    )
    assert again.status_code == 302
    person_in_care.refresh_from_db()
    assert person_in_care.address_line_1 == "12 Narborough Road"
    assert person_in_care.phone == "0116 496 0001"


def test_saving_details_bumps_the_version_and_audits_which_fields_changed(
    signed_in, practitioner, person_in_care
):
    response = signed_in(practitioner).post(
        reverse("people:edit", args=[person_in_care.pk]),
        person_post(person_in_care, postcode="le15ww"),
    )

    assert response.status_code == 302
    person_in_care.refresh_from_db()
    assert person_in_care.postcode == "LE1 5WW"
    assert person_in_care.version == 2
    event = AuditEvent.objects.get(person_id=person_in_care.pk, action=AuditAction.UPDATE)
    assert event.detail == {"changed": ["postcode"]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "9990000011"}, "NHS number is not valid"),
        ({"nhs_number": "12345"}, "NHS number must be 10 digits"),
        ({"postcode": "LE1"}, "Enter a real postcode, like LE1 5WW"),
        ({"date_of_birth[year]": "2999"}, "Date of birth must be today or in the past"),
        ({"date_of_birth[month]": ""}, "Date of birth must include a month"),
        (
            {"date_of_birth[day]": "31", "date_of_birth[month]": "2"},
            "Date of birth must be a real date",
        ),
        ({"given_name": ""}, "Enter their first name"),
        (
            {"interpreter_needed": "on", "interpreter_language": ""},
            "Enter the language they need an interpreter for",
        ),
    ],
)
def test_it_explains_bad_details_in_the_error_summary_and_saves_nothing(
    signed_in, practitioner, person_in_care, overrides, message
):
    response = signed_in(practitioner).post(
        reverse("people:edit", args=[person_in_care.pk]), person_post(person_in_care, **overrides)
    )

    text = page_text(response)
    assert text.startswith("Error:") or "Error:" in response.text.split("</title>")[0]
    assert "There is a problem" in text
    assert message in text
    person_in_care.refresh_from_db()
    assert person_in_care.version == 1


def test_registering_a_person_links_them_to_the_registering_team(signed_in, practitioner, team):
    gp = factories.GPPracticeFactory()
    response = signed_in(practitioner).post(
        reverse("people:register"),
        {
            "nhs_number": "999 000 0018",
            "given_name": "Ruth",
            "family_name": "Okafor",
            "date_of_birth[day]": "2",
            "date_of_birth[month]": "7",
            "date_of_birth[year]": "1986",
            "gender": "2",
            "postcode": "LE11 3AB",
            "phone": "07700 900123",
            "gp_practice": str(gp.pk),
        },
    )

    person = Person.objects.get(nhs_number="9990000018")
    assert response.status_code == 302
    assert person.team_links.get().team == team
    assert AuditEvent.objects.filter(person_id=person.pk, action=AuditAction.CREATE).count() == 2
    assert (
        signed_in(practitioner).get(reverse("people:detail", args=[person.pk])).status_code == 200
    )


def test_it_refuses_a_duplicate_nhs_number(signed_in, practitioner, person_in_care):
    response = signed_in(practitioner).post(
        reverse("people:register"),
        {
            "nhs_number": person_in_care.nhs_number,
            "given_name": "Other",
            "family_name": "Person",
            "date_of_birth[day]": "2",
            "date_of_birth[month]": "7",
            "date_of_birth[year]": "1986",
            "gender": "Z",
        },
    )

    assert "A person with this NHS number is already registered" in page_text(response)
    assert Person.objects.filter(nhs_number=person_in_care.nhs_number).count() == 1


def test_adding_a_carer_with_the_persons_wish(signed_in, practitioner, person_in_care):
    response = signed_in(practitioner).post(
        reverse("people:contact_create", args=[person_in_care.pk]),
        {
            "name": "Jo Ellison",
            "relationship": "sibling",
            "phone": "07700 900456",
            "is_carer": "on",
            "involvement": "involve",
        },
    )

    assert response.status_code == 302
    contact = Contact.objects.get(person=person_in_care)
    assert contact.is_carer
    record = page_text(
        signed_in(practitioner).get(reverse("people:detail", args=[person_in_care.pk]))
    )
    assert "Jo Ellison" in record
    assert "Carer" in record
    assert "Wants them involved" in record
    assert "Consent not recorded" in record


def test_a_contact_needs_a_way_to_reach_them(signed_in, practitioner, person_in_care):
    response = signed_in(practitioner).post(
        reverse("people:contact_create", args=[person_in_care.pk]),
        {"name": "Jo Ellison", "relationship": "sibling", "involvement": "involve"},
    )

    assert "Enter at least one way to reach them" in page_text(response)
    assert not Contact.objects.exists()


def test_recording_consent_keeps_the_history_and_shows_who_recorded_it(
    signed_in, practitioner, person_in_care
):
    contact = factories.ContactFactory(person=person_in_care, name="Jo Ellison")
    url = reverse("people:consent_create", args=[person_in_care.pk, contact.pk])
    review = timezone.localdate() + dt.timedelta(days=90)
    client = signed_in(practitioner)

    for scope in ("general", "care_plan"):
        response = client.post(
            url,
            {
                "scope": scope,
                "capacity": "has",
                "review_on[day]": review.day,
                "review_on[month]": review.month,
                "review_on[year]": review.year,
            },
        )
        assert response.status_code == 302

    contact.refresh_from_db()
    assert contact.current_consent.scope == "care_plan"
    assert contact.consent_history.count() == 2
    record = page_text(client.get(reverse("people:detail", args=[person_in_care.pk])))
    assert "Share: Care plan and progress" in record
    assert f"Recorded by {practitioner}" in record


def test_lacking_capacity_needs_a_best_interests_note(signed_in, practitioner, person_in_care):
    contact = factories.ContactFactory(person=person_in_care)
    review = timezone.localdate() + dt.timedelta(days=30)

    response = signed_in(practitioner).post(
        reverse("people:consent_create", args=[person_in_care.pk, contact.pk]),
        {
            "scope": "care_plan",
            "capacity": "lacks",
            "review_on[day]": review.day,
            "review_on[month]": review.month,
            "review_on[year]": review.year,
        },
    )

    assert "Explain the best-interests decision" in page_text(response)


def test_clerical_staff_cannot_record_consent(signed_in, staff_user, person_in_care):
    clerk = staff_user(Role.ADMINISTRATOR)
    contact = factories.ContactFactory(person=person_in_care)

    response = signed_in(clerk).get(
        reverse("people:consent_create", args=[person_in_care.pk, contact.pk])
    )

    assert response.status_code == 403


def test_error_summary_links_land_on_the_first_radio(signed_in, practitioner, person_in_care):
    response = signed_in(practitioner).post(
        reverse("people:contact_create", args=[person_in_care.pk]),
        {"name": "Jo", "phone": "07700 900456"},
    )

    html = response.content.decode()
    assert 'href="#id_relationship"' in html
    assert 'id="id_relationship"' in html
