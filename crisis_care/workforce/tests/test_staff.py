import datetime as dt

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from crisis_care.core.roles import Role
from crisis_care.nonprod.factories import StaffMemberFactory, TeamFactory
from crisis_care.workforce.models import Profession, Registration, StaffMember, Team

from .conftest import TODAY, PutOn, squash, staff

# Session and user (2); the user's teams (1); the team's staff with users (1) and
# registrations (1); saving the session (3).
STAFF_LIST_QUERIES = 9


def get(client: Client, member: StaffMember, url: str) -> str:
    client.force_login(member.user)
    response = client.get(url)
    assert response.status_code == 200
    return squash(response.content.decode())


def test_it_lists_the_teams_staff(client: Client, team: Team, manager: StaffMember) -> None:
    ada = staff(team, "Ada", "Lovelace", registered=False)
    Registration.objects.create(staff=ada, body="NMC", number="12A3456E")
    staff(team, "Sam", "Support", role=Role.SUPPORT_WORKER)
    page = get(client, manager, "/staff/")
    assert "<title>Staff – Crisis Care</title>" in page
    assert "3 people in this team" in page
    ada_row = page.split(f'<a href="/staff/{ada.pk}/">Ada Lovelace</a>')[1].split("</tr>")[0]
    assert "Mental health nurse" in ada_row
    assert "NMC 12A3456E" in ada_row
    assert ">Registered practitioner</strong>" in ada_row
    assert "Registered practitioner</td>" in ada_row  # role in the system
    sam_row = page.split(">Sam Support</a>")[1].split("</tr>")[0]
    assert "Support worker" in sam_row
    assert "None" in sam_row
    assert "nhsuk-tag" not in sam_row


def test_it_marks_a_lapsed_registration(client: Client, team: Team, manager: StaffMember) -> None:
    ada = staff(team, "Ada", "Lovelace", registered=False)
    Registration.objects.create(
        staff=ada, body="NMC", number="12A3456E", expires_on=TODAY - dt.timedelta(days=1)
    )
    page = get(client, manager, "/staff/")
    ada_row = page.split(">Ada Lovelace</a>")[1].split("</tr>")[0]
    assert "NMC 12A3456E</span>(lapsed)" in ada_row
    assert "Registered practitioner</span><span>No</span>" in ada_row


def test_it_leaves_out_people_who_have_left_the_team(
    client: Client, team: Team, manager: StaffMember
) -> None:
    leaver = staff(team, "Lee", "Leaver")
    leaver.memberships.update(ended_on=TODAY - dt.timedelta(days=1))
    page = get(client, manager, "/staff/")
    assert "Lee Leaver" not in page
    assert "1 person in this team" in page


def test_it_keeps_people_who_left_another_team(
    client: Client, team: Team, manager: StaffMember
) -> None:
    mover = staff(team, "Mo", "Mover")
    mover.memberships.create(
        team=TeamFactory(), started_on=dt.date(2020, 1, 1), ended_on=dt.date(2024, 1, 1)
    )
    assert "Mo Mover" in get(client, manager, "/staff/")


@pytest.mark.parametrize("how_many", [1, 10])
def test_it_uses_the_same_number_of_queries_however_many_staff(
    client: Client,
    team: Team,
    manager: StaffMember,
    django_assert_num_queries: DjangoAssertNumQueries,
    how_many: int,
) -> None:
    for n in range(how_many):
        staff(team, f"Person{n}", "Staff")
    client.force_login(manager.user)
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        response = client.get("/staff/")
    assert response.content.decode().count("Staff</a>") == how_many


def test_it_explains_when_the_user_is_not_in_a_team(client: Client, db: None) -> None:
    assert "You are not in a team" in get(client, StaffMemberFactory(team=False), "/staff/")


def test_it_shows_a_staff_members_profile(
    client: Client, team: Team, put_on: PutOn, manager: StaffMember
) -> None:
    ada = staff(
        team,
        "Ada",
        "Lovelace",
        registered=False,
        job_title="Band 6 crisis nurse",
        phone="07700 900123",
    )
    Registration.objects.create(
        staff=ada, body="NMC", number="12A3456E", expires_on=dt.date(2027, 1, 31)
    )
    page = get(client, manager, f"/staff/{ada.pk}/")
    assert "<title>Ada Lovelace – Crisis Care</title>" in page
    assert '<span class="nhsuk-caption-l">Band 6 crisis nurse</span>Ada Lovelace</h1>' in page
    assert "Mental health nurse" in page
    assert '<a href="tel:07700900123">07700 900123</a>' in page
    assert "Nursing and Midwifery Council" in page
    assert "12A3456E" in page
    assert "31 January 2027" in page
    assert ">Current</strong>" in page
    assert "<li>Leicester City Crisis Team</li>" in page
    assert (
        'Role in the system</dt><dd class="nhsuk-summary-list__value">Registered practitioner'
        in page
    )


def test_it_shows_lapsed_registrations_on_the_profile(
    client: Client, team: Team, manager: StaffMember
) -> None:
    ada = staff(team, "Ada", "Lovelace", registered=False)
    Registration.objects.create(
        staff=ada, body="NMC", number="12A3456E", expires_on=dt.date(2026, 1, 31)
    )
    page = get(client, manager, f"/staff/{ada.pk}/")
    assert ">Lapsed</strong>" in page
    assert 'Registered practitioner</dt><dd class="nhsuk-summary-list__value">No' in page


def test_it_shows_shifts_in_the_next_seven_days_only(
    client: Client, team: Team, put_on: PutOn, manager: StaffMember
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    put_on(ada, "Early")  # on now
    put_on(ada, "Night", day=TODAY + dt.timedelta(days=2), coordinator=True)
    put_on(ada, "Late", day=TODAY + dt.timedelta(days=9))
    put_on(ada, "Late", day=TODAY - dt.timedelta(days=1))
    page = get(client, manager, f"/staff/{ada.pk}/")
    shifts = page.split("<h2>Shifts in the next 7 days</h2>")[1]
    assert "Tuesday 3 March 2026" in shifts
    assert "Early shift" in shifts
    assert "Thursday 5 March 2026" in shifts
    assert "Night shift (coordinator)" in shifts
    assert "9pm to 7:30am" in shifts
    assert "Late shift" not in shifts


def test_it_does_not_show_staff_from_other_teams(client: Client, manager: StaffMember) -> None:
    outsider = StaffMemberFactory(team=TeamFactory())
    client.force_login(manager.user)
    assert client.get(f"/staff/{outsider.pk}/").status_code == 404


def test_it_shows_someone_their_own_profile_without_a_team(client: Client, db: None) -> None:
    lone = StaffMemberFactory(team=False, profession=Profession.PHARMACIST)
    page = get(client, lone, f"/staff/{lone.pk}/")
    assert "Pharmacist" in page
    assert "Not in a team." in page
