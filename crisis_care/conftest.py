"""Fixtures shared by every app's tests. Records come from crisis_care.nonprod.factories,
the same factories the demo data uses."""

from collections.abc import Callable

import pytest
from django.test import Client

from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.people.models import Person
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
