"""The letter to the GP and referrer after an assessment decision, and the presenters for
the decision and episode pages."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from crisis_care.assessments.models import Decision, LegalStatus, Outcome, SafetyPlan, Venue
from crisis_care.directory.tests.factories import PhoneFactory, ServiceFactory
from crisis_care.nonprod import factories
from crisis_care.referrals.letters import BlockKind, letter_blocks
from crisis_care.treatment import letters, presenters
from crisis_care.treatment.models import Admission

pytestmark = pytest.mark.django_db


def build(assessment, by, outcome=Outcome.HOME_TREATMENT, **overrides):
    params = {
        "assessment": assessment,
        "outcome": outcome,
        "reasons": "Sam can stay safe at home with daily visits.",
        "discussed_with_person": True,
        "person_view": "Would rather be at home.",
        "by": by,
        "crisis_help": [],
        "on": dt.date(2026, 3, 3),
    }
    params.update(overrides)
    return letters.build_letter(**params)


def plan_for(assessment) -> SafetyPlan:
    return SafetyPlan.objects.filter(person=assessment.person).latest("written_at")


# -- Who it is to -----------------------------------------------------------------------


def test_it_goes_to_the_gp_with_a_copy_to_the_referrer(finalised_assessment, practitioner):
    practice = finalised_assessment.person.gp_practice
    practice.name = "Elm Tree Surgery"
    practice.save()

    text = build(finalised_assessment, practitioner)

    assert "To:\nThe GP, Elm Tree Surgery" in text
    assert "Copy to:\nDr Amara Shah\nHollybank Medical Centre" in text
    assert "Dear colleagues," in text
    assert "About: Sam Ellison (born" in text


def test_a_referring_gp_at_the_persons_own_practice_is_named_once(
    finalised_assessment, practitioner
):
    practice = finalised_assessment.person.gp_practice
    practice.name = "Hollybank Medical Centre"
    practice.save()

    text = build(finalised_assessment, practitioner)

    assert "To:\nDr Amara Shah\nHollybank Medical Centre" in text
    assert "Copy to:" not in text
    assert "Dear colleague," in text


def test_a_self_referral_is_copied_to_the_person(make_finalised_assessment, practitioner):
    person = factories.PersonFactory(
        given_name="Sam", family_name="Ellison", address_line_1="4 Canal Walk", postcode="LE1 1AA"
    )
    assessment = make_finalised_assessment(source="self", person=person)

    text = build(assessment, practitioner)

    assert "Copy to:\nSam Ellison\n4 Canal Walk" in text
    assert "after they asked us for help on" in text


def test_without_a_gp_on_record_it_goes_to_the_referrer(finalised_assessment, practitioner):
    person = finalised_assessment.person
    person.gp_practice = None
    person.save()

    text = build(finalised_assessment, practitioner)

    assert "To:\nDr Amara Shah" in text
    assert "The GP" not in text


# -- What it says -------------------------------------------------------------------------


def test_home_treatment_says_what_happens_next_and_gives_the_safety_plan(
    finalised_assessment, practitioner
):
    text = build(finalised_assessment, practitioner, safety_plan=plan_for(finalised_assessment))

    assert "## Our decision: home treatment" in text
    assert "Our team will visit Sam Ellison at home" in text
    assert "named contact in our team" in text
    assert "call the team on 0300 300 1010 at any time" in text
    assert "## Sam Ellison's safety plan" in text
    for part in (
        "- Warning signs: Not sleeping",
        "- Things I can do to cope: Walk the dog",
        "- People and places that help: Sister Jo",
        "- Professionals I can contact: Crisis team",
        "- Making my environment safer: Jo keeps the tablets",
    ):
        assert part in text
    assert "## Why we made this decision\n\nSam can stay safe at home" in text
    assert "Would rather be at home." in text


def test_without_a_safety_plan_that_section_is_left_out(finalised_assessment, practitioner):
    assert "safety plan" not in build(finalised_assessment, practitioner).lower()


def test_it_says_when_the_decision_could_not_be_discussed(finalised_assessment, practitioner):
    text = build(finalised_assessment, practitioner, discussed_with_person=False, person_view="")

    assert "We were not able to talk this decision through with Sam Ellison." in text
    assert "view:" not in text


def test_early_supported_discharge_names_the_ward_and_the_admission_date(
    finalised_assessment, practitioner
):
    text = build(
        finalised_assessment,
        practitioner,
        early_discharge=letters.EarlyDischarge(
            ward="Heather ward", admitted_on=dt.date(2026, 2, 20)
        ),
    )

    assert "so they can leave hospital earlier" in text
    assert "can leave Heather ward, where they were admitted on 20 February 2026" in text
    assert "early supported discharge" in text


def test_an_admission_gives_the_ward_and_legal_status_and_not_the_gatekeeping_record(
    finalised_assessment, practitioner
):
    text = build(
        finalised_assessment,
        practitioner,
        Outcome.ADMISSION,
        ward="Heather ward",
        legal_status=LegalStatus.SECTION_3,
    )

    assert "is being admitted to Heather ward under section 3 of the Mental Health Act" in text
    assert "- Ward: Heather ward" in text
    assert "- Legal status: Mental Health Act section 3" in text
    assert "in person" not in text
    assert "Our team will visit" not in text


def test_referral_on_gives_each_service_with_its_phone_and_how_to_refer(
    finalised_assessment, practitioner
):
    service = ServiceFactory(
        name="Talking Space", takes_referrals=True, referral_how="Use the online form."
    )
    PhoneFactory(service=service, number="0116 496 0777")

    text = build(finalised_assessment, practitioner, Outcome.REFERRAL_ON, services=[service])

    assert "## Where we have referred Sam Ellison" in text
    assert "### Talking Space" in text
    assert "- Phone: 0116 496 0777" in text
    assert "- How to refer: Use the online form." in text


def test_signposting_gives_the_services_for_the_person_to_contact(
    finalised_assessment, practitioner
):
    service = ServiceFactory(name="Recovery café", takes_referrals=True, referral_how="Online.")

    text = build(finalised_assessment, practitioner, Outcome.SIGNPOSTING, services=[service])

    assert "## Where Sam Ellison can get help" in text
    assert "can contact these services themselves" in text
    assert "### Recovery café" in text
    assert "How to refer" not in text


def test_it_always_says_how_to_get_crisis_help_from_the_directory(
    finalised_assessment, practitioner
):
    line = ServiceFactory(name="24/7 mental health line", is_crisis_help=True)
    PhoneFactory(service=line, number="0808 800 3302")

    text = build(finalised_assessment, practitioner, crisis_help=[line])

    assert "## How to get crisis help" in text
    assert "- 24/7 mental health line: 0808 800 3302" in text


def test_without_crisis_help_in_the_directory_it_still_gives_999_and_111(
    finalised_assessment, practitioner
):
    text = build(finalised_assessment, practitioner, Outcome.SIGNPOSTING, crisis_help=[])

    assert "- 999: call if a life is at risk." in text
    assert "NHS 111" in text


def test_it_is_dated_and_signed_by_who_made_the_decision(finalised_assessment, practitioner):
    text = build(finalised_assessment, practitioner)

    assert text.startswith("3 March 2026\n")
    assert f"Yours sincerely,\n\n{practitioner.get_full_name()}\nRegistered practitioner\n" in text


def test_it_reads_back_as_headings_paragraphs_and_lists(finalised_assessment, practitioner):
    blocks = letter_blocks(
        build(finalised_assessment, practitioner, safety_plan=plan_for(finalised_assessment))
    )

    headings = [b.text for b in blocks if b.kind == BlockKind.HEADING]
    assert headings == [
        "Our decision: home treatment",
        "Why we made this decision",
        "What Sam Ellison thinks",
        "What happens next",
        "Sam Ellison's safety plan",
        "How to get crisis help",
    ]
    assert any(b.kind == BlockKind.LIST and len(b.lines) == 5 for b in blocks)


# -- Presenters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "venue", "asks"),
    [
        ("gp", Venue.HOME, False),
        ("inpatient_ward", Venue.HOME, True),
        ("gp", Venue.BRADGATE_WARD, True),
    ],
)
def test_early_supported_discharge_is_asked_about_after_a_ward_referral_or_on_a_ward(
    make_finalised_assessment, source, venue, asks
):
    assessment = make_finalised_assessment(source=source, venue=venue, safety_plan=False)

    assert presenters.asks_about_early_discharge(assessment) is asks


def test_the_pdf_title_and_filename_carry_no_name(finalised_assessment, practitioner):
    decision = Decision(
        assessment=finalised_assessment,
        outcome=Outcome.HOME_TREATMENT,
        decided_by=practitioner,
        decided_at=dt.datetime(2026, 3, 3, 23, 30, tzinfo=dt.UTC),
    )

    title = presenters.pdf_title(decision)
    filename = presenters.pdf_filename(decision)

    assert "Ellison" not in title and "Ellison" not in filename
    assert "home treatment" in title
    assert filename == "assessment-decision-2026-03-03.pdf"


def test_a_gatekeeping_failure_is_an_admission_not_assessed_in_person():
    assert presenters.is_gatekeeping_failure(
        Decision(outcome=Outcome.ADMISSION, gatekept_in_person=False)
    )
    assert not presenters.is_gatekeeping_failure(
        Decision(outcome=Outcome.ADMISSION, gatekept_in_person=True)
    )
    assert not presenters.is_gatekeeping_failure(Decision(outcome=Outcome.HOME_TREATMENT))


def test_an_admission_reads_as_ward_date_and_the_legal_status_the_team_decided():
    admitted_at = timezone.make_aware(dt.datetime(2026, 2, 20, 12))
    decided = Admission(
        ward="Heather ward",
        legal_status=LegalStatus.SECTION_2,
        admitted_at=admitted_at,
        decision_id=uuid.uuid4(),
    )
    from_ward = Admission(ward="Heather ward", legal_status="voluntary", admitted_at=admitted_at)

    assert (
        presenters.admission_text(decided)
        == "Heather ward, admitted 20 February 2026, Mental Health Act section 2"
    )
    assert presenters.admission_text(from_ward) == "Heather ward, admitted 20 February 2026"
