"""Display values for aftercare planning: notice in London calendar days with the short-notice
warning, where each missing checklist item is fixed, the progress line, and appointments."""

import datetime as dt
import uuid

from crisis_care.discharge.models import (
    DischargeMeeting,
    OnwardReferral,
    OnwardReferralStatus,
)
from crisis_care.discharge.presenters import aftercare as p
from crisis_care.discharge.selectors.checklist import Checklist, ChecklistItem, ItemState
from crisis_care.treatment.models import Episode

UTC = dt.UTC


def meeting(arranged_at: dt.datetime, starts_at: dt.datetime) -> DischargeMeeting:
    return DischargeMeeting(arranged_at=arranged_at, starts_at=starts_at, place="Home")


def test_notice_is_counted_in_london_calendar_days():
    # 23:30 London on 1 July is 22:30 UTC; 00:30 London on 3 July is 23:30 UTC on 2 July.
    m = meeting(
        dt.datetime(2026, 7, 1, 22, 30, tzinfo=UTC), dt.datetime(2026, 7, 2, 23, 30, tzinfo=UTC)
    )

    assert p.notice_text(m) == "2 days"
    assert p.short_notice_warning(m, "Sam") is None


def test_less_than_two_days_notice_is_flagged():
    m = meeting(
        dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC), dt.datetime(2026, 7, 2, 15, 0, tzinfo=UTC)
    )

    assert p.notice_text(m) == "1 day: less than 2 days' notice"
    warning = p.short_notice_warning(m, "Sam")
    assert warning is not None and "Give Sam, their family" in warning


def test_notice_across_the_autumn_clock_change_counts_dates_not_hours():
    # Arranged 09:00 BST on Saturday 24 October; meeting 09:00 GMT on Monday 26 October (49 h).
    m = meeting(
        dt.datetime(2026, 10, 24, 8, 0, tzinfo=UTC), dt.datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    )

    assert p.notice_text(m) == "2 days"


def test_missing_items_link_to_the_page_that_fixes_them():
    episode = Episode(pk=uuid.uuid4())
    aftercare = f"/discharge/episodes/{episode.pk}/"

    def href(code: str, **kwargs: bool) -> str | None:
        return p.fix_href(ChecklistItem(code, ItemState.MISSING, ""), episode, **kwargs)

    assert href("25a") == f"{aftercare}#involved-services"
    assert href("25d") == f"{aftercare}#involved-services"
    assert href("25b") == f"{aftercare}referrals-on/add/"
    assert href("25c") == f"{aftercare}meeting/"
    assert href("25c", meeting_arranged=True) == f"{aftercare}#discharge-meeting"
    assert href("25e") == f"{aftercare}discharge-plan/"
    assert href("25f") == f"{aftercare}discharge-plan/"
    assert href("24") == f"{aftercare}relapse-prevention-plan/"
    assert p.fix_href(ChecklistItem("25b", ItemState.MET, ""), episode) is None


def test_the_task_list_has_no_links_when_read_only_and_only_plan_links_for_others():
    episode = Episode(pk=uuid.uuid4())
    checklist = Checklist(
        items=[
            ChecklistItem("25b", ItemState.MISSING, "No referral on has been made"),
            ChecklistItem("24", ItemState.MISSING, "No relapse prevention plan yet"),
            ChecklistItem("25a", ItemState.NOT_APPLICABLE, "None involved"),
        ]
    )

    read_only = p.checklist_task_items(checklist, episode, can_plan=True, read_only=True)
    clerical = p.checklist_task_items(checklist, episode, can_plan=False, read_only=False)

    assert not any("href" in i for i in read_only)
    assert ["href" in i for i in clerical] == [False, True, False]
    assert [i["status"]["tag"]["text"] for i in clerical] == ["Missing", "Missing", "Not needed"]


def test_progress_counts_items_not_needed_as_done():
    checklist = Checklist(
        items=[
            ChecklistItem("25a", ItemState.NOT_APPLICABLE, ""),
            ChecklistItem("25b", ItemState.MET, ""),
            ChecklistItem("24", ItemState.MISSING, ""),
        ]
    )

    progress = p.progress(checklist)

    assert progress.text == "2 of 3 done"
    assert progress.missing == ["Relapse prevention plan written with the person"]


def test_appointment_text():
    referral = OnwardReferral(status=OnwardReferralStatus.ACCEPTED)
    assert p.appointment_text(referral) == "Not booked yet"

    referral.first_appointment_at = dt.datetime(2026, 7, 6, 9, 30, tzinfo=UTC)
    referral.first_appointment_place = "Merlyn Vaz Health Centre"
    assert p.appointment_text(referral) == "6 July 2026 at 10:30am, Merlyn Vaz Health Centre"

    assert p.appointment_text(OnwardReferral(status=OnwardReferralStatus.SENT)) == "None"


def test_attendance_text():
    assert p.attendance_text(None) == "Invited"
    assert p.attendance_text(True) == "Came"
    assert p.attendance_text(False) == "Did not come"
