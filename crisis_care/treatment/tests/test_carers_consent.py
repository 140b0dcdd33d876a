"""The consent boundary in everything given to carers (CORE item 14d; DOMAIN.md §6.4).

Sam Ellison has a care plan (needs, goals, a family role), medication, a planned visit, a risk
formulation and a safety plan. Lee, Sam's brother and carer, is someone Sam has not agreed to
share anything with; Jo, Sam's sister and carer, may have Sam's care plan. What Lee is given (the
written copy of his support plan, on screen and as a PDF, and the general information) must hold
none of Sam's personal information; Jo's copy may hold Sam's goals and nothing more."""

import datetime as dt
import html
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.presenters import format_nhs_number
from crisis_care.core.testing import page_text
from crisis_care.directory.models import Service
from crisis_care.nonprod.factories import ContactFactory
from crisis_care.people import services as people_services
from crisis_care.people.models import Involvement, ShareScope
from crisis_care.treatment.models import (
    CarePlan,
    Goal,
    Intervention,
    InterventionKind,
    Medication,
    Visit,
)
from crisis_care.treatment.services import carers as services

pytestmark = pytest.mark.django_db

GOAL = "Walk to the allotment twice a week"
NEED = "Sleeping again after a depressive episode"
FAMILY_ROLE = "Jo collects the prescription from the pharmacy on Fridays"
MEDICINE = "Sertraline"
VISIT_PURPOSE = "Check mood, sleep and side effects"

# Everything about Sam that must never reach a carer without Sam's agreement.
SAMS_INFORMATION = [
    GOAL,
    NEED,
    "depressive episode",
    FAMILY_ROLE,
    MEDICINE,
    VISIT_PURPOSE,
    "Thoughts of ending life",  # risk to self (the assessment)
    "Risk rose after losing work",  # risk formulation
    "Not sleeping, pulling away from friends",  # safety plan
    "Walk the dog by the canal",  # safety plan
    "twice-daily visits",  # the decision's reasons
    "Wants to stay at home with the dog",  # Sam's view of the decision
    "Sam Ellison",
]


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def assert_nothing_about_sam(text: str, episode, *, name: bool = True) -> None:
    """None of Sam's information, and (in what the carer is given) not even Sam's name or
    identifiers. `name=False` for a whole staff page, whose header names the signed-in user."""
    for secret in SAMS_INFORMATION:
        assert secret not in text, f"{secret!r} reached a carer"
    person = episode.person
    for detail in (
        person.nhs_number,
        format_nhs_number(person.nhs_number),
        person.address_line_1,
        person.phone,
    ):
        assert detail not in text, f"{detail!r} reached a carer"
    if name:
        assert re.search(r"\bSam\b", text) is None, "Sam's name reached a carer"


@pytest.fixture
def practitioner(practitioner):
    """The conftest's practitioner, never called Sam: the carer's copy names the worker, and a
    worker called Sam (the factory picks names at random) would read as the person's name."""
    if practitioner.first_name == "Sam":
        practitioner.first_name = "Morgan"
        practitioner.save(update_fields=["first_name"])
    return practitioner


def carer_copy(response) -> str:
    """The part of a page that is the carer's copy, as text."""
    found = re.search(
        r'<div class="app-carer-copy">(.*?)</div>', response.content.decode(), flags=re.S
    )
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", " ", html.unescape(found.group(1))).split())


def _carer(person, name: str, *, scope: str | None, by, **fields):
    contact = ContactFactory(
        person=person, name=name, relationship="sibling", is_carer=True, **fields
    )
    if scope is not None:
        people_services.consent_record(
            contact=contact,
            scope=scope,
            capacity="has",
            review_on=timezone.localdate() + dt.timedelta(days=90),
            note="",
            by=by,
        )
    return contact


@pytest.fixture
def sams_care(episode, practitioner):
    """Sam's care plan, a family role for Jo, medication and a planned visit."""
    plan = CarePlan.objects.create(episode=episode, created_by=practitioner)
    Goal.objects.create(care_plan=plan, need=NEED, goal=GOAL, created_by=practitioner)
    Medication.objects.create(
        person=episode.person,
        episode=episode,
        name=MEDICINE,
        dose="100 mg",
        frequency="Once a day",
        started_on=timezone.localdate(),
    )
    start = timezone.now() + dt.timedelta(hours=2)
    Visit.objects.create(
        episode=episode,
        window_start=start,
        window_end=start + dt.timedelta(hours=1),
        purpose=VISIT_PURPOSE,
        planned_by=practitioner,
    )
    return plan


@pytest.fixture
def lee(episode, practitioner):
    """Sam's brother and carer: Sam has not agreed to share anything with him."""
    return _carer(
        episode.person,
        "Lee Ellison",
        scope=ShareScope.NOTHING,
        by=practitioner,
        involvement=Involvement.DOES_NOT_WANT,
    )


@pytest.fixture
def jo(episode, practitioner, sams_care):
    """Sam's sister and carer: Sam agreed to share their care plan with her."""
    jo = _carer(
        episode.person,
        "Jo Ellison",
        scope=ShareScope.CARE_PLAN,
        by=practitioner,
        involvement=Involvement.WANTS_INVOLVED,
    )
    Intervention.objects.create(
        care_plan=sams_care,
        kind=InterventionKind.FAMILY_NETWORK,
        detail=FAMILY_ROLE,
        family_member=jo,
        created_by=practitioner,
    )
    return jo


def carers_service() -> Service:
    return Service.objects.get(name="Crisis Response Service (CRS)")


def write_plan(episode, carer, by):
    return services.carer_plan_create(
        episode=episode,
        carer=carer,
        needs="A break on Saturdays, and sleep.",
        support="Carers' group on Thursdays; the team calls you on Mondays.",
        if_things_get_worse="Call the crisis line; ask a neighbour to sit with you.",
        service_ids=[carers_service().pk],
        by=by,
    )


def copy_urls(episode, carer) -> tuple[str, str]:
    args = [episode.pk, carer.pk]
    return (
        reverse("treatment:carer_plan_print", args=args),
        reverse("treatment:carer_plan_pdf", args=args),
    )


def test_a_carer_without_consent_gets_none_of_the_persons_information_on_screen(
    signed_in, practitioner, episode, sams_care, lee
):
    write_plan(episode, lee, practitioner)
    page, _ = copy_urls(episode, lee)

    response = signed_in(practitioner).get(page)

    assert response.status_code == 200
    text = page_text(response)
    assert "A break on Saturdays" in text  # Lee's own plan is there
    assert_nothing_about_sam(response.content.decode(), episode, name=False)
    assert_nothing_about_sam(text, episode, name=False)
    assert_nothing_about_sam(carer_copy(response), episode)
    assert "How we are helping" not in text


def test_a_carer_without_consent_gets_none_of_the_persons_information_in_the_pdf(
    signed_in, practitioner, episode, sams_care, lee
):
    write_plan(episode, lee, practitioner)
    _, pdf = copy_urls(episode, lee)

    response = signed_in(practitioner).get(pdf)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "A break on Saturdays" in text
    assert "Crisis Response Service (CRS)" in text  # the carer service chosen
    assert "0808 800 3302" in text  # the 24/7 mental health line
    assert "116 123" in text  # Samaritans
    assert "NHS 111" in text
    assert "999" in text
    assert "0300 300 1010" in text  # the team
    assert_nothing_about_sam(text, episode)
    assert "How we are helping" not in text


def test_general_consent_is_not_consent_to_share_the_care_plan(
    signed_in, practitioner, episode, sams_care
):
    ash = _carer(episode.person, "Ash Patel", scope=ShareScope.GENERAL, by=practitioner)
    write_plan(episode, ash, practitioner)
    page, pdf = copy_urls(episode, ash)
    client = signed_in(practitioner)

    response = client.get(page)
    assert_nothing_about_sam(page_text(response), episode, name=False)
    assert_nothing_about_sam(carer_copy(response), episode)
    assert_nothing_about_sam(pdf_text(client.get(pdf).content), episode)


def test_a_carer_with_no_consent_recorded_gets_none_of_the_persons_information(
    signed_in, practitioner, episode, sams_care
):
    kit = _carer(episode.person, "Kit Moss", scope=None, by=practitioner)
    write_plan(episode, kit, practitioner)
    page, pdf = copy_urls(episode, kit)
    client = signed_in(practitioner)

    response = client.get(page)
    assert_nothing_about_sam(page_text(response), episode, name=False)
    assert_nothing_about_sam(carer_copy(response), episode)
    assert_nothing_about_sam(pdf_text(client.get(pdf).content), episode)


def test_with_consent_to_share_the_care_plan_only_the_goals_are_added(
    signed_in, practitioner, episode, sams_care, jo
):
    write_plan(episode, jo, practitioner)
    page, pdf = copy_urls(episode, jo)
    client = signed_in(practitioner)

    for text in (carer_copy(client.get(page)), pdf_text(client.get(pdf).content)):
        assert "How we are helping Sam" in text
        assert GOAL in text
        for secret in SAMS_INFORMATION:
            if secret not in (GOAL,):
                assert secret not in text, f"{secret!r} reached Jo"


def test_consent_withdrawn_takes_the_goals_out_of_the_next_copy(
    signed_in, practitioner, episode, sams_care, jo
):
    write_plan(episode, jo, practitioner)
    page, pdf = copy_urls(episode, jo)
    client = signed_in(practitioner)
    assert GOAL in page_text(client.get(page))

    people_services.consent_record(
        contact=jo,
        scope=ShareScope.NOTHING,
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=30),
        note="Sam asked us to stop sharing with Jo",
        by=practitioner,
    )

    response = client.get(page)
    assert_nothing_about_sam(page_text(response), episode, name=False)
    assert_nothing_about_sam(carer_copy(response), episode)
    assert_nothing_about_sam(pdf_text(client.get(pdf).content), episode)


def test_a_wish_not_to_involve_overrides_an_older_consent_to_share(
    signed_in, practitioner, episode, sams_care, jo
):
    write_plan(episode, jo, practitioner)
    jo.involvement = Involvement.DOES_NOT_WANT
    jo.save()
    page, pdf = copy_urls(episode, jo)
    client = signed_in(practitioner)

    response = client.get(page)
    assert_nothing_about_sam(page_text(response), episode, name=False)
    assert_nothing_about_sam(carer_copy(response), episode)
    assert_nothing_about_sam(pdf_text(client.get(pdf).content), episode)


def test_the_general_information_page_and_pdf_hold_nothing_about_the_person(
    signed_in, practitioner, episode, sams_care, jo, lee
):
    client = signed_in(practitioner)
    page = client.get(reverse("treatment:carer_general_information", args=[episode.pk]))
    pdf = client.get(reverse("treatment:carer_general_information_pdf", args=[episode.pk]))

    assert page.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert_nothing_about_sam(page_text(page), episode, name=False)
    for text in (carer_copy(page), pdf_text(pdf.content)):
        assert "What a crisis team does" in text
        assert "0808 800 3302" in text
        assert "Crisis Response Service (CRS)" in text  # the directory's carer service
        assert "carer's assessment" in text
        assert_nothing_about_sam(text, episode)
        assert re.search(r"\b(Jo|Lee)\b", text) is None


def test_pdf_file_names_and_titles_carry_no_name(signed_in, practitioner, episode, lee):
    write_plan(episode, lee, practitioner)
    _, pdf = copy_urls(episode, lee)
    client = signed_in(practitioner)

    for url, prefix in (
        (pdf, 'inline; filename="carer-support-plan-'),
        (
            reverse("treatment:carer_general_information_pdf", args=[episode.pk]),
            'inline; filename="carer-information-',
        ),
    ):
        response = client.get(url)
        disposition = response["Content-Disposition"]
        assert disposition.startswith(prefix)
        assert "Ellison" not in disposition and "Lee" not in disposition
        assert response["Cache-Control"] == "no-store, private"
        title = pypdf.PdfReader(io.BytesIO(response.content)).metadata.title
        assert "Ellison" not in title and "Lee" not in title
