import datetime as dt

from crisis_care.core import presenters
from crisis_care.core.clock import LONDON, local_instant


def test_nhs_numbers_are_shown_3_3_4():
    assert presenters.format_nhs_number("9991234560") == "999 123 4560"
    assert presenters.format_nhs_number("") == "Not known"


def test_times_follow_the_nhs_style():
    assert presenters.time_short(dt.time(9, 5)) == "9:05am"
    assert presenters.time_short(dt.time(12, 0)) == "midday"
    assert presenters.time_short(dt.time(0, 0)) == "midnight"
    assert presenters.time_short(dt.time(21, 30)) == "9:30pm"


def test_dates_are_long_without_leading_zeros():
    assert presenters.date_long(dt.date(2026, 3, 3)) == "3 March 2026"


def test_utc_instants_are_shown_in_london_time_across_the_clock_change():
    summer = dt.datetime(2026, 10, 24, 23, 30, tzinfo=dt.UTC)  # 00:30 BST on the 25th
    winter = dt.datetime(2026, 10, 25, 23, 30, tzinfo=dt.UTC)  # 23:30 GMT
    assert presenters.datetime_long(summer) == "25 October 2026 at 12:30am"
    assert presenters.datetime_long(winter) == "25 October 2026 at 11:30pm"


def test_local_instants_handle_the_gap_and_the_overlap():
    # 01:30 on 29 March 2026 does not exist in London: it resolves to 02:30 BST.
    gap = local_instant(dt.date(2026, 3, 29), dt.time(1, 30))
    assert gap.astimezone(dt.UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)
    # 01:30 on 25 October 2026 happens twice: the first (BST) is taken.
    overlap = local_instant(dt.date(2026, 10, 25), dt.time(1, 30))
    assert overlap.astimezone(dt.UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert overlap.astimezone(LONDON).strftime("%H:%M %Z") == "01:30 BST"


def test_age_is_counted_from_the_birthday():
    assert presenters.age_on(dt.date(1990, 4, 1), dt.date(2026, 3, 31)) == 35
    assert presenters.age_on(dt.date(1990, 4, 1), dt.date(2026, 4, 1)) == 36
