"""Journey: a team manager runs the morning MDT review. She starts the meeting with who is
attending, then reviews three people in a row with the keyboard alone (Tab, typing, arrow keys
and Enter): a decision for each, a change of rating with its reason, and an action for a
colleague. The board then shows everyone reviewed today. Every page is checked with axe."""

from collections.abc import Callable

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.treatment.models import Action, MdtMeeting, MdtReview, RiskRating
from crisis_care.treatment.tests.test_mdt_board import build_caseload
from crisis_care.workforce.models import Team

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def _focused(page: Page) -> str:
    """The id of the element that has focus."""
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def _tab_to(page: Page, element_id: str, most: int = 12) -> None:
    """Press Tab until the element has focus, failing if it takes more than `most` presses."""
    for _ in range(most):
        if _focused(page) == element_id:
            return
        page.keyboard.press("Tab")
    assert _focused(page) == element_id, f"Tab never reached #{element_id}"


def test_a_manager_runs_the_morning_review_with_the_keyboard(
    page: Page, axe: Callable[[Page], None], sign_in: Callable[[Page, str], None], team: Team
) -> None:
    def member(role: Role, first: str, last: str):  # type: ignore[no-untyped-def]
        return factories.StaffMemberFactory(
            role=role, team=team, user__first_name=first, user__last_name=last
        ).user

    manager = member(Role.TEAM_MANAGER, "Ros", "Patel")
    member(Role.DOCTOR, "Amara", "Shah")
    member(Role.PSYCHOLOGIST, "Li", "Wong")
    tom = member(Role.SUPPORT_WORKER, "Tom", "Reyes")
    # Adams is not yet rated, Brook is amber, Cole green: the board's order.
    adams, brook, cole = build_caseload(
        team=team,
        by=manager,
        count=3,
        named_worker=manager.staff,
        names=[("Ana", "Adams"), ("Ben", "Brook"), ("Cy", "Cole")],
    )

    sign_in(page, manager.username)
    page.get_by_role("link", name="MDT board").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Daily review board")
    expect(page.locator("#board-count")).to_contain_text("3 people · 3 not reviewed today")
    axe(page)

    # Start the meeting with the doctor, the psychologist and the support worker.
    page.get_by_role("link", name="Start today's meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start today's meeting")
    axe(page)
    for name in ("Amara Shah, Psychiatrist", "Li Wong, Psychologist", "Tom Reyes, Support worker"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="Start the meeting").click()
    expect(page.get_by_text("Attending: 4 people, 4 professions")).to_be_visible()
    expect(page.get_by_text("chaired by Ros Patel")).to_be_visible()
    axe(page)

    # 1 of 3: Ana Adams. The decision has focus as the page opens; the form is in order.
    page.get_by_role("link", name="Review the next person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review 1 of 3: Ana Adams")
    axe(page)
    assert _focused(page) == "id_decision"
    page.keyboard.type("Sleeping better. Start planning discharge to the GP.")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_discharge_readiness"  # "Not yet", as at the last review
    page.keyboard.press("ArrowDown")  # "Start planning discharge"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_rating"  # not rated yet: the first colour
    page.keyboard.press("Tab")
    assert _focused(page) == "id_summary"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_reason"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_action1-description"
    page.keyboard.press("Enter")  # saves, and opens the next person

    # 2 of 3: Ben Brook. The team raises the rating from amber to red, with its reason.
    expect(page.get_by_role("heading", level=1)).to_have_text("Review 2 of 3: Ben Brook")
    expect(page.get_by_text("Review of Ana Adams saved.")).to_be_visible()
    axe(page)
    page.keyboard.type("Visit twice today; Dr Shah to review medication tomorrow.")
    _tab_to(page, "id_rating-2")  # the rating as it is: amber
    page.keyboard.press("ArrowLeft")  # red
    page.keyboard.press("Tab")
    assert _focused(page) == "id_summary"
    page.keyboard.press("Control+A")
    page.keyboard.type("Told the visiting nurse he has a plan to overdose; lives alone.")
    page.keyboard.press("Tab")
    page.keyboard.type("A plan disclosed at last night's visit.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    # 3 of 3: Cy Cole. An action for Tom, due tomorrow at 2pm.
    expect(page.get_by_role("heading", level=1)).to_have_text("Review 3 of 3: Cy Cole")
    axe(page)
    page.keyboard.type("Continue daily visits.")
    _tab_to(page, "id_action1-description")
    page.keyboard.type("Phone the GP about sleep")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_action1-owner"
    page.keyboard.type("Tom")
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    for part in (str(tomorrow.day), str(tomorrow.month), str(tomorrow.year), "14:00"):
        page.keyboard.press("Tab")
        page.keyboard.type(part)
    assert _focused(page) == "id_action1-due_time"
    page.keyboard.press("Enter")

    # Back on the board: everyone reviewed today, in this meeting.
    expect(
        page.get_by_text("Everyone on the board has been reviewed in this meeting.")
    ).to_be_visible()
    expect(page.locator("#board-count")).to_contain_text("3 people · 0 not reviewed today")
    expect(page.get_by_text("Reviewed in this meeting", exact=True)).to_have_count(3)
    expect(
        page.get_by_text("Phone the GP about sleep (Tom Reyes, due tomorrow at 2pm)")
    ).to_be_visible()
    axe(page)
    page.get_by_role("link", name="not reviewed today (0)").click()
    expect(page.get_by_text("Everyone on the board has been reviewed today.")).to_be_visible()
    axe(page)

    meeting = MdtMeeting.objects.get(team=team, ended_at__isnull=True)
    reviews = {r.episode_id: r for r in MdtReview.objects.filter(meeting=meeting)}
    assert set(reviews) == {adams.pk, brook.pk, cole.pk}
    assert reviews[adams.pk].discharge_readiness == "planning"
    red = RiskRating.objects.filter(episode=brook).order_by("-set_at").first()
    assert (red.rating, red.reason) == ("red", "A plan disclosed at last night's visit.")
    action = Action.objects.get(review=reviews[cole.pk])
    assert action.owner == tom.staff
    assert timezone.localtime(action.due_at).hour == 14
