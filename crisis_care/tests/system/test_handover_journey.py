"""Journey: a nurse sets an action for a colleague, who finds it on My tasks and marks it done;
then the coordinator gives the shift handover to the two people starting the next shift, and it
appears in the history exactly as given. Every page has no accessibility violations."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.clock import LONDON
from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.treatment.models import Action, ActionStatus, Handover, Rating, RiskRating
from crisis_care.treatment.services.actions import action_create
from crisis_care.treatment.tests.caseload_data import bulk_episodes
from crisis_care.workforce import services as workforce_services

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def _staff(team, role, first, last):
    return factories.StaffMemberFactory(
        role=role, team=team, user__first_name=first, user__last_name=last
    )


def _shift(team, start, hours, name, staff, by, coordinator=None):
    local_start = start.astimezone(LONDON)
    end = local_start + dt.timedelta(hours=hours)
    shift_type = factories.ShiftTypeFactory(
        team=team,
        name=name,
        starts=local_start.time().replace(second=0, microsecond=0),
        ends=end.time().replace(second=0, microsecond=0),
    )
    shift = workforce_services.shift_get_or_create(shift_type=shift_type, day=local_start.date())
    for member in staff:
        workforce_services.shift_assign(
            shift=shift, staff=member, by=by, is_coordinator=member == coordinator
        )
    return shift


def _sign_out(page: Page) -> None:
    page.goto("/sign-out/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")


@pytest.fixture
def ward(team):
    """Nia (coordinating now) and Tom on shift; Jo and Ali start the next shift in 40 minutes.
    Sam Ellison is in home treatment, rated red at this morning's review."""
    nia = _staff(team, Role.REGISTERED_PRACTITIONER, "Nia", "Okoro")
    tom = _staff(team, Role.SUPPORT_WORKER, "Tom", "Reyes")
    jo = _staff(team, Role.REGISTERED_PRACTITIONER, "Jo", "Patel")
    ali = _staff(team, Role.SUPPORT_WORKER, "Ali", "Khan")
    now = timezone.now().replace(second=0, microsecond=0)
    _shift(team, now - dt.timedelta(hours=7), 7.5, "Early", [nia, tom], nia.user, coordinator=nia)
    next_shift = _shift(team, now + dt.timedelta(minutes=40), 8, "Late", [jo, ali], nia.user)
    (sam,) = bulk_episodes(
        team=team, by=nia.user, workers=[nia], count=1, now=now, names=[("Sam", "Ellison")]
    )
    RiskRating.objects.create(
        episode=sam,
        rating=Rating.RED,
        summary="Said she has thought about how she would end her life",
        reason="New plan disclosed on the morning visit",
        set_by=nia.user,
        set_at=now - dt.timedelta(hours=1),
    )
    return {"nia": nia, "tom": tom, "jo": jo, "ali": ali, "sam": sam, "next_shift": next_shift}


def test_an_action_set_for_a_colleague_is_done_and_the_handover_is_given(
    page: Page, axe, sign_in, ward
):
    nia, tom, sam = ward["nia"], ward["tom"], ward["sam"]

    # Nia sets an action for Tom outside the meeting.
    sign_in(page, nia.user.username)
    page.goto(f"/treatment/episodes/{sam.pk}/actions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions")
    axe(page)
    page.get_by_role("button", name="Set an action").click()
    axe(page)
    page.get_by_role("button", name="Set the action").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe(page)
    tomorrow = (timezone.now() + dt.timedelta(days=1)).astimezone(LONDON)
    page.get_by_label("What needs to be done").fill("Phone Sam's sister about the weekend")
    page.get_by_label("Who will do it").select_option(str(tom.pk))
    page.locator("#id_due_date-day").fill(str(tomorrow.day))
    page.locator("#id_due_date-month").fill(str(tomorrow.month))
    page.locator("#id_due_date-year").fill(str(tomorrow.year))
    page.get_by_label("Time due").fill("10:00")
    page.get_by_role("button", name="Set the action").click()
    expect(page.get_by_text("Action set for Tom Reyes")).to_be_visible()
    expect(page.locator("#open-actions")).to_contain_text("Phone Sam's sister about the weekend")
    axe(page)

    # As coordinator, Nia sees the team's tasks.
    # (The header's later links sit in its "More" menu at this width, so go there directly.)
    page.goto("/treatment/tasks/")
    axe(page)
    page.get_by_role("link", name=re.compile("^Open actions for")).click()
    expect(page.locator("#tasks-later")).to_contain_text("Tom Reyes")
    axe(page)
    _sign_out(page)

    # Tom finds it on his task list and marks it done.
    sign_in(page, tom.user.username)
    page.goto("/treatment/tasks/")
    tasks = page.locator("#tasks-later")
    expect(tasks).to_contain_text("Phone Sam's sister about the weekend")
    expect(tasks).to_contain_text("Sam Ellison")
    expect(tasks).to_contain_text("Tomorrow at 10am")
    expect(tasks).to_contain_text("Nia Okoro")
    axe(page)
    page.get_by_role("link", name=re.compile("^Mark as done")).click()
    axe(page)
    page.get_by_label("Note (optional)").fill("Spoke to her sister: she is staying all weekend")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("Marked as done: Phone Sam's sister")).to_be_visible()
    expect(page.get_by_text("You have no open actions")).to_be_visible()
    axe(page)
    assert Action.objects.get().status == ActionStatus.DONE

    # Cancelling another one needs a reason.
    action_create(
        episode=sam,
        description="Book an interpreter",
        owner=tom,
        due_at=timezone.now() + dt.timedelta(hours=3),
        by=nia.user,
    )
    page.reload()
    page.get_by_role("link", name=re.compile("^Cancel")).click()
    page.get_by_role("button", name="Cancel the action").click()
    expect(page.get_by_text("Enter why the action is being cancelled").first).to_be_visible()
    axe(page)
    _sign_out(page)

    # Nia gives the handover to Jo and Ali, starting the next shift.
    sign_in(page, nia.user.username)
    page.goto("/treatment/handover/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Shift handover")
    risk = page.locator("#handover-risk")
    expect(risk).to_contain_text("Sam Ellison")
    expect(risk).to_contain_text("Red")
    expect(page.locator("#handover-actions")).to_contain_text("Book an interpreter")
    axe(page)
    page.get_by_role("button", name="Record the handover as given").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    axe(page)
    expect(page.get_by_role("radio", name=re.compile("^Late"))).to_be_checked()
    page.get_by_role("checkbox", name="Jo Patel").check()
    page.get_by_role("checkbox", name="Ali Khan").check()
    page.get_by_label("Notes (optional)").fill("Sam's sister is staying all weekend")
    page.get_by_role("button", name="Record the handover as given").click()
    expect(page.get_by_text("Handover recorded as given to")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Handover given")
    expect(page.locator("#handover-risk")).to_contain_text("Sam Ellison")
    axe(page)

    page.get_by_role("link", name="Back to the handovers given").click()
    history = page.locator("#handovers")
    expect(history).to_contain_text("Nia Okoro")
    expect(history).to_contain_text("Ali Khan and Jo Patel")
    expect(history).to_contain_text("Late")
    axe(page)
    handover = Handover.objects.get()
    assert set(handover.received_by.all()) == {ward["jo"], ward["ali"]}
    assert handover.shift == ward["next_shift"]
