"""Journey: write a care plan with the person (two goals, three interventions, one of them
beyond medication and risk, one with a role for their sister), record progress, open and print
the written treatment plan and its PDF, and record that it was given within 4 working days."""

import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.nonprod import factories
from crisis_care.people import services as people_services
from crisis_care.treatment.models import CarePlan, WrittenPlanGiven
from crisis_care.treatment.tests import conftest as treatment_fixtures

# The treatment stage's fixtures, for an episode opened through the decision services.
make_finalised_assessment = treatment_fixtures.make_finalised_assessment
make_episode = treatment_fixtures.make_episode

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

NEED_ONE = "I can't sleep and I'm frightened on my own at night"
GOAL_ONE = "To sleep through most nights and feel safe at home"
NEED_TWO = "The gas bill is overdue and I'm scared to open the post"
GOAL_TWO = "To sort out the bill and keep the heating on"


def test_a_nurse_writes_the_care_plan_and_gives_the_written_plan(
    page: Page, axe, sign_in, practitioner, make_episode, seeded_directory
):
    person = factories.PersonFactory(given_name="Priya", family_name="Mistry")
    episode = make_episode(person=person)
    sister = factories.ContactFactory(person=person, name="Anjali Mistry", relationship="sibling")
    people_services.consent_record(
        contact=sister,
        scope="care_plan",
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=90),
        note="Priya wants Anjali to know the plan",
        by=practitioner,
    )
    factories.ContactFactory(person=person, name="Dev Mistry", relationship="parent")

    sign_in(page, practitioner.username)
    page.goto(f"/treatment/episodes/{episode.pk}/care-plan/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Care plan")
    axe(page)
    page.get_by_role("button", name="Start the care plan").click()
    expect(page.get_by_text("Care plan started")).to_be_visible()
    axe(page)

    # Strengths and preferences, in Priya's words.
    page.get_by_role("link", name="Change strengths and preferences").click()
    axe(page)
    page.get_by_label("Strengths and what has helped before").fill(
        "My cat, my sister Anjali, walking by the canal"
    )
    page.get_by_label("Treatment preferences").fill("I'd rather not go into hospital")
    page.locator("input[name=written_with_person][value=yes]").check()
    page.get_by_role("button", name="Save strengths and preferences").click()
    expect(page.get_by_text("My cat, my sister Anjali")).to_be_visible()

    # Two goals.
    for need, goal in ((NEED_ONE, GOAL_ONE), (NEED_TWO, GOAL_TWO)):
        page.get_by_role("link", name="Add a goal").click()
        axe(page)
        page.get_by_label("What I need help with").fill(need)
        page.get_by_label("What I want to achieve").fill(goal)
        page.get_by_role("button", name="Add goal").click()
        expect(page.get_by_text("Goal added")).to_be_visible()
    expect(page.get_by_role("heading", name="Goal 2")).to_be_visible()

    # An intervention with nothing chosen is refused, with the errors linked.
    page.get_by_role("link", name="Add an intervention").click()
    axe(page)
    expect(page.get_by_role("heading", name="Practical help")).to_be_visible()
    expect(page.get_by_label("Anjali Mistry (brother or sister)")).to_be_visible()
    expect(page.get_by_label("Dev Mistry (parent)")).to_have_count(0)
    page.get_by_role("button", name="Add intervention").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe(page)

    # Three interventions: medication only at first, so the plan asks for more.
    page.get_by_label("Medication collection and delivery").check()
    page.get_by_label("What exactly will be done").fill(
        "We bring your tablets each morning for the first week"
    )
    page.get_by_label(GOAL_ONE).check()
    page.get_by_role("button", name="Add intervention").click()
    expect(
        page.get_by_text("Add at least one intervention beyond medication and risk")
    ).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Add an intervention").click()
    page.get_by_label("Help with benefits and debt").check()
    page.get_by_label("What exactly will be done").fill(
        "Help to call British Gas and apply to the Household Support Fund"
    )
    page.get_by_label(GOAL_TWO).check()
    page.get_by_label("Who in the team leads it? (optional)").select_option(
        str(practitioner.staff.pk)
    )
    page.get_by_role("button", name="Add intervention").click()
    expect(page.get_by_text("Intervention added")).to_be_visible()
    expect(page.get_by_text("beyond medication and risk")).to_have_count(0)

    page.get_by_role("link", name="Add an intervention").click()
    page.get_by_label("Work with family and social network").check()
    page.get_by_label("What exactly will be done").fill(
        "Anjali stays over on the first three nights; we meet with you both on Friday"
    )
    page.get_by_label(GOAL_ONE).check()
    page.get_by_label("Anjali Mistry (brother or sister)").check()
    page.get_by_role("button", name="Add intervention").click()
    expect(page.get_by_text("Family or friend with a role: Anjali Mistry")).to_be_visible()
    axe(page)

    # Progress on the first goal.
    page.get_by_role("link", name="Record progress on goal 1").click()
    axe(page)
    page.get_by_label("Some progress").check()
    page.get_by_label("Note").fill("Slept five hours last night with Anjali there")
    page.get_by_role("button", name="Record progress").click()
    expect(page.get_by_text("Progress recorded.", exact=True)).to_be_visible()
    expect(page.get_by_text("Slept five hours last night with Anjali there").first).to_be_visible()
    axe(page)

    # The written treatment plan: on screen, printed (only the plan) and as a PDF.
    page.get_by_role("link", name="Open the written treatment plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My home treatment plan")
    plan_card = page.locator("#plan")
    expect(plan_card).to_contain_text(GOAL_ONE)
    expect(plan_card).to_contain_text("Anjali Mistry will help with this")
    expect(plan_card).to_contain_text("How to get help in a crisis")
    expect(page.get_by_text("Do not give a copy to: Dev Mistry")).to_be_visible()
    axe(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Before you give it")).to_be_hidden()
    expect(plan_card).to_be_visible()
    page.emulate_media(media="screen")

    pdf_link = page.get_by_role("link", name="Download the plan (PDF)")
    pdf = page.request.get(pdf_link.get_attribute("href") or "")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "Mistry" not in pdf.headers["content-disposition"]
    reader = pypdf.PdfReader(io.BytesIO(pdf.body()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    for words in (GOAL_ONE, GOAL_TWO, "Household Support Fund", "0808 800 3302"):
        assert words in text

    # Recording that it was given, to Priya and a copy to Anjali.
    page.get_by_role("link", name="Record that the written plan was given").click()
    axe(page)
    page.get_by_label("Handed over in person").check()
    page.locator("input[name=to_person][value=yes]").check()
    page.get_by_label("Anjali Mistry (brother or sister)").check()
    page.get_by_role("button", name="Record that it was given").click()
    expect(page.get_by_text("Given on time")).to_be_visible()
    expect(page.get_by_text("to the person and Anjali Mistry (brother or sister)")).to_be_visible()
    axe(page)

    plan = CarePlan.objects.get(episode=episode)
    assert plan.goals.count() == 2
    assert plan.interventions.count() == 3
    given = WrittenPlanGiven.objects.get(care_plan=plan)
    assert list(given.to_contacts.all()) == [sister]
    assert GOAL_TWO in given.snapshot_html
