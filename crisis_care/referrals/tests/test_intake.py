"""Taking a referral in one form, with the duplicate check and eligibility shown."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.nonprod import factories
from crisis_care.people.models import CareTeamLink, Person
from crisis_care.referrals.models import AgeCheck, AreaCheck, PriorityChange, Referral, Status

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    now = timezone.now().astimezone(LONDON) - dt.timedelta(minutes=10)
    data = {
        "given_name": "Leah",
        "family_name": "Whitmore",
        "date_of_birth[day]": "14",
        "date_of_birth[month]": "2",
        "date_of_birth[year]": "1991",
        "person_phone": "07700 900111",
        "received_on[day]": now.day,
        "received_on[month]": now.month,
        "received_on[year]": now.year,
        "received_time": now.strftime("%H:%M"),
        "channel": "phone",
        "source": "gp",
        "referrer_name": "Dr Amara Shah",
        "referrer_organisation": "Hollybank Medical Centre",
        "referrer_phone": "0116 496 0000",
        "reason": "Low mood, stopped eating",
        "person_agrees": "agrees",
        "current_postcode": "LE2 1AB",
        "priority": "4",
        "priority_reason": "Plans to end her life tonight",
    }
    data.update(overrides)
    return data


def test_a_gp_referral_by_phone_creates_the_person_the_referral_and_the_team_link(
    signed_in, practitioner, team
):
    response = signed_in(practitioner).post(reverse("referrals:new"), form_data())

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.person.full_name == "Leah Whitmore"
    assert referral.status == Status.NEW
    assert referral.priority == "4"
    assert referral.area_check == AreaCheck.IN_AREA
    assert referral.age_check == AgeCheck.IN_RANGE
    assert PriorityChange.objects.get(referral=referral).set_by == practitioner
    link = CareTeamLink.objects.get(person=referral.person)
    assert (link.team, link.source, link.source_id) == (team, "referral", referral.pk)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=referral.pk).exists()


def test_an_nhs_number_that_matches_uses_the_existing_record(signed_in, practitioner):
    known = factories.PersonFactory(given_name="Leah", family_name="Whitmore")

    signed_in(practitioner).post(reverse("referrals:new"), form_data(nhs_number=known.nhs_number))

    assert Referral.objects.get().person == known
    assert Person.objects.count() == 1


def test_a_name_and_date_of_birth_match_asks_which_record_it_is(signed_in, practitioner):
    known = factories.PersonFactory(
        given_name="Leah", family_name="Whitmore", date_of_birth=dt.date(1991, 2, 14)
    )
    client = signed_in(practitioner)

    first = client.post(reverse("referrals:new"), form_data())
    assert first.status_code == 200
    assert "We found records that may be this person" in page_text(first)
    assert not Referral.objects.exists()

    client.post(reverse("referrals:new"), form_data(person_choice=str(known.pk)))
    assert Referral.objects.get().person == known


def test_choosing_a_new_record_despite_a_match_creates_one(signed_in, practitioner):
    factories.PersonFactory(
        given_name="Leah", family_name="Whitmore", date_of_birth=dt.date(1991, 2, 14)
    )

    signed_in(practitioner).post(reverse("referrals:new"), form_data(person_choice="new"))

    assert Person.objects.filter(family_name="Whitmore").count() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nhs_number": "9990000011"}, "NHS number is not valid"),
        ({"current_postcode": "LE1"}, "Enter a real postcode"),
        ({"date_of_birth[year]": "2999"}, "Date of birth must be today or in the past"),
        ({"received_time": "25:99"}, "Time received must be a real time"),
        (
            {"referrer_phone": "", "person_phone": ""},
            "Enter a call-back number for the referrer or a phone number",
        ),
        ({"reason": ""}, "Enter the reason for the referral"),
        ({"priority": ""}, "Select a triage priority"),
        ({"priority_reason": ""}, "Enter why you chose this priority"),
    ],
)
def test_bad_input_is_explained_and_kept_and_nothing_is_saved(
    signed_in, practitioner, overrides, message
):
    response = signed_in(practitioner).post(reverse("referrals:new"), form_data(**overrides))

    text = page_text(response)
    assert "There is a problem" in text
    assert message in text
    assert 'value="Whitmore"' in response.text
    assert not Referral.objects.exists()
    assert not Person.objects.exists()


def test_a_received_time_in_the_future_is_refused(signed_in, practitioner):
    later = timezone.now().astimezone(LONDON) + dt.timedelta(hours=2)
    response = signed_in(practitioner).post(
        reverse("referrals:new"),
        form_data(
            **{
                "received_on[day]": later.day,
                "received_on[month]": later.month,
                "received_on[year]": later.year,
                "received_time": later.strftime("%H:%M"),
            }
        ),
    )
    assert "Time received must be now or in the past" in page_text(response)
    assert not Referral.objects.exists()


def test_script_in_a_text_field_is_stored_as_text_and_shown_escaped(signed_in, practitioner):
    client = signed_in(practitioner)
    client.post(
        reverse("referrals:new"), form_data(reason="<script>alert(1)</script> very distressed")
    )

    referral = Referral.objects.get()
    assert referral.reason.startswith("<script>")
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_out_of_area_and_out_of_age_referrals_are_recorded_and_flagged_not_dropped(
    signed_in, practitioner
):
    client = signed_in(practitioner)
    client.post(
        reverse("referrals:new"),
        form_data(
            current_postcode="NG1 1AA", **{"date_of_birth[year]": "2010"}
        ),  # a new person: lives here
    )

    referral = Referral.objects.get()
    assert referral.area_check == AreaCheck.OUT_OF_AREA
    assert referral.age_check == AgeCheck.CAMHS
    text = page_text(client.get(reverse("referrals:detail", args=[referral.pk])))
    assert "Check eligibility" in text
    assert "Lives outside Leicester, Leicestershire and Rutland" in text
    assert "Under 18: route to the CAMHS crisis team" in text


def test_a_boundary_district_asks_a_person_to_confirm(signed_in, practitioner):
    signed_in(practitioner).post(reverse("referrals:new"), form_data(current_postcode="LE16 7AB"))
    assert Referral.objects.get().area_check == AreaCheck.CHECK


def test_the_council_crisis_response_form_needs_its_criteria(signed_in, staff_user):
    crs_team = factories.TeamFactory(name="Crisis Response Service", code="lcc-crs", team_type="LA")
    worker = staff_user(Role.REGISTERED_PRACTITIONER, in_team=crs_team)
    client = signed_in(worker)

    missing = client.post(reverse("referrals:new"), form_data(team=str(crs_team.pk)))
    assert "Select at least one crisis response criterion" in page_text(missing)

    client.post(
        reverse("referrals:new"),
        form_data(team=str(crs_team.pk), crs_criteria=["3", "7"], reablement_needed="on"),
    )
    referral = Referral.objects.get()
    assert referral.pathway == "crs"
    assert referral.crs_criteria == ["3", "7"]
    assert referral.reablement_needed


def test_staff_outside_a_team_cannot_take_referrals(signed_in, staff_user):
    loner = staff_user(Role.REGISTERED_PRACTITIONER, in_team=None)
    assert signed_in(loner).get(reverse("referrals:new")).status_code == 403
