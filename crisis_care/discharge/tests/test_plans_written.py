"""The written discharge plan (CORE 25e–f): on screen, as a tagged PDF, in Easy Read, and the
one-page crisis-help card with nothing personal on it. Crisis numbers come from the directory,
so one change there shows in the next plan."""

# Fixtures are imported from test_plans_fixtures and named as test arguments.
# ruff: noqa: F811

import datetime as dt
import io
import uuid

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.presenters import format_nhs_number
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.directory.tests.factories import PhoneFactory, ServiceFactory
from crisis_care.discharge.models import DischargeMeeting, FollowOnKind, OnwardReferralStatus
from crisis_care.discharge.presenters import plans as presenters
from crisis_care.treatment.models import EpisodeStatus, Medication

from .test_plans_fixtures import (  # noqa: F401 (fixtures)
    CAFE_NIGHTS,
    CAFE_PHONE,
    CMHT,
    CONTACTS,
    CRISIS_LINE,
    HELPS,
    SAMARITANS,
    SIGNS,
    TRIGGERS,
    WORKER,
    WORKER_PHONE,
    card_url,
    change_phone,
    cmht,
    crisis_directory,
    given_url,
    make_contact,
    make_referral_on,
    pdf_pages,
    pdf_text,
    plan_pdf_url,
    plan_url,
    relapse,
)

pytestmark = pytest.mark.django_db


def _medicine(episode, name: str = "Sertraline", **fields) -> Medication:  # type: ignore[no-untyped-def]
    return Medication.objects.create(
        person=episode.person,
        episode=episode,
        name=name,
        dose=fields.pop("dose", "50mg"),
        frequency=fields.pop("frequency", "Once a day, in the morning"),
        started_on=fields.pop("started_on", timezone.localdate()),
        **fields,
    )


def _meeting(episode, practitioner, days: int) -> DischargeMeeting:  # type: ignore[no-untyped-def]
    return DischargeMeeting.objects.create(
        episode=episode,
        starts_at=local_instant(timezone.localdate() + dt.timedelta(days=days), dt.time(14, 30)),
        place="Your home",
        arranged_by=practitioner,
        arranged_at=timezone.now(),
    )


# -- On screen ------------------------------------------------------------------------------


def test_the_plan_says_who_supports_the_person_and_how_to_get_crisis_help(
    signed_in, practitioner, episode, cmht, relapse, crisis_directory
):
    _medicine(episode)
    _meeting(episode, practitioner, days=2)

    response = signed_in(practitioner).get(plan_url(episode))

    assert response.status_code == 200
    text = page_text(response)
    for words in (
        "Your plan after the crisis team",
        "Who will support you after the crisis team",
        CMHT,
        "They have agreed to support you.",
        f"Your worker: {WORKER}",
        f"Phone: {WORKER_PHONE}",
        "at Loughborough Health Centre",
        "Your GP",
        episode.person.gp_practice.name,
        "Your relapse prevention plan",
        SIGNS,
        TRIGGERS,
        HELPS,
        CONTACTS,
        "Your medicines",
        "Sertraline, 50mg, by mouth, once a day, in the morning",
        "Appointments already made",
        f"Your first appointment with {CMHT}, with {WORKER}",
        "Your discharge meeting with the crisis team, at Your home",
        "How to get help in a crisis",
        f"Test mental health line : {CRISIS_LINE} (free, 24 hours)",
        "24 hours, every day",
        f"Test crisis café : {CAFE_PHONE}",
        CAFE_NIGHTS,
        f"Test Samaritans : {SAMARITANS}",
        f"{episode.team.name} : {episode.team.phone} , at any time of the day or night",
        "Tell us how we did",
    ):
        assert words in text, words
    feedback = reverse("feedback:form", args=[episode.team_id])
    assert f'href="http://testserver{feedback}"' in response.content.decode()
    assert f'href="tel:{WORKER_PHONE.replace(" ", "")}"' in response.content.decode()
    assert AuditEvent.objects.filter(
        actor=practitioner,
        action=AuditAction.VIEW,
        section="written discharge plan",
        person_id=episode.person_id,
        detail__format="page standard",
    ).exists()


def test_appointments_are_listed_soonest_first_and_past_ones_are_left_out(
    signed_in, practitioner, episode, make_referral_on, crisis_directory
):
    make_referral_on(episode, name="Later service", appointment_in_days=9)
    make_referral_on(episode, name="Past service", appointment_in_days=-3)
    _meeting(episode, practitioner, days=1)

    text = page_text(signed_in(practitioner).get(plan_url(episode)))

    appointments = text.split("Appointments already made", 1)[1].split("How to get help")[0]
    assert "Past service" not in appointments
    assert appointments.index("discharge meeting") < appointments.index("Later service")


def test_accepted_referrals_come_first_then_sent_and_declined_ones_are_left_out(
    signed_in, practitioner, episode, make_referral_on, crisis_directory
):
    make_referral_on(
        episode, name="Turning Point recovery", kind=FollowOnKind.SUBSTANCE_MISUSE,
        status=OnwardReferralStatus.SENT, sent_days_ago=5,
    )  # fmt: skip
    make_referral_on(episode, name="Housing options", status=OnwardReferralStatus.DECLINED)
    make_referral_on(episode, name=CMHT, sent_days_ago=1)

    text = page_text(signed_in(practitioner).get(plan_url(episode)))

    support = text.split("Who will support you after the crisis team", 1)[1].split("Your GP")[0]
    assert support.index(CMHT) < support.index("Turning Point recovery")
    assert "We have asked them to support you. They will get in touch with you." in support
    assert "Housing options" not in text


def test_without_follow_on_support_the_page_warns_and_offers_no_record_given(
    signed_in, practitioner, episode, crisis_directory
):
    text = page_text(signed_in(practitioner).get(plan_url(episode)))

    assert "The plan does not name who will support the person" in text
    assert "Until then it cannot be recorded as given" in text
    assert "There is no relapse prevention plan yet" in text
    assert "We have not yet agreed who will support you after the crisis team" in text
    assert "Record that the plan was given" not in text


def test_with_follow_on_support_a_practitioner_may_record_it_given(
    signed_in, practitioner, episode, cmht, relapse, crisis_directory
):
    text = page_text(signed_in(practitioner).get(plan_url(episode)))

    assert "The plan does not name who will support the person" not in text
    assert "There is no relapse prevention plan yet" not in text
    assert "Record that the plan was given" in text


def test_the_easy_read_plan_says_the_same_facts_in_short_sentences_and_large_text(
    signed_in, practitioner, episode, cmht, relapse, crisis_directory
):
    _medicine(episode)

    response = signed_in(practitioner).get(plan_url(episode, easy_read=True))

    assert response.status_code == 200
    text = page_text(response)
    for words in (
        "Your plan after the crisis team (Easy Read)",
        "Who will help you next",
        "They have said yes to helping you.",
        f"Your worker is {WORKER}.",
        f"Their phone number is {WORKER_PHONE} .",
        "It is at Loughborough Health Centre.",
        f"Your GP is {episode.person.gp_practice.name}.",
        "Signs you are becoming unwell",
        SIGNS,
        "Things that help you",
        "You take these medicines:",
        "Sertraline, 50mg",
        "If you need help in a crisis",
        f"Call {CRISIS_LINE} (free, 24 hours).",
        f"{CAFE_NIGHTS}.",
        f"You can call the crisis team on {episode.team.phone} .",
        "Tell us how we did",
    ):
        assert words in text, words
    assert 'class="nhsuk-body-l"' in response.content.decode()
    assert "Show the standard version" in text
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        section="written discharge plan",
        detail__format="page easy_read",
    ).exists()


def test_for_someone_who_needs_easy_read_the_page_says_so(
    signed_in, practitioner, episode, cmht, crisis_directory
):
    type(episode.person).objects.filter(pk=episode.person_id).update(easy_read=True)

    text = page_text(signed_in(practitioner).get(plan_url(episode)))

    assert "Sam Ellison needs Easy Read information. Give them the Easy Read version." in text


def test_an_unknown_format_shows_the_standard_plan(
    signed_in, practitioner, episode, cmht, crisis_directory
):
    response = signed_in(practitioner).get(plan_url(episode) + "?format=huge")
    text = page_text(response)
    assert "Who will support you after the crisis team" in text
    assert "(Easy Read)" not in text


def test_the_plan_page_reads_a_fixed_number_of_queries_however_much_it_lists(
    signed_in, practitioner, episode, make_referral_on, make_contact, crisis_directory
):
    client = signed_in(practitioner)
    make_referral_on(episode, name="First service", appointment_in_days=3)
    _medicine(episode)
    make_contact(episode, "care_plan", "Jo Ellison")
    client.get(plan_url(episode))  # warm up (sessions, content types)

    with CaptureQueriesContext(connection) as few:
        assert client.get(plan_url(episode)).status_code == 200

    for n in range(4):
        make_referral_on(episode, name=f"Service {n}", appointment_in_days=4 + n)
        _medicine(episode, name=f"Medicine {n}")
        make_contact(episode, ("care_plan", "general", "nothing", None)[n], f"Relative {n}")
        service = ServiceFactory(name=f"Crisis service {n}", is_crisis_help=True)
        PhoneFactory(service=service)
        PhoneFactory(service=service)

    with CaptureQueriesContext(connection) as many:
        response = client.get(plan_url(episode))

    assert "Service 3" in page_text(response)
    assert "Crisis service 3" in page_text(response)
    assert len(many) == len(few)


# -- The PDF --------------------------------------------------------------------------------


def test_the_pdf_is_tagged_and_has_the_crisis_line_the_cafes_nights_and_the_follow_on_service(
    signed_in, practitioner, episode, cmht, relapse, crisis_directory
):
    response = signed_in(practitioner).get(plan_pdf_url(episode))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'inline; filename="discharge-plan-{today:%Y-%m-%d}.pdf"'
    )
    text = pdf_text(response.content)
    for words in (
        "Your plan after the crisis team",
        CMHT,
        WORKER,
        CRISIS_LINE,
        CAFE_NIGHTS,
        SAMARITANS,
        SIGNS,
        episode.team.phone,
        "Tell us how we did",
    ):
        assert words in text, words
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == presenters.pdf_title(episode.team.name, today, "standard")
    assert episode.person.family_name not in reader.metadata.title
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root  # tagged, for screen readers
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="written discharge plan", detail__format="pdf standard"
    ).exists()


def test_the_easy_read_pdf_has_the_same_facts(
    signed_in, practitioner, episode, cmht, relapse, crisis_directory
):
    response = signed_in(practitioner).get(plan_pdf_url(episode, easy_read=True))

    assert response.status_code == 200
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'inline; filename="discharge-plan-easy-read-{today:%Y-%m-%d}.pdf"'
    )
    text = pdf_text(response.content)
    for words in (
        "(Easy Read)",
        "Who will help you next",
        CMHT,
        f"Your worker is {WORKER}.",
        CRISIS_LINE,
        CAFE_NIGHTS,
        SIGNS,
    ):
        assert words in text, words
    assert "/StructTreeRoot" in pypdf.PdfReader(io.BytesIO(response.content)).trailer["/Root"]


def test_a_change_of_number_in_the_directory_shows_in_the_next_pdf(
    signed_in, practitioner, episode, cmht, crisis_directory
):
    client = signed_in(practitioner)
    assert CRISIS_LINE in pdf_text(client.get(plan_pdf_url(episode)).content)

    change_phone(crisis_directory["line"], "0800 123 4567")

    text = pdf_text(client.get(plan_pdf_url(episode)).content)
    assert "0800 123 4567" in text
    assert CRISIS_LINE not in text


def test_without_crisis_services_in_the_directory_the_plan_still_gives_999_and_111(
    signed_in, practitioner, episode, cmht, crisis_directory
):
    for service in crisis_directory.values():
        service.is_crisis_help = False
        service.save()

    text = page_text(signed_in(practitioner).get(plan_url(episode)))

    assert "Emergency services : 999" in text
    assert "NHS 111 : 111" in text


# -- The crisis-help card -------------------------------------------------------------------


def test_the_crisis_card_is_one_page_with_the_directorys_numbers_and_nothing_personal(
    signed_in, practitioner, episode, cmht, relapse, crisis_directory
):
    person = episode.person

    response = signed_in(practitioner).get(card_url(episode))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == ('inline; filename="how-to-get-help-in-a-crisis.pdf"')
    assert pdf_pages(response.content) == 1
    text = pdf_text(response.content)
    for words in ("How to get help in a crisis", CRISIS_LINE, CAFE_PHONE, CAFE_NIGHTS, SAMARITANS):
        assert words in text, words
    for personal in (
        person.full_name,
        person.family_name,
        person.nhs_number,
        format_nhs_number(person.nhs_number),
        person.gp_practice.name,
        CMHT,
        WORKER,
        SIGNS,
    ):
        assert personal not in text, personal
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert person.family_name not in (reader.metadata.title or "")
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, detail__format="crisis card pdf"
    ).exists()


# -- Who may see it -------------------------------------------------------------------------


def test_a_support_worker_and_an_administrator_may_read_the_plan(
    signed_in, staff_user, episode, cmht, crisis_directory
):
    for role in (Role.SUPPORT_WORKER, Role.ADMINISTRATOR):
        client = signed_in(staff_user(role))
        response = client.get(plan_url(episode))
        assert response.status_code == 200
        assert "Record that the plan was given" not in page_text(response)
        assert client.get(plan_pdf_url(episode)).status_code == 200


def test_an_ig_auditor_is_refused_the_plan(signed_in, staff_user, episode, crisis_directory):
    client = signed_in(staff_user(Role.IG_AUDITOR))
    assert client.get(plan_url(episode)).status_code == 403
    assert client.get(plan_pdf_url(episode)).status_code == 403
    assert client.get(card_url(episode)).status_code == 403


def test_another_team_is_refused_the_plan_its_pdfs_and_recording_with_audit_rows(
    signed_in, staff_user, other_team, episode, cmht, crisis_directory
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    client = signed_in(outsider)

    assert client.get(plan_url(episode)).status_code == 403
    assert client.get(plan_pdf_url(episode)).status_code == 403
    assert client.get(card_url(episode)).status_code == 403
    assert client.get(given_url(episode)).status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=episode.pk
        ).count()
        == 4
    )


def test_a_discharged_episodes_plan_can_be_read_and_printed_but_not_recorded_given(
    signed_in, practitioner, episode, cmht, crisis_directory
):
    type(episode).objects.filter(pk=episode.pk).update(status=EpisodeStatus.CLOSED)
    client = signed_in(practitioner)

    page = client.get(plan_url(episode))

    assert page.status_code == 200
    text = page_text(page)
    assert "Record that the plan was given" not in text
    assert "This episode has ended" in text
    assert client.get(plan_pdf_url(episode)).status_code == 200
    assert client.get(given_url(episode)).status_code == 403


def test_an_unknown_episode_is_not_found(signed_in, practitioner):
    url = reverse("discharge:discharge_plan", args=[uuid.uuid4()])
    assert signed_in(practitioner).get(url).status_code == 404
