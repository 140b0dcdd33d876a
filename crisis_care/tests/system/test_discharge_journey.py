"""Journey: a practitioner takes Sam from an open episode with gaps in the aftercare checklist
to discharge. The episode page shows what is missing; the discharge meeting is booked with Sam
and his sister Jo (who may see his care plan) invited; a referral goes to the CMHT; the relapse
prevention plan is written with Sam; the written discharge plan is opened as a PDF (its text
holds the 24/7 line, the crisis café's nights and the CMHT); it is recorded as given to Sam and
Jo; the summary to the GP is sent; and Sam is discharged, with a reason for the one item still
missing. Every page is checked with axe."""

import datetime as dt
import io

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.directory.models import RegularSchedule, Service
from crisis_care.discharge.models import (
    Discharge,
    DischargeGap,
    DischargePlanGiven,
    DischargeSummary,
    InvolvedService,
)
from crisis_care.nonprod import factories
from crisis_care.people import services as people_services
from crisis_care.treatment.models import EpisodeStatus
from crisis_care.treatment.tests import conftest as treatment_fixtures

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

make_finalised_assessment = treatment_fixtures.make_finalised_assessment
make_episode = treatment_fixtures.make_episode
episode = treatment_fixtures.episode


@pytest.fixture
def cafe_nights(seeded_directory: None) -> None:
    """The crisis café's opening nights, as the directory's editor records them."""
    cafe = Service.objects.get(name="Crisis café")
    for day in ("MO", "WE", "FR"):
        RegularSchedule.objects.create(
            service=cafe, byday=day, opens_at=dt.time(18), closes_at=dt.time(23)
        )


@pytest.fixture
def jo(episode, practitioner):
    """Sam's sister, whom he has agreed may see his care plan."""
    jo = factories.ContactFactory(
        person=episode.person, name="Jo Ellison", relationship="sibling", is_carer=True
    )
    people_services.consent_record(
        contact=jo,
        scope="care_plan",
        capacity="has",
        review_on=timezone.localdate() + dt.timedelta(days=28),
        note="",
        by=practitioner,
    )
    return jo


@pytest.fixture
def psychology(episode, practitioner):
    """A psychology service already involved, with the follow-on plan agreed by phone."""
    return InvolvedService.objects.create(
        episode=episode,
        name="Psychology service (LPT)",
        secondary_mental_health=True,
        plan_agreed="Six sessions of CBT for low mood, starting after discharge",
        plan_agreed_on=timezone.localdate(),
        plan_agreed_with="Dr Priya Shah, clinical psychologist",
        recorded_by=practitioner,
        recorded_at=timezone.now(),
    )


def _fill_date(page: Page, name: str, day: dt.date) -> None:
    page.locator(f"input[name='{name}[day]']").fill(str(day.day))
    page.locator(f"input[name='{name}[month]']").fill(str(day.month))
    page.locator(f"input[name='{name}[year]']").fill(str(day.year))


def test_from_gaps_in_the_checklist_to_discharge_with_a_plan_and_the_numbers_to_call(
    page: Page, axe, sign_in, practitioner, episode, jo, psychology, cafe_nights
):
    sam = episode.person
    sign_in(page, practitioner.username)

    # The episode page shows the aftercare checklist and what is still missing.
    page.goto(reverse("treatment:episode", args=[episode.pk]))
    expect(page.get_by_role("heading", name="Aftercare and discharge")).to_be_visible()
    expect(page.get_by_text("Referrals made for support after discharge")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Aftercare and discharge: the checklist").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aftercare and discharge")
    expect(page.locator("main")).to_contain_text("No referral on has been made")
    axe(page)

    # Book the discharge meeting with Sam and Jo invited.
    page.get_by_role("link", name="Arrange the discharge meeting").click()
    axe(page)
    meeting_day = timezone.localdate() + dt.timedelta(days=5)
    _fill_date(page, "meeting_on", meeting_day)
    page.get_by_label("Time of the meeting").fill("14:00")
    page.get_by_label("Where is the meeting?").fill("Sam's home")
    page.locator("main").get_by_label("Yes", exact=True).first.check()
    page.get_by_label("Jo Ellison").check()
    page.get_by_label("Psychology service (LPT)").check()
    page.get_by_role("button", name="Arrange the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aftercare and discharge")
    expect(page.locator("#discharge-meeting")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Jo Ellison")
    axe(page)

    # A referral to the CMHT.
    page.get_by_role("link", name="Make a referral on").click()
    axe(page)
    page.get_by_label("Community mental health team", exact=True).check()
    page.get_by_label("Service from the directory").select_option(
        label="Community mental health team (CMHT)"
    )
    page.get_by_label("Why are you referring?").fill(
        "Ongoing care for recurrent depression; care coordination after the crisis"
    )
    page.get_by_role("button", name="Save the referral").click()
    expect(page.locator("main")).to_contain_text("Community mental health team (CMHT)")
    axe(page)

    # The relapse prevention plan, written with Sam.
    # The checklist's missing item links to the page that fixes it.
    page.get_by_role("link", name="Relapse prevention plan written with the person").click()
    axe(page)
    page.get_by_role("button", name="Write the plan").click()
    axe(page)
    page.get_by_label("Early warning signs").fill("I stop answering my phone and stay up all night")
    page.get_by_label("Triggers").fill("Money worries; the anniversary of losing my job")
    page.get_by_label("What helps").fill("Walking the dog by the canal; ringing Jo")
    page.get_by_label("Who to contact").fill("Jo first, then my CMHT worker")
    page.locator("main").get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save the relapse prevention plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Relapse prevention plan")
    expect(page.locator("main")).to_contain_text("ringing Jo")
    axe(page)

    # The written discharge plan, on screen and as a PDF.
    page.goto(reverse("discharge:discharge_plan", args=[episode.pk]))
    axe(page)
    pdf_href = page.get_by_role("link", name="Download this plan (PDF)").get_attribute("href")
    assert pdf_href
    response = page.request.get(pdf_href)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.body())).pages)
    text = " ".join(text.split())
    assert "0808 800 3302" in text  # the 24/7 mental health line, from the directory
    assert "Monday, Wednesday and Friday" in text  # the crisis café's nights
    assert "Community mental health team (CMHT)" in text  # who supports Sam next
    assert "116 123" in text  # Samaritans

    page.get_by_role("link", name="Record that the plan was given").click()
    axe(page)
    page.get_by_label("Handed over in person").check()
    page.get_by_label("Standard").check()
    page.get_by_role("group", name="Was it given to the person?").get_by_label("Yes").check()
    page.get_by_role("group", name="Family and friends given the full plan").get_by_label(
        "Jo Ellison"
    ).check()
    page.get_by_role("button", name="Record that it was given").click()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    axe(page)

    # The summary to the GP.
    page.goto(reverse("discharge:summary", args=[episode.pk]))
    expect(page.locator("main")).to_contain_text(sam.full_name)
    axe(page)
    page.get_by_role("link", name="Record that the summary was sent").click()
    axe(page)
    page.get_by_label("Secure email (NHSmail)").check()
    page.get_by_role("button", name="Record that it was sent").click()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    axe(page)

    # Discharge: the meeting has not been held, so psychology's attendance is the one gap.
    page.goto(reverse("discharge:aftercare", args=[episode.pk]))
    page.get_by_role("link", name=f"Discharge {sam.full_name}").click()
    expect(page.get_by_text("The aftercare checklist is not complete")).to_be_visible()
    axe(page)
    page.get_by_label("Crisis resolved: handed to the community mental health team").check()
    page.get_by_label("Reason for the discharge").fill(
        "Mood lifted and sleeping again; Sam feels safe and the CMHT has the referral"
    )
    # Submitting without the gap's reason is refused, with nothing lost.
    page.get_by_role("button", name=f"Discharge {sam.full_name}").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Enter why this is not done")
    expect(page.get_by_label("Reason for the discharge")).to_have_value(
        "Mood lifted and sleeping again; Sam feels safe and the CMHT has the referral"
    )
    axe(page)
    page.get_by_label("Why is this not done?").fill(
        "Dr Shah cannot come on the day; she agreed the follow-on plan with Sam by phone"
    )
    page.get_by_role("button", name=f"Discharge {sam.full_name}").click()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(f"{sam.full_name} is discharged")
    axe(page)
    # The discharge record keeps the checklist as it stood and the reason for the gap.
    page.goto(reverse("discharge:discharge", args=[episode.pk]))
    expect(page.locator("main")).to_contain_text("Dr Shah cannot come on the day")
    axe(page)

    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.CLOSED
    discharge = Discharge.objects.get(episode=episode)
    assert discharge.outcome == "cmht"
    assert discharge.checklist["25d"] == "missing"
    assert discharge.checklist["25b"] == "met"
    assert list(
        DischargeGap.objects.filter(discharge=discharge).values_list("item", flat=True)
    ) == ["25d"]
    given = DischargePlanGiven.objects.get(episode=episode)
    assert list(given.plan_to_contacts.values_list("name", flat=True)) == ["Jo Ellison"]
    assert DischargeSummary.objects.filter(episode=episode).count() == 1

    # The episode page now shows it ended, and the aftercare record is read-only.
    page.goto(reverse("discharge:aftercare", args=[episode.pk]))
    expect(page.locator("main")).to_contain_text("Discharged on")
    expect(page.get_by_role("link", name="Make a referral on")).to_have_count(0)
    axe(page)
