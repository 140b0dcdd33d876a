"""Working days in England (CORE item 12b counts 4 of them from the start of home treatment)."""

import datetime as dt
import logging

import pytest

from crisis_care.core.working_days import (
    ENGLAND_AND_WALES_BANK_HOLIDAYS,
    YEARS_HELD,
    add_working_days,
    is_working_day,
    working_days_between,
)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_every_bank_holiday_held_falls_on_a_weekday():
    assert all(day.weekday() < 5 for day in ENGLAND_AND_WALES_BANK_HOLIDAYS)


def test_each_year_held_has_eight_bank_holidays_and_the_one_offs():
    # 2022 added the Platinum Jubilee and the State Funeral; 2023 the Coronation.
    one_offs = {2022: 2, 2023: 1}
    for year in YEARS_HELD:
        held = [h for h in ENGLAND_AND_WALES_BANK_HOLIDAYS if h.year == year]
        assert len(held) == 8 + one_offs.get(year, 0), year


def test_weekends_are_not_working_days():
    assert is_working_day(d("2026-03-06"))  # Friday
    assert not is_working_day(d("2026-03-07"))  # Saturday
    assert not is_working_day(d("2026-03-08"))  # Sunday


def test_an_ordinary_week_counts_monday_to_friday():
    assert add_working_days(d("2026-03-02"), 4) == d("2026-03-06")  # Monday -> Friday


def test_four_working_days_from_a_thursday_run_into_the_next_week():
    assert add_working_days(d("2026-03-05"), 4) == d("2026-03-11")  # Thursday -> Wednesday


def test_counting_from_a_weekend_starts_on_the_monday():
    assert add_working_days(d("2026-03-07"), 1) == d("2026-03-09")
    assert add_working_days(d("2026-03-08"), 4) == d("2026-03-12")


def test_zero_working_days_is_the_same_day():
    assert add_working_days(d("2026-03-07"), 0) == d("2026-03-07")


def test_christmas_and_new_year_are_skipped():
    # 2025: Christmas Thursday, Boxing Day Friday, New Year's Day Thursday.
    assert add_working_days(d("2025-12-24"), 1) == d("2025-12-29")
    assert add_working_days(d("2025-12-24"), 4) == d("2026-01-02")


def test_substitute_days_are_skipped_when_christmas_falls_at_a_weekend():
    # 2027: 25 and 26 December are a Saturday and Sunday; 27 and 28 are the substitute days.
    assert not is_working_day(d("2027-12-27"))
    assert not is_working_day(d("2027-12-28"))
    assert add_working_days(d("2027-12-24"), 1) == d("2027-12-29")
    # 2026: Boxing Day is a Saturday, so Monday 28 December is the substitute day.
    assert add_working_days(d("2026-12-24"), 1) == d("2026-12-29")


def test_a_new_year_substitute_day_is_skipped():
    # 1 January 2028 is a Saturday: Monday 3 January is the bank holiday.
    assert add_working_days(d("2027-12-31"), 1) == d("2028-01-04")


def test_good_friday_and_easter_monday_are_skipped():
    # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
    assert add_working_days(d("2026-04-02"), 1) == d("2026-04-07")
    assert add_working_days(d("2026-04-01"), 4) == d("2026-04-09")
    # Easter 2025: 18 and 21 April.
    assert working_days_between(d("2025-04-17"), d("2025-04-22")) == 1


def test_late_may_bank_holiday_is_skipped():
    assert add_working_days(d("2026-05-22"), 1) == d("2026-05-26")


def test_working_days_between_counts_days_after_the_start_up_to_the_end():
    assert working_days_between(d("2026-03-02"), d("2026-03-02")) == 0
    assert working_days_between(d("2026-03-02"), d("2026-03-06")) == 4
    assert working_days_between(d("2026-03-06"), d("2026-03-09")) == 1  # Friday -> Monday
    assert working_days_between(d("2026-03-07"), d("2026-03-08")) == 0  # a weekend


def test_working_days_between_is_negative_backwards():
    assert working_days_between(d("2026-03-06"), d("2026-03-02")) == -4


@pytest.mark.parametrize(
    "start", ["2024-12-20", "2025-04-16", "2026-03-07", "2026-12-23", "2027-12-24", "2028-04-13"]
)
def test_between_undoes_add(start: str):
    for n in range(0, 12):
        assert working_days_between(d(start), add_working_days(d(start), n)) == n


def test_a_year_not_held_skips_only_weekends_and_says_so(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.WARNING, logger="crisis_care.core.working_days"):
        assert add_working_days(d("2029-12-24"), 1) == d("2029-12-25")
    assert "Bank holidays for 2029" in caplog.text


def test_the_one_off_bank_holidays_of_2022_and_2023_are_skipped():
    # The Platinum Jubilee, the State Funeral and the Coronation.
    assert add_working_days(d("2022-06-01"), 1) == d("2022-06-06")
    assert not is_working_day(d("2022-09-19"))
    assert add_working_days(d("2023-05-05"), 1) == d("2023-05-09")
