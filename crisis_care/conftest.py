"""Fixtures shared by every app's tests. Records come from crisis_care.nonprod.factories,
the same factories the demo data uses."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.people.models import Person
from crisis_care.referrals.models import Referral
from crisis_care.workforce.models import Team


@pytest.fixture
def team(db: None) -> Team:
    return factories.TeamFactory(
        name="LLR Adult Crisis Resolution and Home Treatment Team", code="llr-crht"
    )


@pytest.fixture
def other_team(db: None) -> Team:
    return factories.TeamFactory(name="LLR Older People's Crisis Team", code="llr-op-crisis")


@pytest.fixture
def staff_user(team: Team) -> Callable[..., User]:
    """staff_user(role, team=...) -> a signed-up member of staff in that team (default: `team`)."""

    def make(role: Role = Role.REGISTERED_PRACTITIONER, in_team: Team | None = team) -> User:
        staff = factories.StaffMemberFactory(
            role=role, team=in_team if in_team is not None else False
        )
        return staff.user

    return make


@pytest.fixture
def practitioner(staff_user: Callable[..., User]) -> User:
    return staff_user(Role.REGISTERED_PRACTITIONER)


@pytest.fixture
def person_in_care(team: Team) -> Person:
    """A person the main team is caring for (an open link: a legitimate relationship)."""
    person = factories.PersonFactory(given_name="Sam", family_name="Ellison")
    factories.CareTeamLinkFactory(team=team, person=person)
    return person


@pytest.fixture
def signed_in(client: Client) -> Callable[[User], Client]:
    def sign_in(user: User) -> Client:
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def make_referral(team, practitioner):
    """make_referral(person=..., priority=..., **fields) -> a referral taken by phone from a GP."""
    from crisis_care.referrals import services

    def make(*, person=None, received_at=None, priority="2", in_team=None, **data) -> Referral:
        person = person if person is not None else factories.PersonFactory()
        fields = {
            "channel": "phone",
            "source": "gp",
            "referrer_name": "Dr Amara Shah",
            "referrer_organisation": "Hollybank Medical Centre",
            "referrer_phone": "0116 496 0000",
            "reason": "Low mood, not eating, says life is not worth living",
            "person_agrees": "agrees",
        }
        fields.update(data)
        return services.referral_create(
            team=in_team or team,
            person=person,
            data=fields,
            received_at=received_at or timezone.now() - dt.timedelta(minutes=5),
            priority=priority,
            priority_reason="Expressing suicidal thoughts",
            by=practitioner,
        )

    return make
