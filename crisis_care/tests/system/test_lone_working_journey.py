"""Journey: a support worker checks in on a home visit; the visit overruns without a check-out;
the shift coordinator sees the alert on every page and in red on the team's lone working
screen, records that they phoned and the worker is safe, and the alert clears. Then a doctor
starts a medicine and the team records its delivery."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.treatment.models import AlertAction, LoneWorkingCheck, Medication, VisitStaff
from crisis_care.treatment.services import lone_working as lone_working_services
from crisis_care.treatment.tests import conftest as treatment_fixtures
from crisis_care.treatment.tests.test_lone_working import make_overdue, make_visit
from crisis_care.treatment.views import lone_working as lone_working_views
from crisis_care.workforce import services as workforce_services

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]

# The treatment stage's fixtures, for an episode opened through the decision services.
make_finalised_assessment = treatment_fixtures.make_finalised_assessment
make_episode = treatment_fixtures.make_episode


@pytest.fixture
def coordinator(team, practitioner):
    """Ana Lee, a registered nurse down as coordinator on a shift running now."""
    user = factories.StaffMemberFactory(
        role=Role.REGISTERED_PRACTITIONER,
        team=team,
        user__first_name="Ana",
        user__last_name="Lee",
        phone="07700 900123",
    ).user
    start = (timezone.localtime() - dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    shift_type = factories.ShiftTypeFactory(
        team=team,
        name="Coordinating",
        starts=start.time(),
        ends=(start + dt.timedelta(hours=9)).time(),
    )
    shift = workforce_services.shift_get_or_create(shift_type=shift_type, day=start.date())
    workforce_services.shift_assign(
        shift=shift, staff=user.staff, by=practitioner, is_coordinator=True
    )
    return user


@pytest.fixture
def quick_refresh() -> Iterator[None]:
    """The screen refreshes every second here, so the journey need not wait 30."""
    before = lone_working_views.REFRESH_SECONDS
    lone_working_views.REFRESH_SECONDS = 1
    yield
    lone_working_views.REFRESH_SECONDS = before


def test_an_overrunning_visit_raises_an_alert_that_the_coordinator_acts_on(
    page: Page, axe, sign_in, team, practitioner, coordinator, make_episode, quick_refresh
):
    support = factories.StaffMemberFactory(
        role=Role.SUPPORT_WORKER,
        team=team,
        user__first_name="Tom",
        user__last_name="Reyes",
        phone="07700 900456",
    ).user
    episode = make_episode()
    person = episode.person
    person.address_line_1, person.town, person.postcode = "12 Elm Road", "Leicester", "LE2 1AB"
    person.save()
    visit = make_visit(episode, by=practitioner, minutes=30)
    VisitStaff.objects.create(visit=visit, staff=support.staff, assigned_by=practitioner)

    # Tom arrives and checks in for a short visit.
    sign_in(page, support.username)
    page.goto(reverse("treatment:lone_check_in", args=[visit.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check in")
    expect(page.get_by_label("Where are you?")).to_have_value("12 Elm Road, Leicester, LE2 1AB")
    axe(page)
    page.get_by_label("How long do you expect to be, in minutes?").fill("5")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Checked in. If you have not checked out by")).to_be_visible()
    # A reminder to check out stays at the top of every page until Tom does.
    expect(page.get_by_role("region", name="Alert")).to_contain_text(
        "You are checked in at 12 Elm Road"
    )
    axe(page)

    # Time passes: the visit runs 20 minutes past its expected end with no check-out.
    check = LoneWorkingCheck.objects.get(staff=support.staff)
    make_overdue(check, minutes=20)

    # The coordinator sees the alert at the top of whatever page she is on.
    page.context.clear_cookies()
    sign_in(page, coordinator.username)
    banner = page.get_by_role("region", name="Alert")
    expect(banner).to_contain_text("1 lone working visit overdue")
    axe(page)
    banner.get_by_role("link", name="1 lone working visit overdue").click()

    # The lone working screen: the overdue visit first, in red, with Tom's phone and where he is.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lone working")
    alert = page.locator(".nhsuk-card--care--urgent")
    expect(alert).to_contain_text("Tom Reyes: overdue by 20 minutes")
    expect(alert).to_contain_text("07700 900456")
    expect(alert).to_contain_text("12 Elm Road")
    expect(alert).to_contain_text(person.full_name)
    expect(page.get_by_text("Shift coordinator now: Ana Lee")).to_be_visible()
    axe(page)

    alert.get_by_role("button", name="Record the action taken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the action taken")
    axe(page)
    page.get_by_role("radio", name=AlertAction.PHONED_STAFF.label).check()
    page.get_by_label("Note").fill("Spoke to Tom: safe, leaving in 5 minutes")
    page.get_by_role("button", name="Record the action").click()

    # The alert clears; Tom is still checked in until he checks out.
    expect(page.get_by_text("No one is overdue")).to_be_visible()
    expect(page.locator(".nhsuk-card--care--urgent")).to_have_count(0)
    expect(page.get_by_text("Safe, still there")).to_be_visible()
    axe(page)
    page.goto(reverse("workforce:home"))
    expect(page.get_by_role("region", name="Alert")).to_have_count(0)

    # The screen keeps itself up to date: another visit overruns and turns red without a reload.
    page.goto(reverse("treatment:lone_working"))
    other = factories.StaffMemberFactory(
        role=Role.SUPPORT_WORKER, team=team, user__first_name="Kai", user__last_name="Moss"
    ).user
    late = lone_working_services.check_in(
        by=other, team=team, location="Flat 3, 9 Oak Rise", minutes=30, purpose="New assessment"
    )
    make_overdue(late, minutes=10)
    expect(page.locator(".nhsuk-card--care--urgent")).to_contain_text(
        "Kai Moss: overdue by 10 minutes", timeout=10_000
    )
    axe(page)

    # Tom checks out from the reminder at the top of the page, then checks in somewhere else.
    # (Leave the live screen first, so no refresh in flight brings the coordinator's session back.)
    page.goto(reverse("workforce:home"))
    page.context.clear_cookies()
    sign_in(page, support.username)
    page.get_by_role("region", name="Alert").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check out")
    axe(page)
    page.get_by_role("button", name="Check out").click()
    expect(page.get_by_text("You have checked out. Thank you.")).to_be_visible()
    expect(page.get_by_role("region", name="Alert")).to_have_count(0)
    page.goto(reverse("treatment:lone_check_in_adhoc"))
    axe(page)
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Enter what the visit is for")).to_have_count(2)
    axe(page)


def test_a_doctor_starts_a_medicine_and_the_team_records_its_delivery(
    page: Page, axe, sign_in, team, make_episode
):
    doctor = factories.StaffMemberFactory(
        role=Role.DOCTOR, team=team, user__first_name="Ravi", user__last_name="Patel"
    ).user
    episode = make_episode()

    sign_in(page, doctor.username)
    page.goto(reverse("treatment:medication", args=[episode.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Medication")
    axe(page)

    page.get_by_role("link", name="Start a medicine").click()
    axe(page)
    page.get_by_role("button", name="Start the medicine").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe(page)
    page.get_by_label("Medicine").fill("Sertraline")
    page.get_by_label("Dose").fill("50mg")
    page.get_by_label("How often").fill("Once a day in the morning")
    page.get_by_role("button", name="Start the medicine").click()
    expect(
        page.get_by_role("heading", name="Sertraline 50mg, by mouth, Once a day in the morning")
    ).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Record a delivery").click()
    axe(page)
    now = timezone.localtime() - dt.timedelta(minutes=1)
    page.get_by_label("Sertraline 50mg").check()
    page.locator("#id_delivered_on-day").fill(str(now.day))
    page.locator("#id_delivered_on-month").fill(str(now.month))
    page.locator("#id_delivered_on-year").fill(str(now.year))
    page.get_by_label("Time delivered").fill(now.strftime("%H:%M"))
    page.get_by_label("Supply (optional)").fill("7 days")
    page.get_by_role("button", name="Record the delivery").click()
    expect(page.get_by_text("Delivery recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="7 days")).to_be_visible()
    page.get_by_text("History of Sertraline").click()
    expect(page.get_by_text("Ravi Patel (prescriber)")).to_be_visible()
    axe(page)
    assert Medication.objects.get().deliveries.count() == 1

    # Two weeks on, the dose goes up.
    page.get_by_role("link", name="Change the dose of Sertraline").click()
    axe(page)
    page.get_by_label("New dose").fill("100mg")
    page.get_by_label("Why is the dose changing?").fill("Still low after two weeks")
    page.get_by_role("button", name="Change the dose").click()
    expect(
        page.get_by_role("heading", name="Sertraline 100mg, by mouth, Once a day in the morning")
    ).to_be_visible()
    page.get_by_role("link", name="Record a medicine they already take").click()
    axe(page)
