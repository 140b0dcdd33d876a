""" "Not reviewed today" follows the London date: a review late in the evening is not today's
after midnight, and the days the clocks change (23 and 25 hours long) still count as one day."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.clock import LONDON
from crisis_care.core.models import User
from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.treatment.selectors import mdt as selectors
from crisis_care.treatment.services import mdt as services

from .test_mdt_board import build_caseload

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(staff_user) -> User:
    return staff_user(Role.TEAM_MANAGER)


def _review_at(when: dt.datetime, *, team, manager, time_machine):
    """At `when` (London), start a meeting and review one person; return the episode."""
    time_machine.move_to(when, tick=False)
    (episode,) = build_caseload(team=team, by=manager, count=1, rich=False)
    meeting = services.mdt_start(team=team, attendees=[], by=manager)
    services.mdt_review_record(
        meeting=meeting,
        episode=episode,
        decision="Continue",
        discharge_readiness="not_yet",
        rating=None,
        actions=[],
        by=manager,
    )
    return episode


def _reviewed_today(team) -> bool:
    (row,) = selectors.board_rows(team=team, now=timezone.now())
    return row.reviewed_today


def test_a_review_at_half_past_eleven_at_night_is_not_today_after_midnight(
    signed_in, manager, team, time_machine
):
    # 11:30pm in summer is 10:30pm UTC: at 00:30 London it is still the same UTC date.
    _review_at(
        dt.datetime(2026, 6, 10, 23, 30, tzinfo=LONDON),
        team=team,
        manager=manager,
        time_machine=time_machine,
    )
    assert _reviewed_today(team)

    time_machine.move_to(dt.datetime(2026, 6, 11, 0, 30, tzinfo=LONDON), tick=False)

    assert not _reviewed_today(team)
    text = page_text(signed_in(manager).get(reverse("treatment:mdt_board")))
    assert "1 person · 1 not reviewed today" in text
    assert "Yesterday at 11:30pm" in text


def test_the_day_the_clocks_go_back_is_one_day_of_25_hours(manager, team, time_machine):
    # 00:30 BST on Sunday 25 October 2026 is 23:30 UTC on the Saturday.
    _review_at(
        dt.datetime(2026, 10, 25, 0, 30, tzinfo=LONDON),
        team=team,
        manager=manager,
        time_machine=time_machine,
    )

    # 23:30 GMT the same Sunday: 24 hours later by the clock on the wall, 25 in fact.
    time_machine.move_to(dt.datetime(2026, 10, 25, 23, 30, tzinfo=LONDON), tick=False)
    assert _reviewed_today(team)

    time_machine.move_to(dt.datetime(2026, 10, 26, 0, 1, tzinfo=LONDON), tick=False)
    assert not _reviewed_today(team)


def test_the_day_the_clocks_go_forward_is_one_day_of_23_hours(manager, team, time_machine):
    # 11:30pm GMT on Saturday 28 March 2026, then 00:15 on the Sunday the clocks go forward.
    _review_at(
        dt.datetime(2026, 3, 28, 23, 30, tzinfo=LONDON),
        team=team,
        manager=manager,
        time_machine=time_machine,
    )
    time_machine.move_to(dt.datetime(2026, 3, 29, 0, 15, tzinfo=LONDON), tick=False)
    assert not _reviewed_today(team)


def test_a_review_just_after_midnight_on_the_short_day_still_counts_at_its_end(
    manager, team, time_machine
):
    _review_at(
        dt.datetime(2026, 3, 29, 0, 30, tzinfo=LONDON),
        team=team,
        manager=manager,
        time_machine=time_machine,
    )

    # 11:45pm BST is only 22 hours 15 minutes later, on the same London date.
    time_machine.move_to(dt.datetime(2026, 3, 29, 23, 45, tzinfo=LONDON), tick=False)
    assert _reviewed_today(team)


def test_todays_meeting_is_found_by_the_london_date(manager, team, time_machine):
    # A meeting started at 00:20 BST (23:20 UTC the day before) is today's meeting.
    time_machine.move_to(dt.datetime(2026, 7, 1, 0, 20, tzinfo=LONDON), tick=False)
    meeting = services.mdt_start(team=team, attendees=[], by=manager)

    time_machine.move_to(dt.datetime(2026, 7, 1, 23, 50, tzinfo=LONDON), tick=False)
    assert selectors.open_meeting_today(team=team) == meeting

    time_machine.move_to(dt.datetime(2026, 7, 2, 0, 10, tzinfo=LONDON), tick=False)
    assert selectors.open_meeting_today(team=team) is None
