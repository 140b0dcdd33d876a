"""The triage queue: ordered by time left, filters, breaches today, fixed query count."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from crisis_care.core.roles import Role
from crisis_care.core.testing import page_text
from crisis_care.referrals import services
from crisis_care.referrals.selectors import breaches_today, triage_queue

pytestmark = pytest.mark.django_db


def test_the_most_pressing_clock_comes_first(make_referral, team):
    now = timezone.now()
    routine = make_referral(priority="3", received_at=now - dt.timedelta(minutes=1))
    emergency = make_referral(priority="1", received_at=now - dt.timedelta(minutes=2))
    urgent = make_referral(priority="2", received_at=now - dt.timedelta(minutes=3))
    # The referrer has heard back on the urgent one, so its next clock is first contact (hours away).
    services.contact_record(
        referral=urgent,
        occurred_at=now,
        with_whom="referrer",
        medium="phone",
        outcome="spoke",
        note="",
        by=urgent.created_by,
    )

    rows = triage_queue(team=team).rows

    # The other two have 30-minute referrer clocks running; the emergency has less left.
    assert [r.referral for r in rows] == [emergency, routine, urgent]


def test_the_queue_page_shows_clocks_as_tags_and_hides_closed_referrals(
    signed_in, practitioner, make_referral
):
    open_one = make_referral()
    closed = make_referral()
    services.referral_decline(
        referral=closed, reason="Out of area", letter="", service_ids=[], by=practitioner
    )

    text = page_text(signed_in(practitioner).get(reverse("referrals:queue")))

    assert open_one.person.full_name in text
    assert closed.person.full_name not in text
    assert "Response to referrer:" in text
    assert "minutes left" in text


def test_filters_narrow_the_queue(signed_in, practitioner, make_referral):
    emergency = make_referral(priority="1")
    routine = make_referral(priority="3")

    text = page_text(signed_in(practitioner).get(reverse("referrals:queue"), {"priority": "1"}))

    assert emergency.person.full_name in text
    assert routine.person.full_name not in text


def test_breaches_today_counts_clocks_missed_today(make_referral, team, time_machine):
    time_machine.move_to(timezone.now().replace(hour=12, minute=0))
    make_referral(
        received_at=timezone.now() - dt.timedelta(hours=1)
    )  # referrer clock missed 30 min ago

    assert breaches_today(team=team) == 1


@pytest.mark.parametrize("count", [2, 20])
def test_the_queue_page_issues_a_fixed_number_of_queries(
    signed_in, practitioner, make_referral, django_assert_num_queries, count
):
    for _ in range(count):
        make_referral()
    client = signed_in(practitioner)

    # session, user, teams, open referrals (people and owners joined), breaches-today scan,
    # audit insert (in a savepoint), session update.
    with django_assert_num_queries(10):
        response = client.get(reverse("referrals:queue"))

    assert f"{count} open referrals" in page_text(response)


def test_the_fragment_for_live_refresh_has_just_the_rows(signed_in, practitioner, make_referral):
    make_referral()
    response = signed_in(practitioner).get(reverse("referrals:queue"), {"fragment": "rows"})
    assert "<html" not in response.text
    assert 'id="queue-table"' in response.text


def test_the_queue_is_for_the_users_own_team(signed_in, staff_user, other_team, make_referral):
    referral = make_referral()
    outsider = staff_user(Role.REGISTERED_PRACTITIONER, in_team=other_team)

    text = page_text(signed_in(outsider).get(reverse("referrals:queue")))

    assert referral.person.full_name not in text


def test_breaches_needing_action_come_first_most_urgent_priority_first(make_referral, team):
    now = timezone.now()
    old_routine = make_referral(priority="3", received_at=now - dt.timedelta(days=3))
    fresh_emergency = make_referral(priority="1", received_at=now - dt.timedelta(minutes=40))
    running = make_referral(priority="2", received_at=now - dt.timedelta(minutes=5))

    rows = [r.referral for r in triage_queue(team=team).rows]

    # Both breached their referrer clock: the emergency leads though the routine one is older.
    assert rows == [fresh_emergency, old_routine, running]
