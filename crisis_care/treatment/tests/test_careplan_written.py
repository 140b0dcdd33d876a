"""The written treatment plan for the person and involved family (CORE item 12b): the page,
the PDF, recording that it was given, and the consent rule for what family see."""

import datetime as dt
import io
from collections.abc import Callable

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import local_instant
from crisis_care.core.models import AuditAction, AuditEvent, User
from crisis_care.core.presenters import date_long
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.directory.tests.factories import PhoneFactory, ServiceFactory
from crisis_care.nonprod import factories
from crisis_care.people import services as people_services
from crisis_care.people.models import Contact, ShareScope
from crisis_care.treatment.models import (
    CarePlan,
    Episode,
    Goal,
    InterventionKind,
    Medication,
    Visit,
    VisitStatus,
    WrittenPlanGiven,
)
from crisis_care.treatment.presenters import careplans as presenters
from crisis_care.treatment.services import careplans as services

pytestmark = pytest.mark.django_db

GOAL_ONE = "To sleep through most nights and feel safe at home"
GOAL_TWO = "To pay the gas bill and keep the heating on"


@pytest.fixture
def crisis_line() -> None:
    """A crisis-help service in the directory (the seeded ones may have been flushed)."""
    service = ServiceFactory(
        name="Test crisis line", is_crisis_help=True, crisis_help_order=1, area="llr"
    )
    PhoneFactory(service=service, number="0808 800 9999")


@pytest.fixture
def make_contact(practitioner: User) -> Callable[..., Contact]:
    def make(person, scope: str | None, name: str) -> Contact:  # type: ignore[no-untyped-def]
        contact = factories.ContactFactory(person=person, name=name, relationship="sibling")
        if scope is not None:
            people_services.consent_record(
                contact=contact,
                scope=scope,
                capacity="has",
                review_on=timezone.localdate() + dt.timedelta(days=90),
                note="",
                by=practitioner,
            )
        return contact

    return make


@pytest.fixture
def plan(episode: Episode, practitioner: User) -> CarePlan:
    plan = services.care_plan_create(
        episode=episode, strengths="My dog, Biscuit, and my sister", by=practitioner
    )
    sleep = services.goal_add(care_plan=plan, need="I can't sleep", goal=GOAL_ONE, by=practitioner)
    money = services.goal_add(
        care_plan=plan, need="The bills frighten me", goal=GOAL_TWO, by=practitioner
    )
    services.intervention_add(
        care_plan=plan,
        kind=InterventionKind.BENEFITS_DEBT,
        detail="Help to apply for the Household Support Fund",
        goal_ids=[money.pk],
        lead=practitioner.staff,
        by=practitioner,
    )
    services.intervention_add(
        care_plan=plan,
        kind=InterventionKind.DAILY_ROUTINE,
        detail="A wind-down routine at night",
        goal_ids=[sleep.pk],
        by=practitioner,
    )
    return plan


def written_url(episode: Episode) -> str:
    return reverse("treatment:written_plan", args=[episode.pk])


def pdf_url(episode: Episode) -> str:
    return reverse("treatment:written_plan_pdf", args=[episode.pk])


def given_url(episode: Episode) -> str:
    return reverse("treatment:written_plan_given", args=[episode.pk])


def given_data(on: dt.date | None = None, **overrides: object) -> dict[str, object]:
    on = on or timezone.localdate()
    data: dict[str, object] = {
        "given_on[day]": str(on.day),
        "given_on[month]": str(on.month),
        "given_on[year]": str(on.year),
        "method": "in_person",
        "to_person": "yes",
    }
    data.update(overrides)
    return data


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# -- The page ------------------------------------------------------------------------------


def test_the_written_plan_is_in_plain_english_with_goals_team_and_crisis_numbers(
    signed_in, practitioner, episode, plan, crisis_line
):
    response = signed_in(practitioner).get(written_url(episode))

    assert response.status_code == 200
    text = page_text(response)
    for words in (
        "My home treatment plan",
        "What I want to achieve",
        GOAL_ONE,
        GOAL_TWO,
        "I can't sleep",
        "My dog, Biscuit, and my sister",
        "Help with benefits and debt: Help to apply for the Household Support Fund",
        f"{practitioner.get_full_name()} leads this",
        f"Your named worker is {practitioner.get_full_name()}",
        f"at any time of the day or night on {episode.team.phone}",
        "Test crisis line: 0808 800 9999",
        "Download the plan (PDF)",
    ):
        assert words in text
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="written treatment plan", detail__format="page"
    ).exists()


def test_without_a_care_plan_the_written_plan_sends_you_to_start_one(
    signed_in, practitioner, episode
):
    response = signed_in(practitioner).get(written_url(episode), follow=True)
    assert "Start the care plan" in page_text(response)
    assert signed_in(practitioner).get(pdf_url(episode)).status_code == 404


def test_it_lists_only_the_next_7_days_of_planned_visits(signed_in, practitioner, episode, plan):
    today = timezone.localdate()

    def visit(days: int, hour: int, status: str = VisitStatus.PLANNED) -> Visit:
        day = today + dt.timedelta(days=days)
        return Visit.objects.create(
            episode=episode,
            window_start=local_instant(day, dt.time(hour, 0)),
            window_end=local_instant(day, dt.time(hour + 1, 0)),
            status=status,
            planned_by=practitioner,
        )

    tomorrow = visit(1, 10)
    sixth = visit(6, 14)
    visit(7, 9)  # the eighth day: not in the coming week
    visit(2, 16, VisitStatus.CANCELLED_BY_TEAM)

    text = page_text(signed_in(practitioner).get(written_url(episode)))

    assert "Visits in the next 7 days" in text
    assert presenters.visit_line(tomorrow) in text
    assert presenters.visit_line(sixth) in text
    assert "between 10am and 11am, at home" in text
    assert "between 9am and 10am" not in text
    assert "between 4pm and 5pm" not in text


def test_without_visits_or_medicines_those_sections_are_left_out(
    signed_in, practitioner, episode, plan
):
    text = page_text(signed_in(practitioner).get(written_url(episode)))
    assert "Visits in the next 7 days" not in text
    assert "My medicines" not in text


def test_it_lists_the_medicines_the_team_manages_that_are_not_stopped(
    signed_in, practitioner, episode, plan
):
    today = timezone.localdate()
    Medication.objects.create(
        person=episode.person,
        episode=episode,
        name="Zopiclone",
        dose="3.75mg",
        frequency="At night",
        started_by_team=True,
        started_on=today,
    )
    Medication.objects.create(
        person=episode.person,
        episode=episode,
        name="Diazepam",
        dose="2mg",
        frequency="Twice a day",
        started_on=today - dt.timedelta(days=3),
        stopped_on=today,
    )

    text = page_text(signed_in(practitioner).get(written_url(episode)))

    assert "My medicines" in text
    assert "Zopiclone, 3.75mg, by mouth, at night" in text
    assert "Diazepam" not in text


def test_a_support_worker_reads_the_written_plan_but_cannot_record_it_given(
    signed_in, staff_user, episode, plan
):
    client = signed_in(staff_user(Role.SUPPORT_WORKER))

    page = client.get(written_url(episode))
    record = client.post(given_url(episode), given_data())

    assert page.status_code == 200
    assert "Record that the written plan was given" not in page_text(page)
    assert record.status_code == 403
    assert not WrittenPlanGiven.objects.exists()


def test_another_team_is_refused_the_written_plan_and_its_pdf_with_audit_rows(
    signed_in, staff_user, other_team, episode, plan
):
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)
    client = signed_in(outsider)

    assert client.get(written_url(episode)).status_code == 403
    assert client.get(pdf_url(episode)).status_code == 403
    assert client.post(given_url(episode), given_data()).status_code == 403
    assert (
        AuditEvent.objects.filter(
            actor=outsider, action=AuditAction.ACCESS_DENIED, object_id=episode.pk
        ).count()
        == 3
    )


# -- The PDF -------------------------------------------------------------------------------


def test_the_pdf_is_a_tagged_pdf_with_the_goals_and_no_name_in_its_file_name(
    signed_in, practitioner, episode, plan, crisis_line
):
    response = signed_in(practitioner).get(pdf_url(episode))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'inline; filename="home-treatment-plan-{today:%Y-%m-%d}.pdf"'
    )
    assert episode.person.family_name not in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    for words in (
        "My home treatment plan",
        GOAL_ONE,
        GOAL_TWO,
        "Help to apply for the Household Support Fund",
        episode.team.phone,
        "0808 800 9999",
    ):
        assert words in text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == presenters.pdf_title(episode, today)
    assert episode.person.family_name not in reader.metadata.title
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root  # tagged, for screen readers
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, section="written treatment plan", detail__format="pdf"
    ).exists()


# -- Consent decides what family see -------------------------------------------------------


def test_a_family_role_is_in_the_written_plan_only_while_consent_allows_it(
    signed_in, practitioner, episode, plan, make_contact
):
    jo = make_contact(episode.person, ShareScope.CARE_PLAN, "Jo Ellison")
    goal = Goal.objects.filter(care_plan=plan).first()
    services.intervention_add(
        care_plan=plan,
        kind=InterventionKind.FAMILY_NETWORK,
        detail="Stays over on the first three nights",
        goal_ids=[goal.pk],  # type: ignore[union-attr]
        family_member=jo,
        by=practitioner,
    )
    client = signed_in(practitioner)
    assert "Jo Ellison will help with this" in page_text(client.get(written_url(episode)))

    # The person withdraws consent to share their care plan with Jo.
    people_services.consent_record(
        contact=jo,
        scope=ShareScope.GENERAL,
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=30),
        note="Asked us not to share details with Jo for now",
        by=practitioner,
    )

    text = page_text(client.get(written_url(episode)))
    assert "Jo Ellison will help with this" not in text
    assert "Stays over on the first three nights" in text  # the intervention itself stays
    assert "A family role is left out" in text
    assert "Do not give a copy to: Jo Ellison (brother or sister)" in text
    assert "Consent has changed for a family role" in page_text(
        client.get(reverse("treatment:care_plan", args=[episode.pk]))
    )
    pdf = pdf_text(client.get(pdf_url(episode)).content)
    assert "Jo Ellison" not in pdf


def test_only_contacts_with_care_plan_consent_are_offered_a_copy(
    signed_in, practitioner, episode, plan, make_contact
):
    jo = make_contact(episode.person, ShareScope.CARE_PLAN, "Jo Ellison")
    alex = make_contact(episode.person, ShareScope.NOTHING, "Alex Ellison")

    response = signed_in(practitioner).get(given_url(episode))

    body = response.content.decode()
    assert f'value="{jo.pk}"' in body
    assert f'value="{alex.pk}"' not in body
    assert "Alex Ellison (brother or sister): the person does not want anything shared" in (
        page_text(response)
    )


def test_recording_the_plan_given_keeps_what_was_given_and_who_had_a_copy(
    signed_in, practitioner, episode, plan, make_contact
):
    jo = make_contact(episode.person, ShareScope.CARE_PLAN, "Jo Ellison")
    client = signed_in(practitioner)

    response = client.post(given_url(episode), given_data(to_contacts=[str(jo.pk)]))

    assert response.status_code == 302
    given = WrittenPlanGiven.objects.get(care_plan=plan)
    assert given.given_on == timezone.localdate()
    assert (given.method, given.to_person, given.recorded_by) == ("in_person", True, practitioner)
    assert list(given.to_contacts.all()) == [jo]
    assert GOAL_ONE in given.snapshot_html and GOAL_TWO in given.snapshot_html
    assert "<h2>What I want to achieve</h2>" in given.snapshot_html
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=given.pk, detail__copies=1
    ).exists()
    text = page_text(client.get(reverse("treatment:care_plan", args=[episode.pk])))
    assert "Given on time" in text
    assert (
        f"Handed over in person on {date_long(timezone.localdate())} to the person and "
        "Jo Ellison (brother or sister)." in text
    )


def test_a_later_change_to_the_plan_does_not_rewrite_what_was_given(practitioner, episode, plan):
    given = services.written_plan_given_record(
        care_plan=plan,
        given_on=timezone.localdate(),
        method="post",
        to_person=True,
        contact_ids=[],
        snapshot_html="<p>As given</p>",
        by=practitioner,
    )
    services.goal_add(care_plan=plan, need="x", goal="A new goal", by=practitioner)
    given.refresh_from_db()
    assert given.snapshot_html == "<p>As given</p>"


def test_a_copy_posted_for_a_contact_without_consent_is_refused(
    signed_in, practitioner, episode, plan, make_contact
):
    alex = make_contact(episode.person, ShareScope.GENERAL, "Alex Ellison")

    response = signed_in(practitioner).post(
        given_url(episode), given_data(to_contacts=[str(alex.pk)])
    )

    assert response.status_code == 200
    assert "Choose people the person has agreed may see their care plan" in page_text(response)
    assert not WrittenPlanGiven.objects.exists()


@pytest.mark.parametrize("scope", [None, ShareScope.NOTHING, ShareScope.GENERAL])
def test_the_service_refuses_a_copy_for_a_contact_without_care_plan_consent(
    practitioner, episode, plan, make_contact, scope
):
    contact = make_contact(episode.person, scope, "Alex Ellison")

    with pytest.raises(ValidationError) as refused:
        services.written_plan_given_record(
            care_plan=plan,
            given_on=timezone.localdate(),
            method="post",
            to_person=True,
            contact_ids=[contact.pk],
            snapshot_html="",
            by=practitioner,
        )
    assert "Alex Ellison cannot be given a copy" in refused.value.message_dict["to_contacts"][0]
    assert not WrittenPlanGiven.objects.exists()


def test_the_service_refuses_a_copy_for_someone_elses_contact(practitioner, plan, make_contact):
    stranger = make_contact(factories.PersonFactory(), ShareScope.CARE_PLAN, "Pat Stranger")

    with pytest.raises(ValidationError) as refused:
        services.written_plan_given_record(
            care_plan=plan,
            given_on=timezone.localdate(),
            method="post",
            to_person=False,
            contact_ids=[stranger.pk],
            snapshot_html="",
            by=practitioner,
        )
    assert "to_contacts" in refused.value.message_dict


def test_the_date_given_cannot_be_in_the_future(signed_in, practitioner, episode, plan):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = signed_in(practitioner).post(given_url(episode), given_data(tomorrow))

    assert "Date it was given must be today or in the past" in page_text(response)
    assert not WrittenPlanGiven.objects.exists()
    with pytest.raises(ValidationError, match="today or in the past"):
        services.written_plan_given_record(
            care_plan=plan,
            given_on=tomorrow,
            method="post",
            to_person=True,
            contact_ids=[],
            snapshot_html="",
            by=practitioner,
        )


def test_the_date_given_cannot_be_before_home_treatment_started(
    signed_in, practitioner, episode, plan
):
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    response = signed_in(practitioner).post(given_url(episode), given_data(yesterday))

    text = page_text(response)
    assert "must be on or after the day home treatment started" in text
    assert 'href="#id_given_on' in response.content.decode()
    assert str(yesterday.day) in response.content.decode()  # what was typed is kept
    assert not WrittenPlanGiven.objects.exists()


def test_someone_must_have_been_given_the_plan(practitioner, plan):
    with pytest.raises(ValidationError) as refused:
        services.written_plan_given_record(
            care_plan=plan,
            given_on=timezone.localdate(),
            method="post",
            to_person=False,
            contact_ids=[],
            snapshot_html="",
            by=practitioner,
        )
    assert "to_person" in refused.value.message_dict
