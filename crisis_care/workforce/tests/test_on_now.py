import datetime as dt

import pytest
import time_machine
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from crisis_care.core.clock import LONDON
from crisis_care.core.roles import Role
from crisis_care.nonprod.factories import StaffMemberFactory, TeamFactory
from crisis_care.workforce.models import StaffMember, Team

from .conftest import PutOn, staff

# Session and user (2); the user's teams (1); shifts on now with their staff and
# registrations (3); shift types (1); the next shifts with staff and registrations (3);
# saving the session at the end of the request (savepoint, update, release: 3).
ON_NOW_QUERIES = 14


def on_now(client: Client, member: StaffMember, query: str = "") -> str:
    client.force_login(member.user)
    response = client.get(f"/on-now/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_everyone_on_shift_now(client: Client, team: Team, put_on: PutOn) -> None:
    ada = staff(team, "Ada", "Lovelace", job_title="Band 6 crisis nurse", phone="07700 900123")
    put_on(ada, "Early")
    page = on_now(client, ada)
    assert "<title>Who is on now – Crisis Care</title>" in page
    assert f'<a href="/staff/{ada.pk}/">Ada Lovelace</a>' in page
    assert "Mental health nurse" in page
    assert "Band 6 crisis nurse" in page
    assert '<a href="tel:07700900123" class="app-nowrap">07700 900123</a>' in page
    assert "Early shift, 7am to 3:30pm" in page


def test_it_leaves_out_people_on_other_shifts(client: Client, team: Team, put_on: PutOn) -> None:
    ada = staff(team, "Ada", "Lovelace")
    put_on(ada, "Early")
    put_on(staff(team, "Nia", "Night"), "Night")
    page = on_now(client, ada)
    assert "Nia Night" not in page


def test_it_shows_the_coordinator_first(client: Client, team: Team, put_on: PutOn) -> None:
    put_on(staff(team, "Abe", "Adams"), "Early")
    put_on(staff(team, "Zoe", "Zimmer"), "Early", coordinator=True)
    page = on_now(client, staff(team, "Viewer", "Person"))
    assert page.index("Zoe Zimmer") < page.index("Abe Adams")
    assert "Coordinator: <strong>Zoe Zimmer</strong>" in page
    assert "Coordinator\n" in page.split("Zoe Zimmer", 2)[2].split("Abe Adams")[0]


def test_it_tags_registered_practitioners_but_not_support_workers(
    client: Client, team: Team, put_on: PutOn
) -> None:
    put_on(staff(team, "Ada", "Lovelace"), "Early")
    put_on(staff(team, "Sam", "Support", role=Role.SUPPORT_WORKER), "Early")
    page = on_now(client, staff(team, "Viewer", "Person"))
    ada_row = page.split("Ada Lovelace</a>")[1].split("</tr>")[0]
    sam_row = page.split("Sam Support</a>")[1].split("</tr>")[0]
    assert "Registered practitioner" in ada_row
    assert "Registered practitioner" not in sam_row
    assert "2 people on shift now, 1 registered practitioner." in page


def test_it_shows_who_comes_on_at_the_next_shift_start(
    client: Client, team: Team, put_on: PutOn
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    put_on(ada, "Early")
    put_on(staff(team, "Leo", "Late"), "Late", coordinator=True)
    page = on_now(client, ada)
    coming = page.split("<h2>Coming on at 1pm</h2>")[1]
    assert "Late shift, 1pm to 9:30pm" in coming
    assert "Leo Late" in coming
    assert "Ada Lovelace" not in coming


def test_it_says_when_no_one_is_on_the_next_shift_yet(
    client: Client, team: Team, put_on: PutOn
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    put_on(ada, "Early")
    page = on_now(client, ada)
    assert "Late shift, 1pm to 9:30pm: no one is on the rota yet." in page


def test_it_says_when_no_one_is_on_shift(client: Client, team: Team, shift_types: dict) -> None:
    page = on_now(client, staff(team, "Ada", "Lovelace"))
    assert "No one is on shift now." in page
    assert "Coordinator: <strong>No coordinator on shift</strong>" in page


def test_it_shows_times_in_london_time_in_summer(client: Client, team: Team, put_on: PutOn) -> None:
    summer = dt.datetime(2026, 7, 14, 8, 0, tzinfo=LONDON)
    with time_machine.travel(summer, tick=False):
        ada = staff(team, "Ada", "Lovelace")
        put_on(ada, "Early", day=summer.date())
        page = on_now(client, ada)
    assert "Early shift, 7am to 3:30pm" in page
    assert "At 8am on Tuesday 14 July 2026" in page


def test_it_offers_only_the_users_own_teams(client: Client, team: Team, put_on: PutOn) -> None:
    ada = staff(team, "Ada", "Lovelace")
    second = TeamFactory(name="Melton Crisis Café")
    ada.memberships.create(team=second, started_on=dt.date(2025, 1, 1))
    TeamFactory(name="Rutland Team Ada Is Not In")
    page = on_now(client, ada)
    assert '<select class="nhsuk-select" id="team" name="team"' in page
    assert "Melton Crisis Café" in page
    assert "Rutland Team Ada Is Not In" not in page


def test_it_shows_the_team_chosen(client: Client, team: Team, put_on: PutOn) -> None:
    ada = staff(team, "Ada", "Lovelace")
    second = TeamFactory(name="Melton Crisis Café")
    ada.memberships.create(team=second, started_on=dt.date(2025, 1, 1))
    put_on(staff(team, "Leo", "Leicester"), "Early")
    page = on_now(client, ada, f"?team={second.pk}")
    assert '<span class="nhsuk-caption-l">Melton Crisis Café</span>' in page
    assert "Leo Leicester" not in page


def test_it_has_no_team_choice_for_someone_in_one_team(client: Client, team: Team) -> None:
    page = on_now(client, staff(team, "Ada", "Lovelace"))
    assert 'name="team"' not in page


def test_it_refuses_a_team_the_user_is_not_in(client: Client, team: Team) -> None:
    ada = staff(team, "Ada", "Lovelace")
    other = TeamFactory()
    client.force_login(ada.user)
    assert client.get(f"/on-now/?team={other.pk}").status_code == 404


def test_it_explains_when_the_user_is_not_in_a_team(client: Client, db: None) -> None:
    page = on_now(client, StaffMemberFactory(team=False))
    assert "You are not in a team" in page


@pytest.mark.parametrize("how_many", [1, 8])
def test_it_uses_the_same_number_of_queries_however_many_are_on(
    client: Client,
    team: Team,
    put_on: PutOn,
    django_assert_num_queries: DjangoAssertNumQueries,
    how_many: int,
) -> None:
    for n in range(how_many):
        put_on(staff(team, f"Early{n}", "Person"), "Early", coordinator=n == 0)
        put_on(staff(team, f"Late{n}", "Person"), "Late")
    viewer = staff(team, "Viewer", "Person")
    client.force_login(viewer.user)
    with django_assert_num_queries(ON_NOW_QUERIES):
        response = client.get("/on-now/")
    page = response.content.decode()
    assert page.count(">Early0 Person</a>") == 1
    assert page.count(">Late0 Person</a>") == 1
