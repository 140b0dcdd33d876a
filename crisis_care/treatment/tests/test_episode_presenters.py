"""Display values for the caseload and the episode page (pure functions: no database)."""

import datetime as dt
import uuid
from types import SimpleNamespace

from crisis_care.treatment.models import ReviewOutcome
from crisis_care.treatment.presenters import episodes as p
from crisis_care.treatment.selectors.caseload import Flag, flags_for

TODAY = dt.date(2026, 10, 25)  # the clocks went back at 2am: London is on GMT again


def test_days_since_start_reads_naturally():
    assert p.days_text(0) == "Started today"
    assert p.days_text(1) == "1 day"
    assert p.days_text(12) == "12 days"


def test_the_next_visit_says_today_tomorrow_or_the_day_in_london_time():
    # 09:00 UTC on 25 October is 9am GMT; on 24 October 09:00 UTC was 10am BST.
    start = dt.datetime(2026, 10, 25, 9, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=1)

    assert p.visit_window_text(start, end, today=TODAY) == "Today, 9am to 10am"
    assert (
        p.visit_window_text(start, end, today=TODAY - dt.timedelta(days=1))
        == "Tomorrow, 9am to 10am"
    )
    earlier = dt.datetime(2026, 10, 24, 9, 0, tzinfo=dt.UTC)
    assert (
        p.visit_window_text(earlier, earlier + dt.timedelta(minutes=30), today=TODAY)
        == "Sat 24 Oct, 10am to 10:30am"
    )
    assert p.visit_window_text(None, None, today=TODAY) == "None planned"


def test_a_window_over_midnight_says_next_day():
    start = dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC)

    assert (
        p.visit_window_text(start, start + dt.timedelta(hours=1), today=TODAY)
        == "Today, 11:30pm to 12:30am next day"
    )


def test_seen_and_count_texts():
    assert p.seen_text(0) == "Not seen"
    assert p.seen_text(1) == "Seen once"
    assert p.seen_text(3) == "Seen 3 times"
    assert p.count_text(104, 104) == "Showing all 104 people"
    assert p.count_text(1, 1) == "Showing 1 person"
    assert p.count_text(12, 104) == "Showing 12 of 104 people"


def test_each_flag_has_its_tag_most_severe_first():
    assert [p.flag_tag(flag)["text"] for flag in Flag] == [
        "No visit today",
        "Plan not given",
        "Six-week review due",
    ]
    assert p.flag_tag(Flag.NO_VISIT_TODAY)["classes"] == "nhsuk-tag--red"
    assert p.flag_choices()[0] == ("no_visit_today", "No visit today")


def test_flags_follow_the_rules():
    due = TODAY + dt.timedelta(days=7)
    quiet = {"visit_planned_today": True, "seen_today": False, "plan_given": True}

    assert flags_for(today=TODAY, due_on=due, review_current=False, **quiet) == (Flag.REVIEW_DUE,)
    assert flags_for(today=TODAY, due_on=due, review_current=True, **quiet) == ()
    assert (
        flags_for(today=TODAY, due_on=due + dt.timedelta(days=1), review_current=False, **quiet)
        == ()
    )
    assert flags_for(
        today=TODAY,
        due_on=due + dt.timedelta(days=30),
        visit_planned_today=False,
        seen_today=False,
        plan_given=False,
        review_current=False,
    ) == (Flag.NO_VISIT_TODAY, Flag.PLAN_NOT_GIVEN)


def test_the_review_summary_counts_down_then_says_overdue():
    due = dt.date(2026, 11, 5)

    assert p.review_summary(due_on=due, latest=None, today=TODAY)["text"] == (
        "The six-week review is due on 5 November 2026 (in 11 days)."
    )
    assert "due today" in p.review_summary(due_on=TODAY, latest=None, today=TODAY)["text"]
    overdue = p.review_summary(due_on=TODAY - dt.timedelta(days=2), latest=None, today=TODAY)
    assert overdue["detail"] == "It is 2 days overdue."


def test_the_review_summary_after_a_review():
    continuing = SimpleNamespace(
        outcome=ReviewOutcome.CONTINUE,
        reviewed_at=dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC),
        next_review_on=dt.date(2026, 11, 1),
    )
    discharge = SimpleNamespace(
        outcome=ReviewOutcome.PLAN_DISCHARGE,
        reviewed_at=dt.datetime(2026, 10, 20, 12, tzinfo=dt.UTC),
        next_review_on=None,
    )

    assert p.review_summary(due_on=TODAY, latest=continuing, today=TODAY)["text"] == (
        "Next review on 1 November 2026."
    )
    assert p.review_summary(due_on=TODAY, latest=continuing, today=dt.date(2026, 11, 2))[
        "text"
    ] == ("The next review was due on 1 November 2026.")
    assert "plan discharge" in p.review_summary(due_on=TODAY, latest=discharge, today=TODAY)["text"]


def test_href_for_fills_in_each_episode():
    pk = uuid.uuid4()

    assert p.href_for("treatment:episode")(pk) == f"/treatment/episodes/{pk}/"
