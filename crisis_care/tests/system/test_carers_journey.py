"""Journey: a practitioner supports a carer whom the person has not agreed to share with. Lee
is offered a conversation of his own (and accepts), it is recorded, his support plan is written
with a local carers' service from the directory, the PDF copy is opened (and holds nothing of
Sam's care plan), and the plan is recorded as given. Every page is checked with axe."""

import datetime as dt
import io
import re

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.nonprod import factories
from crisis_care.people import services as people_services
from crisis_care.treatment.models import (
    CarePlan,
    CarerConversation,
    CarerConversationOffer,
    CarerSupportPlan,
    Goal,
    Medication,
)
from crisis_care.treatment.tests import conftest as treatment_fixtures

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

# The treatment tests' fixtures open an episode exactly as the decision page does.
make_finalised_assessment = treatment_fixtures.make_finalised_assessment
make_episode = treatment_fixtures.make_episode
episode = treatment_fixtures.episode

GOAL = "Get back to the allotment twice a week"
NEED = "Low mood and not sleeping since losing work"


@pytest.fixture
def lee(episode, practitioner):
    """Sam's brother and carer; Sam has refused to share anything with him."""
    lee = factories.ContactFactory(
        person=episode.person,
        name="Lee Ellison",
        relationship="sibling",
        is_carer=True,
        involvement="do_not_involve",
        involvement_note="I don't want him knowing about my treatment",
    )
    people_services.consent_record(
        contact=lee,
        scope="nothing",
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=28),
        note="",
        by=practitioner,
    )
    plan = CarePlan.objects.create(episode=episode, created_by=practitioner)
    Goal.objects.create(care_plan=plan, need=NEED, goal=GOAL, created_by=practitioner)
    Medication.objects.create(
        person=episode.person,
        episode=episode,
        name="Mirtazapine",
        dose="15 mg",
        frequency="At night",
        started_on=timezone.localdate(),
    )
    return lee


def test_a_carer_is_offered_a_conversation_and_given_a_plan_without_the_persons_care_plan(
    page: Page, axe, sign_in, practitioner, episode, lee, seeded_directory
):
    sign_in(page, practitioner.username)
    page.goto(reverse("treatment:carers", args=[episode.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Carers and family")
    expect(
        page.get_by_text("Sam has not agreed to share personal information with Lee Ellison")
    ).to_be_visible()
    expect(page.get_by_text("Sam does not want Lee Ellison involved").first).to_be_visible()
    axe(page)

    # A conversation of his own, apart from Sam: offered and accepted.
    page.get_by_role("link", name="Offer a conversation to Lee Ellison").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("conversation of their own")
    axe(page)
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Save the offer").click()
    expect(
        page.get_by_text("The offer of a conversation with Lee Ellison is saved.")
    ).to_be_visible()
    expect(page.get_by_text("accepted", exact=False).first).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Record a conversation with Lee Ellison").click()
    axe(page)
    page.locator("input[name=separate_from_person][value=yes]").check()
    page.get_by_label("What they need as a carer").fill(
        "Exhausted; works nights; wants a break at weekends"
    )
    page.get_by_role("button", name="Save the conversation").click()
    expect(page.get_by_text("Exhausted; works nights")).to_be_visible()
    axe(page)

    # Errors are shown the NHS.UK way, and what was typed is kept.
    page.get_by_role("link", name="Write a support plan with Lee Ellison").click()
    axe(page)
    page.get_by_label("What the carer needs").fill("A break at weekends and some sleep")
    page.get_by_role("button", name="Save the support plan").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    axe(page)
    expect(page.get_by_label("What the carer needs")).to_have_value(
        "A break at weekends and some sleep"
    )
    page.get_by_label("What will help, and who will do it").fill(
        "Carers' group on Thursdays; we call you every Monday"
    )
    page.get_by_label("What the carer can do if things get worse").fill(
        "Call the 24/7 mental health line; ask your neighbour to sit with you"
    )
    page.get_by_label("Crisis Response Service (CRS)").check()
    page.get_by_role("button", name="Save the support plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Support plan for Lee Ellison")
    expect(page.get_by_text("Carers' group on Thursdays")).to_be_visible()
    expect(page.get_by_text(GOAL)).to_have_count(0)
    axe(page)

    pdf_link = page.get_by_role("link", name="Download the copy for Lee Ellison (PDF)")
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Lee" not in pdf.headers["content-disposition"]
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.body())).pages)
    text = " ".join(text.split())
    assert "A break at weekends and some sleep" in text
    assert "Crisis Response Service (CRS)" in text
    assert "0808 800 3302" in text
    for secret in (GOAL, NEED, "Mirtazapine", "How we are helping", "Sam Ellison"):
        assert secret not in text
    assert re.search(r"\bSam\b", text) is None

    page.get_by_role("button", name="Record as given").click()
    today = timezone.localdate()
    expect(
        page.get_by_text(f"A copy was given to Lee Ellison on {today.day} {today:%B %Y}")
    ).to_be_visible()
    axe(page)

    # General information can go to anyone; inviting Lee to reviews is refused without consent.
    page.get_by_role("link", name="General information for carers, family and friends").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Help and support for carers, family and friends"
    )
    axe(page)
    page.goto(reverse("treatment:review_invitation", args=[episode.pk, lee.pk]))
    expect(
        page.get_by_role("heading", name="Sam has not agreed to share their care plan with Lee")
    ).to_be_visible()
    axe(page)
    page.goto(reverse("treatment:carer_assessment_referral", args=[episode.pk, lee.pk]))
    axe(page)

    assert CarerConversationOffer.objects.get().response == "accepted"
    assert CarerConversation.objects.get().separate_from_person is True
    plan = CarerSupportPlan.objects.get()
    assert plan.given_on == today
    assert [s.name for s in plan.services.all()] == ["Crisis Response Service (CRS)"]
