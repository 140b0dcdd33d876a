"""Browser journey over the workforce pages: every page and state is checked with axe-core."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role
from crisis_care.nonprod.factories import standard_shift_types
from crisis_care.workforce.models import Team
from crisis_care.workforce.tests.conftest import staff

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_a_team_manager_puts_someone_on_the_rota_and_sees_who_is_on(
    page: Page,
    axe: Callable[[Page], None],
    sign_in: Callable[[Page, str], None],
    team: Team,
) -> None:
    standard_shift_types(team)
    manager = staff(team, "Mina", "Patel", role=Role.TEAM_MANAGER)
    staff(team, "Ada", "Lovelace")
    staff(team, "Sam", "Support", role=Role.SUPPORT_WORKER)

    sign_in(page, manager.user.username)
    axe(page)
    page.get_by_role("link", name="Rota").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rota for")
    axe(page)

    page.get_by_text("Add someone to the early shift").click()
    page.locator("#id_early-staff").select_option(label="Ada Lovelace (Mental health nurse)")
    page.locator("#id_early-is_coordinator").check()
    page.get_by_role("button", name="Add to the early shift").click()
    expect(page.get_by_text("Ada Lovelace is on the early shift as coordinator")).to_be_visible()
    axe(page)

    # The late shift overlaps the early one, so Ada cannot do both.
    page.get_by_text("Add someone to the late shift").click()
    page.locator("#id_late-staff").select_option(label="Ada Lovelace (Mental health nurse)")
    page.get_by_role("button", name="Add to the late shift").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator("#id_late-staff-error")).to_contain_text("already on the early shift")
    axe(page)

    page.get_by_role("button", name="Remove Ada Lovelace from the early shift").click()
    expect(page.get_by_text("Ada Lovelace is no longer on the early shift")).to_be_visible()
    axe(page)

    # A manager's header has more links than fit, so go by the home page's task list.
    page.get_by_role("link", name="Home", exact=True).first.click()
    page.locator("main").get_by_role("link", name="Who is on now", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who is on now")
    axe(page)

    page.get_by_role("link", name="Home", exact=True).first.click()
    page.locator("main").get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_text("3 people in this team")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Ada Lovelace").click()
    expect(page.get_by_role("heading", name="Registrations")).to_be_visible()
    axe(page)
