"""Working days in England: Monday to Friday, except England and Wales bank holidays.

CORE item 12b asks for the written treatment plan within 4 working days of the start of home
treatment; this module does that arithmetic on calendar dates (London local dates, from
`crisis_care.core.clock.local_date`), never on instants.

The bank holidays are hard-coded. Source: GOV.UK, "UK bank holidays", England and Wales
(https://www.gov.uk/bank-holidays, data at https://www.gov.uk/bank-holidays.json), including the
substitute days GOV.UK lists when a holiday falls at a weekend. Years GOV.UK had not yet
published when this was written follow the same standing pattern (Banking and Financial
Dealings Act 1971 and the annual proclamations); check them against GOV.UK when it publishes
them, and add each new year before it starts. Outside the years held, only weekends are
skipped and a warning is logged, so a date is never refused for want of a calendar.
"""

import datetime as dt
import logging

logger = logging.getLogger(__name__)

ENGLAND_AND_WALES_BANK_HOLIDAYS: frozenset[dt.date] = frozenset(
    {
        # 2021 to 2023, so five years of history (reports, demo data) count working days right.
        # 2021
        dt.date(2021, 1, 1),  # New Year's Day
        dt.date(2021, 4, 2),  # Good Friday
        dt.date(2021, 4, 5),  # Easter Monday
        dt.date(2021, 5, 3),  # Early May bank holiday
        dt.date(2021, 5, 31),  # Spring bank holiday
        dt.date(2021, 8, 30),  # Summer bank holiday
        dt.date(2021, 12, 27),  # Christmas Day (substitute day: 25 December is a Saturday)
        dt.date(2021, 12, 28),  # Boxing Day (substitute day: 26 December is a Sunday)
        # 2022
        dt.date(2022, 1, 3),  # New Year's Day (substitute day: 1 January is a Saturday)
        dt.date(2022, 4, 15),  # Good Friday
        dt.date(2022, 4, 18),  # Easter Monday
        dt.date(2022, 5, 2),  # Early May bank holiday
        dt.date(2022, 6, 2),  # Spring bank holiday (moved for the Platinum Jubilee)
        dt.date(2022, 6, 3),  # Platinum Jubilee bank holiday
        dt.date(2022, 8, 29),  # Summer bank holiday
        dt.date(2022, 9, 19),  # State Funeral of Queen Elizabeth II
        dt.date(2022, 12, 26),  # Boxing Day
        dt.date(2022, 12, 27),  # Christmas Day (substitute day: 25 December is a Sunday)
        # 2023
        dt.date(2023, 1, 2),  # New Year's Day (substitute day: 1 January is a Sunday)
        dt.date(2023, 4, 7),  # Good Friday
        dt.date(2023, 4, 10),  # Easter Monday
        dt.date(2023, 5, 1),  # Early May bank holiday
        dt.date(2023, 5, 8),  # Bank holiday for the coronation of King Charles III
        dt.date(2023, 5, 29),  # Spring bank holiday
        dt.date(2023, 8, 28),  # Summer bank holiday
        dt.date(2023, 12, 25),  # Christmas Day
        dt.date(2023, 12, 26),  # Boxing Day
        # 2024
        dt.date(2024, 1, 1),  # New Year's Day
        dt.date(2024, 3, 29),  # Good Friday
        dt.date(2024, 4, 1),  # Easter Monday
        dt.date(2024, 5, 6),  # Early May bank holiday
        dt.date(2024, 5, 27),  # Spring bank holiday
        dt.date(2024, 8, 26),  # Summer bank holiday
        dt.date(2024, 12, 25),  # Christmas Day
        dt.date(2024, 12, 26),  # Boxing Day
        # 2025
        dt.date(2025, 1, 1),  # New Year's Day
        dt.date(2025, 4, 18),  # Good Friday
        dt.date(2025, 4, 21),  # Easter Monday
        dt.date(2025, 5, 5),  # Early May bank holiday
        dt.date(2025, 5, 26),  # Spring bank holiday
        dt.date(2025, 8, 25),  # Summer bank holiday
        dt.date(2025, 12, 25),  # Christmas Day
        dt.date(2025, 12, 26),  # Boxing Day
        # 2026
        dt.date(2026, 1, 1),  # New Year's Day
        dt.date(2026, 4, 3),  # Good Friday
        dt.date(2026, 4, 6),  # Easter Monday
        dt.date(2026, 5, 4),  # Early May bank holiday
        dt.date(2026, 5, 25),  # Spring bank holiday
        dt.date(2026, 8, 31),  # Summer bank holiday
        dt.date(2026, 12, 25),  # Christmas Day
        dt.date(2026, 12, 28),  # Boxing Day (substitute day: 26 December is a Saturday)
        # 2027
        dt.date(2027, 1, 1),  # New Year's Day
        dt.date(2027, 3, 26),  # Good Friday
        dt.date(2027, 3, 29),  # Easter Monday
        dt.date(2027, 5, 3),  # Early May bank holiday
        dt.date(2027, 5, 31),  # Spring bank holiday
        dt.date(2027, 8, 30),  # Summer bank holiday
        dt.date(2027, 12, 27),  # Christmas Day (substitute day: 25 December is a Saturday)
        dt.date(2027, 12, 28),  # Boxing Day (substitute day: 26 December is a Sunday)
        # 2028
        dt.date(2028, 1, 3),  # New Year's Day (substitute day: 1 January is a Saturday)
        dt.date(2028, 4, 14),  # Good Friday
        dt.date(2028, 4, 17),  # Easter Monday
        dt.date(2028, 5, 1),  # Early May bank holiday
        dt.date(2028, 5, 29),  # Spring bank holiday
        dt.date(2028, 8, 28),  # Summer bank holiday
        dt.date(2028, 12, 25),  # Christmas Day
        dt.date(2028, 12, 26),  # Boxing Day
    }
)

YEARS_HELD = range(2021, 2029)


def is_bank_holiday(day: dt.date) -> bool:
    if day.year not in YEARS_HELD:
        logger.warning(
            "Bank holidays for %s are not in crisis_care.core.working_days: add them from "
            "https://www.gov.uk/bank-holidays. Only weekends are skipped.",
            day.year,
        )
        return False
    return day in ENGLAND_AND_WALES_BANK_HOLIDAYS


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date `n` working days after `day` (before it, for a negative `n`). `day` itself
    never counts, so from a Saturday, 1 working day on is the Monday (or the Tuesday after a
    bank holiday Monday). `n == 0` returns `day` unchanged."""
    step = dt.timedelta(days=1 if n >= 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days from `start` to `end`: those after `start`, up to and including
    `end` (negative when `end` is before `start`). So for any start and n >= 0,
    working_days_between(start, add_working_days(start, n)) == n."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
