"""Journeys: find a person and open their record; the access log shows it; break-glass."""

import pytest
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role
from crisis_care.nonprod import factories

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def record(team):
    person = factories.PersonFactory(
        given_name="Priya", family_name="Mistry", nhs_number="9990000026"
    )
    factories.CareTeamLinkFactory(team=team, person=person)
    factories.ContactFactory(
        person=person,
        name="Ravi Mistry",
        relationship="spouse",
        is_carer=True,
        involvement="involve",
    )
    factories.ContactFactory(
        person=person,
        name="Anil Mistry",
        relationship="parent",
        involvement="do_not_involve",
        involvement_note="Please don't call my dad",
    )
    return person


def test_a_practitioner_finds_a_person_opens_the_record_and_the_manager_sees_it_in_the_access_log(
    page: Page, axe, sign_in, staff_user, record
):
    practitioner = staff_user(Role.REGISTERED_PRACTITIONER)
    manager = staff_user(Role.TEAM_MANAGER)

    sign_in(page, practitioner.username)
    axe(page)
    page.get_by_role("link", name="Find a person").first.click()
    axe(page)
    page.get_by_label("NHS number").fill("999 000 0026")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 person found")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Open record for Priya Mistry").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Mistry")
    expect(page.get_by_text("999 000 0026").first).to_be_visible()
    expect(page.get_by_text("The person does not want some people involved")).to_be_visible()
    expect(page.get_by_text("Please don't call my dad")).to_be_visible()
    axe(page)

    page.goto("/sign-out/")
    axe(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")

    sign_in(page, manager.username)
    page.goto(f"/people/{record.pk}/")
    page.get_by_role("link", name="See who has viewed or changed this record").click()
    axe(page)
    log = page.locator("#access-log")
    expect(log).to_contain_text(str(practitioner))
    expect(log).to_contain_text("Registered practitioner")
    expect(log).to_contain_text("Viewed (record)")


def test_a_clinician_in_another_team_uses_break_glass_and_it_waits_for_ig_review(
    page: Page, axe, sign_in, staff_user, other_team, record
):
    outsider = staff_user(Role.DOCTOR, in_team=other_team)
    auditor = staff_user(Role.IG_AUDITOR, in_team=None)

    sign_in(page, outsider.username)
    page.goto(f"/people/{record.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this record")
    axe(page)
    page.get_by_role("link", name="Use emergency access").click()
    axe(page)
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe(page)
    page.get_by_label("Why do you need to see this record now?").fill(
        "Priya brought to ED by police at 3am; need safety plan and carer details"
    )
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Mistry")
    expect(page.get_by_text("You are seeing this record through emergency access")).to_be_visible()
    axe(page)

    page.goto("/sign-out/")
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, auditor.username)
    page.get_by_role("link", name="Access reviews").first.click()
    axe(page)
    expect(page.get_by_text("need safety plan and carer details")).to_be_visible()
    page.get_by_role("link", name=f"Review {outsider}'s access").click()
    axe(page)
    page.get_by_label("Yes, it was appropriate").check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("There are no accesses waiting for review")).to_be_visible()


def test_a_stale_edit_is_refused_in_the_browser_without_losing_what_was_typed(
    page: Page, axe, sign_in, staff_user, record
):
    from crisis_care.people import services

    practitioner = staff_user(Role.REGISTERED_PRACTITIONER)
    colleague = staff_user(Role.REGISTERED_PRACTITIONER)

    sign_in(page, practitioner.username)
    page.goto(f"/people/{record.pk}/edit/")
    axe(page)
    page.get_by_label("Address line 1").fill("7 Belgrave Gate")
    # Meanwhile a colleague saves a new phone number.
    services.person_update(
        person=record, data={"phone": "0116 496 0999"}, expected_version=1, by=colleague
    )
    page.get_by_role("button", name="Save details").click()

    expect(
        page.get_by_text("Someone else changed this record while you were editing it")
    ).to_be_visible()
    expect(page.get_by_label("Address line 1")).to_have_value("7 Belgrave Gate")
    axe(page)
