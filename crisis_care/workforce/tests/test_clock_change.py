"""Night shifts on the nights the clocks change (Europe/London).

Saturday 24 October 2026: the clocks go back at 2am BST on Sunday 25 October, so 21:00 BST
(20:00 UTC) to 07:30 GMT (07:30 UTC) is 11 hours 30 minutes of real time, 1 hour more
than the usual 10 hours 30 minutes. Saturday 28 March 2026: the clocks go forward at 1am
GMT on Sunday 29 March, so 21:00 GMT to 07:30 BST (06:30 UTC) is 9 hours 30 minutes.
"""

import datetime as dt

from crisis_care.core.clock import LONDON
from crisis_care.workforce import selectors, services
from crisis_care.workforce.models import Shift, ShiftType, Team

from .conftest import PutOn, staff

AUTUMN = dt.date(2026, 10, 24)
SPRING = dt.date(2026, 3, 28)


def test_the_night_the_clocks_go_back_lasts_11_hours_30_minutes(
    shift_types: dict[str, ShiftType],
) -> None:
    shift = services.shift_get_or_create(shift_type=shift_types["Night"], day=AUTUMN)
    assert shift.starts_at == dt.datetime(2026, 10, 24, 20, 0, tzinfo=dt.UTC)
    assert shift.ends_at == dt.datetime(2026, 10, 25, 7, 30, tzinfo=dt.UTC)
    assert shift.duration == dt.timedelta(hours=11, minutes=30)
    assert Shift.objects.get(pk=shift.pk).duration == dt.timedelta(hours=11, minutes=30)


def test_the_night_the_clocks_go_forward_lasts_9_hours_30_minutes(
    shift_types: dict[str, ShiftType],
) -> None:
    shift = services.shift_get_or_create(shift_type=shift_types["Night"], day=SPRING)
    assert shift.starts_at == dt.datetime(2026, 3, 28, 21, 0, tzinfo=dt.UTC)
    assert shift.ends_at == dt.datetime(2026, 3, 29, 6, 30, tzinfo=dt.UTC)
    assert shift.duration == dt.timedelta(hours=9, minutes=30)
    assert Shift.objects.get(pk=shift.pk).duration == dt.timedelta(hours=9, minutes=30)


def test_an_ordinary_night_lasts_10_hours_30_minutes(shift_types: dict[str, ShiftType]) -> None:
    shift = services.shift_get_or_create(shift_type=shift_types["Night"], day=dt.date(2026, 3, 3))
    assert shift.duration == dt.timedelta(hours=10, minutes=30)


def test_the_night_staff_are_on_shift_at_both_1_30am_when_the_clocks_go_back(
    team: Team, put_on: PutOn
) -> None:
    nia = staff(team, "Nia", "Night")
    put_on(nia, "Night", day=AUTUMN)
    put_on(staff(team, "Eve", "Early"), "Early", day=AUTUMN + dt.timedelta(days=1))
    first = dt.datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)  # 01:30 BST
    second = dt.datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)  # 01:30 GMT
    assert second - first == dt.timedelta(0)  # same tzinfo: Python compares wall clocks
    assert second.astimezone(dt.UTC) - first.astimezone(dt.UTC) == dt.timedelta(hours=1)
    for at in (first, second):
        assert list(selectors.staff_on_shift(team=team, at=at)) == [nia]
        assert [row.staff for row in selectors.on_now(team=team, at=at)] == [nia]


def test_the_night_staff_are_still_on_at_7am_gmt_after_the_clocks_go_back(
    team: Team, put_on: PutOn
) -> None:
    nia = staff(team, "Nia", "Night")
    put_on(nia, "Night", day=AUTUMN)
    assert list(selectors.staff_on_shift(at=dt.datetime(2026, 10, 25, 7, 29, tzinfo=LONDON))) == [
        nia
    ]
    assert not selectors.staff_on_shift(at=dt.datetime(2026, 10, 25, 7, 30, tzinfo=LONDON)).exists()


def test_the_night_staff_are_off_at_7_30am_bst_when_the_clocks_go_forward(
    team: Team, put_on: PutOn
) -> None:
    nia = staff(team, "Nia", "Night")
    put_on(nia, "Night", day=SPRING)
    assert list(selectors.staff_on_shift(at=dt.datetime(2026, 3, 29, 7, 29, tzinfo=LONDON))) == [
        nia
    ]
    assert not selectors.staff_on_shift(at=dt.datetime(2026, 3, 29, 7, 30, tzinfo=LONDON)).exists()
