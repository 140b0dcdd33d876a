"""Journey: an out-of-area referral is declined with a signposting letter (CORE item 8)."""

import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role
from crisis_care.directory.models import Phone, Service
from crisis_care.nonprod import factories
from crisis_care.referrals import services
from crisis_care.referrals.models import Referral, Status

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

REASON = "The postcode given, NG1 1AA, is in Nottingham: the Nottinghamshire crisis team covers it."


def make_service(name: str, number: str) -> Service:
    # Made here, not taken from the seeded directory: a transactional test empties the tables.
    service = Service.objects.create(
        name=name, description="Somewhere to talk, and practical help.", area="national"
    )
    Phone.objects.create(service=service, number=number, description="Free")
    return service


def test_an_out_of_area_referral_is_declined_with_a_signposting_letter(
    page: Page, axe, sign_in, staff_user, team
):
    practitioner = staff_user(Role.REGISTERED_PRACTITIONER)
    make_service("Riverside listening line", "0800 123 4001")
    make_service("Nottingham recovery college", "0115 496 0123")
    referral = services.referral_create(
        team=team,
        person=factories.PersonFactory(given_name="Jordan", family_name="Pike", postcode="NG1 1AA"),
        data={
            "channel": "phone",
            "source": "gp",
            "referrer_name": "Dr Amara Shah",
            "referrer_organisation": "Hollybank Medical Centre",
            "referrer_phone": "0116 496 0000",
            "reason": "Low mood and not sleeping; asked for urgent help",
            "person_agrees": "agrees",
            "current_postcode": "NG1 1AA",
        },
        received_at=timezone.now() - dt.timedelta(minutes=20),
        priority="2",
        priority_reason="Urgent: low mood, no immediate risk",
        by=practitioner,
    )

    sign_in(page, practitioner.username)
    page.goto(f"/referrals/{referral.pk}/decline/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Decline and signpost")
    expect(page.locator("#eligibility")).to_contain_text(
        "Lives outside Leicester, Leicestershire and Rutland"
    )
    axe(page)

    # Sent with nothing typed (the category the checks suggest is already chosen).
    expect(page.get_by_label("Lives outside Leicester, Leicestershire and Rutland")).to_be_checked()
    page.get_by_role("button", name="Decline and write the letter").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter why the referral is being declined")
    expect(summary).to_contain_text("Choose at least one service to signpost to")
    assert page.title().startswith("Error: ")
    axe(page)
    summary.get_by_role("link", name="Choose at least one service to signpost to").click()
    expect(page.locator("#id_services")).to_be_focused()

    page.get_by_label("Lives outside Leicester, Leicestershire and Rutland").check()
    page.get_by_label("Explain the reason").fill(REASON)
    page.get_by_label("Riverside listening line").check()
    page.get_by_label("Nottingham recovery college").check()
    page.get_by_role("button", name="Decline and write the letter").click()

    page.wait_for_url(f"**/referrals/{referral.pk}/letter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Letter to the referrer")
    letter = page.locator("#letter")
    expect(letter.get_by_text("Dear Dr Amara Shah,")).to_be_visible()
    expect(letter.get_by_text(REASON)).to_be_visible()
    expect(letter.get_by_role("heading", name="Riverside listening line")).to_be_visible()
    expect(letter.get_by_role("heading", name="Nottingham recovery college")).to_be_visible()
    expect(letter.get_by_role("heading", name="How to get crisis help")).to_be_visible()
    axe(page)

    link = page.get_by_role("link", name="Download the letter (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith(
        'inline; filename="referral-response-'
    )
    content = response.body()
    assert content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert REASON in text
    for name, number in (
        ("Riverside listening line", "0800 123 4001"),
        ("Nottingham recovery college", "0115 496 0123"),
    ):
        assert name in text
        assert number in text

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == Status.DECLINED
    assert referral.signposts.count() == 2
