"""Display values for carers and family, unit-tested on unsaved models: consent in plain words,
the council for a locality, and the carer's copies (which hold only what may reach a carer)."""

import datetime as dt

import pytest
from django.utils import timezone

from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.directory.models import Service
from crisis_care.people.models import Capacity, ConsentRecord, Contact, Involvement, Person
from crisis_care.treatment.models import CarerSupportPlan, Goal
from crisis_care.treatment.presenters import carers as p
from crisis_care.workforce.models import Team

TODAY = dt.date(2026, 3, 3)


def person() -> Person:
    return Person(given_name="Sam", family_name="Ellison", date_of_birth=dt.date(1990, 1, 1))


def contact(scope: str | None = None, **fields: object) -> Contact:
    found = Contact(name="Lee", relationship="sibling", **fields)
    if scope is not None:
        found.current_consent = ConsentRecord(
            scope=scope, capacity=Capacity.HAS_CAPACITY, review_on=dt.date(2026, 6, 1)
        )
    return found


def team() -> Team:
    return Team(name="Crisis Team", phone="0300 300 1010")


def plan() -> CarerSupportPlan:
    now = timezone.now()
    return CarerSupportPlan(
        needs="Sleep",
        support="Carers' group",
        if_things_get_worse="Call us",
        written_by=User(first_name="Nia", last_name="Okoro", role=Role.REGISTERED_PRACTITIONER),
        created_at=now,
        updated_at=now,
    )


GOALS = [Goal(goal="Back to the allotment", need="Depression")]


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (None, "Sam has not yet been asked about sharing information with Lee."),
        (
            "nothing",
            "Sam has not agreed to share personal information with Lee: you can still "
            "support Lee and give general information.",
        ),
        (
            "general",
            "Sam has agreed we can give Lee general information only, not their care "
            "plan or other personal information",
        ),
        ("care_plan", "Sam has agreed we can share their care plan with Lee."),
    ],
)
def test_consent_is_stated_plainly(scope, expected) -> None:
    assert expected in p.consent_sentence(contact(scope), person())


def test_a_wish_not_to_involve_outweighs_consent_to_share_the_care_plan() -> None:
    lee = contact("care_plan", involvement=Involvement.DOES_NOT_WANT)

    assert "Do not share personal information" in p.consent_sentence(lee, person())
    assert not p.may_invite(lee)


def test_a_best_interests_decision_is_said() -> None:
    lee = contact("nothing")
    assert lee.current_consent is not None
    lee.current_consent.capacity = Capacity.LACKS_CAPACITY

    assert "decided in Sam's best interests" in p.consent_sentence(lee, person())


def test_the_consent_review_date_and_when_it_is_overdue() -> None:
    assert p.consent_review_text(contact("general"), TODAY) == "Due on 1 June 2026"
    assert p.consent_review_text(contact("general"), dt.date(2026, 7, 1)) == (
        "Was due on 1 June 2026: ask again"
    )
    assert p.consent_review_text(contact(), TODAY) == "Not recorded"
    assert p.consent_review_overdue(contact("general"), dt.date(2026, 7, 1))


@pytest.mark.parametrize(
    ("locality", "council"),
    [
        ("Leicester", "Leicester City Council"),
        ("Rutland", "Rutland County Council"),
        ("Charnwood", "Leicestershire County Council"),
        ("Oadby and Wigston", "Leicestershire County Council"),
        ("North Warwickshire", ""),
        ("", ""),
    ],
)
def test_the_council_for_where_the_person_lives(locality, council) -> None:
    assert p.council_for_locality(locality) == council


def test_the_carers_copy_leaves_out_goals_without_consent_even_if_passed() -> None:
    for scope in (None, "nothing", "general"):
        text = p.carer_plan_text(
            plan=plan(),
            carer=contact(scope),
            person=person(),
            team=team(),
            crisis_help=[],
            services=[],
            goals=GOALS,
        )
        assert "allotment" not in text
        assert "Sam" not in text
        assert "## What you need\n\nSleep" in text


def test_with_consent_the_copy_says_how_we_are_helping_with_the_goals_only() -> None:
    text = p.carer_plan_text(
        plan=plan(),
        carer=contact("care_plan"),
        person=person(),
        team=team(),
        crisis_help=[],
        services=[],
        goals=GOALS,
    )

    assert "## How we are helping Sam" in text
    assert "- Back to the allotment" in text
    assert "Depression" not in text


def test_the_copy_always_says_how_to_get_crisis_help() -> None:
    text = p.carer_plan_text(
        plan=plan(),
        carer=contact(),
        person=person(),
        team=team(),
        crisis_help=[],
        services=[],
        goals=[],
    )

    assert "call the Crisis Team on 0300 300 1010 at any time" in text
    assert "- 999: call if a life is at risk." in text  # the fallback when the directory is empty
    assert "Nia Okoro (Registered practitioner)" in text


@pytest.mark.django_db
def test_the_general_information_lists_carer_services_and_the_councils() -> None:
    service = Service.objects.create(name="Carers' centre", description="Groups for carers")

    text = p.general_information_text(team=team(), crisis_help=[], carer_services=[service])

    assert "## What a crisis team does" in text
    assert "### Carers' centre" in text
    assert "Leicester City Council" in text


def test_pdf_file_names_carry_only_a_date() -> None:
    found = plan()
    found.updated_at = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC)  # 12:30am in London

    assert p.plan_pdf_filename(found) == "carer-support-plan-2026-07-02.pdf"
    assert p.general_information_pdf_filename(TODAY) == "carer-information-2026-03-03.pdf"
    assert "Lee" not in p.plan_pdf_title(found, team())
