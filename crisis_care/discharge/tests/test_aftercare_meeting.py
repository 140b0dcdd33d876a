"""The discharge meeting (CORE 25c, 25d): arranged in the future with a warning (not a
refusal) at short notice, family invited only with consent to share the care plan, one
arranged meeting at a time, cancelled with a reason, recorded as held with who came and what
was agreed; the record and the cancellation are version-checked."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.testing import page_text
from crisis_care.discharge.models import DischargeMeeting, MeetingInvitee
from crisis_care.discharge.services import aftercare as services
from crisis_care.nonprod.factories import ContactFactory
from crisis_care.people import services as people_services
from crisis_care.people.models import ShareScope

pytestmark = pytest.mark.django_db


def consent(contact, scope: str, by) -> None:
    people_services.consent_record(
        contact=contact,
        scope=scope,
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=90),
        note="",
        by=by,
    )


@pytest.fixture
def jo(episode, practitioner):
    """Sam's sister: Sam agreed to share their care plan with her."""
    jo = ContactFactory(person=episode.person, name="Jo Ellison", relationship="sibling")
    consent(jo, ShareScope.CARE_PLAN, practitioner)
    return jo


@pytest.fixture
def lee(episode, practitioner):
    """Sam's brother: general information only."""
    lee = ContactFactory(person=episode.person, name="Lee Ellison", relationship="sibling")
    consent(lee, ShareScope.GENERAL, practitioner)
    return lee


@pytest.fixture
def cmht(episode, practitioner):
    return services.involved_service_add(
        episode=episode,
        service=None,
        name="North Leicester CMHT",
        secondary_mental_health=True,
        by=practitioner,
    )


def arrange_url(episode) -> str:
    return reverse("discharge:meeting_arrange", args=[episode.pk])


def when(days_ahead: float) -> dict[str, str]:
    at = (timezone.now() + dt.timedelta(days=days_ahead)).astimezone(LONDON)
    return {
        "meeting_on[day]": str(at.day),
        "meeting_on[month]": str(at.month),
        "meeting_on[year]": str(at.year),
        "meeting_time": at.strftime("%H:%M"),
    }


def arrange_data(days_ahead: float = 5, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "place": "Sam's home",
        "person_invited": "yes",
        **when(days_ahead),
    }
    data.update(overrides)
    return data


def arranged(episode, by, *, involved=(), contacts=()) -> DischargeMeeting:
    return services.meeting_arrange(
        episode=episode,
        starts_at=timezone.now() + dt.timedelta(days=5),
        place="Sam's home",
        person_invited=True,
        contact_ids=[c.pk for c in contacts],
        involved_service_ids=[s.pk for s in involved],
        by=by,
    )


def started(meeting: DischargeMeeting) -> DischargeMeeting:
    """Move the meeting into the past, as if its time has come."""
    DischargeMeeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1)
    )
    meeting.refresh_from_db()
    return meeting


# -- Arranging -----------------------------------------------------------------------------


def test_the_meeting_is_arranged_with_the_person_family_and_services_invited(
    signed_in, practitioner, episode, jo, cmht
):
    client = signed_in(practitioner)

    response = client.post(
        arrange_url(episode), arrange_data(family=[str(jo.pk)], services=[str(cmht.pk)])
    )

    assert response.status_code == 302
    meeting = DischargeMeeting.objects.get()
    assert meeting.status == "arranged"
    assert meeting.person_invited
    assert meeting.arranged_by == practitioner
    invitees = MeetingInvitee.objects.filter(meeting=meeting)
    assert {i.contact_id for i in invitees if i.contact_id} == {jo.pk}
    assert {i.involved_service_id for i in invitees if i.involved_service_id} == {cmht.pk}
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=meeting.pk).exists()
    text = page_text(client.get(reverse("discharge:aftercare", args=[episode.pk])))
    assert "The discharge meeting is arranged." in text
    assert "less than 2 days" not in text
    assert "Notice given 5 days" in text
    assert "Jo Ellison (brother or sister): invited" in text


def test_the_form_offers_only_family_who_may_see_the_care_plan_and_names_the_others(
    signed_in, practitioner, episode, jo, lee
):
    response = signed_in(practitioner).get(arrange_url(episode))

    body = response.content.decode()
    assert f'value="{jo.pk}"' in body
    assert f'value="{lee.pk}"' not in body
    assert "Sam has not agreed this for: Lee Ellison" in page_text(response)


def test_family_without_consent_to_see_the_care_plan_are_refused_by_name(
    signed_in, practitioner, episode, jo, lee
):
    response = signed_in(practitioner).post(
        arrange_url(episode), arrange_data(family=[str(jo.pk), str(lee.pk)])
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Lee Ellison cannot be invited: Sam has not agreed to share their care plan" in text
    assert not DischargeMeeting.objects.exists()


def test_short_notice_is_warned_about_but_allowed(signed_in, practitioner, episode):
    client = signed_in(practitioner)

    response = client.post(arrange_url(episode), arrange_data(days_ahead=0.25))

    assert response.status_code == 302
    assert DischargeMeeting.objects.filter(status="arranged").exists()
    text = page_text(client.get(response["Location"]))
    assert "The meeting is less than 2 days away" in text
    assert "less than 2 days' notice" in text


def test_a_meeting_in_the_past_is_refused(signed_in, practitioner, episode):
    response = signed_in(practitioner).post(arrange_url(episode), arrange_data(days_ahead=-0.1))

    assert response.status_code == 200
    # Just after midnight the date itself is in the past: either message is right.
    assert re.search(r"must be (today or )?in the future", page_text(response))
    assert not DischargeMeeting.objects.exists()


def test_only_one_meeting_is_arranged_at_a_time_and_a_cancelled_one_can_be_replaced(
    signed_in, practitioner, episode
):
    meeting = arranged(episode, practitioner)
    client = signed_in(practitioner)

    page = page_text(client.get(arrange_url(episode)))
    assert "A discharge meeting is already arranged" in page
    response = client.post(arrange_url(episode), arrange_data(days_ahead=7))
    assert "To change it, cancel it with a reason" in page_text(response)
    assert DischargeMeeting.objects.count() == 1

    cancel = client.post(
        reverse("discharge:meeting_cancel", args=[meeting.pk]),
        {"reason": "Sam asked to move it to next week", "version": str(meeting.version)},
    )
    assert cancel.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert meeting.cancelled_reason == "Sam asked to move it to next week"

    assert client.post(arrange_url(episode), arrange_data(days_ahead=7)).status_code == 302
    assert DischargeMeeting.objects.filter(status="arranged").count() == 1
    text = page_text(client.get(reverse("discharge:aftercare", args=[episode.pk])))
    assert "Why it was cancelled Sam asked to move it to next week" in text


def test_cancelling_needs_a_reason(signed_in, practitioner, episode):
    meeting = arranged(episode, practitioner)

    response = signed_in(practitioner).post(
        reverse("discharge:meeting_cancel", args=[meeting.pk]),
        {"reason": "", "version": str(meeting.version)},
    )

    assert "Enter why the meeting is cancelled" in page_text(response)
    meeting.refresh_from_db()
    assert meeting.status == "arranged"


# -- Recording it as held ------------------------------------------------------------------


def record_url(meeting) -> str:
    return reverse("discharge:meeting_record", args=[meeting.pk])


def test_the_meeting_is_recorded_with_who_came_and_what_was_agreed(
    signed_in, practitioner, episode, jo, cmht
):
    meeting = started(arranged(episode, practitioner, involved=[cmht], contacts=[jo]))
    invitees = {i.contact_id or i.involved_service_id: i for i in meeting.invitees.all()}
    client = signed_in(practitioner)

    page = page_text(client.get(record_url(meeting)))
    assert "Did Jo Ellison (brother or sister) come?" in page
    assert "Did North Leicester CMHT come?" in page
    response = client.post(
        record_url(meeting),
        {
            "person_attended": "yes",
            f"invitee_{invitees[jo.pk].pk}": "no",
            f"invitee_{invitees[cmht.pk].pk}": "yes",
            "agreed": "CMHT care coordinator takes over from Monday.",
            "version": str(meeting.version),
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert meeting.person_attended is True
    assert meeting.held_recorded_by == practitioner
    assert {i.pk: i.attended for i in meeting.invitees.all()} == {
        invitees[jo.pk].pk: False,
        invitees[cmht.pk].pk: True,
    }
    text = page_text(client.get(reverse("discharge:aftercare", args=[episode.pk])))
    assert "Jo Ellison (brother or sister): did not come" in text
    assert "North Leicester CMHT: came" in text
    assert "What was agreed CMHT care coordinator takes over from Monday." in text
    assert "North Leicester CMHT attended" in text  # 25d met


def test_recording_needs_each_answer_and_what_was_agreed(signed_in, practitioner, episode, cmht):
    meeting = started(arranged(episode, practitioner, involved=[cmht]))

    response = signed_in(practitioner).post(
        record_url(meeting), {"person_attended": "", "agreed": "", "version": meeting.version}
    )

    text = page_text(response)
    assert "Select whether the person came" in text
    assert "Select whether North Leicester CMHT came" in text
    assert "Enter what was agreed at the meeting" in text
    meeting.refresh_from_db()
    assert meeting.status == "arranged"


def test_a_meeting_cannot_be_recorded_before_it_starts(signed_in, practitioner, episode):
    meeting = arranged(episode, practitioner)

    response = signed_in(practitioner).post(
        record_url(meeting),
        {"person_attended": "yes", "agreed": "Early", "version": meeting.version},
    )

    assert "The meeting has not started yet" in page_text(response)
    meeting.refresh_from_db()
    assert meeting.status == "arranged"


def test_a_stale_record_is_refused_and_keeps_what_was_typed(
    signed_in, practitioner, staff_user, episode
):
    meeting = started(arranged(episode, practitioner))
    opened_at = meeting.version
    # Someone else changes the meeting's time meanwhile (a concurrent save bumps the version).
    DischargeMeeting.objects.filter(pk=meeting.pk).update(version=opened_at + 1)

    response = signed_in(practitioner).post(
        record_url(meeting),
        {"person_attended": "yes", "agreed": "My notes of the meeting", "version": opened_at},
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "Someone else changed this record while you were editing it" in text
    assert "My notes of the meeting" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "arranged"
    assert meeting.agreed == ""


def test_a_held_meeting_cannot_be_recorded_or_cancelled_again(signed_in, practitioner, episode):
    meeting = started(arranged(episode, practitioner))
    services.meeting_record_held(
        meeting=meeting,
        expected_version=meeting.version,
        person_attended=True,
        attended={},
        agreed="Discharge to GP",
        by=practitioner,
    )
    client = signed_in(practitioner)

    response = client.get(reverse("discharge:meeting_cancel", args=[meeting.pk]))
    assert response.status_code == 302
    response = client.post(
        reverse("discharge:meeting_cancel", args=[meeting.pk]),
        {"reason": "Too late", "version": str(meeting.version + 1)},
    )
    assert "This meeting has already been held" in page_text(response)
    meeting.refresh_from_db()
    assert meeting.status == "held"
