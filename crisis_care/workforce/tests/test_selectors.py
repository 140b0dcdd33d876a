import datetime as dt

from crisis_care.core.clock import LONDON
from crisis_care.nonprod.factories import StaffMemberFactory, TeamFactory
from crisis_care.workforce import selectors
from crisis_care.workforce.models import ShiftType, StaffMember, Team

from .conftest import NOW, TODAY, PutOn, staff


def test_a_users_teams_include_a_team_someone_else_has_left(
    team: Team, manager: StaffMember
) -> None:
    leaver = staff(team, "Lee", "Leaver")
    leaver.memberships.update(ended_on=TODAY - dt.timedelta(days=30))
    assert list(selectors.teams_for_user(user=manager.user)) == [team]


def test_a_users_teams_leave_out_a_team_they_have_left(team: Team, manager: StaffMember) -> None:
    manager.memberships.update(ended_on=TODAY - dt.timedelta(days=1))
    assert list(selectors.teams_for_user(user=manager.user)) == []


def test_a_users_teams_leave_out_a_team_they_have_not_joined_yet(team: Team) -> None:
    starter = StaffMemberFactory(team=False)
    starter.memberships.create(team=team, started_on=TODAY + dt.timedelta(days=7))
    assert list(selectors.teams_for_user(user=starter.user)) == []


def test_a_team_keeps_someone_who_left_another_team(team: Team) -> None:
    mover = staff(team, "Mo", "Mover")
    mover.memberships.create(
        team=TeamFactory(), started_on=dt.date(2020, 1, 1), ended_on=dt.date(2024, 1, 1)
    )
    assert mover in selectors.staff_for_team(team=team)


def test_a_team_keeps_someone_who_left_and_came_back(team: Team) -> None:
    returner = staff(team, "Rae", "Returner")
    returner.memberships.create(
        team=team, started_on=dt.date(2020, 1, 1), ended_on=dt.date(2024, 1, 1)
    )
    assert list(selectors.staff_for_team(team=team)) == [returner]


def test_the_rota_for_a_day_has_every_shift_type_even_when_empty(
    team: Team, put_on: PutOn, shift_types: dict[str, ShiftType]
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    put_on(ada, "Late")
    slots = selectors.rota_for_day(team=team, day=TODAY)
    assert [slot.shift_type.name for slot in slots] == ["Early", "Late", "Night"]
    assert [len(slot.rows) for slot in slots] == [0, 1, 0]
    assert slots[0].shift is None
    assert slots[0].starts_at == dt.datetime(2026, 3, 3, 7, 0, tzinfo=LONDON)


def test_the_next_shift_start_is_worked_out_from_the_shift_types(
    team: Team, put_on: PutOn, shift_types: dict[str, ShiftType]
) -> None:
    leo = staff(team, "Leo", "Late")
    put_on(leo, "Late")
    slots = selectors.next_shift_start(team=team, after=NOW)
    assert [slot.shift_type.name for slot in slots] == ["Late"]
    assert [row.staff for row in slots[0].rows] == [leo]


def test_the_next_shift_start_after_the_night_starts_is_tomorrows_early(
    team: Team, shift_types: dict[str, ShiftType]
) -> None:
    late_evening = dt.datetime(2026, 3, 3, 22, 0, tzinfo=LONDON)
    slots = selectors.next_shift_start(team=team, after=late_evening)
    assert [(slot.shift_type.name, slot.day) for slot in slots] == [
        ("Early", TODAY + dt.timedelta(days=1))
    ]
    assert slots[0].rows == []


def test_staff_are_only_visible_to_users_in_their_teams(team: Team, manager: StaffMember) -> None:
    colleague = staff(team, "Col", "League")
    outsider = StaffMemberFactory(team=TeamFactory())
    assert selectors.staff_member_for_user(user=manager.user, pk=colleague.pk) == colleague
    assert selectors.staff_member_for_user(user=manager.user, pk=outsider.pk) is None
    assert selectors.staff_member_for_user(user=outsider.user, pk=outsider.pk) == outsider
