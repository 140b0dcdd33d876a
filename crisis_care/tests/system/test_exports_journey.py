"""Journey: a team manager exports a month's national data set, reads the validation report and
downloads a table; and a page following an export in progress updates itself when it is ready.
Every page is checked with axe (zero violations) under the real CSP."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from crisis_care.core.roles import Role
from crisis_care.nonprod import factories
from crisis_care.reporting.models import DataSetExport, ExportStatus
from crisis_care.reporting.tests.test_mhsds_selectors import (
    make_contact,
    make_episode,
    make_referral,
)

pytestmark = [pytest.mark.system, pytest.mark.django_db(transaction=True)]


def test_a_manager_exports_a_month_and_downloads_the_referrals(  # type: ignore[no-untyped-def]
    page: Page, axe, sign_in, staff_user, team
):
    manager = staff_user(Role.TEAM_MANAGER)
    start = dt.datetime.combine(timezone.localdate().replace(day=1), dt.time(9), tzinfo=dt.UTC)
    episode = make_episode(team, manager, received=start, started=start + dt.timedelta(hours=3))
    make_contact(episode, manager, start + dt.timedelta(hours=5))
    make_referral(team, manager, received=start, person=factories.PersonFactory(nhs_number=""))

    sign_in(page, manager.username)
    page.goto("/reporting/data-set/")
    expect(page.get_by_role("heading", level=1)).to_have_text("National data set export")
    axe(page)
    page.get_by_label("Month").select_option(value=f"{timezone.localdate():%Y-%m}")
    page.get_by_role("button", name="Build the export").click()

    expect(page.get_by_text("Ready", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Validation report")).to_be_visible()
    expect(page.get_by_text("The person has no NHS number.")).to_be_visible()
    axe(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="MHS101.csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-MHS101.csv")
    first_line = Path(download.path()).read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("UniqServReqID,LocalPatientId,ReferralRequestReceivedDate")

    page.get_by_role("link", name="Back to data set exports").click()
    expect(page.get_by_role("link", name=f"{timezone.localdate():%B %Y}")).to_be_visible()
    axe(page)


def test_the_progress_page_follows_the_build_and_shows_the_result(  # type: ignore[no-untyped-def]
    page: Page, axe, sign_in, staff_user, team
):
    manager = staff_user(Role.TEAM_MANAGER)
    export = DataSetExport.objects.create(
        team=team,
        month=timezone.localdate().replace(day=1),
        requested_by=manager,
        requested_at=timezone.now(),
        status=ExportStatus.RUNNING,
        progress=30,
    )

    sign_in(page, manager.username)
    page.goto(f"/reporting/data-set/{export.pk}/")
    expect(page.get_by_text("Progress: 30%")).to_be_visible()
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    axe(page)

    DataSetExport.objects.filter(pk=export.pk).update(progress=63)
    expect(page.get_by_text("Progress: 63%")).to_be_visible()

    DataSetExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
        files={"MHS101.csv": "UniqServReqID\r\n"},
        validation={"MHS101": {"title": "Referrals", "rows": 0, "problems": []}},
    )
    expect(page.get_by_role("heading", name="Validation report")).to_be_visible()
    expect(page.get_by_text("No missing or inconsistent values were found.")).to_be_visible()
    axe(page)
