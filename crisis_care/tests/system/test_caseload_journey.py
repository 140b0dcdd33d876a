"""Journey: a team manager opens the caseload, narrows it by named worker and by the "Plan not
given" flag, opens one person's episode, is stopped for a missing reason, changes the named
worker, and requires paired visits. Every page has no accessibility violations."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.treatment.models import Episode
from crisis_care.treatment.tests.caseload_data import bulk_activity, bulk_episodes

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def _staff(team, role, first, last):
    return factories.StaffMemberFactory(
        role=role, team=team, user__first_name=first, user__last_name=last
    )


@pytest.fixture
def caseload(team):
    """Sam Ellison (named worker Nia, no written plan yet) and two people of Tom's, whose
    plans were given."""
    manager = _staff(team, Role.TEAM_MANAGER, "Maya", "Shah")
    nia = _staff(team, Role.REGISTERED_PRACTITIONER, "Nia", "Okoro")
    tom = _staff(team, Role.REGISTERED_PRACTITIONER, "Tom", "Reyes")
    now = timezone.now()
    (sam,) = bulk_episodes(
        team=team, by=manager.user, workers=[nia], count=1, now=now, names=[("Sam", "Ellison")]
    )
    toms = bulk_episodes(
        team=team,
        by=manager.user,
        workers=[tom],
        count=2,
        now=now,
        seed=6,
        names=[("Ria", "Kaur"), ("Lee", "Moss")],
    )
    bulk_activity(episodes=toms, by=manager.user, now=now)
    return {"manager": manager, "nia": nia, "tom": tom, "sam": sam}


def test_a_manager_filters_the_caseload_and_changes_a_named_worker(
    page: Page, axe, sign_in, caseload
):
    sign_in(page, caseload["manager"].user.username)
    page.goto("/treatment/caseload/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Caseload")
    for name in ("Sam Ellison", "Ria Kaur", "Lee Moss"):
        expect(page.get_by_role("link", name=name)).to_be_visible()
    axe(page)

    # Nia's people only.
    page.get_by_label("Named worker").select_option(label="Nia Okoro")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Sam Ellison")).to_be_visible()
    expect(page.get_by_role("link", name="Ria Kaur")).to_have_count(0)
    expect(page.get_by_role("link", name="Lee Moss")).to_have_count(0)

    # Everyone whose written plan has not been given: Sam has no plan yet.
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Flag").select_option(label="Plan not given")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Sam Ellison")).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Sam Ellison").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home treatment")
    axe(page)

    # A change of named worker needs a reason; nothing typed is lost.
    page.get_by_role("link", name="Change the named worker", exact=True).first.click()
    page.get_by_label("New named worker").select_option(label="Tom Reyes, Mental health nurse")
    page.get_by_role("button", name="Change the named worker").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("Enter why the named worker is changing").first).to_be_visible()
    expect(page.get_by_label("New named worker")).to_have_value(str(caseload["tom"].pk))
    axe(page)
    page.get_by_label("Why is the named worker changing?").fill(
        "Nia is on leave for two weeks; Sam has met Tom twice."
    )
    page.get_by_role("button", name="Change the named worker").click()
    expect(page.get_by_text("Tom Reyes is now the named worker.")).to_be_visible()
    axe(page)

    # Paired visits after a threat at the door.
    page.get_by_role("link", name="Require paired visits").first.click()
    page.get_by_label("Why are paired visits needed?").fill(
        "Sam's brother threatened the visiting nurse on Tuesday."
    )
    page.get_by_role("button", name="Require paired visits").click()
    expect(page.get_by_text("Paired visits are now required").first).to_be_visible()
    axe(page)

    sam = Episode.objects.get(pk=caseload["sam"].pk)
    assert sam.named_worker == caseload["tom"]
    assert sam.paired_visits_required is True
