"""Journey: a team manager opens the SPC charts, narrows the range, opens one chart and
prints it (the header and navigation are left out). Every page is checked with axe (zero
violations) under the real CSP, which allows no inline styles."""

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from crisis_care.core.clock import local_instant
from crisis_care.core.roles import Role
from crisis_care.reporting.tests.test_charts import last_week_monday

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_charts_and_prints_one(  # type: ignore[no-untyped-def]
    page: Page,
    axe,
    sign_in,
    staff_user,
    make_referral,
):
    manager = staff_user(Role.TEAM_MANAGER)
    monday = last_week_monday()
    for weeks_ago, n in enumerate((3, 1, 2, 1, 2)):
        for k in range(n):
            day = monday - dt.timedelta(weeks=weeks_ago)
            make_referral(received_at=local_instant(day, dt.time(9, k)))

    sign_in(page, manager.username)
    page.goto("/reporting/charts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Performance charts")
    expect(page.get_by_role("img", name="Referrals received, weekly")).to_be_visible()
    axe(page)

    page.get_by_label("How many weeks").select_option(value="13")
    page.get_by_role("button", name="Show charts").click()
    expect(page.get_by_text("13 weeks:", exact=False).first).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Referrals received", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals received")
    expect(page.get_by_role("table")).to_contain_text(f"Week from {monday.day} {monday:%B %Y}")
    axe(page)

    page.get_by_role("link", name="Show monthly charts instead").click()
    expect(page.get_by_text("24 months:", exact=False).first).to_be_visible()
    axe(page)

    page.emulate_media(media="print")
    expect(page.locator("header").first).to_be_hidden()
    expect(page.get_by_role("img", name="Referrals received, monthly")).to_be_visible()
