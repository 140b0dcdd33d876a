"""Journey: a manager finds the crisis café in the directory and changes what it offers."""

import pytest
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_a_manager_finds_the_crisis_cafe_edits_its_description_and_sees_it_saved(
    page: Page, axe, sign_in, staff_user, seeded_directory
):
    manager = staff_user(Role.TEAM_MANAGER)

    sign_in(page, manager.username)
    page.goto("/directory/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Directory of services")
    axe(page)

    page.get_by_label("Kind of help").select_option(label="Crisis café")
    page.get_by_role("button", name="Filter services").click()
    expect(page.get_by_text("1 service found")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Crisis café", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Crisis café")
    expect(page.get_by_text("Three evenings a week; check times before you go")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Change the details of Crisis café").click()
    axe(page)

    page.get_by_label("What it offers").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter what the service offers")).to_be_visible()
    axe(page)

    page.get_by_label("What it offers").fill(
        "A drop-in crisis café in Leicester city centre: somewhere calm to talk to someone."
    )
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Crisis café")
    expect(page.get_by_text("Crisis café: changes saved.")).to_be_visible()
    expect(
        page.get_by_text("A drop-in crisis café in Leicester city centre: somewhere calm")
    ).to_be_visible()
    axe(page)
