"""Journeys: a carer refers someone from the public self-referral page (no login), and the
duty clinician finds it at the top of the triage queue; the Easy Read form; the form
without JavaScript."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.referrals import services
from crisis_care.referrals.models import Referral

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def earlier_referral(team, practitioner):
    """A routine GP referral from ten minutes ago whose GP has already been called back,
    so nothing on it is as pressing as a new referral's 30-minute response clock."""
    referral = services.referral_create(
        team=team,
        person=factories.PersonFactory(given_name="Robin", family_name="Gale"),
        data={
            "channel": "phone",
            "source": "gp",
            "referrer_name": "Dr Amara Shah",
            "referrer_phone": "0116 496 0000",
            "reason": "Low mood for some weeks",
            "person_agrees": "agrees",
        },
        received_at=timezone.now() - dt.timedelta(minutes=10),
        priority="3",
        priority_reason="Known to CMHT, safe at home",
        by=practitioner,
    )
    services.contact_record(
        referral=referral,
        occurred_at=timezone.now() - dt.timedelta(minutes=5),
        with_whom="referrer",
        medium="phone",
        outcome="spoke",
        note="",
        by=practitioner,
    )
    return referral


def fill_in_as_a_carer(page: Page) -> None:
    page.get_by_label("I am a carer, family member or friend referring someone").check()
    page.get_by_label("Your name").fill("Alex Pell")
    page.get_by_label("Your phone number").fill("0116 496 0123")
    page.get_by_label("No, they do not know").check()
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Pell")
    page.get_by_label("Day").fill("14")
    page.get_by_label("Month").fill("6")
    page.get_by_label("Year").fill("1990")
    page.get_by_label("Postcode").fill("LE1 5WW")
    page.get_by_label("What is happening?").fill(
        "My brother has stopped eating and talks about ending his life. <script>alert(1)</script>"
    )
    page.get_by_label("No", exact=True).check()


def test_a_carer_refers_from_the_public_page_and_the_duty_clinician_sees_it_at_the_top_of_the_queue(
    page: Page, axe, sign_in, staff_user, team, earlier_referral
):
    # A member of the public: no sign-in.
    page.goto("/self-referral/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Refer yourself or someone else to the crisis team"
    )
    expect(page.get_by_role("heading", name="If life is at risk, call 999 now")).to_be_visible()
    expect(page.get_by_role("link", name="0808 800 3302").first).to_have_attribute(
        "href", "tel:08088003302"
    )
    axe(page)

    # Sending nothing explains every missing answer, and each link reaches its question.
    page.get_by_role("button", name="Send referral").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Select whether you are referring yourself or someone else")
    expect(summary).to_contain_text("Tell us what is happening")
    axe(page)
    summary.get_by_role("link", name="Tell us what is happening").click()
    expect(page.get_by_label("What is happening?")).to_be_focused()

    fill_in_as_a_carer(page)
    # A mistake keeps everything typed.
    page.get_by_label("Your phone number").fill("call me")
    page.get_by_role("button", name="Send referral").click()
    expect(summary).to_contain_text("Enter a phone number, like 01632 960 001")
    expect(page.get_by_label("First name")).to_have_value("Jordan")
    expect(page.get_by_label("What is happening?")).to_have_value(
        "My brother has stopped eating and talks about ending his life. <script>alert(1)</script>"
    )
    expect(page.get_by_label("No, they do not know")).to_be_checked()
    axe(page)
    page.get_by_label("Your phone number").fill("0116 496 0123")
    page.get_by_role("button", name="Send referral").click()

    page.wait_for_url("**/self-referral/sent/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    expect(page.get_by_text("You told us the person is not safe right now")).to_be_visible()
    expect(page.get_by_text("What happens next")).to_be_visible()
    axe(page)

    referral = Referral.objects.get(source="carer_family")
    assert referral.person is None
    assert referral.channel == "online"
    assert referral.status == "new"

    # The duty clinician.
    clinician = staff_user(Role.REGISTERED_PRACTITIONER)
    sign_in(page, clinician.username)
    page.goto("/referrals/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Triage queue")
    rows = page.locator("#queue-table tbody tr")
    expect(rows).to_have_count(2)
    top = rows.first
    expect(top).to_contain_text("Jordan Pell")
    expect(top).to_contain_text("Carer or family")
    expect(top).to_contain_text("Not yet matched")
    axe(page)

    top.get_by_role("link", name="Jordan Pell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referral for Jordan Pell")
    expect(page.get_by_text("What the self-referrer told us")).to_be_visible()
    expect(page.get_by_text("<script>alert(1)</script>", exact=False)).to_be_visible()
    axe(page)


def test_someone_refers_themselves_with_the_easy_read_form(page: Page, axe, team):
    page.goto("/self-referral/")
    page.get_by_role("link", name="Use the Easy Read version of this form").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the crisis team for help")
    expect(page.get_by_role("heading", name="Call 999 if someone is in danger")).to_be_visible()
    axe(page)

    page.get_by_role("button", name="Send").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose who needs help")
    axe(page)

    page.get_by_label("I need help").check()
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill("Okoro")
    page.get_by_label("Day").fill("2")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("1988")
    page.get_by_label("Phone number", exact=True).fill("07700 900 456")
    page.get_by_label("Tell us what is happening").fill(
        "I feel very scared and I cannot stop crying."
    )
    page.get_by_label("Yes, safe now").check()
    page.get_by_role("button", name="Send").click()

    page.wait_for_url("**/self-referral/sent/?easy-read=1")
    expect(page.get_by_role("heading", level=1)).to_have_text("We have your message")
    axe(page)
    referral = Referral.objects.get()
    assert (referral.source, referral.person, referral.submitted_details["given_name"]) == (
        "self",
        None,
        "Sam",
    )


def test_the_form_works_without_javascript(browser: Browser, live_server, axe, team):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/self-referral/")
        fill_in_as_a_carer(page)
        page.get_by_role("button", name="Send referral").click()
        page.wait_for_url("**/self-referral/sent/?safe=no")
        expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
        assert Referral.objects.get().referrer_name == "Alex Pell"
    finally:
        context.close()
