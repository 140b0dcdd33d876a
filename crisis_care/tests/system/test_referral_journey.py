"""Journey: a GP phones in a referral; the duty clinician takes it and makes first contact."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.clock import LONDON
from crisis_care.core.roles import Role

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_a_gp_referral_by_phone_through_to_first_contact_made(
    page: Page, axe, sign_in, staff_user, team
):
    clinician = staff_user(Role.REGISTERED_PRACTITIONER)
    sign_in(page, clinician.username)

    page.get_by_role("link", name="Triage queue").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Triage queue")
    axe(page)
    page.get_by_role("link", name="Take a new referral").click()
    axe(page)

    # Submitting nothing explains every missing answer.
    page.get_by_role("button", name="Record referral").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the person's first name")
    axe(page)

    page.get_by_label("First name").fill("Leah")
    page.get_by_label("Last name").first.fill("Whitmore")
    page.get_by_label("Day").first.fill("14")
    page.get_by_label("Month").first.fill("2")
    page.get_by_label("Year").first.fill("1991")
    page.get_by_label("Person's phone number").fill("07700 900111")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Who is referring?").select_option("gp")
    page.get_by_label("Referrer's name").fill("Dr Amara Shah")
    page.get_by_label("Referrer's organisation").fill("Hollybank Medical Centre")
    page.get_by_label("Referrer's call-back number").fill("0116 496 0000")
    page.get_by_label("Reason for referral").fill(
        "Low mood for 3 weeks, stopped eating, plans to end her life"
    )
    page.get_by_label("Knows and agrees").check()
    page.get_by_label("Postcode where they are now or live").fill("LE2 1AB")
    page.get_by_label("Very urgent").check()
    page.get_by_label("Why this priority?").fill("Specific plan, alone at home tonight")
    page.get_by_role("button", name="Record referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral for Leah Whitmore")
    expect(page.get_by_text("Response to referrer:")).to_be_visible()
    expect(page.get_by_text("Face-to-face assessment: 3 hours")).to_be_visible()
    axe(page)

    page.get_by_role("button", name="Take this referral").click()
    expect(page.get_by_text("You have taken this referral")).to_be_visible()

    # Call the GP back, then reach Leah.
    now = timezone.now().astimezone(LONDON)
    for who, outcome in (("The referrer", "Spoke with them"), ("The person", "Spoke with them")):
        page.get_by_role("link", name="Record a contact or attempt").click()
        axe(page)
        page.get_by_label(who).check()
        page.get_by_label("Phone", exact=True).check()
        page.get_by_label(outcome).check()
        page.get_by_label("Time", exact=True).fill(now.strftime("%H:%M"))
        page.get_by_role("button", name="Save contact").click()
        expect(page.get_by_text("Contact recorded.")).to_be_visible()

    expect(page.get_by_text("First contact with the person: Met")).to_be_visible()
    expect(page.get_by_text("Response to referrer: Met")).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Triage queue").first.click()
    row = page.locator("#queue-table tr", has_text="Leah Whitmore")
    expect(row).to_contain_text("First contact with the person: Met")
    expect(row).to_contain_text(str(clinician))
    assert dt.timedelta(0) <= timezone.now() - now.astimezone(dt.UTC) < dt.timedelta(minutes=5)
