"""Journeys: a coordinator plans a week of visits with a pattern (preview, confirm) and staffs
one; a support worker on a phone opens "My visits today" and records a contact in one form."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.clock import local_date
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.treatment.models import CareContact, CarePlan, Goal, Intervention, Visit
from crisis_care.treatment.services import visits as visit_services
from crisis_care.treatment.services.visits import VisitDetails

# The treatment stage's fixtures: an episode opened through the decision services.
from crisis_care.treatment.tests.conftest import (  # noqa: F401
    make_episode,
    make_finalised_assessment,
)

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_plans_a_week_of_visits_with_a_pattern_and_staffs_one(
    page: Page,
    axe,
    sign_in,
    practitioner,
    team,
    make_episode,  # noqa: F811
):
    person = factories.PersonFactory(given_name="Priya", family_name="Mistry")
    episode = make_episode(person=person)
    nurse = factories.StaffMemberFactory(
        role=Role.REGISTERED_PRACTITIONER,
        team=team,
        user__first_name="Nia",
        user__last_name="Okoro",
    )

    sign_in(page, practitioner.username)
    page.goto(f"/treatment/episodes/{episode.pk}/visits/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Visits")
    axe(page)
    page.get_by_role("link", name="Plan a pattern of visits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan a pattern of visits")
    axe(page)

    # Twice a day for 3 days, then daily for 4 days (the form suggests it), from tomorrow.
    expect(page.locator("#id_phase_1_days")).to_have_value("3")
    expect(page.locator("#id_phase_2_days")).to_have_value("4")
    page.get_by_label("A registered practitioner").check()
    page.get_by_label("What is the visit for? (optional)").fill("Check in, mood and sleep")
    page.get_by_role("button", name="Check the visits").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the visits before you create them"
    )
    first_day = timezone.localdate() + dt.timedelta(days=1)
    expect(page.get_by_text("10 visits from")).to_be_visible()
    expect(page.get_by_text("9:30am to 10:30am").first).to_be_visible()
    expect(page.get_by_text("4pm to 5pm").first).to_be_visible()
    axe(page)
    assert not Visit.objects.exists()
    page.get_by_role("button", name="Create these visits").click()

    expect(page.get_by_text("10 visits from")).to_be_visible()
    axe(page)
    visits = list(Visit.objects.filter(episode=episode).order_by("window_start"))
    assert len(visits) == 10
    assert len({v.pattern_id for v in visits}) == 1
    assert local_date(visits[0].window_start) == first_day

    # Staff the first visit: a support worker alone would not do; the nurse does.
    page.get_by_role("link", name="9:30am to 10:30am").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("9:30am to 10:30am")
    axe(page)
    page.get_by_label("Assign a member of staff").select_option(str(nurse.pk))
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("Nia Okoro assigned to the visit.")).to_be_visible()
    axe(page)
    assert list(visits[0].staff.all()) == [nurse]


def test_a_support_worker_records_a_contact_on_a_phone(
    page: Page,
    axe,
    sign_in,
    practitioner,
    team,
    make_episode,  # noqa: F811
):
    person = factories.PersonFactory(
        given_name="Sam",
        family_name="Ellison",
        address_line_1="12 Canal Street",
        phone="07700 900123",
    )
    episode = make_episode(person=person)
    episode.paired_visits_required = True
    episode.paired_visits_reason = "Her brother has threatened staff"
    episode.save()
    support = factories.StaffMemberFactory(
        role=Role.SUPPORT_WORKER, team=team, user__first_name="Tom", user__last_name="Reyes"
    ).user
    colleague = factories.StaffMemberFactory(
        role=Role.REGISTERED_PRACTITIONER,
        team=team,
        user__first_name="Nia",
        user__last_name="Okoro",
    )
    plan = CarePlan.objects.create(episode=episode, created_by=practitioner)
    goal = Goal.objects.create(
        care_plan=plan,
        need="I can't sleep",
        goal="Sleep through most nights",
        created_by=practitioner,
    )
    Intervention.objects.create(
        care_plan=plan, kind="daily_routine", detail="Sleep diary", created_by=practitioner
    )
    # A window that opened a few minutes ago, today (London).
    now = timezone.now()
    start = max(
        (now - dt.timedelta(minutes=10)).replace(second=0, microsecond=0),
        timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0),
    )
    visit = visit_services.visit_plan(
        episode=episode,
        window_start=start,
        window_end=start + dt.timedelta(minutes=60),
        details=VisitDetails(purpose="Sleep and mood", staff_needed=2),
        staff=[support.staff, colleague],
        by=practitioner,
    )

    page.set_viewport_size({"width": 375, "height": 667})
    sign_in(page, support.username)
    page.goto("/treatment/my-visits/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My visits today")
    expect(page.get_by_text("12 Canal Street")).to_be_visible()
    expect(page.get_by_text("Two staff must go (Her brother has threatened staff)")).to_be_visible()
    expect(page.get_by_text("Nia Okoro")).to_be_visible()
    expect(page.get_by_role("link", name="07700 900123")).to_have_attribute(
        "href", "tel:07700900123"
    )
    axe(page)
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("button", name="Record contact with Sam Ellison").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the visit")
    axe(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("radio", name="Seen").check()
    expect(page.get_by_role("checkbox", name="Tom Reyes, Support worker")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Nia Okoro, Mental health nurse")).to_be_checked()
    page.get_by_role("checkbox", name="Sleep through most nights").check()
    page.get_by_role("checkbox", name="Sleep, activity and daily routine: Sleep diary").check()
    page.get_by_label("Note (you can write it up later)").fill(
        "Slept 5 hours. Kept the diary. Walked the dog."
    )
    page.get_by_role("button", name="Save the contact").click()

    expect(page.get_by_text("Contact with Sam Ellison recorded.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("My visits today")
    axe(page)
    contact = CareContact.objects.get(visit=visit)
    assert contact.attendance == "attended"
    assert list(contact.goals.all()) == [goal]
    assert set(contact.staff.all()) == {support.staff, colleague}
    visit.refresh_from_db()
    assert visit.status == "attended"
