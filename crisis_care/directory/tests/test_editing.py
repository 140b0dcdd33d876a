"""Adding and changing services: validation, stale edits, audit and escaping."""

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.directory import services
from crisis_care.directory.models import Organization, Service

from .conftest import service_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(staff_user):
    return staff_user(Role.TEAM_MANAGER)


def edit_url(service: Service) -> str:
    return reverse("directory:edit", args=[service.pk])


def test_a_manager_changes_a_service_and_the_change_is_versioned_and_audited(
    signed_in, manager, cafe
):
    response = signed_in(manager).post(
        edit_url(cafe),
        service_post(
            cafe,
            description="Drop-in crisis café in the city centre.",
            phone_1_number="0116 496 0123",
            phone_1_description="Café phone, when open",
            categories=["crisis_cafe", "peer_support"],
            schedule_1_days=["TH", "FR", "SA"],
            schedule_1_opens="6pm",
            schedule_1_closes="2am",
        ),
    )

    assert response.status_code == 302
    cafe.refresh_from_db()
    assert cafe.description == "Drop-in crisis café in the city centre."
    assert cafe.version == 2
    assert [p.number for p in cafe.phones.all()] == ["0116 496 0123"]
    assert sorted(s.byday for s in cafe.schedules.all()) == ["FR", "SA", "TH"]
    event = AuditEvent.objects.get(object_id=cafe.pk, action=AuditAction.UPDATE)
    assert event.detail == {"changed": ["categories", "description", "opening times", "phones"]}
    page = page_text(signed_in(manager).get(reverse("directory:detail", args=[cafe.pk])))
    assert "Thursday to Saturday, 6pm to 2am the next day" in page
    assert "Drop-in crisis café in the city centre." in page


def test_the_edit_form_shows_the_current_opening_times_grouped_by_hours(signed_in, manager, cafe):
    evening = (dt.time(18, 0), dt.time(23, 0))
    services.service_update(
        service=cafe,
        data={"schedules": [("MO", *evening), ("WE", *evening)]},
        expected_version=cafe.version,
        by=manager,
    )

    response = signed_in(manager).get(edit_url(cafe))

    checked = re.findall(
        r'name="schedule_1_days" type="checkbox" value="(\w\w)" checked', response.text
    )
    assert checked == ["MO", "WE"]
    assert 'name="schedule_1_opens" type="text" value="6pm"' in response.text
    assert 'name="schedule_1_closes" type="text" value="11pm"' in response.text


def test_it_refuses_a_stale_edit_and_keeps_the_users_input(signed_in, manager, staff_user, cafe):
    opened_at_version = cafe.version
    colleague = staff_user(Role.ADMINISTRATOR)
    first = signed_in(colleague).post(
        edit_url(cafe), service_post(cafe, who_it_is_for="Adults 18 and over.")
    )
    assert first.status_code == 302

    response = signed_in(manager).post(
        edit_url(cafe),
        service_post(
            cafe, version=opened_at_version, description="Now open on Friday and Saturday nights."
        ),
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Someone else changed this record while you were editing it" in text
    assert "Now open on Friday and Saturday nights." in text
    assert "Your form differs from the saved record in: What it offers, Who it is for" in text
    cafe.refresh_from_db()
    assert cafe.who_it_is_for == "Adults 18 and over."
    assert cafe.description != "Now open on Friday and Saturday nights."

    # Having checked, saving again from the re-shown form is accepted.
    assert f'name="version" value="{cafe.version}"' in response.text
    again = signed_in(manager).post(
        edit_url(cafe),
        service_post(cafe, description="Now open on Friday and Saturday nights."),
    )
    assert again.status_code == 302
    cafe.refresh_from_db()
    assert cafe.description == "Now open on Friday and Saturday nights."
    assert cafe.who_it_is_for == "Adults 18 and over."


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter the service's name"),
        ({"name": "   "}, "Enter the service's name"),
        ({"description": ""}, "Enter what the service offers"),
        ({"email": "cafe@"}, "Enter an email address in the correct format, like name@example.com"),
        ({"url": "not a web address"}, "Enter a web address in the correct format"),
        ({"area": ""}, "Select the area the service serves"),
        ({"phone_1_number": "call us"}, "Enter phone number 1 in the correct format"),
        ({"phone_1_description": "Main line"}, "Enter phone number 1, or remove what it is for"),
        (
            {"schedule_1_days": ["MO"], "schedule_1_opens": "9am", "schedule_1_closes": "9:00"},
            "Closing time must be different from the opening time (opening times 1)",
        ),
        (
            {"schedule_1_days": ["MO"], "schedule_1_opens": "25:00", "schedule_1_closes": "5pm"},
            "Enter the opening time for opening times 1 in the correct format, like 9am or 17:30",
        ),
        (
            {"schedule_1_opens": "9am", "schedule_1_closes": "5pm"},
            "Select the days for opening times 1",
        ),
        (
            {"schedule_1_days": ["TU"], "schedule_1_opens": "9am"},
            "Enter the closing time for opening times 1",
        ),
        ({"crisis_help_order": "first"}, "Position must be a whole number, like 70"),
    ],
)
def test_it_explains_bad_input_in_the_error_summary_and_saves_nothing(
    signed_in, manager, cafe, overrides, message
):
    response = signed_in(manager).post(edit_url(cafe), service_post(cafe, **overrides))

    assert response.status_code == 200
    text = page_text(response)
    assert "Error:" in response.text.split("</title>")[0]
    assert "There is a problem" in text
    assert message in text
    cafe.refresh_from_db()
    assert cafe.version == 1


def test_an_error_summary_link_goes_to_the_field(signed_in, manager, cafe):
    response = signed_in(manager).post(edit_url(cafe), service_post(cafe, email="cafe@"))

    assert 'href="#id_email"' in response.text
    assert 'id="id_email"' in response.text


def test_a_manager_adds_a_service_with_a_new_organisation(signed_in, manager):
    response = signed_in(manager).post(
        reverse("directory:create"),
        service_post(
            new_organization="Rutland Peer Network",
            phone_1_number="01572 000000",
            schedule_1_days=["WE"],
            schedule_1_opens="7pm",
            schedule_1_closes="9pm",
            categories=["peer_support"],
        ),
    )

    service = Service.objects.get(name="Oakham peer support group")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:detail", args=[service.pk])
    assert service.organization == Organization.objects.get(name="Rutland Peer Network")
    assert service.area == "rutland"
    assert [t.code for t in service.categories.all()] == ["peer_support"]
    assert AuditEvent.objects.filter(object_id=service.pk, action=AuditAction.CREATE).exists()
    page = page_text(signed_in(manager).get(response["Location"]))
    assert "Wednesday, 7pm to 9pm" in page
    assert "Rutland Peer Network" in page


def test_choosing_and_adding_an_organisation_at_once_is_refused(signed_in, manager, cafe):
    response = signed_in(manager).post(
        edit_url(cafe), service_post(cafe, new_organization="Another organisation")
    )

    assert "Either choose an organisation from the list or add a new one, not both" in page_text(
        response
    )


def test_crisis_help_without_a_position_goes_after_the_numbered_ones(signed_in, manager):
    signed_in(manager).post(
        reverse("directory:create"),
        service_post(is_crisis_help="True", crisis_help_order=""),
    )

    service = Service.objects.get(name="Oakham peer support group")
    assert service.is_crisis_help
    assert service.crisis_help_order == 100


def test_script_typed_into_a_service_is_shown_as_text(signed_in, manager, cafe):
    script = "<script>alert('x')</script>"
    signed_in(manager).post(
        edit_url(cafe),
        service_post(
            cafe,
            description=script,
            who_it_is_for=script,
            phone_1_number="0116 496 0000",
            phone_1_description=script,
            hours_description=script,
        ),
    )

    for url in (reverse("directory:detail", args=[cafe.pk]), reverse("directory:list")):
        response = signed_in(manager).get(url)
        assert script not in response.text
        assert "&lt;script&gt;alert(" in response.text


def test_a_website_that_is_not_http_is_not_made_a_link(signed_in, manager, cafe):
    Service.objects.filter(pk=cafe.pk).update(url="javascript:alert(1)")

    response = signed_in(manager).get(reverse("directory:detail", args=[cafe.pk]))

    assert 'href="javascript:' not in response.text


def test_an_unknown_service_is_not_found(signed_in, manager):
    assert (
        signed_in(manager).get(reverse("directory:detail", args=[uuid.uuid4()])).status_code == 404
    )
