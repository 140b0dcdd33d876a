"""Every clock rule, including the nights the clocks change and just before midnight."""

import datetime as dt

import pytest

from crisis_care.core.clock import LONDON
from crisis_care.referrals.clocks import (
    ClockInput,
    ClockName,
    ClockState,
    clocks_for,
    first_contact_target,
    next_deadline,
)
from crisis_care.referrals.models import Pathway, Priority

UTC = dt.UTC


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def mh(priority: str = Priority.URGENT, **kwargs) -> ClockInput:
    kwargs.setdefault("received_at", london(2026, 6, 10, 9, 0))
    return ClockInput(pathway=Pathway.MENTAL_HEALTH, priority=priority, is_open=True, **kwargs)


def by_name(clocks) -> dict:
    return {c.name: c for c in clocks}


def test_the_referrer_must_hear_back_within_30_minutes():
    received = london(2026, 6, 10, 9, 0)
    clocks = by_name(clocks_for(mh(received_at=received), now=received + dt.timedelta(minutes=10)))

    clock = clocks[ClockName.REFERRER_RESPONSE]
    assert clock.state is ClockState.RUNNING
    assert clock.remaining == dt.timedelta(minutes=20)


def test_a_response_after_31_minutes_is_a_breach_and_says_by_how_much():
    received = london(2026, 6, 10, 9, 0)
    data = mh(received_at=received, referrer_responded_at=received + dt.timedelta(minutes=31))

    clock = by_name(clocks_for(data, now=received + dt.timedelta(hours=1)))[
        ClockName.REFERRER_RESPONSE
    ]

    assert clock.state is ClockState.BREACHED
    assert clock.remaining == dt.timedelta(minutes=-1)


def test_an_unanswered_referrer_clock_breaches_when_the_30_minutes_pass():
    received = london(2026, 6, 10, 9, 0)
    clock = by_name(clocks_for(mh(received_at=received), now=received + dt.timedelta(minutes=45)))[
        ClockName.REFERRER_RESPONSE
    ]
    assert clock.state is ClockState.BREACHED


def test_first_contact_is_due_by_the_end_of_the_same_day():
    assert first_contact_target(london(2026, 6, 10, 9, 0)) == london(2026, 6, 11, 0, 0)


def test_first_contact_after_six_in_the_evening_is_due_by_next_morning():
    assert first_contact_target(london(2026, 6, 10, 18, 0)) == london(2026, 6, 11, 12, 0)
    assert first_contact_target(london(2026, 6, 10, 17, 59)) == london(2026, 6, 11, 0, 0)


def test_the_evening_cut_off_is_configurable(settings):
    settings.CRISIS_CARE = {
        **settings.CRISIS_CARE,
        "FIRST_CONTACT_LATE_AFTER": "20:00",
        "FIRST_CONTACT_NEXT_MORNING_BY": "09:00",
    }
    assert first_contact_target(london(2026, 6, 10, 19, 0)) == london(2026, 6, 11, 0, 0)
    assert first_contact_target(london(2026, 6, 10, 20, 30)) == london(2026, 6, 11, 9, 0)


def test_a_referral_at_23_50_is_due_first_contact_next_morning_not_in_ten_minutes():
    received = london(2026, 6, 10, 23, 50)
    clocks = by_name(clocks_for(mh(received_at=received), now=received))

    assert clocks[ClockName.FIRST_CONTACT].target_at == london(2026, 6, 11, 12, 0)
    # The 24-hour face-to-face clock runs in real time across midnight.
    assert clocks[ClockName.FACE_TO_FACE].target_at == london(2026, 6, 11, 23, 50)


@pytest.mark.parametrize(
    ("priority", "hours"),
    [
        (Priority.EMERGENCY, 1),
        (Priority.VERY_URGENT, 4),
        (Priority.URGENT, 24),
        (Priority.ROUTINE, 24 * 28),
    ],
)
def test_face_to_face_targets_follow_the_priority(priority, hours):
    received = london(2026, 6, 10, 9, 0)
    clock = by_name(clocks_for(mh(priority, received_at=received), now=received))[
        ClockName.FACE_TO_FACE
    ]
    assert clock.target_at - received == dt.timedelta(hours=hours)


def test_a_referral_at_0130_on_the_night_the_clocks_go_back():
    # 25 October 2026: 01:30 happens twice. The received time is an instant, so take the
    # first 01:30 (BST, 00:30 UTC).
    received = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    clocks = by_name(clocks_for(mh(Priority.VERY_URGENT, received_at=received), now=received))

    # Four real hours later is 04:30 UTC, which the wall clock shows as 04:30 GMT (not 05:30).
    f2f = clocks[ClockName.FACE_TO_FACE]
    assert f2f.target_at == dt.datetime(2026, 10, 25, 4, 30, tzinfo=UTC)
    assert f2f.target_at.astimezone(LONDON).strftime("%H:%M %Z") == "04:30 GMT"
    # Same day: by midnight London time at the end of Sunday 25 October, which is 25 hours
    # after midnight at its start.
    first = clocks[ClockName.FIRST_CONTACT]
    assert first.target_at == dt.datetime(2026, 10, 26, 0, 0, tzinfo=UTC)
    assert first.target_at.astimezone(LONDON) == london(2026, 10, 26, 0, 0)


def test_the_second_0130_on_the_night_the_clocks_go_back_is_an_hour_later():
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
    assert first.astimezone(LONDON).strftime("%H:%M") == second.astimezone(LONDON).strftime("%H:%M")

    a = by_name(clocks_for(mh(Priority.EMERGENCY, received_at=first), now=first))[
        ClockName.FACE_TO_FACE
    ]
    b = by_name(clocks_for(mh(Priority.EMERGENCY, received_at=second), now=second))[
        ClockName.FACE_TO_FACE
    ]
    assert b.target_at - a.target_at == dt.timedelta(hours=1)


def test_the_night_the_clocks_go_forward_a_24_hour_clock_is_24_real_hours():
    received = london(2026, 3, 28, 22, 0)  # GMT; the clocks go forward at 01:00 GMT on the 29th
    f2f = by_name(clocks_for(mh(Priority.URGENT, received_at=received), now=received))[
        ClockName.FACE_TO_FACE
    ]
    assert f2f.target_at - received == dt.timedelta(hours=24)
    assert f2f.target_at.astimezone(LONDON).hour == 23  # 23:00 BST on the 29th


def test_a_clock_met_in_time_is_met():
    received = london(2026, 6, 10, 9, 0)
    data = mh(received_at=received, first_contact_at=received + dt.timedelta(hours=2))
    clock = by_name(clocks_for(data, now=received + dt.timedelta(days=3)))[ClockName.FIRST_CONTACT]
    assert clock.state is ClockState.MET


def test_a_referral_declined_before_the_target_stops_its_clocks_without_a_breach():
    received = london(2026, 6, 10, 9, 0)
    data = ClockInput(
        pathway=Pathway.MENTAL_HEALTH,
        priority=Priority.URGENT,
        received_at=received,
        is_open=False,
        closed_at=received + dt.timedelta(minutes=20),
        referrer_responded_at=received + dt.timedelta(minutes=20),
    )
    clocks = by_name(clocks_for(data, now=received + dt.timedelta(days=2)))
    assert clocks[ClockName.REFERRER_RESPONSE].state is ClockState.MET
    assert clocks[ClockName.FIRST_CONTACT].state is ClockState.STOPPED
    assert clocks[ClockName.FACE_TO_FACE].state is ClockState.STOPPED


def test_the_council_pathway_has_only_its_own_two_hour_and_reablement_clocks():
    received = london(2026, 6, 10, 9, 0)
    data = ClockInput(
        pathway=Pathway.COUNCIL_CRS,
        priority=Priority.URGENT,
        received_at=received,
        is_open=True,
        reablement_needed=True,
    )
    clocks = clocks_for(data, now=received + dt.timedelta(minutes=30))

    assert [c.name for c in clocks] == [ClockName.CRS_RESPONSE, ClockName.CRS_REABLEMENT]
    assert clocks[0].remaining == dt.timedelta(hours=1, minutes=30)
    assert clocks[1].target_at == received + dt.timedelta(days=2)


def test_without_reablement_the_council_pathway_has_one_clock():
    received = london(2026, 6, 10, 9, 0)
    data = ClockInput(
        pathway=Pathway.COUNCIL_CRS, priority=Priority.URGENT, received_at=received, is_open=True
    )
    assert [c.name for c in clocks_for(data, now=received)] == [ClockName.CRS_RESPONSE]


def test_the_next_deadline_is_the_most_pressing_unstopped_clock():
    received = london(2026, 6, 10, 9, 0)
    clocks = clocks_for(
        mh(Priority.EMERGENCY, received_at=received), now=received + dt.timedelta(minutes=40)
    )
    # Referrer response breached 10 minutes ago: the most pressing.
    assert next_deadline(clocks) == dt.timedelta(minutes=-10)
