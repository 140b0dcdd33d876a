"""Opening times and other display values."""

import datetime as dt

import pytest

from crisis_care.directory import presenters
from crisis_care.directory.models import RegularSchedule, Service


def schedule(day: str, opens: str, closes: str) -> RegularSchedule:
    return RegularSchedule(
        byday=day, opens_at=dt.time.fromisoformat(opens), closes_at=dt.time.fromisoformat(closes)
    )


def hours(*rows: RegularSchedule, described: str = "") -> list[str]:
    return presenters.opening_times(Service(hours_description=described), rows)


def test_weekdays_with_the_same_hours_read_as_a_range():
    rows = [schedule(d, "09:00", "17:00") for d in ("MO", "TU", "WE", "TH", "FR")]

    assert hours(*rows) == ["Monday to Friday, 9am to 5pm"]


def test_separate_days_are_listed_and_weekends_grouped():
    rows = [
        schedule("MO", "18:00", "23:30"),
        schedule("WE", "18:00", "23:30"),
        schedule("FR", "18:00", "23:30"),
        schedule("SA", "10:00", "14:00"),
        schedule("SU", "10:00", "14:00"),
    ]

    assert hours(*rows) == [
        "Monday, Wednesday and Friday, 6pm to 11:30pm",
        "Saturday and Sunday, 10am to 2pm",
    ]


def test_a_close_before_the_open_runs_past_midnight():
    assert hours(schedule("FR", "20:00", "02:00")) == ["Friday, 8pm to 2am the next day"]


def test_open_all_day_every_day_reads_24_hours_every_day():
    rows = [schedule(d, "00:00", "23:59") for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")]

    assert hours(*rows) == ["24 hours, every day"]


def test_the_same_hours_every_day_read_every_day():
    rows = [schedule(d, "12:00", "00:00") for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU")]

    assert hours(*rows) == ["Every day, midday to midnight"]


def test_hours_in_words_come_first_and_no_hours_say_so():
    assert hours(described="24 hours, every day") == ["24 hours, every day"]
    assert hours() == ["Opening times not recorded: check with the service"]


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("0116 305 0495", "tel:01163050495"),
        ("116 123", "tel:116123"),
        ("+44 116 496 0000", "tel:+441164960000"),
    ],
)
def test_phone_numbers_become_tel_links(number, href):
    assert presenters.phone_href(number) == href


def test_only_web_addresses_become_links():
    assert presenters.safe_url("https://www.leicspart.nhs.uk") == "https://www.leicspart.nhs.uk"
    assert presenters.safe_url("javascript:alert(1)") == ""


@pytest.mark.django_db
def test_a_crisis_help_line_gives_the_name_numbers_and_hours():
    samaritans = Service.objects.get(name="Samaritans")

    assert presenters.crisis_help_line(samaritans) == (
        "Samaritans: 116 123 (Free, 24 hours a day, every day). 24 hours, every day"
    )
