"""Fixtures for the treatment stage: finalised assessments built through the services,
exactly as the assessment pages build them (book two staff on shift, start, record every
domain, formulate risk, write a safety plan, finalise)."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from crisis_care.assessments import services as assessment_services
from crisis_care.assessments.models import MANDATORY_DOMAINS, Assessment, Outcome, Venue
from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.people.models import Person
from crisis_care.referrals.models import Referral
from crisis_care.treatment.models import Episode
from crisis_care.workforce import services as workforce_services
from crisis_care.workforce.models import StaffMember, Team

SAFETY_PLAN = {
    "warning_signs": "Not sleeping, pulling away from friends",
    "coping_steps": "Walk the dog by the canal, music on headphones",
    "people_and_places": "Sister Jo, the allotment",
    "professional_contacts": "Crisis team on 0300 300 1010",
    "environment_safer": "Jo keeps the tablets and hands out a week at a time",
}


def _on_shift_together(team: Team, staff: list[StaffMember], start: dt.datetime, by: User) -> None:
    """Put both staff on whichever of the team's standard shifts covers the assessment."""
    end = start + dt.timedelta(minutes=20)
    today = timezone.localdate()
    for shift_type in factories.standard_shift_types(team):
        for day in (today - dt.timedelta(days=1), today):
            shift = workforce_services.shift_get_or_create(shift_type=shift_type, day=day)
            if shift.starts_at <= start and end <= shift.ends_at:
                for member in staff:
                    workforce_services.shift_assign(shift=shift, staff=member, by=by)
                return
    raise AssertionError("No standard shift covers the assessment")


@pytest.fixture
def make_finalised_assessment(
    team: Team, practitioner: User, make_referral: Callable[..., Referral]
) -> Callable[..., Assessment]:
    """make_finalised_assessment(source=, venue=, person=, in_team=, by=, safety_plan=)."""

    def make(
        *,
        source: str = "gp",
        venue: str = Venue.HOME,
        person: Person | None = None,
        in_team: Team | None = None,
        by: User | None = None,
        safety_plan: bool = True,
    ) -> Assessment:
        in_team = in_team or team
        by = by or practitioner
        person = person or factories.PersonFactory(given_name="Sam", family_name="Ellison")
        from_ward = source == "inpatient_ward"
        referral = make_referral(
            person=person,
            in_team=in_team,
            source=source,
            referrer_name="Charge nurse Lee Patel" if from_ward else "Dr Amara Shah",
            referrer_organisation="Bradgate Unit, Ward 3"
            if from_ward
            else "Hollybank Medical Centre",
        )
        lead = by.staff
        partner = factories.StaffMemberFactory(role=Role.SUPPORT_WORKER, team=in_team)
        starts_at = timezone.now() + dt.timedelta(minutes=1)
        _on_shift_together(in_team, [lead, partner], starts_at, by)
        assessment = assessment_services.assessment_book(
            referral=referral,
            starts_at=starts_at,
            duration=dt.timedelta(minutes=20),
            venue=venue,
            venue_address="",
            staff=[lead, partner],
            by=by,
        )
        assessment = assessment_services.assessment_start(assessment=assessment, at=None, by=by)
        assessment = assessment_services.assessment_save(
            assessment=assessment,
            data={name: f"Recorded {name.replace('_', ' ')}." for name in MANDATORY_DOMAINS},
            expected_version=assessment.version,
            by=by,
        )
        assessment_services.risk_save(
            assessment=assessment,
            data={
                "to_self": "Thoughts of ending life, no plan",
                "formulation": "Risk rose after losing work; sister and routine protect.",
            },
            by=by,
        )
        if safety_plan:
            assessment_services.safety_plan_create(assessment=assessment, data=SAFETY_PLAN, by=by)
        assessment = assessment_services.assessment_finalise(assessment=assessment, by=by)
        return Assessment.objects.select_related("referral", "person").get(pk=assessment.pk)

    return make


@pytest.fixture
def finalised_assessment(make_finalised_assessment: Callable[..., Assessment]) -> Assessment:
    """A finalised assessment at home after a GP referral, with a safety plan."""
    return make_finalised_assessment()


@pytest.fixture
def make_episode(
    make_finalised_assessment: Callable[..., Assessment], practitioner: User
) -> Callable[..., Episode]:
    """make_episode(person=, in_team=, by=) -> an open home treatment episode, opened through
    the decision services exactly as the decision page opens it."""
    from crisis_care.treatment import services as treatment_services

    def make(
        *, person: Person | None = None, in_team: Team | None = None, by: User | None = None
    ) -> Episode:
        by = by or practitioner
        assessment = make_finalised_assessment(person=person, in_team=in_team, by=by)
        _, episode = treatment_services.decision_apply(
            assessment=assessment,
            by=by,
            outcome=Outcome.HOME_TREATMENT,
            reasons="Can be kept safe at home with twice-daily visits.",
            person_view="Wants to stay at home with the dog.",
        )
        assert isinstance(episode, Episode)
        return Episode.objects.select_related("person", "team", "named_worker").get(pk=episode.pk)

    return make


@pytest.fixture
def episode(make_episode: Callable[..., Episode]) -> Episode:
    """An open home treatment episode for Sam Ellison, held by `team`, named worker the
    practitioner who decided."""
    return make_episode()
