"""Display values for the feedback report, and the period arithmetic behind it."""

import datetime as dt

from crisis_care.discharge.presenters import feedback as p
from crisis_care.discharge.selectors.feedback import Period, months_before


def test_a_share_is_a_whole_percentage_with_halves_rounded_up():
    assert p.percent(0.75) == "75%"
    assert p.percent(0.625) == "63%"
    assert p.percent(2 / 3) == "67%"
    assert p.percent(1.0) == "100%"
    assert p.percent(0.0) == "0%"
    assert p.percent(None) == "No answers to count"


def test_answers_are_counted_in_words():
    assert p.answers_text(1) == "1 answer"
    assert p.answers_text(1200) == "1,200 answers"


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_kept_as_text():
    for risky in ("=1+1", "+44 7700", "-5", "@SUM(A1)", "\tx", "\rx"):
        assert p.csv_cell(risky) == "'" + risky
    assert p.csv_cell("Kind staff = good care") == "Kind staff = good care"
    assert p.csv_cell("") == ""


def test_three_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(dt.date(2026, 5, 20), 3) == dt.date(2026, 2, 20)
    assert months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 2, 15), 3) == dt.date(2025, 11, 15)


def test_a_period_lists_every_month_it_touches():
    period = Period(dt.date(2025, 11, 20), dt.date(2026, 2, 3))

    assert period.months() == [
        dt.date(2025, 11, 1),
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert p.period_text(period) == "20 November 2025 to 3 February 2026"
    assert p.month_label(dt.date(2026, 1, 1)) == "January 2026"


def test_a_period_runs_from_london_midnight_to_london_midnight():
    start, end = Period(dt.date(2026, 3, 29), dt.date(2026, 3, 29)).bounds  # clocks go forward

    assert start == dt.datetime(2026, 3, 29, 0, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 3, 29, 23, 0, tzinfo=dt.UTC)
