import datetime as dt
import re
from collections.abc import Callable, Iterator

import pytest
import time_machine

from crisis_care.core.clock import LONDON
from crisis_care.core.roles import Role
from crisis_care.nonprod.factories import StaffMemberFactory, TeamFactory, standard_shift_types
from crisis_care.workforce import services
from crisis_care.workforce.models import Shift, ShiftType, StaffMember, Team

# Tuesday 3 March 2026, 10am in London (GMT): the early shift is on, the late shift is next.
NOW = dt.datetime(2026, 3, 3, 10, 0, tzinfo=LONDON)
TODAY = NOW.date()

PutOn = Callable[..., Shift]


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[dt.datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def team(db: None) -> Team:
    return TeamFactory(name="Leicester City Crisis Team")


@pytest.fixture
def shift_types(team: Team) -> dict[str, ShiftType]:
    return {shift_type.name: shift_type for shift_type in standard_shift_types(team)}


@pytest.fixture
def manager(team: Team) -> StaffMember:
    return StaffMemberFactory(
        team=team, role=Role.TEAM_MANAGER, user__first_name="Mina", user__last_name="Patel"
    )


@pytest.fixture
def put_on(shift_types: dict[str, ShiftType], manager: StaffMember) -> PutOn:
    """Put someone on one of the team's shifts, as the rota service does."""

    def put_on(
        staff: StaffMember, name: str, day: dt.date = TODAY, coordinator: bool = False
    ) -> Shift:
        shift = services.shift_get_or_create(shift_type=shift_types[name], day=day)
        services.shift_assign(shift=shift, staff=staff, by=manager.user, is_coordinator=coordinator)
        return shift

    return put_on


def staff(team: Team | bool, first: str, last: str, **kwargs: object) -> StaffMember:
    return StaffMemberFactory(team=team, user__first_name=first, user__last_name=last, **kwargs)


def squash(html: str) -> str:
    """HTML with runs of whitespace collapsed and none just inside tags, for exact asserts."""
    return re.sub(r"\s*([<>])\s*", r"\1", re.sub(r"\s+", " ", html))
