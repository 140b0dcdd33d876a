import datetime as dt

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from crisis_care.core.models import AuditAction, AuditEvent
from crisis_care.core.roles import Role
from crisis_care.nonprod.factories import StaffMemberFactory, TeamFactory, standard_shift_types
from crisis_care.workforce.models import Shift, ShiftAssignment, ShiftType, StaffMember, Team

from .conftest import TODAY, PutOn, squash, staff

# Session and user (2); the user's teams (1); shift types (1); the day's shifts with staff
# and registrations (3); the team's staff for the add forms, with registrations (2);
# saving the session (3).
ROTA_QUERIES = 13


def rota(client: Client, member: StaffMember, query: str = "") -> str:
    client.force_login(member.user)
    response = client.get(f"/rota/{query}")
    assert response.status_code == 200
    return response.content.decode()


def assign_url(shift_type: ShiftType, day: dt.date = TODAY) -> str:
    return f"/rota/{shift_type.pk}/{day.isoformat()}/assign/"


def remove_url(shift: Shift, member: StaffMember) -> str:
    return f"/rota/{shift.pk}/remove/{member.pk}/"


def test_it_shows_each_shift_of_the_day_with_who_is_on_it(
    client: Client, team: Team, put_on: PutOn
) -> None:
    put_on(staff(team, "Ada", "Lovelace"), "Early", coordinator=True)
    put_on(staff(team, "Nia", "Night"), "Night")
    page = rota(client, staff(team, "Viewer", "Person"))
    assert "<title>Rota for Tuesday 3 March 2026 – Crisis Care</title>" in page
    early = page.split("<h2>Early shift</h2>")[1].split("<h2>")[0]
    late = page.split("<h2>Late shift</h2>")[1].split("<h2>")[0]
    night = page.split("<h2>Night shift</h2>")[1]
    assert "7am to 3:30pm" in early
    assert "Ada Lovelace" in early
    assert "Coordinator" in early
    assert "No one is on the late shift yet." in late
    assert "9pm to 7:30am the next morning" in night
    assert "(10 hours 30 minutes)" in night
    assert "Nia Night" in night


def test_it_shows_the_day_asked_for(client: Client, team: Team, put_on: PutOn) -> None:
    put_on(staff(team, "Ada", "Lovelace"), "Early", day=dt.date(2026, 3, 5))
    page = rota(client, staff(team, "Viewer", "Person"), "?day=2026-03-05")
    assert "Rota for Thursday 5 March 2026" in page
    assert "Ada Lovelace" in page
    assert "Go to today's rota" in page


def test_it_shows_today_when_the_day_is_not_a_real_date(client: Client, team: Team) -> None:
    page = rota(client, staff(team, "Viewer", "Person"), "?day=2026-02-30")
    assert "Rota for Tuesday 3 March 2026" in page


def test_it_links_to_the_previous_and_next_day(client: Client, team: Team) -> None:
    page = rota(client, staff(team, "Viewer", "Person"))
    assert f'href="/rota/?day=2026-03-02&amp;team={team.pk}" rel="prev"' in page
    assert f'href="/rota/?day=2026-03-04&amp;team={team.pk}" rel="next"' in page
    assert "Monday 2 March 2026" in page
    assert "Wednesday 4 March 2026" in page


def test_it_shows_the_longer_night_when_the_clocks_go_back(
    client: Client, team: Team, put_on: PutOn
) -> None:
    put_on(staff(team, "Nia", "Night"), "Night", day=dt.date(2026, 10, 24))
    page = rota(client, staff(team, "Viewer", "Person"), "?day=2026-10-24")
    night = page.split("<h2>Night shift</h2>")[1]
    assert "9pm to 7:30am the next morning" in night
    assert "(11 hours 30 minutes)" in night
    assert "The clocks go back 1 hour during this shift, so it is 1 hour longer." in night


def test_it_shows_the_shorter_night_when_the_clocks_go_forward(
    client: Client, team: Team, shift_types: dict[str, ShiftType]
) -> None:
    page = rota(client, staff(team, "Viewer", "Person"), "?day=2026-03-28")
    night = page.split("<h2>Night shift</h2>")[1]
    assert "(9 hours 30 minutes)" in night
    assert "The clocks go forward 1 hour during this shift" in night


def test_it_hides_the_rota_forms_from_people_who_cannot_change_it(
    client: Client, team: Team, put_on: PutOn
) -> None:
    put_on(staff(team, "Ada", "Lovelace"), "Early")
    page = rota(client, staff(team, "Viewer", "Person"))
    assert "/assign/" not in page
    assert "/remove/" not in page


def test_it_shows_the_rota_forms_to_a_team_manager(
    client: Client, team: Team, put_on: PutOn, manager: StaffMember
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    shift = put_on(ada, "Early")
    page = rota(client, manager)
    assert f'action="{remove_url(shift, ada)}"' in page
    assert 'Remove<span class="nhsuk-u-visually-hidden"> Ada Lovelace from the early shift' in page
    assert 'for="id_late-staff"' in page
    assert "Make them the shift coordinator" in page


@pytest.mark.parametrize("how_many", [1, 8])
def test_it_uses_the_same_number_of_queries_however_many_are_on(
    client: Client,
    team: Team,
    put_on: PutOn,
    manager: StaffMember,
    django_assert_num_queries: DjangoAssertNumQueries,
    how_many: int,
) -> None:
    for n in range(how_many):
        put_on(staff(team, f"Early{n}", "Person"), "Early")
        put_on(staff(team, f"Night{n}", "Person"), "Night")
    client.force_login(manager.user)
    with django_assert_num_queries(ROTA_QUERIES):
        response = client.get("/rota/")
    assert response.content.decode().count(">Night0 Person</a>") == 1


def test_a_team_manager_can_put_someone_on_a_shift(
    client: Client, team: Team, shift_types: dict[str, ShiftType], manager: StaffMember
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    client.force_login(manager.user)
    response = client.post(
        assign_url(shift_types["Late"]), {"late-staff": ada.pk, "late-is_coordinator": "on"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/rota/?day=2026-03-03&team={team.pk}"
    assignment = ShiftAssignment.objects.get(staff=ada)
    assert assignment.is_coordinator
    assert assignment.shift.day == TODAY
    assert assignment.shift.shift_type == shift_types["Late"]
    page = client.get(response["Location"]).content.decode()
    assert "Ada Lovelace is on the late shift as coordinator on Tuesday 3 March 2026." in page


def test_it_records_who_changed_the_rota(
    client: Client, team: Team, shift_types: dict[str, ShiftType], manager: StaffMember
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    client.force_login(manager.user)
    client.post(assign_url(shift_types["Early"]), {"early-staff": ada.pk})
    event = AuditEvent.objects.get(object_type="workforce.ShiftAssignment")
    assert event.action == AuditAction.CREATE
    assert event.actor == manager.user
    assert event.detail["staff"] == str(ada.pk)


def test_an_administrator_can_take_someone_off_a_shift(
    client: Client, team: Team, put_on: PutOn
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    shift = put_on(ada, "Early")
    admin = StaffMemberFactory(team=team, role=Role.ADMINISTRATOR)
    client.force_login(admin.user)
    response = client.post(remove_url(shift, ada))
    assert response.status_code == 302
    assert not ShiftAssignment.objects.filter(staff=ada).exists()
    removal = AuditEvent.objects.filter(actor=admin.user, action=AuditAction.UPDATE).get()
    assert removal.detail["removed"] is True
    page = client.get(response["Location"]).content.decode()
    assert "Ada Lovelace is no longer on the early shift on Tuesday 3 March 2026." in page


@pytest.mark.parametrize(
    "role", [Role.REGISTERED_PRACTITIONER, Role.SUPPORT_WORKER, Role.DOCTOR, Role.IG_AUDITOR]
)
def test_it_refuses_rota_changes_from_people_who_cannot_edit_it(
    client: Client, team: Team, put_on: PutOn, shift_types: dict[str, ShiftType], role: Role
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    shift = put_on(ada, "Early")
    client.force_login(StaffMemberFactory(team=team, role=role).user)
    added = client.post(assign_url(shift_types["Late"]), {"late-staff": ada.pk})
    removed = client.post(remove_url(shift, ada))
    assert added.status_code == 403
    assert removed.status_code == 403
    assert ShiftAssignment.objects.filter(staff=ada).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == 2


def test_it_shows_the_overlap_refusal_in_the_error_summary(
    client: Client,
    team: Team,
    put_on: PutOn,
    shift_types: dict[str, ShiftType],
    manager: StaffMember,
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    put_on(ada, "Early")
    client.force_login(manager.user)
    response = client.post(
        assign_url(shift_types["Late"]), {"late-staff": ada.pk, "late-is_coordinator": "on"}
    )
    assert response.status_code == 200
    page = squash(response.content.decode())
    assert "<title>Error: Rota for Tuesday 3 March 2026 – Crisis Care</title>" in page
    assert "There is a problem" in page
    message = "Ada Lovelace is already on the early shift that overlaps this one."
    assert f'<a href="#id_late-staff">{message}</a>' in page
    assert 'id="id_late-staff-error"' in page
    # The input is kept: Ada still chosen, coordinator still ticked, the form open.
    assert f'<option value="{ada.pk}" selected>' in page
    assert (
        'id="id_late-is_coordinator" name="late-is_coordinator" type="checkbox" value="on" checked'
        in page
    )
    assert '<details class="nhsuk-details" open>' in page
    assert not ShiftAssignment.objects.filter(shift__shift_type=shift_types["Late"]).exists()


def test_it_asks_who_to_add_when_no_one_is_chosen(
    client: Client, team: Team, shift_types: dict[str, ShiftType], manager: StaffMember
) -> None:
    client.force_login(manager.user)
    response = client.post(assign_url(shift_types["Night"]), {"night-staff": ""})
    assert response.status_code == 200
    assert "Choose who to add to the night shift" in response.content.decode()
    assert not Shift.objects.exists()


def test_it_refuses_someone_from_another_team(
    client: Client, team: Team, shift_types: dict[str, ShiftType], manager: StaffMember
) -> None:
    outsider = StaffMemberFactory(team=TeamFactory())
    client.force_login(manager.user)
    response = client.post(assign_url(shift_types["Early"]), {"early-staff": outsider.pk})
    assert response.status_code == 200
    assert "Choose a member of this team to add to the early shift" in response.content.decode()
    assert not ShiftAssignment.objects.exists()


def test_a_team_manager_cannot_change_another_teams_rota(
    client: Client, manager: StaffMember
) -> None:
    other = TeamFactory()
    other_types = {t.name: t for t in standard_shift_types(other)}
    theirs = StaffMemberFactory(team=other)
    client.force_login(manager.user)
    response = client.post(assign_url(other_types["Early"]), {"early-staff": theirs.pk})
    assert response.status_code == 404
    assert not ShiftAssignment.objects.exists()


def test_it_only_changes_the_rota_by_post(
    client: Client, shift_types: dict[str, ShiftType], manager: StaffMember
) -> None:
    client.force_login(manager.user)
    assert client.get(assign_url(shift_types["Early"])).status_code == 405


def test_it_explains_when_the_user_is_not_in_a_team(client: Client, db: None) -> None:
    page = rota(client, StaffMemberFactory(team=False))
    assert "You are not in a team" in page
