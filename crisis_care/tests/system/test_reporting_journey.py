"""Journey: a team manager opens the performance dashboard for last month, sees that first
contact on the day of referral was missed for one referral, drills into the figure to find
that referral, runs a CORE fidelity self-review for the same month and saves it, then exports
the month's national data set. Every page is checked with axe."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role
from crisis_care.reporting.forms import last_full_month
from crisis_care.reporting.models import DataSetExport, ExportStatus, FidelityReview
from crisis_care.reporting.tests.test_figures_data import Build, london

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_a_manager_drills_into_a_breach_saves_a_fidelity_review_and_exports_the_month(
    page: Page, axe, sign_in, staff_user, team
):
    manager = staff_user(Role.TEAM_MANAGER)
    month = last_full_month(timezone.localdate())
    build = Build(team, manager)
    day = month.first + dt.timedelta(days=9)
    # Contacted the same morning: met.
    build.referral(
        london(day, 9),
        person=build.person(given_name="Asha", family_name="Met"),
        first_contact_at=london(day, 11),
        referrer_responded_at=london(day, 9, 10),
    )
    # Received at 10:00 and first contacted at 09:00 the next day: a breach.
    build.referral(
        london(day, 10),
        person=build.person(given_name="Ben", family_name="Breached"),
        first_contact_at=london(day + dt.timedelta(days=1), 9),
        referrer_responded_at=london(day, 10, 20),
    )

    sign_in(page, manager.username)
    page.goto("/reporting/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe(page)
    figure = page.get_by_role("link", name="First contact on the day of referral")
    expect(figure).to_be_visible()
    # The figure's row shows 1 of 2.
    row = page.locator("tr", has=figure)
    expect(row).to_contain_text("50")
    figure.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "First contact on the day of referral"
    )
    # The breach comes first, with the person's name for a manager.
    expect(page.locator("main tbody tr").first).to_contain_text("Ben Breached")
    axe(page)

    # The CORE fidelity self-review for the same month.
    page.goto(f"/reporting/fidelity/new/?start={month.first:%Y-%m-%d}&end={month.last:%Y-%m-%d}")
    axe(page)
    for radio in page.locator("input[type=radio][value=yes]").all():
        radio.check()
    for number in page.locator("input[type=radio][name^=score_][value='3']").all():
        number.check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.locator(".nhsuk-error-summary")).to_have_count(0)
    review = FidelityReview.objects.get(team=team)
    assert 39 <= review.total <= 195
    assert review.items.count() == 39
    expect(page.locator("main")).to_contain_text(str(review.total))
    axe(page)

    # The month's national data set.
    page.goto("/reporting/data-set/")
    axe(page)
    page.get_by_label("Month").select_option(value=f"{month.first:%Y-%m}")
    page.get_by_role("button", name="Build the export").click()
    expect(page.get_by_text("Ready", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Validation report")).to_be_visible()
    axe(page)
    export = DataSetExport.objects.get(team=team)
    assert export.status == ExportStatus.DONE
    referrals_csv = export.files["MHS101.csv"].splitlines()
    assert len(referrals_csv) == 3  # the header and the two referrals
