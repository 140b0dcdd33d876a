"""Referrals on (CORE 25b): to a service from the directory, or to the person's own GP
practice by default; the date sent neither in the future nor before home treatment began;
status changes as immutable history rows kept in step with the referral; version-checked."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.testing import page_text
from crisis_care.directory.tests.factories import ServiceFactory
from crisis_care.discharge.models import OnwardReferral, OnwardReferralStatusChange
from crisis_care.discharge.services import aftercare as services
from crisis_care.people.models import Person

pytestmark = pytest.mark.django_db


def add_url(episode) -> str:
    return reverse("discharge:onward_referral_add", args=[episode.pk])


def status_url(referral) -> str:
    return reverse("discharge:onward_referral_status", args=[referral.pk])


def date_fields(prefix: str, day: dt.date | None) -> dict[str, str]:
    if day is None:
        return {f"{prefix}[day]": "", f"{prefix}[month]": "", f"{prefix}[year]": ""}
    return {
        f"{prefix}[day]": str(day.day),
        f"{prefix}[month]": str(day.month),
        f"{prefix}[year]": str(day.year),
    }


def referral_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "cmht",
        "service": "",
        "reason": "Ongoing care coordination after the crisis",
        **date_fields("sent_on", timezone.localdate()),
    }
    data.update(overrides)
    return data


def status_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "status": "accepted",
        "note": "",
        "worker_name": "",
        "worker_phone": "",
        "appointment_time": "",
        "first_appointment_place": "",
        "version": "",
        **date_fields("appointment_on", None),
    }
    data.update(overrides)
    return data


@pytest.fixture
def cmht():
    return ServiceFactory(name="North Leicester CMHT", takes_referrals=True)


@pytest.fixture
def referral(episode, practitioner, cmht):
    return services.onward_referral_make(
        episode=episode,
        kind="cmht",
        service=cmht,
        reason="Ongoing care coordination",
        sent_on=timezone.localdate(),
        by=practitioner,
    )


# -- Making a referral on ------------------------------------------------------------------


def test_a_referral_to_a_service_in_the_directory_is_recorded_as_sent(
    signed_in, practitioner, episode, cmht
):
    client = signed_in(practitioner)

    response = client.post(add_url(episode), referral_data(service=str(cmht.pk)))

    assert response.status_code == 302
    referral = OnwardReferral.objects.get()
    assert referral.service == cmht
    assert referral.service_name == "North Leicester CMHT"
    assert referral.status == "sent"
    assert [c.status for c in referral.status_history.all()] == ["sent"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=referral.pk).exists()
    text = page_text(client.get(reverse("discharge:aftercare", args=[episode.pk])))
    assert "The referral to North Leicester CMHT is recorded." in text
    assert "Referred to North Leicester CMHT (sent)" in text


def test_a_gp_referral_goes_to_the_persons_practice_by_default(signed_in, practitioner, episode):
    response = signed_in(practitioner).post(add_url(episode), referral_data(kind="gp"))

    assert response.status_code == 302
    referral = OnwardReferral.objects.get()
    assert referral.service is None
    assert referral.service_name == episode.person.gp_practice.name


def test_the_form_says_which_practice_a_gp_referral_goes_to(signed_in, practitioner, episode):
    text = page_text(signed_in(practitioner).get(add_url(episode)))

    assert f"a GP referral goes to {episode.person.gp_practice.name}" in text


def test_a_gp_referral_without_a_practice_on_record_needs_one_chosen(
    signed_in, practitioner, episode
):
    Person.objects.filter(pk=episode.person_id).update(gp_practice=None)

    response = signed_in(practitioner).post(add_url(episode), referral_data(kind="gp"))

    assert "No GP practice is recorded for Sam: choose the practice" in page_text(response)
    assert not OnwardReferral.objects.exists()


def test_any_other_referral_needs_a_service_from_the_directory(signed_in, practitioner, episode):
    response = signed_in(practitioner).post(add_url(episode), referral_data(kind="housing"))

    assert response.status_code == 200
    assert "Choose the service from the directory" in page_text(response)
    assert not OnwardReferral.objects.exists()


def test_the_date_sent_may_not_be_in_the_future(signed_in, practitioner, episode, cmht):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = signed_in(practitioner).post(
        add_url(episode), referral_data(service=str(cmht.pk), **date_fields("sent_on", tomorrow))
    )

    assert "must be today or in the past" in page_text(response)
    assert not OnwardReferral.objects.exists()


def test_the_date_sent_may_not_be_before_home_treatment_began(
    signed_in, practitioner, episode, cmht
):
    before = timezone.localdate() - dt.timedelta(days=2)

    response = signed_in(practitioner).post(
        add_url(episode), referral_data(service=str(cmht.pk), **date_fields("sent_on", before))
    )

    assert "must be on or after the day home treatment started" in page_text(response)
    assert not OnwardReferral.objects.exists()


# -- What the service said -----------------------------------------------------------------


def test_an_accepted_referral_records_the_worker_and_first_appointment(
    signed_in, practitioner, episode, referral
):
    day = timezone.localdate() + dt.timedelta(days=6)
    client = signed_in(practitioner)

    response = client.post(
        status_url(referral),
        status_data(
            worker_name="Priya Mistry",
            worker_phone="0116 496 0123",
            appointment_time="10:30",
            first_appointment_place="Merlyn Vaz Health Centre",
            version=str(referral.version),
            **date_fields("appointment_on", day),
        ),
    )

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    assert referral.worker_name == "Priya Mistry"
    assert referral.first_appointment_at.astimezone(LONDON).date() == day
    assert referral.first_appointment_at.astimezone(LONDON).strftime("%H:%M") == "10:30"
    assert [c.status for c in referral.status_history.all()] == ["sent", "accepted"]
    text = page_text(client.get(reverse("discharge:aftercare", args=[episode.pk])))
    assert "at 10:30am, Merlyn Vaz Health Centre" in text
    assert "With Priya Mistry, 0116 496 0123" in text


def test_a_first_appointment_needs_a_date_and_a_time(signed_in, practitioner, referral):
    response = signed_in(practitioner).post(
        status_url(referral),
        status_data(
            version=str(referral.version),
            **date_fields("appointment_on", timezone.localdate() + dt.timedelta(days=2)),
        ),
    )

    assert "Enter the time of the first appointment" in page_text(response)
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_declined_referral_needs_a_note_and_then_cannot_be_changed(
    signed_in, practitioner, referral
):
    client = signed_in(practitioner)

    response = client.post(
        status_url(referral), status_data(status="declined", version=str(referral.version))
    )
    assert "Enter a note" in page_text(response)

    client.post(
        status_url(referral),
        status_data(
            status="declined",
            note="Not in their area: referred to the city CMHT instead",
            version=str(referral.version),
        ),
    )
    referral.refresh_from_db()
    assert referral.status == "declined"
    change = OnwardReferralStatusChange.objects.filter(referral=referral).last()
    assert change.status == "declined"
    assert change.note == "Not in their area: referred to the city CMHT instead"

    response = client.post(
        status_url(referral), status_data(status="accepted", version=str(referral.version))
    )
    assert "so it cannot be changed" in page_text(response)
    referral.refresh_from_db()
    assert referral.status == "declined"


def test_an_accepted_referral_can_be_withdrawn(practitioner, referral):
    referral = services.onward_referral_status_change(
        referral=referral, expected_version=referral.version, status="accepted", by=practitioner
    )

    referral = services.onward_referral_status_change(
        referral=referral,
        expected_version=referral.version,
        status="withdrawn",
        note="Sam moved to Nottingham",
        by=practitioner,
    )

    assert referral.status == "withdrawn"
    assert [c.status for c in referral.status_history.all()] == ["sent", "accepted", "withdrawn"]


def test_a_stale_status_change_is_refused_and_keeps_what_was_typed(
    signed_in, practitioner, staff_user, referral
):
    opened_at = referral.version
    services.onward_referral_status_change(
        referral=referral,
        expected_version=referral.version,
        status="accepted",
        worker_name="Their worker",
        by=staff_user(),
    )

    response = signed_in(practitioner).post(
        status_url(referral),
        status_data(worker_name="My worker", version=str(opened_at)),
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record while you were editing it" in text
    assert 'value="My worker"' in response.content.decode()
    referral.refresh_from_db()
    assert referral.worker_name == "Their worker"
    assert OnwardReferralStatusChange.objects.filter(referral=referral).count() == 2
