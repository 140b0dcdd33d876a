"""Journey: from a referral in the queue to a booked two-person home assessment, a completed
structured assessment with a safety plan, and a home treatment decision with its GP letter."""

import datetime as dt
import io

import pypdf
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.assessments.models import MANDATORY_DOMAINS
from crisis_care.core.clock import LONDON
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.treatment.models import Episode
from crisis_care.workforce import services as workforce_services

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shift(team, practitioner):
    """A shift running from an hour ago to eight hours ahead."""
    start = (timezone.localtime() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    end = start + dt.timedelta(hours=9)
    shift_type = factories.ShiftTypeFactory(
        team=team, name="Day", starts=start.time(), ends=end.time()
    )
    return workforce_services.shift_get_or_create(shift_type=shift_type, day=start.date())


def test_from_referral_to_home_treatment_with_the_gp_letter(
    page: Page, axe, sign_in, staff_user, practitioner, shift, make_referral, seeded_directory
):
    nurse = factories.StaffMemberFactory(
        role=Role.REGISTERED_PRACTITIONER,
        team=shift.team,
        user__first_name="Nia",
        user__last_name="Okoro",
    ).user
    support = factories.StaffMemberFactory(
        role=Role.SUPPORT_WORKER, team=shift.team, user__first_name="Tom", user__last_name="Reyes"
    ).user
    for user in (nurse, support):
        workforce_services.shift_assign(shift=shift, staff=user.staff, by=practitioner)
    person = factories.PersonFactory(given_name="Priya", family_name="Mistry")
    make_referral(person=person, priority="4")  # very urgent: face to face within 4 hours

    sign_in(page, nurse.username)
    page.get_by_role("link", name="Triage queue").first.click()
    page.get_by_role("link", name="Priya Mistry").click()
    page.get_by_role("link", name="Book an assessment").click()
    axe(page)

    # Book a home assessment in an hour, with a registered nurse and a support worker.
    when = (timezone.now() + dt.timedelta(hours=1)).astimezone(LONDON)
    page.locator("#id_date-day").fill(str(when.day))
    page.locator("#id_date-month").fill(str(when.month))
    page.locator("#id_date-year").fill(str(when.year))
    page.get_by_label("Time").fill(when.strftime("%H:%M"))
    page.get_by_label("1 hour 30 minutes").check()
    page.get_by_label("The person's home").check()
    page.get_by_label("First member of staff").select_option(str(nurse.staff.pk))
    page.get_by_label("Second member of staff").select_option(str(support.staff.pk))
    page.get_by_role("button", name="Book the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assessment")
    axe(page)
    assessment_url = page.url  # /assessments/<uuid>/

    page.get_by_role("button", name="Start the assessment").click()
    # Starting stops the referral's face-to-face clock and opens the record.
    expect(page.get_by_text("The referral's face-to-face clock has stopped")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the assessment")
    axe(page)
    for name in MANDATORY_DOMAINS:
        page.locator(f"#id_{name}").fill(f"Discussed with Priya: {name.replace('_', ' ')}")
    page.locator("#id_needs_and_goals").fill("To sleep again and get back to work")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_text("0 of 14 parts written")).not_to_be_visible()
    page.goto(assessment_url + "risk/")
    axe(page)
    page.locator("#id_to_self").fill("Thoughts of overdose when alone at night; no plan today")
    page.locator("#id_protective_factors").fill("Her sister; her cat; wants to return to work")
    page.locator("#id_formulation").fill(
        "Risk rises when isolated at night; lower with family around"
    )
    page.get_by_role("button", name="Save risk formulation").click()

    page.goto(assessment_url + "safety-plan/")
    axe(page)
    page.locator("#id_warning_signs").fill("Not sleeping, staying in bed")
    page.locator("#id_coping_steps").fill("Walk the dog, music, shower")
    page.locator("#id_people_and_places").fill("Sister Anjali, the library")
    page.locator("#id_professional_contacts").fill("Crisis team 0300 300 1010")
    page.locator("#id_environment_safer").fill("Sister keeps the tablets")
    page.locator("#id_written_with_person").check()
    page.get_by_role("button", name="Save safety plan").click()

    page.goto(assessment_url)
    page.get_by_role("button", name="Finalise the assessment").click()
    expect(page.get_by_text("Finalised").first).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Record the decision").click()
    axe(page)
    page.get_by_role("radio", name="Home treatment").check()
    page.get_by_label("Reasons for the decision").fill(
        "Safe at home with daily visits and her sister staying"
    )
    page.locator("input[name=discussed_with_person][value=yes]").check()
    page.get_by_label("The person's view").fill("Priya would rather be at home than in hospital")
    page.get_by_role("button", name="Record the decision and write the letter").click()
    expect(page.get_by_text("home treatment").first).to_be_visible()
    axe(page)

    pdf_link = page.get_by_role("link", name="Download the letter (PDF)")
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.body())).pages)
    text = " ".join(text.split())
    assert "home treatment" in text.lower()
    assert "Not sleeping, staying in bed" in text  # the safety plan
    assert "0808 800 3302" in text  # the 24/7 mental health line
    assert Episode.objects.get(person=person).decision.outcome == "home_treatment"
