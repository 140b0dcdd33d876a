import pytest
from django.test import Client

from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.nonprod.factories import StaffMemberFactory, TeamFactory, UserFactory
from crisis_care.workforce.models import StaffMember, Team

from .conftest import PutOn, staff


def home(client: Client, user: User) -> str:
    client.force_login(user)
    response = client.get("/home/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_needs_sign_in(client: Client, db: None) -> None:
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_it_greets_the_user_by_first_name(client: Client, manager: StaffMember) -> None:
    page = home(client, manager.user)
    assert "<h1>Good morning, Mina</h1>" in page
    assert "<title>Home – Crisis Care</title>" in page


def test_it_shows_the_users_role_and_team(client: Client, team: Team, manager: StaffMember) -> None:
    page = home(client, manager.user)
    assert "Team manager" in page
    assert "Leicester City Crisis Team" in page


def test_it_lists_every_team_the_user_is_in(client: Client, team: Team) -> None:
    ada = staff(team, "Ada", "Lovelace")
    other = TeamFactory(name="Melton Crisis Café")
    ada.memberships.create(team=other, started_on=team.memberships.get().started_on)
    page = home(client, ada.user)
    assert "Your teams" in page
    assert "Melton Crisis Café" in page
    assert "On shift now in Melton Crisis Café" in page


def test_it_says_which_shift_they_are_on_now(client: Client, team: Team, put_on: PutOn) -> None:
    ada = staff(team, "Ada", "Lovelace")
    put_on(ada, "Early", coordinator=True)
    page = home(client, ada.user)
    assert "Yes: early shift, 7am to 3:30pm. You are the coordinator" in page


def test_it_says_when_they_are_not_on_shift_and_when_their_next_shift_is(
    client: Client, team: Team, put_on: PutOn
) -> None:
    ada = staff(team, "Ada", "Lovelace")
    put_on(ada, "Late")
    page = home(client, ada.user)
    assert "On shift now" in page
    assert "Late shift, Tuesday 3 March 2026, 1pm to 9:30pm" in page


def test_it_summarises_who_is_on_shift_in_the_team(
    client: Client, team: Team, put_on: PutOn, manager: StaffMember
) -> None:
    put_on(staff(team, "Ada", "Lovelace"), "Early", coordinator=True)
    put_on(staff(team, "Bea", "Jones"), "Early")
    put_on(staff(team, "Cal", "Smith", role=Role.SUPPORT_WORKER), "Early")
    page = home(client, manager.user)
    assert "3 people on shift now, 2 registered practitioners." in page
    assert "Coordinator: <strong>Ada Lovelace</strong>" in page


def test_it_says_when_there_is_no_coordinator(
    client: Client, team: Team, put_on: PutOn, manager: StaffMember
) -> None:
    put_on(staff(team, "Ada", "Lovelace"), "Early")
    page = home(client, manager.user)
    assert "No coordinator on shift" in page


def test_it_explains_when_the_user_is_not_in_a_team(client: Client, db: None) -> None:
    lone = StaffMemberFactory(team=False)
    page = home(client, lone.user)
    assert "Not in a team. Ask your team manager to add you." in page


def test_it_copes_with_a_sign_in_that_has_no_staff_record(client: Client, db: None) -> None:
    user = UserFactory(role=Role.SYSTEM_ADMINISTRATOR, first_name="Sys")
    page = home(client, user)
    assert "Your sign-in is not linked to a staff record" in page


def test_it_shows_the_tasks_as_nhs_cards(client: Client, manager: StaffMember) -> None:
    page = home(client, manager.user)
    assert page.count('class="nhsuk-card nhsuk-card--clickable"') >= 5
    for href, text in [
        ("/people/", "Find a person"),
        ("/on-now/", "Who is on now"),
        ("/rota/", "Rota"),
        ("/staff/", "Staff"),
        ("/people/access-reviews/", "Access reviews"),
    ]:
        assert f'<a class="nhsuk-card__link" href="{href}">{text}</a>' in page


@pytest.mark.parametrize(
    ("role", "finds_people"),
    [
        (Role.REGISTERED_PRACTITIONER, True),
        (Role.SUPPORT_WORKER, True),
        (Role.ADMINISTRATOR, True),
        (Role.IG_AUDITOR, False),
        (Role.SYSTEM_ADMINISTRATOR, False),
    ],
)
def test_it_offers_find_a_person_only_to_roles_that_care_for_people(
    client: Client, team: Team, role: Role, finds_people: bool
) -> None:
    page = home(client, StaffMemberFactory(team=team, role=role).user)
    assert ('href="/people/">Find a person</a>' in page) is finds_people


@pytest.mark.parametrize(
    ("role", "reviews_access"),
    [
        (Role.TEAM_MANAGER, True),
        (Role.IG_AUDITOR, True),
        (Role.REGISTERED_PRACTITIONER, False),
        (Role.SYSTEM_ADMINISTRATOR, False),
    ],
)
def test_it_offers_access_reviews_only_to_team_managers_and_auditors(
    client: Client, team: Team, role: Role, reviews_access: bool
) -> None:
    page = home(client, StaffMemberFactory(team=team, role=role).user)
    assert ('href="/people/access-reviews/">Access reviews</a>' in page) is reviews_access


def test_it_has_no_inline_styles_or_scripts(client: Client, manager: StaffMember) -> None:
    page = home(client, manager.user)
    assert "style=" not in page
    assert "<script>" not in page
