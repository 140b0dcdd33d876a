"""Other services involved (CORE 25a, 25d): added from the directory or by name, flagged as a
secondary mental health service, with the end-of-care and follow-on plan agreed; the edit is
version-checked and a stale save keeps what was typed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.testing import page_text
from crisis_care.directory.tests.factories import ServiceFactory
from crisis_care.discharge.models import InvolvedService
from crisis_care.discharge.services import aftercare as services

pytestmark = pytest.mark.django_db


def add_url(episode) -> str:
    return reverse("discharge:involved_service_add", args=[episode.pk])


def edit_url(involved) -> str:
    return reverse("discharge:involved_service_edit", args=[involved.pk])


def date_fields(prefix: str, day: dt.date | None) -> dict[str, str]:
    if day is None:
        return {f"{prefix}[day]": "", f"{prefix}[month]": "", f"{prefix}[year]": ""}
    return {
        f"{prefix}[day]": str(day.day),
        f"{prefix}[month]": str(day.month),
        f"{prefix}[year]": str(day.year),
    }


def form_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "service": "",
        "name": "North Leicester CMHT",
        "secondary_mental_health": "yes",
        "contact_name": "Priya Mistry",
        "contact_phone": "0116 496 0123",
        "contact_email": "",
        "plan_agreed": "",
        "plan_agreed_with": "",
        "version": "",
        **date_fields("plan_agreed_on", None),
    }
    data.update(overrides)
    return data


def test_a_service_is_added_by_name_and_shown_on_the_aftercare_page(
    signed_in, practitioner, episode
):
    client = signed_in(practitioner)

    response = client.post(add_url(episode), form_data())

    involved = InvolvedService.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith("#involved-services")
    assert involved.name == "North Leicester CMHT"
    assert involved.secondary_mental_health
    assert involved.service is None
    assert involved.recorded_by == practitioner
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=involved.pk).exists()
    text = page_text(client.get(reverse("discharge:aftercare", args=[episode.pk])))
    assert "North Leicester CMHT is recorded as involved." in text
    assert "No plan agreed yet with North Leicester CMHT" in text


def test_a_service_from_the_directory_takes_its_name(signed_in, practitioner, episode):
    listed = ServiceFactory(name="Talking Space wellbeing service")

    signed_in(practitioner).post(
        add_url(episode),
        form_data(service=str(listed.pk), name="", secondary_mental_health="no"),
    )

    involved = InvolvedService.objects.get()
    assert involved.service == listed
    assert involved.name == "Talking Space wellbeing service"
    assert not involved.secondary_mental_health


def test_the_form_asks_for_a_service_and_whether_it_is_mental_health(
    signed_in, practitioner, episode
):
    response = signed_in(practitioner).post(
        add_url(episode), form_data(name="", secondary_mental_health="")
    )

    text = page_text(response)
    assert "There is a problem" in text
    assert "Choose the service from the directory or enter its name" in text
    assert "Select whether it is a secondary mental health service" in text
    assert not InvolvedService.objects.exists()


def test_an_agreed_plan_needs_its_date_and_who_it_was_agreed_with(signed_in, practitioner, episode):
    response = signed_in(practitioner).post(
        add_url(episode), form_data(plan_agreed="CMHT takes over after the meeting")
    )

    text = page_text(response)
    assert "Enter the date the plan was agreed" in text
    assert "Enter who the plan was agreed with" in text
    assert not InvolvedService.objects.exists()


def test_the_plan_agreed_is_saved_and_meets_25a(signed_in, practitioner, episode):
    client = signed_in(practitioner)
    client.post(add_url(episode), form_data())
    involved = InvolvedService.objects.get()

    response = client.post(
        edit_url(involved),
        form_data(
            plan_agreed="Care coordinator sees Sam within 7 days of discharge",
            plan_agreed_with="Priya Mistry, care coordinator",
            version=str(involved.version),
            **date_fields("plan_agreed_on", timezone.localdate()),
        ),
    )

    assert response.status_code == 302
    involved.refresh_from_db()
    assert involved.plan_agreed == "Care coordinator sees Sam within 7 days of discharge"
    assert involved.plan_agreed_on == timezone.localdate()
    text = page_text(client.get(reverse("discharge:aftercare", args=[episode.pk])))
    assert "Plans agreed with North Leicester CMHT" in text
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=involved.pk).exists()


def test_the_change_page_shows_what_is_saved(signed_in, practitioner, episode):
    involved = services.involved_service_add(
        episode=episode,
        service=None,
        name="Early intervention in psychosis",
        secondary_mental_health=True,
        contact_phone="0116 496 0777",
        by=practitioner,
    )

    response = signed_in(practitioner).get(edit_url(involved))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="Early intervention in psychosis"' in body
    assert 'value="0116 496 0777"' in body
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=involved.pk, section="aftercare"
    ).exists()


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(
    signed_in, practitioner, staff_user, episode
):
    involved = services.involved_service_add(
        episode=episode,
        service=None,
        name="North Leicester CMHT",
        secondary_mental_health=True,
        by=practitioner,
    )
    opened_at = involved.version
    services.involved_service_update(
        involved=involved,
        expected_version=involved.version,
        service=None,
        name="North Leicester CMHT",
        secondary_mental_health=True,
        contact_name="Someone else's contact",
        by=staff_user(),
    )

    response = signed_in(practitioner).post(
        edit_url(involved), form_data(contact_name="My contact", version=str(opened_at))
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record while you were editing it" in text
    assert "Contact name (optional)" in text.split("Your form differs from the saved record in:")[1]
    assert 'value="My contact"' in response.content.decode()
    involved.refresh_from_db()
    assert involved.contact_name == "Someone else's contact"
